//! Read-only connections to the registry's SQLite file, for short reads on the calling thread.
//!
//! The registry writes through one connection behind a mutex (one writer is all SQLite allows).
//! Short reads (the citizen status page's index look-ups, a household's payments) used to take that
//! same connection when it was free; under concurrent look-ups two async workers then contended
//! for it, and the loser crossed to the blocking pool and back, which cost more than the read. In
//! WAL mode readers never wait for the writer nor for each other, so each short read takes an idle
//! read-only connection of its own instead and sees everything committed before it began.
//!
//! The pool is a stack of idle connections, hand-rolled rather than `r2d2`: a local file needs no
//! health checks, timeouts or background reaping, only "take one or open one, give it back". Its
//! size follows the number of threads reading at once (the async workers), since a read runs to
//! its end without yielding.

use super::{Result, StorageError};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// SQLite's page cache per read connection (KiB, as a negative `cache_size`): the indexes a
/// look-up descends stay warm in each, and the OS page cache shares the rest.
const READER_CACHE_KIB: i64 = 16_384;

/// Idle read-only connections to one database file, opened on demand.
pub(super) struct Readers {
    path: PathBuf,
    key: Option<String>,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Readers {
    // The key never goes into a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers")
            .field("path", &self.path)
            .field("encrypted", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

impl Readers {
    pub(super) fn new(path: &Path, key: Option<&str>) -> Self {
        Readers {
            path: path.to_path_buf(),
            key: key.map(str::to_string),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` on an idle read connection (opening one when none is idle) and keeps the
    /// connection for the next read. A connection whose read failed is dropped, not reused.
    pub(super) fn read<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let taken = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match taken {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&mut conn)?;
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(conn);
        Ok(out)
    }

    fn open(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        if let Some(key) = &self.key {
            conn.pragma_update(None, "key", key)?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| StorageError::Other(format!("opening a read connection: {e}")))?;
        Ok(conn)
    }
}

#[cfg(test)]
mod tests {
    use crate::storage::sqlite::SqliteStorage;

    fn count(c: &mut rusqlite::Connection) -> crate::storage::Result<i64> {
        Ok(c.query_row("SELECT count(*) FROM notes", [], |r| r.get(0))?)
    }

    #[tokio::test]
    async fn a_short_read_sees_every_commit_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open(&dir.path().join("r.db")).unwrap();
        s.run(|c| Ok(c.execute_batch("CREATE TABLE notes (n INTEGER)")?))
            .await
            .unwrap();
        for n in 1..=3 {
            s.run(move |c| Ok(c.execute("INSERT INTO notes VALUES (?1)", [n])?))
                .await
                .unwrap();
            // The same pooled read connection, after each commit of the write connection.
            assert_eq!(s.read_quick(count).await.unwrap(), n);
        }
    }

    #[tokio::test]
    async fn a_short_read_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open(&dir.path().join("r.db")).unwrap();
        s.run(|c| Ok(c.execute_batch("CREATE TABLE notes (n INTEGER)")?))
            .await
            .unwrap();
        let tried = s
            .read_quick(|c| Ok(c.execute("INSERT INTO notes VALUES (1)", [])?))
            .await;
        assert!(tried.is_err(), "a read connection wrote: {tried:?}");
        assert_eq!(s.read_quick(count).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn an_encrypted_registry_reads_with_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let s = SqliteStorage::open_keyed(&path, Some("correct horse")).unwrap();
        s.run(|c| {
            Ok(c.execute_batch("CREATE TABLE notes (n INTEGER); INSERT INTO notes VALUES (7);")?)
        })
        .await
        .unwrap();
        assert_eq!(s.read_quick(count).await.unwrap(), 1);
    }
}
