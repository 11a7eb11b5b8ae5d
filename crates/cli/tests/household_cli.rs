//! The `shumari` binary end to end: init, areas, household add/import/list/show/set, errors and exit codes.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{json, Value};
mod common;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        env.cmd()
            .arg("init")
            .assert()
            .success()
            .stdout(predicate::str::contains("encrypted store"));
        env
    }
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("shumari").unwrap();
        c.env("SHUMARI_DATA_DIR", self.dir.path())
            .env("SHUMARI_PIN", "482193")
            .env_remove("RUST_LOG");
        c
    }
    fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd().args(args).arg("--json").output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
    fn add(&self, h: &Value) -> Value {
        let out = self
            .cmd()
            .args(["household", "add", "--file", "-", "--json"])
            .write_stdin(h.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn household(name: &str, cnic: &str) -> Value {
    json!({
        "area": "PK10101",
        "answers": {"rooms": 2, "address": "Gali 3"},
        "members": [
            {"name": name, "relation": "head", "sex": "male", "age": 50, "id_number": cnic},
            {"name": "شازیہ", "relation": "spouse", "sex": "female", "dob": "1980-05-06"},
            {"name": "Hamza", "relation": "son", "sex": "male", "age": 12}
        ]
    })
}

#[test]
fn questionnaire_rules_validate_complete_and_form_check() {
    let env = Env::new();
    // an incomplete household is a draft: saving works, validation lists what is missing
    let draft = env.add(&household("Karim Bakhsh", "35202-1234567-1"));
    let id = draft["id"].as_str().unwrap();
    let out = env
        .cmd()
        .args(["household", "validate", id, "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], false);
    assert_eq!(report["form_id"], "nser-household");
    assert!(
        report["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["path"] == "answers.respondent"),
        "{report}"
    );
    // marking it complete is refused with the reason
    env.cmd()
        .args(["household", "set", id, "status=complete"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot mark complete"));
    assert_eq!(env.json(&["household", "show", id])["status"], "draft");
    // a value that breaks its constraint is refused when written, naming the question; nothing changes
    env.cmd()
        .args(["household", "set", id, "answers.rooms=0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("answers.rooms"));
    env.cmd()
        .args(["household", "set", id, "answers.walls=glass"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("answers.walls"));
    assert_eq!(env.json(&["household", "show", id])["answers"]["rooms"], 2);
    let mut bad = household("A", "35202-1234567-1");
    bad["answers"]["rooms"] = json!(99);
    env.cmd()
        .args(["household", "add", "-f", "-"])
        .write_stdin(bad.to_string())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rooms"));
    // Urdu messages
    let out = env
        .cmd()
        .env("SHUMARI_LANG", "ur")
        .args(["household", "set", id, "answers.rooms=0"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // a complete household validates, records its form, explains its score, and can be marked complete
    let done = env.add(&common::complete_household(
        "Karim Bakhsh",
        "35202-1234567-1",
        2,
        "some",
    ));
    let did = done["id"].as_str().unwrap();
    let shown = env.json(&["household", "show", did]);
    assert_eq!(
        (shown["form_id"].as_str(), shown["form_version"].as_str()),
        (Some("nser-household"), Some("1"))
    );
    let report = env.json(&["household", "validate", did]);
    assert_eq!(report["complete"], true, "{report}");
    let score = report["pmt"]["score"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&score));
    let sum: f64 = report["pmt"]["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["points"].as_f64().unwrap())
        .sum();
    assert!(!report["pmt"]["contributions"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(sum.is_finite());
    env.cmd()
        .args(["household", "validate", did])
        .assert()
        .success()
        .stdout(predicate::str::contains("PMT score"));
    env.cmd()
        .args(["household", "set", did, "status=complete"])
        .assert()
        .success();
    assert_eq!(env.json(&["household", "show", did])["status"], "complete");

    // form check: the shipped questionnaire passes; a broken one names sheet, row and column
    let shipped = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../forms/questionnaires/nser-household.toml"
    );
    env.cmd()
        .args(["form", "check", shipped])
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.toml");
    let src = std::fs::read_to_string(shipped).unwrap().replacen(
        "type = \"integer\"",
        "type = \"integr\"",
        1,
    );
    std::fs::write(&broken, src).unwrap();
    let out = env
        .cmd()
        .args(["form", "check"])
        .arg(&broken)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(v["errors"].to_string().contains("integr"), "{v}");
}

#[test]
fn init_refuses_a_short_pin_and_makes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for short in ["4821", "12345", "pass123"] {
        Command::cargo_bin("shumari")
            .unwrap()
            .env("SHUMARI_DATA_DIR", dir.path())
            .env("SHUMARI_PIN", short)
            .arg("init")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("at least 6 digits"));
    }
    assert!(!dir.path().join("key.json").exists());
    assert!(!dir.path().join("shumari.db").exists());
}

#[test]
fn init_twice_and_missing_store() {
    let env = Env::new();
    env.cmd()
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    let empty = tempfile::tempdir().unwrap();
    Command::cargo_bin("shumari")
        .unwrap()
        .args(["household", "list", "--data-dir"])
        .arg(empty.path())
        .env("SHUMARI_PIN", "482193")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shumari init"));
}

#[test]
fn data_dir_flag_works_anywhere_on_the_line() {
    let env = Env::new();
    let mut c = Command::cargo_bin("shumari").unwrap();
    c.env_remove("SHUMARI_DATA_DIR")
        .env("SHUMARI_PIN", "482193");
    c.args(["household", "list", "--json", "--data-dir"])
        .arg(env.dir.path())
        .assert()
        .success()
        .stdout("[]\n");
    let mut c = Command::cargo_bin("shumari").unwrap();
    c.env_remove("SHUMARI_DATA_DIR")
        .env("SHUMARI_PIN", "482193");
    c.arg("--data-dir")
        .arg(env.dir.path())
        .args(["household", "list", "--json"])
        .assert()
        .success();
}

#[test]
fn wrong_pin_and_missing_pin() {
    let env = Env::new();
    env.cmd()
        .env("SHUMARI_PIN", "999999")
        .args(["household", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("wrong PIN"));
    env.cmd()
        .env_remove("SHUMARI_PIN")
        .args(["household", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SHUMARI_PIN"));
    env.cmd()
        .env("SHUMARI_PIN", "999999")
        .args(["household", "list", "--json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"code\":\"wrong_pin\""));
}

#[test]
fn areas_lists_provinces_children_and_rejects_unknown() {
    let env = Env::new();
    let provinces = env.json(&["areas"]);
    assert_eq!(provinces.as_array().unwrap().len(), 7);
    let tehsils = env.json(&["areas", "--parent", "PK101"]);
    assert!(tehsils
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["code"] == "PK10101" && a["level"] == "tehsil"));
    env.cmd()
        .args(["areas", "--parent", "PK999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown area code `PK999`"));
    env.cmd()
        .args(["areas"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Punjab"));
}

#[test]
fn add_show_set_round_trip() {
    let env = Env::new();
    let created = env.add(&household("Karim Bakhsh", "35202-1234567-1"));
    let id = created["id"].as_str().unwrap().to_string();
    let reference = created["ref"].as_str().unwrap().to_string();
    assert!(reference.starts_with("PK10101-"));
    let shown = env.json(&["household", "show", &id]);
    assert_eq!(shown["id"], json!(id));
    assert_eq!(shown["ref"], json!(reference));
    assert_eq!(shown["status"], "draft");
    assert_eq!(shown["area"], "PK10101");
    assert_eq!(shown["answers"]["rooms"], 2);
    assert_eq!(shown["members"][0]["id_number"], "3520212345671");
    assert_eq!(shown["members"][1]["name"], "شازیہ");
    assert!(shown["members"][0]["id"].as_str().unwrap().len() == 36);
    assert_eq!(shown["conflicts"], json!([]));
    // by reference too, human output
    env.cmd()
        .args(["household", "show", &reference])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Karim Bakhsh")
                .and(predicate::str::contains("35202-1234567-1")),
        );

    let wife = shown["members"][1]["id"].as_str().unwrap().to_string();
    env.cmd()
        .args([
            "household",
            "set",
            &id,
            "answers.rooms=3",
            &format!("members.{wife}.name=Shazia Bibi"),
            "answers.phone=03001234567",
            "answers.toilet=flush",
        ])
        .assert()
        .success();
    let shown = env.json(&["household", "show", &reference]);
    assert_eq!(
        shown["answers"]["rooms"], 3,
        "JSON values are taken as JSON"
    );
    assert_eq!(
        shown["answers"]["phone"], "03001234567",
        "non-JSON stays text, leading zero kept"
    );
    assert_eq!(shown["members"][1]["name"], "Shazia Bibi");

    // show output can be fed back to add (ids and status are ignored)
    let mut again = shown.clone();
    again.as_object_mut().unwrap().remove("conflicts");
    again.as_object_mut().unwrap().remove("paradata");
    for k in [
        "form_id",
        "form_version",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ] {
        again.as_object_mut().unwrap().remove(k);
    }
    for m in again["members"].as_array_mut().unwrap() {
        m.as_object_mut().unwrap().remove("line");
    }
    again["members"][0]["id_number"] = json!("35202-7654321-1");
    again["members"][0].as_object_mut().unwrap().remove("id");
    again["members"][1].as_object_mut().unwrap().remove("id");
    again["members"][2].as_object_mut().unwrap().remove("id");
    let c2 = env.add(&again);
    assert_ne!(c2["id"], json!(id));
}

#[test]
fn invalid_input_gets_exit_2_and_a_clear_message() {
    let env = Env::new();
    let cases: Vec<(Value, &str)> = vec![
        (
            household("A", "1234"),
            "members[0].id_number: a CNIC or B-form number has 13 digits",
        ),
        (household("A", "35202_1234567_1"), "members[0].id_number"),
        (
            json!({"area": "PK00000", "members": []}),
            "unknown area code `PK00000`",
        ),
        (json!({"members": []}), "area code is missing"),
        (
            json!({"area": "PK10101", "members": [{"name": "A", "relation": "head", "sex": "m", "age": 3}]}),
            "members[0].sex",
        ),
        (
            json!({"area": "PK10101", "members": [{"name": "A", "relation": "head", "sex": "male"}]}),
            "give the age in years or the date of birth",
        ),
        (
            json!({"area": "PK10101", "colour": "red"}),
            "unknown field `colour`",
        ),
        (
            json!({"area": "PK10101", "answers": {"assets": ["tv"]}}),
            "answers.assets",
        ),
    ];
    for (h, want) in cases {
        env.cmd()
            .args(["household", "add", "-f", "-"])
            .write_stdin(h.to_string())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(want));
    }
    let mut dup = household("A", "35202-1234567-1");
    dup["members"][1]["id_number"] = json!("3520212345671");
    env.cmd()
        .args(["household", "add", "-f", "-"])
        .write_stdin(dup.to_string())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("same ID number"));
    env.cmd()
        .args(["household", "add", "-f", "-"])
        .write_stdin("{not json")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a household JSON"));
    env.cmd()
        .args(["household", "add", "-f", "/nonexistent.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
    // nothing was stored by any of them
    assert_eq!(env.json(&["household", "list"]), json!([]));
    // parity/province problems are warnings, not errors
    env.cmd()
        .args(["household", "add", "-f", "-"])
        .write_stdin(household("A", "95202-1234567-2").to_string())
        .assert()
        .success()
        .stderr(
            predicate::str::contains("warning").and(predicate::str::contains("province digit")),
        );
    let id = env.json(&["household", "list"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    env.cmd()
        .args(["household", "set", &id, "rooms=3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a household field"));
    env.cmd()
        .args(["household", "set", &id, "answers.rooms"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("PATH=VALUE"));
    env.cmd()
        .args(["household", "set", &id, "status=approved"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot move"));
    env.cmd()
        .args(["household", "set", "PK10101-ZZZZZ-9", "answers.rooms=1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no household"));
    env.cmd()
        .args(["household", "show", "nope"])
        .assert()
        .code(2);
    env.cmd()
        .args(["household", "list", "--status", "finished"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a status"));
}

#[test]
fn import_reports_bad_lines_and_keeps_good_ones() {
    let env = Env::new();
    let mut lines = Vec::new();
    for i in 0..1203 {
        lines.push(household(&format!("Person {i}"), &format!("35202{:07}1", i)).to_string());
    }
    lines[4] = "{broken".into();
    lines[9] = household("Bad", "12").to_string();
    lines[1000] = json!({"area": "PK00000"}).to_string();
    lines.insert(20, String::new()); // blank lines are skipped
    let out = env
        .cmd()
        .args(["household", "import", "--file", "-", "--json"])
        .write_stdin(lines.join("\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["imported"], 1200);
    let rejected = summary["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 3);
    assert_eq!(rejected[0]["line"], 5);
    assert!(rejected[0]["error"]
        .as_str()
        .unwrap()
        .contains("not a household JSON"));
    assert_eq!(rejected[1]["line"], 10);
    assert!(rejected[1]["error"].as_str().unwrap().contains("id_number"));
    assert_eq!(rejected[2]["line"], 1002);
    assert!(rejected[2]["error"].as_str().unwrap().contains("PK00000"));
    let listed = env.json(&["household", "list", "--limit", "5000"]);
    assert_eq!(listed.as_array().unwrap().len(), 1200);
    // all good: exit 0, human summary
    let env2 = Env::new();
    let good = (0..3)
        .map(|i| household(&format!("P{i}"), &format!("35202{:07}1", i)).to_string())
        .collect::<Vec<_>>()
        .join("\n");
    env2.cmd()
        .args(["household", "import", "-f", "-"])
        .write_stdin(good)
        .assert()
        .success()
        .stdout(predicate::str::contains("imported 3, rejected 0"));
}

#[test]
fn list_filters_and_search() {
    let env = Env::new();
    env.add(&household("Karim Bakhsh", "35202-1234567-1"));
    let mut other = household("Noor Jahan", "42101-7654321-1");
    other["area"] = json!("PK10102");
    other["members"][0]["sex"] = json!("female");
    other["members"][0]["id_number"] = json!("42101-7654321-2");
    let o = env.add(&other);
    let all = env.json(&["household", "list"]);
    assert_eq!(all.as_array().unwrap().len(), 2);
    for row in all.as_array().unwrap() {
        for k in ["id", "ref", "area", "status"] {
            assert!(row.get(k).is_some(), "summary has {k}");
        }
    }
    assert_eq!(
        env.json(&["household", "list", "--area", "PK10102"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        env.json(&["household", "list", "--area", "PK101"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        env.json(&["household", "list", "--search", "noor"])[0]["id"],
        o["id"]
    );
    assert_eq!(
        env.json(&["household", "list", "--search", "42101-76"])[0]["id"],
        o["id"]
    );
    assert_eq!(
        env.json(&["household", "list", "--search", "شازیہ"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        env.json(&["household", "list", "--search", o["ref"].as_str().unwrap()])[0]["id"],
        o["id"]
    );
    let done = env.add(&common::complete_household(
        "Karim Bakhsh",
        "35202-1234567-1",
        2,
        "some",
    ));
    env.cmd()
        .args([
            "household",
            "set",
            done["id"].as_str().unwrap(),
            "status=complete",
        ])
        .assert()
        .success();
    assert_eq!(
        env.json(&["household", "list", "--status", "complete"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        env.json(&["household", "list", "--status", "draft"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    env.cmd()
        .args(["household", "list"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Karim Bakhsh")
                .and(predicate::str::contains("3 household(s)")),
        );
}
