//! The real `shumari` binary against PostgreSQL 15: `registry user add`, `enroll-code`, `serve` and
//! `household list|show` with `--db postgres://...`, and a device syncing to it over HTTP. The cluster
//! is started in a temp dir by the tests' harness (`tests/harness/pg.rs`, included by path);
//! PostgreSQL is required (`scripts/deps.sh` installs it).

#[path = "../../../tests/harness/pg.rs"]
mod pg;

use serde_json::{json, Value};
use shumari_domain::HouseholdInput;
use shumari_store::Store;
use shumari_sync::{HttpTransport, Options};
use std::process::Command;

mod common;
use common::{admin_text as admin, Server, PIN};

const AREA: &str = "PK10101";

fn household(n: u32) -> HouseholdInput {
    let answers: serde_json::Map<String, Value> = (0..60u32)
        .map(|i| (format!("q{i:02}"), json!(format!("answer {n} {i}"))))
        .collect();
    let members: Vec<Value> = (0..3u32)
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

#[test]
fn registry_serve_and_admin_commands_work_on_postgres() {
    let cluster = pg::PgCluster::start(false);
    let db = cluster.database();
    let user = admin(
        &db,
        &[
            "user",
            "add",
            "--name",
            "Surveyor One",
            "--role",
            "surveyor",
            "--area",
            AREA,
        ],
    );
    let code = admin(&db, &["enroll-code", "--user", &user]);

    let server = Server::loopback(&db, &[]);
    let url = server.url.clone();

    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::create(dir.path(), PIN).expect("store");
    let mut t = HttpTransport::new(&url).expect("client");
    shumari_sync::enroll(&mut store, &mut t, &url, &code, &Options::default()).expect("enroll");
    let inputs: Vec<_> = (0..5).map(household).collect();
    store
        .add_households(&inputs, None, "nser-household", "1")
        .expect("add");
    let r = shumari_sync::sync(&mut store, &mut t, &Options::default(), &mut |_| {}).expect("sync");
    assert_eq!(r.pushed, 5, "{r:?}");
    assert!(r.complete && r.refused.is_empty(), "{r:?}");

    // The admin commands read what `serve` wrote, while it runs.
    let rows: Vec<Value> =
        serde_json::from_str(&admin(&db, &["--json", "household", "list"])).expect("json list");
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r["area"] == AREA), "{rows:?}");
    let reference = rows[0]["ref"].as_str().expect("ref").to_string();
    let shown: Value =
        serde_json::from_str(&admin(&db, &["household", "show", &reference])).expect("json show");
    assert!(
        !shown["audit"].as_array().expect("audit").is_empty(),
        "{shown}"
    );
}

#[test]
fn an_unreachable_postgres_is_a_clear_error_without_the_password() {
    let out = Command::new(env!("CARGO_BIN_EXE_shumari"))
        .args([
            "registry",
            "household",
            "list",
            "--db",
            "postgres://shumari:s3cret-pw@127.0.0.1:1/registry",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("PostgreSQL"), "{err}");
    assert!(!err.contains("s3cret-pw"), "{err}");
}
