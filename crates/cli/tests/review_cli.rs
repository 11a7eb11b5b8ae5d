//! Review from the command line against a real registry over HTTP: a surveyor's completed household
//! is submitted on sync, `registry review return --as SUPERVISOR` sends it back with a comment and a
//! question, the surveyor's `household show --json` holds the decision after the next sync, the
//! corrected household is submitted again, and `registry review approve` reaches the tablet. A
//! surveyor may not review; a decision on a household that is not submitted is refused.

use serde_json::{json, Value};
use std::path::Path;
mod common;
use common::{
    admin_json, device, district_user, enrolled_device, registry_out, TempRegistry as Registry,
};

fn dev_json(dir: &Path, args: &[&str]) -> Value {
    let out = device(dir).args(args).arg("--json").output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sync(dir: &Path) {
    device(dir).arg("sync").assert().success();
}

fn queue(reg: &Registry, status: &str) -> Vec<String> {
    admin_json(&reg.db, &["review", "list", "--status", status])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_household_returned_at_the_registry_is_corrected_on_the_tablet_and_approved() {
    let reg = Registry::start();
    let surveyor = district_user(&reg, "surveyor");
    let supervisor = district_user(&reg, "supervisor");
    let tablet = enrolled_device(&reg, &surveyor);
    let t = tablet.path();
    let id = device(t)
        .args(["household", "add", "-f", "-", "--json"])
        .write_stdin(
            common::complete_household("Karim Bakhsh", "35202-1234567-1", 2, "some").to_string(),
        )
        .output()
        .unwrap();
    let id = serde_json::from_slice::<Value>(&id.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    device(t)
        .args(["household", "set", &id, "status=complete"])
        .assert()
        .success();
    sync(t);
    assert_eq!(queue(&reg, "submitted"), vec![id.as_str()]);
    assert_eq!(
        dev_json(t, &["household", "show", &id])["status"],
        "submitted"
    );

    // A surveyor does not review; the refusal says why and changes nothing.
    let out = registry_out(&reg.db, &["review", "approve", &id, "--as", &surveyor]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("may not mark a household approved"),
        "{out:?}"
    );

    let done = admin_json(
        &reg.db,
        &[
            "review",
            "return",
            &id,
            "--as",
            &supervisor,
            "--comment",
            "Count the rooms again",
            "--question",
            "rooms",
        ],
    );
    assert_eq!(done["status"], "returned");
    assert_eq!(done["review"]["by"], json!(supervisor));
    // Only a submitted household is approved.
    let out = registry_out(&reg.db, &["review", "approve", &id, "--as", &supervisor]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("it can be marked approved only when it is submitted"));

    sync(t);
    let shown = dev_json(t, &["household", "show", &id]);
    assert_eq!(shown["status"], "returned");
    assert_eq!(
        shown["review"],
        json!({
            "decision": "returned", "by": supervisor, "by_name": "Sana Malik",
            "at": shown["review"]["at"], "comment": "Count the rooms again", "questions": ["rooms"],
        })
    );
    let text = device(t).args(["household", "show", &id]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(
        text.contains("review: returned by Sana Malik") && text.contains("Count the rooms again"),
        "{text}"
    );

    device(t)
        .args([
            "household",
            "set",
            &id,
            "answers.rooms=3",
            "status=complete",
        ])
        .assert()
        .success();
    sync(t);
    assert_eq!(queue(&reg, "submitted"), vec![id.as_str()]);
    admin_json(&reg.db, &["review", "approve", &id, "--as", &supervisor]);
    assert!(queue(&reg, "submitted").is_empty());
    assert_eq!(queue(&reg, "approved"), vec![id.as_str()]);
    sync(t);
    let shown = dev_json(t, &["household", "show", &id]);
    assert_eq!(shown["status"], "approved");
    assert_eq!(shown["review"]["decision"], "approved");
    assert_eq!(shown["answers"]["rooms"], 3);
}
