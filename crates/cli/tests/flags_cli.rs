//! Data-quality flags from the command line against a real registry over HTTP: a tablet syncs a
//! household without a GPS fix, `registry flags list --as SUPERVISOR` names it with the reason (as a
//! table and as JSON, one kind at a time), an unknown kind is bad input, and the tablet's
//! `household show --json` carries the interview's paradata.

use serde_json::{json, Value};
mod common;
use common::{
    admin_json, admin_text, device, district_user, registry_out, TempRegistry as Registry,
};

#[test]
fn a_household_without_gps_is_listed_with_its_reason() {
    let reg = Registry::start();
    let surveyor = district_user(&reg, "surveyor");
    let supervisor = district_user(&reg, "supervisor");
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    device(t).arg("init").assert().success();
    let code = admin_json(&reg.db, &["enroll-code", "--user", &surveyor])["code"]
        .as_str()
        .unwrap()
        .to_string();
    device(t)
        .args(["enroll", "--registry", &reg.url, "--code", &code])
        .assert()
        .success();
    let household = json!({"area": "PK60301", "members": [
        {"name": "Karim Bakhsh", "relation": "head", "sex": "male", "age": 42}]});
    let out = device(t)
        .args(["household", "add", "-f", "-", "--json"])
        .write_stdin(household.to_string())
        .output()
        .unwrap();
    let id = serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    device(t).arg("sync").assert().success();

    let listed = admin_json(&reg.db, &["flags", "list", "--as", &supervisor]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["household"], json!(id));
    assert_eq!(listed[0]["kind"], json!("gps_missing"));
    assert_eq!(
        listed[0]["reason_en"],
        json!("No GPS location was recorded for the dwelling.")
    );
    let table = admin_text(&reg.db, &["flags", "list", "--as", &supervisor]);
    assert!(table.contains("No GPS location was recorded"), "{table}");
    let none = admin_json(
        &reg.db,
        &[
            "flags",
            "list",
            "--kind",
            "short_interview",
            "--as",
            &supervisor,
        ],
    );
    assert_eq!(none, json!([]));
    let bad = registry_out(
        &reg.db,
        &["flags", "list", "--kind", "nope", "--as", &supervisor],
    );
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");

    let out = device(t)
        .args(["household", "show", &id, "--json"])
        .output()
        .unwrap();
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(shown["paradata"].is_object(), "{shown}");
    assert_eq!(shown["paradata"]["edits_after_complete"], json!(0));
}
