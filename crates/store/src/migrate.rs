//! Schema migrations: the SQL files of `migrations/store/` (`V{n}__{name}.sql`), embedded at compile
//! time and applied on every open by [`refinery`], which records each one in its
//! `refinery_schema_history` table (version, name, checksum, when).
//!
//! What this module adds around refinery:
//!
//! - **A newer store is refused untouched.** Before refinery writes anything (it would create its
//!   history table), the newest recorded version is compared with the newest this build embeds; a store
//!   written by a newer Shumari gives [`StoreError::SchemaTooNew`] and is not changed.
//! - **Stores made before refinery keep opening.** Those recorded their schema only in
//!   `PRAGMA user_version`; on their first open that version is adopted into refinery's history
//!   (marked applied without running the files again), then the newer files run.
//! - **Older builds keep refusing newer stores.** After migrating, `user_version` is set to the schema
//!   version too, which is what builds from before refinery compare against.
//!
//! All pending files run in one transaction with their history rows, so an interrupted upgrade leaves
//! the store as it was. The keyed SQLCipher connection is set up by the caller before anything here
//! touches it.

use crate::error::{Result, StoreError};
use refinery::{Runner, Target};
use rusqlite::Connection;

mod embedded {
    refinery::embed_migrations!("../../migrations/store");
}

/// The history table refinery keeps (its default name).
const HISTORY_TABLE: &str = "refinery_schema_history";

/// The embedded migrations, in version order.
fn runner() -> Runner {
    embedded::migrations::runner().set_grouped(true)
}

/// Newest schema version this binary knows.
pub fn schema_version() -> i64 {
    runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// Brings the database up to [`schema_version`]; refuses one written by a newer binary without
/// touching it.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let known = schema_version();
    let recorded = recorded_version(conn)?;
    let legacy: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let found = recorded.unwrap_or(0).max(legacy);
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    if recorded.is_none() && legacy > 0 {
        // Made before refinery: the files up to `user_version` are already applied.
        let adopted =
            refinery::SchemaVersion::try_from(legacy).map_err(|_| StoreError::SchemaTooNew {
                found: legacy,
                known,
            })?;
        runner()
            .set_target(Target::FakeVersion(adopted))
            .run(conn)
            .map_err(migration_error)?;
    }
    runner().run(conn).map_err(migration_error)?;
    if legacy != known {
        conn.pragma_update(None, "user_version", known)?;
    }
    Ok(())
}

/// The newest version in refinery's history, or `None` when the table does not exist yet.
fn recorded_version(conn: &Connection) -> Result<Option<i64>> {
    if !conn.table_exists(None, HISTORY_TABLE)? {
        return Ok(None);
    }
    let newest: Option<i64> = conn.query_row(
        "SELECT max(version) FROM refinery_schema_history",
        [],
        |r| r.get(0),
    )?;
    Ok(Some(newest.unwrap_or(0)))
}

/// A failed migration: a full disk stays [`StoreError::DiskFull`]; anything else says what refinery said.
fn migration_error(e: refinery::Error) -> StoreError {
    let disk_full = std::error::Error::source(&e)
        .and_then(|s| s.downcast_ref::<rusqlite::Error>())
        .and_then(rusqlite::Error::sqlite_error_code)
        == Some(rusqlite::ErrorCode::DiskFull);
    if disk_full {
        StoreError::DiskFull
    } else {
        StoreError::Migration(e.to_string())
    }
}
