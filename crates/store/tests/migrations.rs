//! Schema migrations of the device store: stores made before the migration history keep opening, a
//! store newer than this build is refused untouched, and every file of `migrations/store/` is embedded.

mod common;
use common::{household, FORM, PIN};
use rusqlite::Connection;
use shumari_store::key::KeyFile;
use shumari_store::migrate::schema_version;
use shumari_store::{Store, StoreError, DB_FILE, KEY_FILE};
use std::path::{Path, PathBuf};

fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/store")
}

/// The versions of the `.sql` files in `migrations/store/`, failing on a name refinery would skip.
fn file_versions() -> Vec<i64> {
    let mut versions = Vec::new();
    for entry in std::fs::read_dir(migrations_dir()).unwrap() {
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
            panic!(
                "{name}: migration files are named V{{n}}__{{what}}.sql, or they are not applied"
            )
        }));
    }
    versions.sort_unstable();
    versions
}

/// The raw, keyed connection a test uses to play an older or a newer build.
fn keyed(dir: &Path) -> Connection {
    let key = KeyFile::read(&dir.join(KEY_FILE))
        .unwrap()
        .derive(PIN)
        .unwrap();
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    conn.pragma_update(None, "key", format!("x'{}'", hex::encode(*key)))
        .unwrap();
    conn
}

fn user_version(conn: &Connection) -> i64 {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn every_migration_file_is_embedded() {
    let known = schema_version();
    assert_eq!(
        file_versions(),
        (1..=known).collect::<Vec<_>>(),
        "migrations/store/ holds exactly versions 1..={known}, each embedded"
    );
}

#[test]
fn a_new_store_records_its_schema_in_the_history_and_in_user_version() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::create(dir.path(), PIN).unwrap());
    let conn = keyed(dir.path());
    let history: Vec<(i64, String)> = conn
        .prepare("SELECT version, name FROM refinery_schema_history ORDER BY version")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(history.len() as i64, schema_version());
    assert_eq!(history[0], (1, "init".to_string()));
    // Builds from before the history compare `user_version` and refuse a store newer than them.
    assert_eq!(user_version(&conn), schema_version());
}

#[test]
fn a_store_made_before_the_migration_history_opens_with_its_data() {
    // What `Store::create` made before: schema 1 applied, recorded only in `user_version`.
    let dir = tempfile::tempdir().unwrap();
    KeyFile::generate()
        .write(&dir.path().join(KEY_FILE))
        .unwrap();
    {
        let conn = keyed(dir.path());
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        let init = std::fs::read_to_string(migrations_dir().join("V1__init.sql")).unwrap();
        conn.execute_batch(&init).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('device_short_id', 'K7Q2M'), ('user', 'local'), \
             ('next_seq', '1'), ('probe', 'kept')",
        )
        .unwrap();
    }

    let mut store = Store::open(dir.path(), PIN).expect("an existing store opens");
    assert_eq!(store.kv_get("probe").unwrap().as_deref(), Some("kept"));
    assert_eq!(store.device().short_id, "K7Q2M");
    let created = store
        .add_household(&household(1), None, FORM.0, FORM.1)
        .unwrap();
    drop(store);

    let conn = keyed(dir.path());
    let adopted: Vec<i64> = conn
        .prepare("SELECT version FROM refinery_schema_history ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(adopted, (1..=schema_version()).collect::<Vec<_>>());
    assert_eq!(user_version(&conn), schema_version());
    drop(conn);
    let store = Store::open(dir.path(), PIN).expect("and keeps opening");
    assert_eq!(
        store.get(&created.id.to_string()).unwrap().household.id,
        created.id
    );
}

/// Opens a store `newer` made newer than this build and checks it is refused with nothing changed.
fn refused_untouched(newer: impl FnOnce(&Connection)) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path(), PIN).unwrap();
    store.kv_set("probe", "kept").unwrap();
    drop(store);
    {
        let conn = keyed(dir.path());
        newer(&conn);
    }
    let files = || {
        ["shumari.db", "shumari.db-wal"]
            .map(|f| std::fs::read(dir.path().join(f)).unwrap_or_default())
    };
    let before = files();
    match Store::open(dir.path(), PIN) {
        Err(StoreError::SchemaTooNew { found: 99, known }) => {
            assert_eq!(known, schema_version())
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert_eq!(files(), before, "a refused store is not written to");
}

#[test]
fn a_store_from_a_newer_build_is_refused_untouched() {
    refused_untouched(|conn| {
        conn.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES (99, 'future', '2030-01-01T00:00:00Z', '0')",
            [],
        )
        .unwrap();
    });
    let msg = StoreError::SchemaTooNew {
        found: 99,
        known: 1,
    }
    .to_string();
    assert!(
        msg.contains("newer") && msg.contains("update Shumari"),
        "{msg}"
    );
}

#[test]
fn a_newer_user_version_is_refused_untouched_too() {
    refused_untouched(|conn| conn.pragma_update(None, "user_version", 99).unwrap());
}

#[test]
fn the_single_feed_cursor_becomes_the_enrolled_registrys() {
    // A store of schema 5, enrolled and synced: one cursor in `meta`, beside the registry's address.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path(), PIN).unwrap();
    drop(store);
    {
        let conn = keyed(dir.path());
        conn.execute_batch(
            "DROP TABLE feed_cursors;
             DROP TABLE review_positions;
             ALTER TABLE form_reports DROP COLUMN review_note;
             ALTER TABLE form_reports DROP COLUMN reviewed_by;
             ALTER TABLE form_reports DROP COLUMN reviewed_at;
             ALTER TABLE form_reports DROP COLUMN replaces;
             ALTER TABLE form_reports DROP COLUMN replaced_by;
             DELETE FROM refinery_schema_history WHERE version >= 6;
             INSERT INTO meta (key, value) VALUES
               ('sync.registry_url', 'https://registry.example.pk'), ('sync.cursor', 'c-41');",
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 5).unwrap();
    }

    let store = Store::open(dir.path(), PIN).expect("the store opens at schema 6");
    assert_eq!(
        store
            .feed_cursor("https://registry.example.pk")
            .unwrap()
            .as_deref(),
        Some("c-41"),
        "the enrolled registry keeps its place"
    );
    assert_eq!(store.feed_cursor("https://hub.example.pk").unwrap(), None);
    assert_eq!(store.kv_get("sync.cursor").unwrap(), None);
    // Each registry's cursor is its own.
    store
        .set_feed_cursor("https://hub.example.pk", "h-3")
        .unwrap();
    store
        .set_feed_cursor("https://registry.example.pk", "c-42")
        .unwrap();
    assert_eq!(
        store
            .feed_cursor("https://hub.example.pk")
            .unwrap()
            .as_deref(),
        Some("h-3")
    );
    assert_eq!(
        store
            .feed_cursor("https://registry.example.pk")
            .unwrap()
            .as_deref(),
        Some("c-42")
    );
}
