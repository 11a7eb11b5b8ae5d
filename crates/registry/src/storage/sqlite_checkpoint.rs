//! Write-ahead-log checkpoints on a thread of their own.
//!
//! In WAL mode a commit appends pages to the `-wal` file, and a checkpoint copies them back into
//! the database file and fsyncs it. By default SQLite runs that checkpoint inside whichever commit
//! crosses a thousand pages, so every so often one small write (a citizen's look-up being put on
//! the access trail) waits for a whole checkpoint and its fsync, and every request queued behind
//! it waits too: the status page's misses, two small commits each, had a p99 of 15–30 ms from
//! that alone, against 5–6 ms with checkpoints out of the way (`docs/benchmarks.md`).
//!
//! So this thread, with its own connection, runs a passive checkpoint once a second: it copies
//! what no reader still needs, never blocks the writer or the readers, and SQLite rewinds the WAL
//! at the next write once everything in it is copied. Under a steady load of small commits that
//! keeps the file small, and the write connection never checkpoints.
//!
//! Under a sustained ingest (a million households pushed back to back) the writer appends between
//! any two ticks, so the thread's checkpoint is never complete when the next write starts and the
//! WAL never rewinds: it grew past 1.4 GB in the scale bench. The write connection therefore keeps
//! SQLite's automatic checkpoint as a backstop at [`WRITER_BACKSTOP_PAGES`] (16 times SQLite's
//! default): only a WAL the thread could not keep up with makes a commit checkpoint, and the WAL
//! rewinds after it. `journal_size_limit` then truncates the file back to [`WAL_SIZE_LIMIT`].
//!
//! The thread ends, after a last checkpoint, when the storage that started it is dropped; closing
//! the last connection checkpoints whatever is left, as SQLite always does.

use super::{Result, StorageError};
use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// How often the WAL is checkpointed.
const EVERY: Duration = Duration::from_secs(1);

/// WAL pages past which a commit on the write connection checkpoints itself (64 MiB of 4 KiB
/// pages): never reached while the thread keeps up.
pub(super) const WRITER_BACKSTOP_PAGES: i64 = 16_384;

/// Bytes the WAL file is truncated back to after it rewinds.
pub(super) const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// Keeps the checkpoint thread running; dropping it ends the thread and waits for it, so once
/// the storage is gone no connection of it holds the file (a restore may replace it).
#[derive(Debug)]
pub(super) struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` (opened with `key`, if it has one).
    pub(super) fn start(path: &Path, key: Option<&str>) -> Result<Self> {
        let conn = Connection::open(path)?;
        if let Some(key) = key {
            conn.pragma_update(None, "key", key)?;
        }
        conn.busy_timeout(Duration::from_secs(30))?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("shumari-checkpoint".into())
            .spawn(move || loop {
                let last = !matches!(
                    stopped.recv_timeout(EVERY),
                    Err(mpsc::RecvTimeoutError::Timeout)
                );
                // A checkpoint that cannot run now (a backup's restore holds the file) is tried
                // again at the next tick; the WAL only grows meanwhile, nothing is lost.
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                if last {
                    break;
                }
            })
            .map_err(|e| StorageError::Other(format!("starting the checkpoint thread: {e}")))?;
        Ok(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::storage::sqlite::SqliteStorage;

    /// Commits leave the WAL to the checkpoint thread; once the storage is dropped (its thread
    /// joined, every connection closed) the database file alone holds every commit.
    #[tokio::test]
    async fn commits_survive_with_checkpoints_off_the_commit_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        {
            let s = SqliteStorage::open(&path).unwrap();
            let auto: i64 = s
                .run(|c| Ok(c.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?))
                .await
                .unwrap();
            assert_eq!(
                auto,
                super::WRITER_BACKSTOP_PAGES,
                "commits checkpoint only past the backstop"
            );
            s.run(|c| Ok(c.execute_batch("CREATE TABLE notes (n INTEGER)")?))
                .await
                .unwrap();
            for n in 0..2_000 {
                s.run(move |c| Ok(c.execute("INSERT INTO notes VALUES (?1)", [n])?))
                    .await
                    .unwrap();
            }
        }
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        assert!(
            !std::path::Path::new(&wal).exists(),
            "the last connection's close checkpoints and removes the WAL"
        );
        let c = rusqlite::Connection::open(&path).unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2_000);
    }

    /// A sustained ingest, commits back to back with no pause for the thread: the WAL stays
    /// bounded (the writer's backstop checkpoints, the WAL rewinds and is truncated), where it
    /// grew without bound when only the thread checkpointed.
    #[tokio::test]
    async fn a_sustained_ingest_keeps_the_wal_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let s = SqliteStorage::open(&path).unwrap();
        s.run(|c| Ok(c.execute_batch("CREATE TABLE blobs (b BLOB)")?))
            .await
            .unwrap();
        let limit = u64::try_from(super::WAL_SIZE_LIMIT).unwrap();
        let mut largest = 0;
        // Three times the limit, 256 KiB per commit.
        for _ in 0..(3 * limit / (256 * 1024)) {
            s.run(|c| Ok(c.execute("INSERT INTO blobs VALUES (zeroblob(262144))", [])?))
                .await
                .unwrap();
            largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        }
        assert!(
            largest < limit + limit / 2,
            "the WAL reached {largest} bytes, past {limit} and a commit's worth"
        );
    }
}
