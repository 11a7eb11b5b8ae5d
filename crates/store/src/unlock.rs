//! Unlocking: the PIN becomes a key, the key opens the database, and a store whose key file names a
//! cost below [`KdfCost::current`] is moved to it on the way.
//!
//! # Raising the cost without risking the data
//!
//! Raising the cost means a new salt and parameters, so a new key, so the whole database re-encrypted
//! (`PRAGMA rekey`, one SQLite transaction). The key file and the database must never disagree in a way
//! that loses the key: if the new parameters were written only *after* the rekey, a kill between the two
//! would leave a database under a key whose salt exists nowhere; if `key.json` were replaced *before*
//! the rekey, a kill between would leave the old database with its salt gone. So the upgrade keeps both:
//!
//! 1. the new parameters are written durably to `key.next.json` (`key.json` untouched);
//! 2. the database is rekeyed (atomic: before its commit the old key opens it, after it the new one);
//! 3. `key.next.json` is renamed over `key.json` (atomic).
//!
//! Unlocking tries `key.json` first. If that opens the database, a leftover `key.next.json` is from a
//! kill before step 2's commit and is removed. If it does not and `key.next.json` exists, the kill came
//! between steps 2 and 3: the pending file opens the database and is promoted. A wrong PIN fails both
//! and changes nothing. All of this happens under an OS lock on `key.lock`, so a second process
//! unlocking at the same moment waits instead of tidying away the first one's pending file. An upgrade
//! that fails (a full disk) is given up and the store opens under the key it has, so the surveyor is
//! never locked out by it; the next unlock tries again.

use crate::error::{Result, StoreError};
use crate::key::{rename_durably, KdfCost, KeyFile};
use crate::store::{DB_FILE, KEY_FILE};
use rusqlite::{Connection, ErrorCode};
use std::fmt::Write as _;
use std::path::Path;
use zeroize::Zeroizing;

/// The new parameters while an upgrade is in flight (see the module documentation).
pub const KEY_FILE_NEXT: &str = "key.next.json";
/// Locked (an OS advisory lock) while an unlock reads and changes the key files and the attempt count.
pub const KEY_LOCK_FILE: &str = "key.lock";

/// Held while an unlock reads and changes the key files and the attempt count, so two processes opening
/// the same store (the app and the command line) never interleave: one could otherwise delete the
/// other's pending key file in the middle of its upgrade. Released when dropped.
#[derive(Debug)]
pub(crate) struct KeyLock {
    _file: std::fs::File,
}

/// Waits for and takes the store's [`KeyLock`].
pub(crate) fn lock_keys(dir: &Path) -> Result<KeyLock> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(KEY_LOCK_FILE))?;
    f.lock()?;
    Ok(KeyLock { _file: f })
}

/// Where a test stops an upgrade, as if the process were killed there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpgradeStop {
    /// After `key.next.json` is written, before the rekey.
    BeforeRekey,
    /// After the rekey committed, while its pages are still only in the WAL.
    BeforeCheckpoint,
    /// After the rekey committed and was checkpointed, before `key.next.json` replaces `key.json`.
    BeforeRename,
}

/// `PRAGMA <pragma> = "x'<64 hex digits>'"`, the raw-key form of SQLCipher's `key` and `rekey`, built
/// in memory that is wiped on drop (allocated once at its final size, so no reallocation leaves a
/// copy behind) and run as it is (`pragma_update` would copy it into a string nobody wipes).
fn set_key(conn: &Connection, pragma: &str, key: &[u8; 32]) -> Result<()> {
    let mut sql = Zeroizing::new(String::with_capacity(pragma.len() + 16 + 64));
    sql.push_str("PRAGMA ");
    sql.push_str(pragma);
    sql.push_str(" = \"x'");
    for b in key {
        // Writing to a String cannot fail.
        let _ = write!(sql, "{b:02x}");
    }
    sql.push_str("'\"");
    conn.execute_batch(&sql)?;
    Ok(())
}

/// Opens the database with a raw key; [`StoreError::WrongPin`] when the key does not decrypt it.
pub(crate) fn open_keyed(db: &Path, key: &[u8; 32]) -> Result<Connection> {
    let conn = Connection::open(db)?;
    // Raw-key form: SQLCipher uses the 32 bytes directly instead of running its own PBKDF2 on top of Argon2.
    set_key(&conn, "key", key)?;
    // SQLCipher logs decryption failures to stderr once keyed; a wrong PIN is reported by our own error.
    // (Set after `key`: activating the codec resets the level.)
    conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()))?;
    // The first read tells a wrong key apart: SQLCipher then sees only noise ("file is not a database").
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::NotADatabase => {
            return Err(StoreError::WrongPin)
        }
        Err(e) => return Err(e.into()),
    }
    // WAL: readers never block the writer; synchronous=FULL: a commit is on disk when it returns.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

/// Opens the store's database with `pin`, finishing an interrupted upgrade and raising the key file's
/// cost to [`KdfCost::current`] when it is lower. A wrong PIN is [`StoreError::WrongPin`] and changes
/// nothing.
pub(crate) fn unlock(dir: &Path, pin: &str) -> Result<Connection> {
    let conn = open_current(dir, pin)?;
    let kf = KeyFile::read(&dir.join(KEY_FILE))?;
    if !kf.is_weaker_than(KdfCost::current()) {
        return Ok(conn);
    }
    match upgrade(dir, conn, pin, None) {
        Ok(conn) => Ok(conn),
        // Never locked out by an upgrade: reopen under whichever key the database has now.
        Err(_) => open_current(dir, pin),
    }
}

/// Opens with `key.json`, or with `key.next.json` after a kill between the rekey and the rename
/// (promoting it); removes a pending file that turned out stale.
pub(crate) fn open_current(dir: &Path, pin: &str) -> Result<Connection> {
    let db = dir.join(DB_FILE);
    let next = dir.join(KEY_FILE_NEXT);
    let kf = KeyFile::read(&dir.join(KEY_FILE))?;
    match open_keyed(&db, &*kf.derive(pin)?) {
        Ok(conn) => {
            if next.exists() {
                std::fs::remove_file(&next)?;
            }
            Ok(conn)
        }
        Err(StoreError::WrongPin) if next.exists() => {
            let pending = KeyFile::read(&next)?;
            let conn = open_keyed(&db, &*pending.derive(pin)?)?;
            rename_durably(&next, &dir.join(KEY_FILE))?;
            Ok(conn)
        }
        Err(e) => Err(e),
    }
}

/// Moves the open database to a new key file at the current cost (the three steps of the module
/// documentation). `stop` ends it early, for tests that simulate a kill.
pub(crate) fn upgrade(
    dir: &Path,
    conn: Connection,
    pin: &str,
    stop: Option<UpgradeStop>,
) -> Result<Connection> {
    let next_path = dir.join(KEY_FILE_NEXT);
    let next = KeyFile::generate();
    let key = next.derive(pin)?;
    next.write(&next_path)?;
    if stop == Some(UpgradeStop::BeforeRekey) {
        return Ok(conn);
    }
    // Re-encrypts every page under the new key in one transaction. SQLCipher keeps its database salt
    // across a rekey, so the rekeyed pages in the WAL are readable by a connection with only the new key.
    set_key(&conn, "rekey", &key)?;
    if stop == Some(UpgradeStop::BeforeCheckpoint) {
        return Ok(conn);
    }
    // Fold the WAL into the database file now, so no page under the old key outlives the upgrade.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    if stop == Some(UpgradeStop::BeforeRename) {
        return Ok(conn);
    }
    rename_durably(&next_path, &dir.join(KEY_FILE))?;
    Ok(conn)
}
