//! Schema migrations of both backends, run by [`refinery`] on open: the SQL files of
//! `migrations/registry-sqlite/` and `migrations/registry-postgres/` (`V{n}__{name}.sql`) are embedded
//! at compile time, all pending ones applied in one transaction together with their rows in refinery's
//! `refinery_schema_history`.
//!
//! Each backend's `migrate` does the same three steps, with what this module decides:
//!
//! 1. **Refuse a newer database untouched** ([`refuse_newer`]): the newest version recorded (in
//!    refinery's history, or in the `schema_migrations` table of databases made before it) is compared
//!    with the newest this build embeds before anything is written.
//! 2. **Adopt a database made before refinery** ([`to_adopt`]): its `schema_migrations` versions are
//!    marked applied in refinery's history without running the files again; migration 3 then drops
//!    the old table, so a build from before this change fails on the database instead of writing to it.
//! 3. **Apply what is missing**; a failure leaves the database as it was ([`failed`]).
//!
//! PostgreSQL also holds an advisory lock around the three steps, so registry processes started
//! together migrate one after the other.

use super::{Result, StorageError};
use refinery::Runner;

/// refinery's history table (its default name).
pub(super) const HISTORY_TABLE: &str = "refinery_schema_history";
/// Where databases made before refinery recorded their versions.
pub(super) const LEGACY_TABLE: &str = "schema_migrations";

/// Newest version a set of embedded migrations reaches.
pub(super) fn newest(runner: &Runner) -> i64 {
    runner
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// Refuses a database whose recorded schema (refinery's history, else the table used before it) is
/// newer than `known`.
pub(super) fn refuse_newer(recorded: Option<i64>, legacy: Option<i64>, known: i64) -> Result<()> {
    let found = recorded.unwrap_or(0).max(legacy.unwrap_or(0));
    if found > known {
        return Err(StorageError::SchemaTooNew { found, known });
    }
    Ok(())
}

/// The version to mark applied without running it: a database with only the old `schema_migrations`
/// table has applied every file up to its newest entry.
pub(super) fn to_adopt(
    recorded: Option<i64>,
    legacy: Option<i64>,
) -> Result<Option<refinery::SchemaVersion>> {
    match (recorded, legacy) {
        (None, Some(v)) if v > 0 => refinery::SchemaVersion::try_from(v)
            .map(Some)
            .map_err(|_| StorageError::Migration(format!("schema version {v} out of range"))),
        _ => Ok(None),
    }
}

/// A failed migration, in words.
pub(super) fn failed(e: refinery::Error) -> StorageError {
    StorageError::Migration(e.to_string())
}
