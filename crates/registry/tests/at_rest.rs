//! The registry's SQLite file at rest: a database made readable by others (an older build, a copy
//! made with the default umask) is narrowed to its owner when the registry opens it, and a database
//! opened with a key (SQLCipher) shows no personal data on disk and opens only with that key.

#![cfg(unix)]

use shumari_registry::storage::{Storage, User};
use shumari_registry::{Role, SqliteStorage};
use std::os::unix::fs::PermissionsExt;

#[test]
fn an_existing_world_readable_database_is_narrowed_to_its_owner_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _storage = SqliteStorage::open(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(format!("{mode:o}"), "600");
}

/// Whether the raw bytes of the database and its write-ahead log contain `needle`.
fn on_disk(path: &std::path::Path, needle: &str) -> bool {
    let mut bytes = std::fs::read(path).unwrap();
    bytes.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

async fn add_named_user(s: &SqliteStorage, name: &str) {
    let user = User {
        id: "u-1".into(),
        name: name.into(),
        role: Role::District,
        areas: vec!["PK101".into()],
    };
    s.add_user(&user, 1).await.unwrap();
}

#[tokio::test]
async fn a_keyed_registry_database_is_unreadable_without_its_key() {
    const NAME: &str = "Zarmina Unmistakable";
    let dir = tempfile::tempdir().unwrap();

    // Without a key the name is in the file: the check below would see it.
    let plain = dir.path().join("plain.db");
    add_named_user(&SqliteStorage::open(&plain).unwrap(), NAME).await;
    assert!(on_disk(&plain, NAME));

    let path = dir.path().join("registry.db");
    let s = SqliteStorage::open_keyed(&path, Some("district-office-key")).unwrap();
    add_named_user(&s, NAME).await;
    assert!(!on_disk(&path, NAME), "the name is readable on disk");

    for key in [None, Some("another-key")] {
        let err = SqliteStorage::open_keyed(&path, key)
            .unwrap_err()
            .to_string();
        assert!(err.contains("key is missing or wrong"), "{err}");
    }
    let again = SqliteStorage::open_keyed(&path, Some("district-office-key")).unwrap();
    assert_eq!(again.user("u-1").await.unwrap().unwrap().name, NAME);
    drop(s);
}
