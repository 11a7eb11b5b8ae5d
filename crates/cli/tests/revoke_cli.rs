//! Cutting devices off from the command line, over real HTTP: `registry device list`, `registry
//! device revoke`, `registry user disable`; a revoked device's `shumari sync` fails saying so in plain
//! words with exit status 2, and its households are still on it and readable as JSON.

use assert_cmd::Command;
use serde_json::{json, Value};
use std::path::Path;
mod common;
use common::{admin_json, bin, device, registry_out, TempRegistry as Registry};

fn registry() -> Registry {
    Registry::start()
}

fn admin(reg: &Registry, args: &[&str]) -> Value {
    admin_json(&reg.db, args)
}

fn admin_out(reg: &Registry, args: &[&str]) -> std::process::Output {
    registry_out(&reg.db, &[args, &["--json"]].concat())
}

fn new_user(reg: &Registry, name: &str) -> String {
    let user = admin(
        reg,
        &[
            "user", "add", "--name", name, "--role", "surveyor", "--area", "PK101",
        ],
    );
    user["id"].as_str().unwrap().to_string()
}

fn code(reg: &Registry, user: &str) -> String {
    admin(reg, &["enroll-code", "--user", user])["code"]
        .as_str()
        .unwrap()
        .to_string()
}

fn enroll(reg: &Registry, dir: &Path, code: &str) -> std::process::Output {
    device(dir)
        .args(["enroll", "--registry", &reg.url, "--code", code])
        .output()
        .unwrap()
}

fn enrolled_device(reg: &Registry, user: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    device(dir.path()).arg("init").assert().success();
    assert!(enroll(reg, dir.path(), &code(reg, user)).status.success());
    dir
}

fn add(dir: &Path, name: &str) -> String {
    let h = json!({"area": "PK10101", "answers": {"rooms": 2},
                   "members": [{"name": name, "relation": "head", "sex": "male", "age": 40, "id_number": "35202-1234567-1"}]});
    let out = device(dir)
        .args(["household", "add", "-f", "-", "--json"])
        .write_stdin(h.to_string())
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn sync(dir: &Path, json: bool) -> (i32, String) {
    let mut c = device(dir);
    c.arg("sync");
    if json {
        c.arg("--json");
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_revoked_device_cannot_sync_and_keeps_its_households() {
    let reg = registry();
    let user = new_user(&reg, "Ayesha");
    let a = enrolled_device(&reg, &user);
    add(a.path(), "Karim Bakhsh");
    assert_eq!(sync(a.path(), false).0, 0);

    let listed = admin(&reg, &["device", "list"]);
    let rows = listed.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{listed}");
    for k in [
        "id",
        "user",
        "label",
        "enrolled_at",
        "last_seen_at",
        "expires_at",
        "revoked_at",
        "state",
    ] {
        assert!(rows[0].get(k).is_some(), "device list has `{k}`: {listed}");
    }
    assert_eq!(
        (rows[0]["user"].as_str(), rows[0]["state"].as_str()),
        (Some(user.as_str()), Some("active"))
    );
    let id = rows[0]["id"].as_str().unwrap().to_string();

    let waiting = add(a.path(), "Nasreen Bibi");
    assert_eq!(
        admin(&reg, &["device", "revoke", &id])["revoked"],
        json!(true)
    );
    let (code, stderr) = sync(a.path(), false);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("this device was revoked") && stderr.contains("ask your supervisor"),
        "{stderr}"
    );
    let (code, stderr) = sync(a.path(), true);
    let body: Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(
        (code, body["code"].as_str()),
        (2, Some("revoked")),
        "{stderr}"
    );

    // Both households are still on the tablet, the unsynced one included, as JSON.
    let out = device(a.path())
        .args(["household", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
    let out = device(a.path())
        .args(["household", "show", &waiting, "--json"])
        .output()
        .unwrap();
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["members"][0]["name"], "Nasreen Bibi");
    // And what the registry never received leaves on a file for the supervisor.
    let file = a.path().join("unsent.jsonl");
    let out = device(a.path())
        .args(["household", "export-unsent", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "only the unsynced household: {lines:?}");
    assert_eq!(lines[0]["id"], waiting.as_str());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "personal data, for its owner only");
    }

    let listed = admin(&reg, &["device", "list"]);
    assert_eq!(listed[0]["state"], "revoked", "{listed}");
    let out = admin_out(&reg, &["device", "revoke", "no-such-device"]);
    assert_eq!(out.status.code(), Some(2));
    let audit = admin(&reg, &["audit", "list"]);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    for a in ["device.list", "device.revoke", "auth.revoked"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[test]
fn a_disabled_users_devices_and_codes_stop_working() {
    let reg = registry();
    let user = new_user(&reg, "Bilal");
    let other = new_user(&reg, "Chandio");
    let b = enrolled_device(&reg, &user);
    let c = enrolled_device(&reg, &other);
    let unused = code(&reg, &user);
    add(b.path(), "Karim Bakhsh");
    assert_eq!(sync(b.path(), false).0, 0);

    let done = admin(&reg, &["user", "disable", &user]);
    assert_eq!(
        (&done["devices"], &done["codes_cancelled"]),
        (&json!(1), &json!(1)),
        "{done}"
    );
    let (code, stderr) = sync(b.path(), false);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("revoked"), "{stderr}");
    assert_eq!(sync(c.path(), false).0, 0, "another user syncs on");
    let late = tempfile::tempdir().unwrap();
    device(late.path()).arg("init").assert().success();
    assert_eq!(enroll(&reg, late.path(), &unused).status.code(), Some(2));
    assert_eq!(
        admin_out(&reg, &["enroll-code", "--user", &user])
            .status
            .code(),
        Some(2),
        "no new code for a disabled user"
    );
    assert_eq!(
        admin_out(&reg, &["user", "disable", "u-nobody"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_token_lifetime_under_a_day_is_refused() {
    let reg = registry();
    let cfg = reg.dir.path().join("registry.toml");
    std::fs::write(&cfg, "token_ttl_days = 0\n").unwrap();
    let out = Command::new(bin())
        .args(["registry", "device", "list", "--db", &reg.db, "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("token_ttl_days"));
}
