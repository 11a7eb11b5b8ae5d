//! Write-ahead-log checkpoints on a thread of their own.
//!
//! In WAL mode a commit appends pages to the `-wal` file, and a checkpoint copies them back into
//! the database file and fsyncs it. By default SQLite runs that checkpoint inside whichever commit
//! crosses a thousand pages, so every so often one small write (a citizen's look-up being put on
//! the access trail) waits for a whole checkpoint and its fsync, and every request queued behind
//! it waits too: the status page's misses, two small commits each, had a p99 of 15–30 ms from
//! that alone, against 5–6 ms with checkpoints out of the way (`docs/benchmarks.md`).
//!
//! So the write connection turns automatic checkpoints off and this thread, with its own
//! connection, runs a passive checkpoint once a second: it copies what no reader still needs,
//! never blocks the writer or the readers, and SQLite rewinds the WAL at the next write once
//! everything in it is copied, which keeps the file bounded under any steady load. The thread
//! ends, after a last checkpoint, when the storage that started it is dropped; closing the last
//! connection checkpoints whatever is left, as SQLite always does.

use super::{Result, StorageError};
use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// How often the WAL is checkpointed.
const EVERY: Duration = Duration::from_secs(1);

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
    async fn commits_survive_without_automatic_checkpoints() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        {
            let s = SqliteStorage::open(&path).unwrap();
            let auto: i64 = s
                .run(|c| Ok(c.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?))
                .await
                .unwrap();
            assert_eq!(auto, 0, "commits must not checkpoint on the writer's path");
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
}
