//! Schema migrations of both backends, run by [`refinery`] when a backend opens its database: the SQL
//! files of `migrations/registry-sqlite/` and `migrations/registry-postgres/` (`V{n}__{name}.sql`) are
//! embedded at compile time, and all pending ones are applied in one transaction together with their
//! rows in refinery's `refinery_schema_history`.
//!
//! Around refinery, both backends take the same three steps:
//!
//! 1. **Refuse a newer database untouched** ([`refuse_newer`]): the newest version recorded (in
//!    refinery's history, or in the `schema_migrations` table of databases made before it) is compared
//!    with the newest this build embeds before anything is written.
//! 2. **Adopt a database made before refinery** ([`to_adopt`]): its `schema_migrations` versions are
//!    marked applied in refinery's history without running the files again; migration 3 then drops
//!    the old table, so a build from before this change fails on the database instead of writing to it.
//! 3. **Apply what is missing**; a failure leaves the database as it was.
//!
//! PostgreSQL holds an advisory lock around the three steps, so registry processes started together
//! migrate one after the other.

use super::{Result, StorageError};
use refinery::{Runner, SchemaVersion, Target};

mod sqlite_files {
    refinery::embed_migrations!("../../migrations/registry-sqlite");
}

mod postgres_files {
    refinery::embed_migrations!("../../migrations/registry-postgres");
}

/// Key of the advisory lock that serializes PostgreSQL migrations between processes starting together.
const PG_MIGRATION_LOCK: i64 = 0x5348_554d_4152_4931; // "SHUMARI1"

/// Where databases made before refinery recorded their versions.
const LEGACY_TABLE: &str = "schema_migrations";
/// refinery's history table (its default name).
const HISTORY_TABLE: &str = "refinery_schema_history";

/// Newest schema version of the SQLite backend this build knows.
pub fn sqlite_schema_version() -> i64 {
    newest(&sqlite_files::migrations::runner())
}

/// Newest schema version of the PostgreSQL backend this build knows.
pub fn postgres_schema_version() -> i64 {
    newest(&postgres_files::migrations::runner())
}

/// Brings a SQLite database up to [`sqlite_schema_version`]; refuses one written by a newer build
/// without touching it.
pub(super) fn sqlite(conn: &mut rusqlite::Connection) -> Result<()> {
    let newest_in = |table: &str, newest: &str| -> Result<Option<i64>> {
        if !conn.table_exists(None, table)? {
            return Ok(None);
        }
        let v: Option<i64> = conn.query_row(newest, [], |r| r.get(0))?;
        Ok(Some(v.unwrap_or(0)))
    };
    let recorded = newest_in(
        HISTORY_TABLE,
        "SELECT max(version) FROM refinery_schema_history",
    )?;
    let legacy = newest_in(LEGACY_TABLE, "SELECT max(version) FROM schema_migrations")?;
    refuse_newer(recorded, legacy, sqlite_schema_version())?;
    let runner = || sqlite_files::migrations::runner().set_grouped(true);
    if let Some(adopt) = to_adopt(recorded, legacy)? {
        runner()
            .set_target(Target::FakeVersion(adopt))
            .run(conn)
            .map_err(failed)?;
    }
    runner().run(conn).map_err(failed)?;
    Ok(())
}

/// Brings a PostgreSQL database up to [`postgres_schema_version`]; refuses one written by a newer
/// build without touching it. Holds a session advisory lock throughout.
pub(super) async fn postgres(client: &mut tokio_postgres::Client) -> Result<()> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&PG_MIGRATION_LOCK])
        .await?;
    let outcome = postgres_locked(client).await;
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&PG_MIGRATION_LOCK])
        .await;
    outcome?;
    unlocked?;
    Ok(())
}

async fn postgres_locked(client: &mut tokio_postgres::Client) -> Result<()> {
    let recorded = pg_newest_in(
        client,
        HISTORY_TABLE,
        "SELECT max(version)::BIGINT FROM refinery_schema_history",
    )
    .await?;
    let legacy = pg_newest_in(
        client,
        LEGACY_TABLE,
        "SELECT max(version)::BIGINT FROM schema_migrations",
    )
    .await?;
    refuse_newer(recorded, legacy, postgres_schema_version())?;
    let runner = || postgres_files::migrations::runner().set_grouped(true);
    if let Some(adopt) = to_adopt(recorded, legacy)? {
        runner()
            .set_target(Target::FakeVersion(adopt))
            .run_async(client)
            .await
            .map_err(failed)?;
    }
    runner().run_async(client).await.map_err(failed)?;
    Ok(())
}

/// The version `newest` reads from `table`, or `None` when the table does not exist.
async fn pg_newest_in(
    client: &tokio_postgres::Client,
    table: &str,
    newest: &str,
) -> Result<Option<i64>> {
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
        .await?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let v: Option<i64> = client.query_one(newest, &[]).await?.get(0);
    Ok(Some(v.unwrap_or(0)))
}

/// Newest version a set of embedded migrations reaches.
fn newest(runner: &Runner) -> i64 {
    runner
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// Refuses a database whose recorded schema (refinery's history, or the table used before it) is
/// newer than `known`.
fn refuse_newer(recorded: Option<i64>, legacy: Option<i64>, known: i64) -> Result<()> {
    let found = recorded.unwrap_or(0).max(legacy.unwrap_or(0));
    if found > known {
        return Err(StorageError::SchemaTooNew { found, known });
    }
    Ok(())
}

/// The version to mark applied without running it: a database with only the old `schema_migrations`
/// table has applied every file up to its newest entry.
fn to_adopt(recorded: Option<i64>, legacy: Option<i64>) -> Result<Option<SchemaVersion>> {
    match (recorded, legacy) {
        (None, Some(v)) if v > 0 => SchemaVersion::try_from(v)
            .map(Some)
            .map_err(|_| StorageError::Migration(format!("schema version {v} out of range"))),
        _ => Ok(None),
    }
}

/// A failed migration, in words.
fn failed(e: refinery::Error) -> StorageError {
    StorageError::Migration(e.to_string())
}
