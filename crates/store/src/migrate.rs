//! Schema migrations: SQL files under `migrations/store/`, embedded at compile time, applied on open,
//! tracked in `PRAGMA user_version`.
//!
//! Hand-rolled (about 30 lines) rather than a migration crate: we need exactly "apply the numbered files
//! above user_version in one transaction each, refuse a database newer than us", and SQLCipher's keyed
//! connection must be set up before any crate touches it.

use crate::error::{Result, StoreError};
use rusqlite::Connection;

/// The migrations, in order; file N sets `user_version = N`. Only ever append.
const MIGRATIONS: &[&str] = &[include_str!("../../../migrations/store/0001_init.sql")];

/// Newest schema version this binary knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`]; refuses one written by a newer binary without touching it.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        // user_version is a pragma: it cannot take a bound parameter; the value is our own integer.
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
