//! Upgrading a registry to device expiry cuts nobody off: a device enrolled long before (its
//! enrollment older than the token lifetime) keeps working after migration V5, with a full lifetime
//! counted from the upgrade. On SQLite and on PostgreSQL (a cluster the tests' harness starts).

#[path = "../../../tests/harness/pg.rs"]
mod pg;

use pg::PgCluster;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use shumari_registry::storage::postgres::PgStorage;
use shumari_registry::{Config, Registry, SqliteStorage, Storage};
use std::path::Path;

const TOKEN: &str = "token-of-a-device-enrolled-in-1970";

/// V1 and V2 as the runner before the migration history applied them, a user and a device enrolled
/// at the epoch.
fn old_registry(db: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(db);
    let mut sql = ["V1__init.sql", "V2__actors_by_device.sql"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let hash = hex(&Sha256::digest(TOKEN.as_bytes()));
    let blob = if db.ends_with("sqlite") {
        format!("X'{hash}'")
    } else {
        format!("'\\x{hash}'::bytea")
    };
    sql.push_str(&format!(
        "\nCREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL);
         INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0), (2, 0);
         INSERT INTO users (id, name, role, created_at) VALUES ('u1', 'Old Surveyor', 'surveyor', 0);
         INSERT INTO user_areas (user_id, area) VALUES ('u1', 'PK101');
         INSERT INTO devices (id, user_id, label, token_hash, created_at) VALUES ('d1', 'u1', 'old', {blob}, 0);"
    ));
    sql
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

async fn still_trusted<S: Storage>(storage: S) {
    let reg = Registry::new(storage, Config::default());
    let auth = reg.authenticate(Some(TOKEN)).await.expect("not expired");
    assert_eq!(auth.device_id, "d1");
    let listed = reg.device_list().await.unwrap();
    assert_eq!(listed[0].state, "active");
    let days_left = (listed[0].expires_at - chrono::Utc::now()).num_days();
    assert!(days_left >= 89, "{days_left} days left");
}

#[test]
fn sqlite_devices_enrolled_before_expiry_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch(&old_registry("registry-sqlite"))
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(still_trusted(SqliteStorage::open(&path).unwrap()));
}

#[test]
fn pg_devices_enrolled_before_expiry_keep_working() {
    let pg = PgCluster::shared();
    let url = pg.database();
    pg.psql(&url, &old_registry("registry-postgres"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let storage = rt.block_on(PgStorage::connect_with(&url, 1)).unwrap();
    rt.block_on(still_trusted(storage));
}
