//! The registry's SQLite file at rest: a database made readable by others (an older build, a copy
//! made with the default umask) is narrowed to its owner when the registry opens it.

#![cfg(unix)]

use shumari_registry::SqliteStorage;
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
