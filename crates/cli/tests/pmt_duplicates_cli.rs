//! The registry's PMT and duplicates queue from the command line, against a real registry over
//! HTTP: pushed households are scored (`registry pmt show`, and `pmt` in `registry household show`);
//! `registry pmt rescore --model` installs a new model and prints its progress; a second tablet's
//! household carrying the first head's CNIC opens a case (`registry duplicates list`), approval is
//! refused while it is open, `registry duplicates resolve --keep` removes the member from the other
//! household and the tablet receives the removal on its next sync.

use serde_json::{json, Value};
use std::path::Path;
mod common;
use common::{
    admin_json, admin_text, device, district_user, enrolled_device, registry_out,
    TempRegistry as Registry,
};

fn add(dir: &Path, h: &Value) -> String {
    let out = device(dir)
        .args(["household", "add", "-f", "-", "--json"])
        .write_stdin(h.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn complete_and_sync(dir: &Path, id: &str) {
    device(dir)
        .args(["household", "set", id, "status=complete"])
        .assert()
        .success();
    device(dir).arg("sync").assert().success();
}

#[test]
fn scores_rescoring_and_a_duplicate_case_from_the_command_line() {
    let reg = Registry::start();
    let surveyor = district_user(&reg, "surveyor");
    let colleague = district_user(&reg, "surveyor");
    let supervisor = district_user(&reg, "supervisor");
    let a = enrolled_device(&reg, &surveyor);
    let b = enrolled_device(&reg, &colleague);
    let first = add(
        a.path(),
        &common::complete_household("Karim Bakhsh", "35202-1234567-1", 2, "no_difficulty"),
    );
    complete_and_sync(a.path(), &first);

    // The registry scored the household when it arrived.
    let score = admin_json(&reg.db, &["pmt", "show", &first]);
    assert_eq!(score["model_version"], "illustrative-v1");
    assert_eq!(score["current"], true);
    let sum: f64 = score["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["points"].as_f64().unwrap())
        .sum();
    assert!((sum - score["score"].as_f64().unwrap()).abs() < 1e-9);
    let shown = admin_json(&reg.db, &["household", "show", &first]);
    assert_eq!(shown["pmt"]["score"], score["score"]);
    let text = admin_text(&reg.db, &["pmt", "show", &first]);
    assert!(text.contains("Rooms per person"), "{text}");
    assert!(text.contains("illustrative-v1"), "{text}");

    // A new model, installed and applied to every household with progress lines.
    let model = shumari_forms::pmt::PMT_MODEL_TOML
        .replace(
            "model_version = \"illustrative-v1\"",
            "model_version = \"district-v2\"",
        )
        .replace("constant = 10.0", "constant = 15.0");
    let file = reg.dir.path().join("district-v2.toml");
    std::fs::write(&file, model).unwrap();
    let out = registry_out(
        &reg.db,
        &[
            "pmt",
            "rescore",
            "--model",
            file.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(lines.len() >= 3, "{lines:?}");
    assert_eq!(lines[0]["state"], "running");
    let last = lines.last().unwrap();
    assert_eq!(
        (
            last["state"].clone(),
            last["done"].clone(),
            last["total"].clone()
        ),
        (json!("done"), json!(1), json!(1))
    );
    let rescored = admin_json(&reg.db, &["pmt", "show", &first]);
    assert_eq!(rescored["model_version"], "district-v2");
    let jobs = admin_json(&reg.db, &["pmt", "jobs"]);
    assert_eq!(jobs[0]["state"], "done");
    let text = admin_text(&reg.db, &["pmt", "rescore"]);
    assert!(
        text.contains("1/1 households scored with district-v2"),
        "{text}"
    );

    // A colleague's household names Karim Bakhsh's CNIC for its head: a case opens.
    let second = add(
        b.path(),
        &common::complete_household("Karim Bux", "35202-1234567-1", 3, "no_difficulty"),
    );
    complete_and_sync(b.path(), &second);
    let cases = admin_json(&reg.db, &["duplicates", "list"]);
    assert_eq!(
        cases.as_array().unwrap().len(),
        2,
        "the head's and the spouse's: {cases}"
    );
    let case = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id_number"] == "3520212345671")
        .expect("the head's case");
    let case_id = case["id"].as_str().unwrap().to_string();
    let spouse_case = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id_number"] == "3520276543212")
        .expect("the spouse's case")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let table = admin_text(&reg.db, &["duplicates", "list", "--area", "PK603"]);
    assert!(
        table.contains(&case_id) && table.contains("2 case(s)"),
        "{table}"
    );

    // No approval while a case is open.
    let out = registry_out(
        &reg.db,
        &["review", "approve", &second, "--as", &supervisor],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("open duplicate case"),
        "{out:?}"
    );
    // A surveyor does not resolve cases.
    let out = registry_out(
        &reg.db,
        &[
            "duplicates",
            "resolve",
            &case_id,
            "--dismiss",
            "--as",
            &surveyor,
        ],
    );
    assert!(!out.status.success());

    // The supervisor keeps Karim in the first household and the spouse's number was a data error.
    let done = admin_json(
        &reg.db,
        &[
            "duplicates",
            "resolve",
            &case_id,
            "--keep",
            &first,
            "--as",
            &supervisor,
            "--note",
            "Same man, recorded twice",
        ],
    );
    assert_eq!(done["state"], "resolved");
    assert_eq!(done["kept"], json!(first));
    let text = admin_text(
        &reg.db,
        &[
            "duplicates",
            "resolve",
            &spouse_case,
            "--data-error",
            "--as",
            &supervisor,
        ],
    );
    assert!(text.contains("data_error"), "{text}");
    assert_eq!(
        admin_json(&reg.db, &["duplicates", "list"]),
        json!([]),
        "the queue is empty"
    );

    // The colleague's tablet receives the removal on its next sync.
    device(b.path()).arg("sync").assert().success();
    let out = device(b.path())
        .args(["household", "show", &second, "--json"])
        .output()
        .unwrap();
    let on_b: Value = serde_json::from_slice(&out.stdout).unwrap();
    let members = on_b["members"].as_array().unwrap();
    assert_eq!(members.len(), 1, "{on_b}");
    assert_eq!(members[0]["relation"], "spouse");

    // Both households are approved now.
    admin_json(&reg.db, &["review", "approve", &first, "--as", &supervisor]);
    admin_json(
        &reg.db,
        &["review", "approve", &second, "--as", &supervisor],
    );
}
