//! Assignments from the command line against a real registry over HTTP: `registry assign area
//! --as SUPERVISOR` gives a surveyor an area with a target, the surveyor's `household assignments
//! --json` shows it with its progress after a sync, `registry assignments --json` shows it with
//! the coverage per surveyor, `registry assign withdraw` takes it back and the next sync drops it
//! from the device. A surveyor may not assign.

use serde_json::Value;
use std::path::Path;
mod common;
use common::{
    admin_json, device, district_user, enrolled_device, registry_out, TempRegistry as Registry,
};

fn on_device(dir: &Path) -> Value {
    device(dir).arg("sync").assert().success();
    let out = device(dir)
        .args(["household", "assignments", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn an_area_assigned_at_the_registry_reaches_the_tablet_and_leaves_when_withdrawn() {
    let reg = Registry::start();
    let surveyor = district_user(&reg, "surveyor");
    let supervisor = district_user(&reg, "supervisor");
    let tablet = enrolled_device(&reg, &surveyor);

    // A surveyor assigns nothing; the refusal says why.
    let out = registry_out(
        &reg.db,
        &[
            "assign", "area", "PK60301", "--to", &surveyor, "--as", &surveyor,
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not assign work"),
        "{out:?}"
    );

    let made = admin_json(
        &reg.db,
        &[
            "assign",
            "area",
            "PK60301",
            "--to",
            &surveyor,
            "--target",
            "3",
            "--as",
            &supervisor,
        ],
    );
    assert_eq!(made["work"]["kind"], "area");
    let id = made["id"].as_str().unwrap().to_string();

    let listed = on_device(tablet.path());
    let rows = listed.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], id.as_str());
    assert_eq!(rows[0]["area"], "PK60301");
    assert_eq!(
        (rows[0]["done"].as_u64(), rows[0]["total"].as_u64()),
        (Some(0), Some(3))
    );

    let overview = admin_json(&reg.db, &["assignments", "--as", &supervisor]);
    assert_eq!(overview["assignments"][0]["id"], id.as_str());
    assert_eq!(overview["assignments"][0]["progress"]["total"], 3);
    assert_eq!(overview["coverage"][0]["surveyor"], surveyor.as_str());

    admin_json(&reg.db, &["assign", "withdraw", &id, "--as", &supervisor]);
    assert_eq!(on_device(tablet.path()), serde_json::json!([]));
    let overview = admin_json(&reg.db, &["assignments", "--as", &supervisor]);
    assert_eq!(overview["assignments"], serde_json::json!([]));
}
