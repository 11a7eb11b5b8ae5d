//! Schema migrations of both registry backends: databases made before the migration history keep
//! opening with their rows, a database newer than this build is refused untouched, and every file of
//! `migrations/registry-*/` is embedded. PostgreSQL runs in a cluster the tests' harness starts
//! (`tests/harness/pg.rs`, included by path).

#[path = "../../../tests/harness/pg.rs"]
mod pg;

use pg::PgCluster;
use rusqlite::Connection;
use shumari_registry::storage::migrate::{postgres_schema_version, sqlite_schema_version};
use shumari_registry::storage::postgres::PgStorage;
use shumari_registry::storage::StorageError;
use shumari_registry::SqliteStorage;
use std::path::{Path, PathBuf};

fn migrations_dir(db: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(db)
}

/// The versions of the `.sql` files of `migrations/<db>/`, failing on a name refinery would skip.
fn file_versions(db: &str) -> Vec<i64> {
    let mut versions = Vec::new();
    for entry in std::fs::read_dir(migrations_dir(db)).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".sql") else {
            continue;
        };
        let parsed = stem
            .strip_prefix('V')
            .and_then(|s| s.split_once("__"))
            .filter(|(_, what)| {
                !what.is_empty() && what.chars().all(|c| c.is_alphanumeric() || c == '_')
            })
            .and_then(|(v, _)| v.parse::<i64>().ok());
        versions.push(parsed.unwrap_or_else(|| {
            panic!("{db}/{name}: migration files are named V{{n}}__{{what}}.sql, or they are not applied")
        }));
    }
    versions.sort_unstable();
    versions
}

/// The first two files, as the runner before the migration history applied them.
fn legacy_schema(db: &str) -> String {
    ["V1__init.sql", "V2__actors_by_device.sql"]
        .iter()
        .map(|f| std::fs::read_to_string(migrations_dir(db).join(f)).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

const USER_ROW: &str =
    "INSERT INTO users (id, name, role, created_at) VALUES ('u1', 'Kept Supervisor', 'supervisor', 0);";

fn assert_too_new(err: StorageError, known: i64) {
    let msg = err.to_string();
    match err {
        StorageError::SchemaTooNew {
            found: 99,
            known: k,
        } => assert_eq!(k, known),
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(msg.contains("schema version 99"), "{msg}");
    assert!(msg.contains("update Shumari"), "{msg}");
}

#[test]
fn every_migration_file_is_embedded() {
    assert_eq!(
        file_versions("registry-sqlite"),
        (1..=sqlite_schema_version()).collect::<Vec<_>>()
    );
    assert_eq!(
        file_versions("registry-postgres"),
        (1..=postgres_schema_version()).collect::<Vec<_>>()
    );
}

fn sqlite_versions(path: &Path) -> Vec<i64> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT version FROM refinery_schema_history ORDER BY version")
        .unwrap();
    let versions = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    versions
}

#[test]
fn sqlite_opens_twice_and_records_every_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    drop(SqliteStorage::open(&path).expect("first open migrates"));
    drop(SqliteStorage::open(&path).expect("second open finds it migrated"));
    assert_eq!(
        sqlite_versions(&path),
        (1..=sqlite_schema_version()).collect::<Vec<_>>()
    );
}

#[test]
fn sqlite_made_before_the_migration_history_opens_with_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&legacy_schema("registry-sqlite"))
            .unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
             INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0), (2, 0);",
        )
        .unwrap();
        conn.execute_batch(USER_ROW).unwrap();
    }
    drop(SqliteStorage::open(&path).expect("an existing registry opens"));
    assert_eq!(
        sqlite_versions(&path),
        (1..=sqlite_schema_version()).collect::<Vec<_>>()
    );
    let conn = Connection::open(&path).unwrap();
    let name: String = conn
        .query_row("SELECT name FROM users WHERE id = 'u1'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Kept Supervisor");
    assert!(!conn.table_exists(None, "schema_migrations").unwrap());
}

#[test]
fn sqlite_from_a_newer_build_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    drop(SqliteStorage::open(&path).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES (99, 'future', '2030-01-01T00:00:00Z', '0')",
            [],
        )
        .unwrap();
    }
    let files = || {
        ["registry.db", "registry.db-wal"]
            .map(|f| std::fs::read(dir.path().join(f)).unwrap_or_default())
    };
    let before = files();
    let err = SqliteStorage::open(&path).expect_err("a newer database is refused");
    assert_too_new(err, sqlite_schema_version());
    assert_eq!(files(), before, "nothing was written");
}

/// Tables of the public schema and the versions recorded, as one string to compare.
fn pg_state(pg: &PgCluster, url: &str) -> String {
    pg.psql(
        url,
        "SELECT (SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables \
         WHERE schemaname = 'public') || ' / ' || \
         (SELECT string_agg(version::text, ',' ORDER BY version) FROM refinery_schema_history)",
    )
}

fn all_versions(known: i64) -> String {
    (1..=known)
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn pg_connects_together_and_again_and_records_every_version() {
    let pg = PgCluster::shared();
    let url = pg.database();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        // Two registry processes starting at once: the advisory lock makes them migrate in turn.
        let (a, b) = tokio::join!(
            PgStorage::connect_with(&url, 1),
            PgStorage::connect_with(&url, 1)
        );
        a.expect("first connect");
        b.expect("second connect");
        PgStorage::connect_with(&url, 1)
            .await
            .expect("a later connect finds it migrated");
    });
    let state = pg_state(&pg, &url);
    assert!(
        state.ends_with(&format!(" / {}", all_versions(postgres_schema_version()))),
        "{state}"
    );
}

#[test]
fn pg_made_before_the_migration_history_opens_with_its_rows() {
    let pg = PgCluster::shared();
    let url = pg.database();
    pg.psql(
        &url,
        &format!(
            "{}\nCREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL);
             INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0), (2, 0);\n{USER_ROW}",
            legacy_schema("registry-postgres")
        ),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(PgStorage::connect_with(&url, 1))
        .expect("an existing registry opens");
    let state = pg_state(&pg, &url);
    assert!(
        state.ends_with(&format!(" / {}", all_versions(postgres_schema_version()))),
        "{state}"
    );
    assert!(!state.contains("schema_migrations"), "{state}");
    assert_eq!(
        pg.psql(&url, "SELECT name FROM users WHERE id = 'u1'"),
        "Kept Supervisor"
    );
}

#[test]
fn pg_from_a_newer_build_is_refused_untouched() {
    let pg = PgCluster::shared();
    let url = pg.database();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(PgStorage::connect_with(&url, 1)).unwrap();
    pg.psql(
        &url,
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
         VALUES (99, 'future', '2030-01-01T00:00:00Z', '0')",
    );
    let before = pg_state(&pg, &url);
    let err = rt
        .block_on(PgStorage::connect_with(&url, 1))
        .expect_err("a newer database is refused");
    assert_too_new(err, postgres_schema_version());
    assert_eq!(pg_state(&pg, &url), before, "nothing was written");
}
