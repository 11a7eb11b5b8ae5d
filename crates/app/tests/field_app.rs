//! The field app's use cases end to end on a real encrypted store (no UI).

use serde_json::json;
use shumari_app::{App, AppError, Interview};

mod common;
use common::{sync_round, Registry};

fn enrolled() -> (tempfile::TempDir, App, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let reg = Registry::start(dir.path());
    let app = App::new(dir.path().join("data"));
    let code = reg.code("PK10101");
    app.enroll(&reg.url, &code, "246813").unwrap();
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
    let err = app.unlock("111111").unwrap_err();
    assert!(matches!(err, AppError::WrongPin));
    assert_eq!(err.code(), "wrong_pin");
    assert!(app.session_status().enrolled);
    assert!(!app.session_status().unlocked);
    app.unlock("246813").unwrap();
    assert_eq!(app.list_households("", None, None).unwrap()[0].id, hh.id);
}

#[test]
fn errors_serialise_as_code_and_message() {
    let v = serde_json::to_value(AppError::WrongPin).unwrap();
    assert_eq!(v, json!({"code": "wrong_pin", "message": "wrong PIN"}));
}

/// Every household answer the NSER questionnaire needs (no livestock, no land, no support).
fn household_answers() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("address", json!("House 12, Street 4, Mohalla Islamabad")),
        ("respondent", json!("Ayesha Bibi")),
        ("consent", json!("OK")),
        ("tenure", json!("owned")),
        ("rooms", json!(2)),
        ("walls", json!("mud")),
        ("roof", json!("garder")),
        ("floor", json!("earth")),
        ("toilet", json!("pit")),
        ("water", json!("hand_pump")),
        ("cooking_fuel", json!("wood")),
        ("lighting", json!("electricity")),
        ("electricity", json!("yes")),
        ("gas", json!("no")),
        ("assets", json!(["tv", "smartphone"])),
        ("has_livestock", json!("no")),
        ("land_owned", json!(0)),
        ("land_rented", json!(0)),
        ("support", json!(["none"])),
    ]
}

/// Member answers beyond the core fields: schooling, difficulties and work for those old enough.
fn member_answers(age: u32, occupation: &str) -> Vec<(&'static str, serde_json::Value)> {
    let mut out = Vec::new();
    if age >= 5 {
        out.push(("literate", json!("yes")));
        out.push(("education", json!("primary")));
        if age <= 22 {
            out.push(("in_school", json!("yes")));
        }
        for wg in [
            "wg_seeing",
            "wg_hearing",
            "wg_walking",
            "wg_remembering",
            "wg_selfcare",
            "wg_communicating",
        ] {
            out.push((wg, json!("no_difficulty")));
        }
    }
    if age >= 10 {
        out.push(("marital_status", json!("married")));
        out.push(("occupation", json!(occupation)));
        if !["none", "student", "housework"].contains(&occupation) {
            out.push(("income", json!(25000)));
        }
    }
    out
}

#[test]
fn interview_with_three_members_skip_logic_and_completion() {
    let (_d, app, _l) = enrolled();
    let hh = app.create_household("PK10101").unwrap().id;

    // Skip logic from the form: the bill is asked only with an electricity connection.
    let iv = set(&app, &hh, None, "electricity", json!("no"));
    assert!(!iv.visible.contains(&"electricity_bill".to_string()));
    let iv = set(&app, &hh, None, "electricity", json!("yes"));
    assert!(iv.visible.contains(&"electricity_bill".to_string()));
    assert_eq!(iv.answers["area"], json!("PK10101"));

    for (f, v) in household_answers() {
        let iv = set(&app, &hh, None, f, v);
        assert!(
            !iv.issues.iter().any(|i| i.field == f),
            "{f}: {:?}",
            iv.issues
        );
    }
    let people = [
        (
            "Ayesha Bibi",
            "head",
            "female",
            34,
            "35202-1234567-2",
            "housework",
        ),
        ("Imran", "spouse", "male", 38, "35202-7654321-1", "labour"),
        ("Sana", "daughter", "female", 4, "", ""),
    ];
    let mut iv = app.open_interview(&hh).unwrap();
    for (name, rel, sex, age, cnic, occupation) in people {
        iv = app.add_member(&hh).unwrap();
        let m = iv.members.last().unwrap().id.clone();
        // A half-typed CNIC is saved (in the overlay) and reported with the form's message.
        if !cnic.is_empty() {
            let half = set(&app, &hh, Some(&m), "id_number", json!(&cnic[..8]));
            let issue = half
                .issues
                .iter()
                .find(|i| i.field == "id_number" && i.member_id.as_deref() == Some(&m))
                .expect("CNIC issue");
            assert!(issue.message.en.contains("13 digits"), "{issue:?}");
            assert!(!issue.message.ur.is_empty());
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
        for (f, v) in member_answers(age, occupation) {
            iv = set(&app, &hh, Some(&m), f, v);
        }
        let school_visible = iv.visible.contains(&format!("member:{m}:education"));
        assert_eq!(school_visible, age >= 5);
        assert_eq!(iv.calculated[&format!("member:{m}:age_years")], json!(age));
    }
    assert_eq!(iv.members.len(), 3);
    assert!(iv.issues.is_empty(), "{:?}", iv.issues);
    assert!(iv.warnings.is_empty(), "{:?}", iv.warnings);
    let pmt = iv.pmt.clone().expect("score");
    let sum: f64 = pmt.contributions.iter().map(|c| c.points).sum();
    assert!((sum - pmt.score).abs() < 1e-9);
    let done = app.mark_complete(&hh).unwrap();
    assert_eq!(done.status, "complete");
    assert_eq!(done.head_name, "Ayesha Bibi");

    // The members are on the document, so the list and search see them.
    let found = app.list_households("35202-12345", None, None).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].member_count, 3);
    assert_eq!(found[0].head_id_number, "35202-1234567-2");
    assert_eq!(app.household_counts().unwrap().complete, 1);
    assert_eq!(
        app.list_households("", Some("draft"), None).unwrap().len(),
        0
    );

    // Everything survives a lock/unlock.
    app.lock();
    app.unlock("246813").unwrap();
    let again = app.open_interview(&hh).unwrap();
    assert_eq!(again.members.len(), 3);
    assert_eq!(again.answers["assets"], json!(["tv", "smartphone"]));
    assert_eq!(again.status, "complete");

    // Changing an answer reopens the interview.
    let reopened = set(&app, &hh, None, "rooms", json!(3));
    assert_eq!(reopened.status, "draft");
}

#[test]
fn constraint_failures_are_refused_and_completion_needs_a_valid_form() {
    let (_d, app, _l) = enrolled();
    let hh = app.create_household("PK10101").unwrap().id;
    let err = app.mark_complete(&hh).unwrap_err();
    assert_eq!(err.code(), "invalid");
    let iv = app.add_member(&hh).unwrap();
    let m = iv.members[0].id.clone();
    let iv = app.remove_member(&hh, &m).unwrap();
    assert!(iv.members.is_empty());

    // A value breaking the form's constraint is not written; the form's message says why.
    let iv = set(&app, &hh, None, "rooms", json!(0));
    let rooms = iv.issues.iter().find(|i| i.field == "rooms").unwrap();
    assert_eq!(rooms.code, "constraint");
    assert_eq!(rooms.message.en, "A dwelling has between 1 and 50 rooms.");
    assert!(rooms.message.ur.contains("کمروں"));
    assert_eq!(iv.answers["rooms"], json!(0), "kept in the overlay");
    let stored = app.list_households("", None, None).unwrap();
    assert_eq!(stored.len(), 1);
    let iv = set(&app, &hh, None, "assets", json!(["none", "tv"]));
    assert!(iv
        .issues
        .iter()
        .any(|i| i.field == "assets" && i.message.en.contains("'None'")));

    // The area is fixed at creation; calculated questions are never written.
    assert_eq!(
        app.set_answer(&hh, None, "area", json!("PK2"))
            .unwrap_err()
            .code(),
        "invalid"
    );
    assert_eq!(
        app.set_answer(&hh, None, "household_size", json!(3))
            .unwrap_err()
            .code(),
        "invalid"
    );

    // Two members with the same CNIC: the second is flagged.
    let mut ids = Vec::new();
    for (name, rel, sex) in [("Ayesha", "head", "female"), ("Sana", "daughter", "female")] {
        let iv = app.add_member(&hh).unwrap();
        let m = iv.members.last().unwrap().id.clone();
        set(&app, &hh, Some(&m), "name", json!(name));
        set(&app, &hh, Some(&m), "relation", json!(rel));
        set(&app, &hh, Some(&m), "sex", json!(sex));
        set(&app, &hh, Some(&m), "age", json!(30));
        ids.push(m);
    }
    set(
        &app,
        &hh,
        Some(&ids[0]),
        "id_number",
        json!("35202-1234567-2"),
    );
    let iv = set(
        &app,
        &hh,
        Some(&ids[1]),
        "id_number",
        json!("35202-1234567-2"),
    );
    assert!(iv.issues.iter().any(|i| i.field == "id_number"
        && i.member_id.as_deref() == Some(ids[1].as_str())
        && i.code == "duplicate"));
    // A CNIC whose last digit does not match the sex is a warning, not an issue.
    let iv = set(
        &app,
        &hh,
        Some(&ids[1]),
        "id_number",
        json!("35202-7654321-1"),
    );
    assert!(iv
        .warnings
        .iter()
        .any(|w| w.member_id.as_deref() == Some(ids[1].as_str()) && w.code == "cnic_warning"));
    assert!(!iv
        .issues
        .iter()
        .any(|i| i.member_id.as_deref() == Some(ids[1].as_str()) && i.field == "id_number"));
    assert_eq!(app.mark_complete(&hh).unwrap_err().code(), "invalid");
}

#[test]
fn the_form_sent_to_the_ui_is_the_nser_questionnaire() {
    let app = App::new(std::env::temp_dir().join("shumari-unused"));
    let f = serde_json::to_value(app.form()).unwrap();
    assert_eq!(f["id"], json!("nser-household"));
    let sections = f["sections"].as_array().unwrap();
    let roster = sections
        .iter()
        .find(|s| s["repeat"] == json!(true))
        .unwrap();
    let qs = roster["questions"].as_array().unwrap();
    let id = qs.iter().find(|q| q["name"] == json!("id_number")).unwrap();
    assert_eq!(id["kind"], json!("cnic"));
    assert_eq!(id["label"]["ur"], json!("شناختی کارڈ یا ب فارم نمبر"));
    assert!(qs.iter().any(|q| q["kind"] == json!("group")));
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
        app.enroll(&url, "X", "123456").unwrap_err().code(),
        "unreachable"
    );
    assert!(!app.session_status().enrolled);
}

#[test]
fn an_interviewed_household_syncs_and_nothing_stays_waiting() {
    let (_d, app, _l) = enrolled();
    let hh = app.create_household("PK10101").unwrap().id;
    for (f, v) in household_answers() {
        set(&app, &hh, None, f, v);
    }
    let iv = app.add_member(&hh).unwrap();
    let m = iv.members.last().unwrap().id.clone();
    // Typed as the UI sends it: every keystroke is a durable save (enough to compact the document).
    let name = "Ayesha Bibi Ayesha Bibi Ayesha Bibi Ayesha Bibi";
    for n in 1..=name.len() {
        set(&app, &hh, Some(&m), "name", json!(&name[..n]));
    }
    set(&app, &hh, Some(&m), "name", json!("Ayesha Bibi"));
    set(&app, &hh, Some(&m), "relation", json!("head"));
    set(&app, &hh, Some(&m), "sex", json!("female"));
    set(&app, &hh, Some(&m), "age", json!(34));
    set(&app, &hh, Some(&m), "id_number", json!("35202-1234567-2"));
    assert!(app.sync_status().unwrap().pending >= 1);
    let s = sync_round(&app);
    assert!(s.error.is_none(), "{:?}", s.error);
    assert_eq!(s.pending, 0, "{s:?}");
    // A later edit waits, then goes with the next round.
    set(&app, &hh, None, "rooms", json!(4));
    assert_eq!(app.sync_status().unwrap().pending, 1);
    let s = sync_round(&app);
    assert!(s.error.is_none(), "{:?}", s.error);
    assert_eq!(s.pending, 0, "{s:?}");
}

/// An app on a clock the test moves by hand.
fn enrolled_on_clock() -> (
    tempfile::TempDir,
    App,
    Registry,
    std::sync::Arc<std::sync::Mutex<std::time::SystemTime>>,
) {
    let dir = tempfile::tempdir().unwrap();
    let reg = Registry::start(dir.path());
    let now = std::sync::Arc::new(std::sync::Mutex::new(std::time::SystemTime::now()));
    let clock = {
        let now = now.clone();
        shumari_app::Clock::from_fn(move || *now.lock().unwrap())
    };
    let app = App::with_clock(dir.path().join("data"), clock);
    let code = reg.code("PK10101");
    app.enroll(&reg.url, &code, "246813").unwrap();
    (dir, app, reg, now)
}

#[test]
fn paradata_records_opening_sections_completion_and_late_edits() {
    let (_d, app, _l, now) = enrolled_on_clock();
    let step = |secs: u64| *now.lock().unwrap() += std::time::Duration::from_secs(secs);
    let hh = app.create_household("PK10101").unwrap().id;
    let opened_at = chrono::DateTime::<chrono::Utc>::from(*now.lock().unwrap());

    // The first opening records the start and this device, once.
    app.open_interview(&hh).unwrap();
    step(60);
    app.open_interview(&hh).unwrap();
    let p = app.paradata(&hh).unwrap();
    assert_eq!(
        p.start.map(|t| t.timestamp_millis()),
        Some(opened_at.timestamp_millis())
    );
    let device = p.device_id.clone().expect("device id");
    assert!(!device.is_empty());

    // Time per section: one change per visit, the seconds between entering and leaving.
    app.enter_section(&hh, Some("identification")).unwrap();
    step(90);
    app.enter_section(&hh, Some("housing")).unwrap();
    step(40);
    app.enter_section(&hh, Some("identification")).unwrap();
    step(15);
    app.enter_section(&hh, None).unwrap();
    let p = app.paradata(&hh).unwrap();
    assert_eq!(p.sections.get("identification"), Some(&105));
    assert_eq!(p.sections.get("housing"), Some(&40));
    assert_eq!(p.edits_after_complete, 0, "edits of a draft are not late");

    // Fill and complete: the end is recorded with the completion.
    for (f, v) in household_answers() {
        set(&app, &hh, None, f, v);
    }
    let iv = app.add_member(&hh).unwrap();
    let m = iv.members.last().unwrap().id.clone();
    for (f, v) in [
        ("name", json!("Ayesha Bibi")),
        ("relation", json!("head")),
        ("sex", json!("female")),
        ("age", json!(34)),
        ("id_number", json!("35202-1234567-2")),
    ] {
        set(&app, &hh, Some(&m), f, v);
    }
    for (f, v) in member_answers(34, "housework") {
        set(&app, &hh, Some(&m), f, v);
    }
    step(600);
    let done = app.mark_complete(&hh).unwrap();
    assert_eq!(done.status, "complete", "{:?}", done.issues);
    let completed_at = chrono::DateTime::<chrono::Utc>::from(*now.lock().unwrap());
    let p = app.paradata(&hh).unwrap();
    assert_eq!(
        p.end.map(|t| t.timestamp_millis()),
        Some(completed_at.timestamp_millis())
    );
    assert_eq!(p.duration_secs(), Some(60 + 90 + 40 + 15 + 600));
    assert_eq!(
        p.device_id,
        Some(device),
        "a later opening keeps the device"
    );

    // An answer changed after completion is counted, with its time.
    step(30);
    set(&app, &hh, None, "rooms", json!(3));
    let p = app.paradata(&hh).unwrap();
    assert_eq!(p.edits_after_complete, 1);
    assert_eq!(
        p.last_edit_after_complete.map(|t| t.timestamp_millis()),
        Some(completed_at.timestamp_millis() + 30_000)
    );
    // The household is a draft again: further edits are not late.
    set(&app, &hh, None, "rooms", json!(4));
    assert_eq!(app.paradata(&hh).unwrap().edits_after_complete, 1);

    // `household show --json` carries the paradata.
    let view = serde_json::to_value(app.household(&hh).unwrap()).unwrap();
    assert_eq!(view["paradata"]["sections"]["housing"], json!(40));
    assert_eq!(view["paradata"]["edits_after_complete"], json!(1));
}
