//! Programmes from the command line against a real registry: `programme check` names the line of a
//! mistake (exit status 2) and needs no database, `programme load` loads once (a second load
//! changes nothing) and only as a programme officer, `programme list`, `eligibility run` and
//! `enrolment run` with their jobs, `enrolment show` with the plain-words reasons, and
//! `enrolment set` suspending a household with its reason kept in the history, and `payments cycle
//! create` preparing the quarter's cycle from the enrolment.

use serde_json::{json, Value};
mod common;
use common::{
    admin_json, admin_text, device, district_user, enrolled_device, registry_out,
    TempRegistry as Registry,
};

const KAFALAT: &str = include_str!("../../programmes/shipped/kafalat.toml");

/// JSON lines (a run's progress with `--json`): the last object.
fn last_line(out: &std::process::Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last().expect("a line")).expect("JSON")
}

#[test]
fn programmes_are_checked_loaded_run_and_enrolments_changed_from_the_command_line() {
    let reg = Registry::start();
    let dir = reg.dir.path();

    // A file with a mistake: every problem by line, exit status 2, no database needed.
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        KAFALAT.replace("pmt_at_most = 32", "pmt_at_most = 32\nthreshold = 30"),
    )
    .unwrap();
    let line = KAFALAT
        .lines()
        .position(|l| l == "pmt_at_most = 32")
        .unwrap()
        + 2;
    let out = std::process::Command::new(common::bin())
        .args(["registry", "programme", "check", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("bad.toml:{line}:")), "{text}");
    assert!(text.contains("threshold"), "{text}");

    // Every household eligible: the shipped rules with a limit of 100.
    let file = dir.join("kafalat.toml");
    std::fs::write(
        &file,
        KAFALAT.replace("pmt_at_most = 32", "pmt_at_most = 100"),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let out = std::process::Command::new(common::bin())
        .args(["registry", "programme", "check", file, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let checked: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(checked["ok"], json!(true));
    assert_eq!(checked["id"], json!("kafalat"));

    let surveyor = district_user(&reg, "surveyor");
    let supervisor = district_user(&reg, "supervisor");
    let officer = district_user(&reg, "programme");
    let tablet = enrolled_device(&reg, &surveyor);
    let t = tablet.path();
    let added = device(t)
        .args(["household", "add", "-f", "-", "--json"])
        .write_stdin(
            common::complete_household("Karim Bakhsh", "35202-1234567-1", 2, "no_difficulty")
                .to_string(),
        )
        .output()
        .unwrap();
    let id = serde_json::from_slice::<Value>(&added.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    device(t)
        .args(["household", "set", &id, "status=complete"])
        .assert()
        .success();
    device(t).arg("sync").assert().success();
    admin_text(&reg.db, &["review", "approve", &id, "--as", &supervisor]);

    // Loading is a programme officer's; twice changes nothing.
    let out = registry_out(&reg.db, &["programme", "load", file, "--as", &surveyor]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a surveyor may not load programmes"),
        "{out:?}"
    );
    let loaded = admin_json(&reg.db, &["programme", "load", file, "--as", &officer]);
    assert_eq!(loaded["loaded"], json!(true));
    let again = admin_text(&reg.db, &["programme", "load", file, "--as", &officer]);
    assert!(again.contains("already loaded; nothing changed"), "{again}");
    let list = admin_json(&reg.db, &["programme", "list", "--as", &officer]);
    assert_eq!(list[0]["id"], json!("kafalat"));
    assert_eq!(list[0]["pmt_at_most"], json!(100.0));

    // The runs, as jobs with progress.
    let out = registry_out(&reg.db, &["eligibility", "run", "--as", &officer, "--json"]);
    assert!(out.status.success(), "{out:?}");
    let job = last_line(&out);
    assert_eq!(
        (job["state"].clone(), job["counted"].clone()),
        (json!("done"), json!(1))
    );
    let out = registry_out(
        &reg.db,
        &[
            "enrolment",
            "run",
            "--programme",
            "kafalat",
            "--as",
            &officer,
            "--json",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(last_line(&out)["counted"], json!(1));

    let shown = admin_json(&reg.db, &["enrolment", "show", &id, "--as", &officer]);
    assert_eq!(shown["eligibility"][0]["eligible"], json!(true));
    let reasons = shown["eligibility"][0]["reasons"].as_array().unwrap();
    assert!(
        reasons[0]["en"].as_str().unwrap().ends_with("≤ 100"),
        "{reasons:?}"
    );
    assert_eq!(reasons[1]["en"], json!("no exclusion applies"));
    assert_eq!(shown["enrolments"][0]["status"], json!("enrolled"));

    // The quarter's cycle, prepared from the enrolment by the programme's rules: one payment.
    let cycle = admin_json(
        &reg.db,
        &[
            "payments",
            "cycle",
            "create",
            "--programme",
            "kafalat",
            "--period",
            "2026-Q4",
            "--area",
            "PK603",
            "--as",
            &officer,
        ],
    );
    assert_eq!(cycle["payments"], json!(1), "{cycle}");
    assert_eq!(cycle["state"], json!("prepared"));
    assert!(cycle["total"].as_i64().unwrap() > 0, "{cycle}");
    // A second cycle for the same quarter is refused; a surveyor prepares none.
    for who in [&officer, &surveyor] {
        let out = registry_out(
            &reg.db,
            &[
                "payments",
                "cycle",
                "create",
                "--programme",
                "kafalat",
                "--period",
                "2026-Q4",
                "--area",
                "PK603",
                "--as",
                who,
            ],
        );
        assert!(!out.status.success(), "{out:?}");
    }

    // Suspended with a reason; the history keeps both steps; an exit cannot be undone.
    let set = admin_json(
        &reg.db,
        &[
            "enrolment",
            "set",
            &id,
            "--programme",
            "kafalat",
            "--status",
            "suspended",
            "--reason",
            "payee CNIC expired",
            "--as",
            &officer,
        ],
    );
    assert_eq!(set["status"], json!("suspended"));
    assert_eq!(set["history"][1]["reason"], json!("payee CNIC expired"));
    let text = admin_text(&reg.db, &["enrolment", "show", &id, "--as", &officer]);
    assert!(text.contains("kafalat suspended"), "{text}");
    assert!(text.contains("enrolled -> suspended"), "{text}");
    admin_text(
        &reg.db,
        &[
            "enrolment",
            "set",
            &id,
            "--programme",
            "kafalat",
            "--status",
            "exited",
            "--reason",
            "moved abroad",
            "--as",
            &officer,
        ],
    );
    let out = registry_out(
        &reg.db,
        &[
            "enrolment",
            "set",
            &id,
            "--programme",
            "kafalat",
            "--status",
            "enrolled",
            "--reason",
            "back",
            "--as",
            &officer,
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot become enrolled"),
        "{out:?}"
    );
}
