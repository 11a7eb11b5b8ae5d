//! The field app's use cases end to end on a real encrypted store (no UI).

use serde_json::json;
use shumari_app::{App, AppError, Interview};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The `shumari` CLI (built by `cargo build -p shumari-cli`), found next to this test's binary or via
/// `SHUMARI_BIN`.
fn cli() -> PathBuf {
    if let Ok(p) = std::env::var("SHUMARI_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("shumari")
}

/// A real registry (`shumari registry serve` on SQLite in a temp dir), killed on drop.
struct Registry {
    child: Child,
    db: String,
    url: String,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    fn start(dir: &std::path::Path) -> Registry {
        let db = format!("sqlite:{}", dir.join("registry.db").display());
        let mut child = Command::new(cli())
            .args(["registry", "serve", "--db", &db, "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the shumari CLI is built (cargo build -p shumari-cli)");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let url = loop {
            let mut line = String::new();
            assert!(out.read_line(&mut line).unwrap() > 0, "registry exited");
            if let Some(u) = line.trim().strip_prefix("listening on ") {
                break u.to_string();
            }
        };
        Registry { child, db, url }
    }

    fn cli_json(&self, args: &[&str]) -> serde_json::Value {
        let out = Command::new(cli())
            .args(args)
            .args(["--db", &self.db, "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// A fresh enrollment code for a new surveyor of `area`.
    fn code(&self, area: &str) -> String {
        let u = self.cli_json(&[
            "registry", "user", "add", "--name", "Test", "--role", "surveyor", "--area", area,
        ]);
        let id = u["id"].as_str().unwrap().to_string();
        let c = self.cli_json(&["registry", "enroll-code", "--user", &id]);
        c["code"].as_str().unwrap().to_string()
    }
}

fn enrolled() -> (tempfile::TempDir, App, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let reg = Registry::start(dir.path());
    let app = App::new(dir.path().join("data"));
    let code = reg.code("PK10101");
    app.enroll(&reg.url, &code, "2468").unwrap();
    (dir, app, reg)
}

fn set(app: &App, hh: &str, m: Option<&str>, f: &str, v: serde_json::Value) -> Interview {
    app.set_answer(hh, m, f, v).unwrap()
}

#[test]
fn enroll_then_wrong_pin_loses_nothing() {
    let (_d, app, _l) = enrolled();
    let hh = app.create_household("PK10101").unwrap();
    app.lock();
    let err = app.unlock("1111").unwrap_err();
    assert!(matches!(err, AppError::WrongPin));
    assert_eq!(err.code(), "wrong_pin");
    assert!(app.session_status().enrolled);
    assert!(!app.session_status().unlocked);
    app.unlock("2468").unwrap();
    assert_eq!(app.list_households("", None, None).unwrap()[0].id, hh.id);
}

#[test]
fn errors_serialise_as_code_and_message() {
    let v = serde_json::to_value(AppError::WrongPin).unwrap();
    assert_eq!(v, json!({"code": "wrong_pin", "message": "wrong PIN"}));
}

#[test]
fn interview_with_three_members_skip_logic_and_completion() {
    let (_d, app, _l) = enrolled();
    let hh = app.create_household("PK10101").unwrap().id;

    // Skip logic.
    let iv = set(&app, &hh, None, "has_toilet", json!("no"));
    assert!(!iv.visible.contains(&"toilet_type".to_string()));
    let iv = set(&app, &hh, None, "has_toilet", json!("yes"));
    assert!(iv.visible.contains(&"toilet_type".to_string()));

    for (f, v) in [
        ("rooms", json!(2)),
        ("walls", json!("mud")),
        ("toilet_type", json!("pit")),
        ("electricity", json!("yes")),
        ("owns_land", json!("no")),
        ("assets", json!(["tv"])),
    ] {
        set(&app, &hh, None, f, v);
    }
    let people = [
        ("Ayesha Bibi", "head", "female", 34, "35202-1234567-2"),
        ("Imran", "spouse", "male", 38, "35202-7654321-1"),
        ("Sana", "daughter", "female", 6, ""),
    ];
    let mut iv = app.open_interview(&hh).unwrap();
    for (name, rel, sex, age, cnic) in people {
        iv = app.add_member(&hh).unwrap();
        let m = iv.members.last().unwrap().id.clone();
        // A half-typed CNIC is saved (in the overlay) and reported, not refused.
        if !cnic.is_empty() {
            let half = set(&app, &hh, Some(&m), "id_number", json!(&cnic[..8]));
            assert!(half
                .issues
                .iter()
                .any(|i| i.code == "cnic" && i.member_id.as_deref() == Some(&m)));
            assert_eq!(
                half.members.last().unwrap().answers["id_number"],
                json!(&cnic[..8])
            );
        }
        set(&app, &hh, Some(&m), "name", json!(name));
        set(&app, &hh, Some(&m), "relation", json!(rel));
        set(&app, &hh, Some(&m), "sex", json!(sex));
        iv = set(&app, &hh, Some(&m), "age", json!(age));
        if !cnic.is_empty() {
            iv = set(&app, &hh, Some(&m), "id_number", json!(cnic));
        }
        let school_visible = iv.visible.contains(&format!("member:{m}:school"));
        assert_eq!(school_visible, age >= 5);
    }
    assert_eq!(iv.members.len(), 3);
    assert!(iv.issues.is_empty(), "{:?}", iv.issues);
    assert!(iv.pmt.is_some());
    let done = app.mark_complete(&hh).unwrap();
    assert_eq!(done.status, "complete");
    assert_eq!(done.head_name, "Ayesha Bibi");

    // The members are on the document, so the list and search see them.
    let found = app.list_households("35202-12345", None, None).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].member_count, 3);
    assert_eq!(found[0].head_cnic, "35202-1234567-2");
    assert_eq!(app.household_counts().unwrap().complete, 1);
    assert_eq!(
        app.list_households("", Some("draft"), None).unwrap().len(),
        0
    );

    // Everything survives a lock/unlock.
    app.lock();
    app.unlock("2468").unwrap();
    let again = app.open_interview(&hh).unwrap();
    assert_eq!(again.members.len(), 3);
    assert_eq!(again.answers["assets"], json!(["tv"]));
}

#[test]
fn cannot_complete_with_issues_and_removing_a_member_works() {
    let (_d, app, _l) = enrolled();
    let hh = app.create_household("PK10101").unwrap().id;
    let err = app.mark_complete(&hh).unwrap_err();
    assert_eq!(err.code(), "invalid");
    let iv = app.add_member(&hh).unwrap();
    let m = iv.members[0].id.clone();
    let iv = app.remove_member(&hh, &m).unwrap();
    assert!(iv.members.is_empty());
    let iv = set(&app, &hh, None, "rooms", json!(0));
    assert!(iv
        .issues
        .iter()
        .any(|i| i.field == "rooms" && i.code == "range"));
}

#[test]
fn settings_round_trip_without_unlocking() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(dir.path().to_path_buf());
    assert_eq!(app.settings().language, "en");
    let mut s = app.settings();
    s.language = "ur".into();
    app.set_settings(s).unwrap();
    assert_eq!(App::new(dir.path().to_path_buf()).settings().language, "ur");
}

#[test]
fn enrolling_against_a_closed_port_says_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(dir.path().join("d"));
    let url = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    assert_eq!(
        app.enroll(&url, "X", "1234").unwrap_err().code(),
        "unreachable"
    );
    assert!(!app.session_status().enrolled);
}
