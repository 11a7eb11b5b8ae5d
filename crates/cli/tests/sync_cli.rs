//! The registry and sync commands end to end over real HTTP: `registry serve`, `registry user add`,
//! `registry enroll-code`, `enroll`, `sync`, `registry household list|show`, with two devices, a
//! conflict and its resolution, and a push outside the device's jurisdiction.

use serde_json::{json, Value};
use std::path::Path;

mod common;
use common::{admin_json, device, TempRegistry as Registry};

fn registry() -> Registry {
    Registry::start()
}

fn admin(reg: &Registry, args: &[&str]) -> Value {
    admin_json(&reg.db, args)
}

fn enrolled_device(reg: &Registry, name: &str, area: &str) -> tempfile::TempDir {
    let user = admin(
        reg,
        &[
            "user", "add", "--name", name, "--role", "surveyor", "--area", area,
        ],
    );
    let code = admin(
        reg,
        &["enroll-code", "--user", user["id"].as_str().unwrap()],
    );
    let dir = tempfile::tempdir().unwrap();
    device(dir.path()).arg("init").assert().success();
    device(dir.path())
        .args([
            "enroll",
            "--registry",
            &reg.url,
            "--code",
            code["code"].as_str().unwrap(),
        ])
        .assert()
        .success();
    dir
}

fn sync(dir: &Path) -> (i32, Value) {
    let out = device(dir).args(["sync", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), v)
}

fn add(dir: &Path, area: &str, name: &str) -> String {
    let h = json!({"area": area, "answers": {"rooms": 2},
                   "members": [{"name": name, "relation": "head", "sex": "male", "age": 40, "id_number": "35202-1234567-1"}]});
    let out = device(dir)
        .args(["household", "add", "-f", "-", "--json"])
        .write_stdin(h.to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn show(dir: &Path, id: &str) -> Value {
    serde_json::from_slice(
        &device(dir)
            .args(["household", "show", id, "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
}

#[test]
fn two_devices_sync_conflict_resolve_and_scope() {
    let reg = registry();
    let a = enrolled_device(&reg, "Ayesha", "PK101");
    let b = enrolled_device(&reg, "Bilal", "PK10101");
    let c = enrolled_device(&reg, "Chandio", "PK701");

    let id = add(a.path(), "PK10101", "Karim Bakhsh");
    let (code, out) = sync(a.path());
    assert_eq!(code, 0, "{out}");
    for k in [
        "pushed",
        "pulled",
        "bytes_sent",
        "bytes_received",
        "round_trips",
        "conflicts",
        "refused",
    ] {
        assert!(out.get(k).is_some(), "sync --json has `{k}`: {out}");
    }
    assert_eq!(out["pushed"], 1);
    let (code, out) = sync(b.path());
    assert_eq!((code, &out["pulled"]), (0, &json!(1)), "{out}");
    assert_eq!(show(b.path(), &id)["members"][0]["name"], "Karim Bakhsh");
    // another province's surveyor never receives it
    let (code, out) = sync(c.path());
    assert_eq!((code, &out["pulled"]), (0, &json!(0)), "{out}");
    device(c.path())
        .args(["household", "show", &id])
        .assert()
        .code(2);

    // the registry side
    let listed = admin(&reg, &["household", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], json!(id));

    // both edit the same answer offline, both sync: a conflict everywhere, with both authors
    device(a.path())
        .args(["household", "set", &id, "answers.rooms=3"])
        .assert()
        .success();
    device(b.path())
        .args(["household", "set", &id, "answers.rooms=5"])
        .assert()
        .success();
    assert_eq!(sync(a.path()).0, 0);
    let (code, out) = sync(b.path());
    assert_eq!(code, 0, "{out}");
    assert_eq!(sync(a.path()).0, 0);
    for dir in [a.path(), b.path()] {
        let h = show(dir, &id);
        assert_eq!(h["conflicts"][0]["path"], "answers.rooms", "{h}");
        let mut vals: Vec<i64> = h["conflicts"][0]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["value"].as_i64().unwrap())
            .collect();
        vals.sort();
        assert_eq!(vals, [3, 5]);
        // Each value names who wrote it, by name and registry id.
        let mut authors: Vec<String> = h["conflicts"][0]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["author"].as_str().unwrap().to_string())
            .collect();
        authors.sort();
        assert!(
            authors[0].starts_with("Ayesha (u-") && authors[1].starts_with("Bilal (u-"),
            "{authors:?}"
        );
    }
    let at_registry = admin(&reg, &["household", "show", &id]);
    assert_eq!(
        at_registry["conflicts"][0]["path"], "answers.rooms",
        "{at_registry}"
    );

    // resolving on one device clears it everywhere after sync
    device(b.path())
        .args(["household", "set", &id, "answers.rooms=4"])
        .assert()
        .success();
    assert_eq!(sync(b.path()).0, 0);
    assert_eq!(sync(a.path()).0, 0);
    for dir in [a.path(), b.path()] {
        let h = show(dir, &id);
        assert_eq!(h["conflicts"], json!([]), "{h}");
        assert_eq!(h["answers"]["rooms"], 4);
    }
    assert_eq!(
        admin(&reg, &["household", "show", &id])["conflicts"],
        json!([])
    );

    // a household outside Bilal's tehsil is refused by name, the rest of the batch goes through
    let outside = add(b.path(), "PK10102", "Outside Scope");
    let inside = add(b.path(), "PK10101", "Inside Scope");
    let (code, out) = sync(b.path());
    assert_ne!(code, 0, "not everything was synced: {out}");
    let refused = out["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{out}");
    assert!(refused[0].to_string().contains(&outside), "{out}");
    assert!(admin(&reg, &["household", "list"])
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["id"] == json!(inside)));
    assert!(!admin(&reg, &["household", "list"])
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["id"] == json!(outside)));
}

#[test]
fn enroll_rejects_a_bad_code_and_sync_needs_enrollment() {
    let reg = registry();
    let dir = tempfile::tempdir().unwrap();
    device(dir.path()).arg("init").assert().success();
    let out = device(dir.path())
        .args(["enroll", "--registry", &reg.url, "--code", "NOT-A-CODE"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
    let out = device(dir.path()).args(["sync"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("enroll"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // an enrollment code is one-time
    let user = admin(
        &reg,
        &[
            "user", "add", "--name", "D", "--role", "surveyor", "--area", "PK101",
        ],
    );
    let code = admin(
        &reg,
        &["enroll-code", "--user", user["id"].as_str().unwrap()],
    )["code"]
        .as_str()
        .unwrap()
        .to_string();
    device(dir.path())
        .args(["enroll", "--registry", &reg.url, "--code", &code])
        .assert()
        .success();
    let other = tempfile::tempdir().unwrap();
    device(other.path()).arg("init").assert().success();
    device(other.path())
        .args(["enroll", "--registry", &reg.url, "--code", &code])
        .assert()
        .code(2);
}

#[test]
fn a_wrong_enrollment_code_is_refused_as_bad_input() {
    let reg = registry();
    let dir = tempfile::tempdir().unwrap();
    device(dir.path()).arg("init").assert().success();
    let out = device(dir.path())
        .args([
            "enroll",
            "--registry",
            &reg.url,
            "--code",
            "AAAA-BBBB-CCCC",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a wrong code is the user's input"
    );
    let err: Value = serde_json::from_slice(&out.stderr).expect("a JSON error on stderr");
    assert_eq!(err["code"], "refused", "{err}");
}
