//! Crash safety of the registry: `shumari registry serve` is killed with SIGKILL while a device pushes
//! a large batch, at several moments of the ingest, and restarted on the same SQLite database. After
//! a final sync nothing is lost, nothing is duplicated, the device and the registry hold the same heads,
//! and SQLite's integrity check passes.
//!
//! The kill moments are chosen by what the registry has committed (rows in its log), not by time.

use serde_json::{json, Value};
use shumari_domain::HouseholdInput;
use shumari_store::Store;
use shumari_sync::{HttpTransport, Options, Retry};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uuid::Uuid;

mod common;
use common::{admin_text, sqlite_url as db_arg, Server, PIN};

fn serve(db: &Path) -> Server {
    Server::loopback(&db_arg(db), &[])
}

fn admin(db: &Path, args: &[&str]) -> String {
    admin_text(&db_arg(db), args)
}
const AREA: &str = "PK10101";
const HOUSEHOLDS: u32 = 600;

fn household(n: u32) -> HouseholdInput {
    let mut answers = serde_json::Map::new();
    for i in 0..60u32 {
        answers.insert(
            format!("q{i:02}"),
            json!(format!("answer {} {}", n % 13, i)),
        );
    }
    let members: Vec<Value> = (0..6u32)
        .map(|m| {
            json!({
                "name": format!("Member {m} of household {n}"),
                "relation": if m == 0 { "head" } else { "son" },
                "sex": "male",
                "age": 20 + m,
            })
        })
        .collect();
    serde_json::from_value(json!({"area": AREA, "answers": answers, "members": members}))
        .expect("valid household")
}

fn options() -> Options {
    Options {
        chunk_bytes: 16 * 1024,
        retry: Retry {
            attempts: 2,
            base: Duration::from_millis(1),
            max: Duration::from_millis(2),
        },
        ..Options::default()
    }
}

fn log_rows(db: &Path) -> u64 {
    let c = rusqlite::Connection::open(db).expect("open registry db");
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c.query_row("SELECT count(*) FROM log", [], |r| r.get::<_, i64>(0))
        .unwrap_or(0) as u64
}

fn registry_heads(db: &Path) -> BTreeMap<Uuid, Vec<[u8; 32]>> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c.prepare("SELECT id, heads FROM households").unwrap();
    st.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
    })
    .unwrap()
    .map(|r| {
        let (id, h) = r.unwrap();
        let mut v = shumari_registry::storage::heads_vec(&h);
        v.sort_unstable();
        (id.parse().unwrap(), v)
    })
    .collect()
}

fn device_heads(store: &Store) -> BTreeMap<Uuid, Vec<[u8; 32]>> {
    store
        .all_heads()
        .unwrap()
        .into_iter()
        .map(|(id, h)| {
            let mut v: Vec<[u8; 32]> = h.iter().map(|c| c.0).collect();
            v.sort_unstable();
            (id, v)
        })
        .collect()
}

/// Syncs `store` in a thread; returns it with whether the sync completed.
fn sync_in_thread(
    mut store: Store,
    url: String,
) -> std::thread::JoinHandle<(Store, Result<bool, String>)> {
    std::thread::spawn(move || {
        let r = (|| {
            let mut t = HttpTransport::new(&url).map_err(|e| e.to_string())?;
            shumari_sync::sync(&mut store, &mut t, &options(), &mut |_| {})
                .map(|r| r.complete)
                .map_err(|e| e.to_string())
        })();
        (store, r)
    })
}

#[test]
fn registry_killed_mid_ingest_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db: PathBuf = dir.path().join("registry.db");
    let mut server = serve(&db);
    let user = admin(
        &db,
        &[
            "user",
            "add",
            "--name",
            "Kill Test",
            "--role",
            "surveyor",
            "--area",
            AREA,
        ],
    );
    let code = admin(&db, &["enroll-code", "--user", &user]);
    let dev_dir = dir.path().join("device");
    std::fs::create_dir_all(&dev_dir).unwrap();
    let mut store = Store::create(&dev_dir, PIN).unwrap();
    let mut t = HttpTransport::new(&server.url).unwrap();
    shumari_sync::enroll(&mut store, &mut t, &server.url, &code, &options()).unwrap();
    let inputs: Vec<_> = (0..HOUSEHOLDS).map(household).collect();
    let created: Vec<Uuid> = store
        .add_households(&inputs, None, "nser-household", "1")
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap().id)
        .collect();

    // Kill when the log has reached each threshold (or the push finished first).
    let mut interrupted = 0;
    for threshold in [1, 150, 300, 450] {
        let job = sync_in_thread(store, server.url.clone());
        while log_rows(&db) < threshold && !job.is_finished() {
            std::thread::sleep(Duration::from_millis(2));
        }
        server.child.kill().expect("SIGKILL");
        server.child.wait().unwrap();
        let (back, result) = job.join().unwrap();
        store = back;
        if result != Ok(true) {
            interrupted += 1;
        }
        let committed = log_rows(&db);
        eprintln!("killed at {threshold}: {committed} households committed, sync {result:?}");
        assert!(committed <= u64::from(HOUSEHOLDS), "{committed} log rows");
        server = serve(&db);
    }
    assert!(interrupted > 0, "no kill landed during the ingest");

    // The device comes back online: one more sync completes everything.
    let mut t = HttpTransport::new(&server.url).unwrap();
    let r = shumari_sync::sync(&mut store, &mut t, &options(), &mut |_| {}).unwrap();
    assert!(r.complete, "{r:?}");
    drop(server);

    let at_registry = registry_heads(&db);
    assert_eq!(at_registry.len(), created.len(), "households lost or added");
    assert!(created.iter().all(|id| at_registry.contains_key(id)));
    assert_eq!(device_heads(&store), at_registry);
    let c = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(
        count("SELECT count(*) FROM log"),
        i64::from(HOUSEHOLDS),
        "one log entry per household: none duplicated"
    );
    assert_eq!(count("SELECT count(*) FROM audit"), i64::from(HOUSEHOLDS));
    assert_eq!(
        count("SELECT count(DISTINCT household_id) FROM log"),
        i64::from(HOUSEHOLDS)
    );
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}
