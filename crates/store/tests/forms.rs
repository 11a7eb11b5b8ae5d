//! Forms besides the household one on the device: every version received is kept, a report stays
//! on the version it was started with, a submitted report is final once the registry stored it and
//! editable again when refused; all of it survives closing and reopening the store. A reviewer's
//! decision moves only a report the registry stored; a returned one is corrected once, as a new
//! draft with its answers that names it.

mod common;
use common::PIN;
use shumari_store::{ReportDecision, Store, StoredForm};

fn form(version: &str) -> StoredForm {
    StoredForm {
        form_id: "meal_centre_daily".into(),
        version: version.into(),
        title: "Meal centre daily report".into(),
        file_name: "meal_centre_daily.toml".into(),
        source: format!("[settings]\nversion = \"{version}\"\n").into_bytes(),
    }
}

#[test]
fn versions_are_kept_and_a_draft_keeps_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::create(dir.path(), PIN).unwrap();
    assert_eq!(s.keep_forms(&[form("1")], 1).unwrap(), 1);
    // A report needs a version the device holds.
    assert!(s
        .start_report("meal_centre_daily", "2", "PK10101", 2)
        .is_err());
    let draft = s
        .start_report("meal_centre_daily", "1", "PK10101", 2)
        .unwrap();
    assert_eq!(
        (draft.state.as_str(), draft.answers.as_str()),
        ("draft", "{}")
    );
    s.save_report(draft.id, r#"{"site":"A"}"#, 3).unwrap();

    // Version 2 arrives, and version 1 again: nothing is replaced or dropped.
    assert_eq!(s.keep_forms(&[form("1"), form("2")], 4).unwrap(), 1);
    let mut altered = form("1");
    altered.source = b"something else".to_vec();
    assert_eq!(s.keep_forms(&[altered], 5).unwrap(), 0);
    drop(s);

    let mut s = Store::open(dir.path(), PIN).unwrap();
    let versions: Vec<String> = s.forms().unwrap().into_iter().map(|f| f.version).collect();
    assert_eq!(versions, ["1", "2"]);
    assert_eq!(
        s.form("meal_centre_daily", "1").unwrap().unwrap().source,
        form("1").source
    );
    let kept = s.report(draft.id).unwrap().unwrap();
    assert_eq!(kept.version, "1");
    assert_eq!(kept.answers, r#"{"site":"A"}"#);

    // Submitted: queued; refused: editable again with the reason; sent: final.
    s.submit_report(draft.id, 6).unwrap();
    assert_eq!(s.queued_reports().unwrap().len(), 1);
    assert!(
        s.save_report(draft.id, "{}", 7).is_err(),
        "queued is not editable"
    );
    s.mark_reports(&[(draft.id, Some("meals_served: required".into()))])
        .unwrap();
    let refused = s.report(draft.id).unwrap().unwrap();
    assert_eq!(refused.state, "refused");
    assert_eq!(refused.refusal.as_deref(), Some("meals_served: required"));
    assert!(s.queued_reports().unwrap().is_empty());
    s.save_report(draft.id, r#"{"site":"A","meals_served":3}"#, 8)
        .unwrap();
    s.submit_report(draft.id, 9).unwrap();
    s.mark_reports(&[(draft.id, None)]).unwrap();
    let sent = s.report(draft.id).unwrap().unwrap();
    assert_eq!((sent.state.as_str(), sent.refusal), ("sent", None));
    assert!(s.save_report(draft.id, "{}", 10).is_err());
    assert!(s.submit_report(draft.id, 10).is_err());
    // A late outcome for a report no longer queued changes nothing.
    s.mark_reports(&[(draft.id, Some("late".into()))]).unwrap();
    assert_eq!(s.report(draft.id).unwrap().unwrap().state, "sent");
    assert_eq!(s.reports(Some("meal_centre_daily")).unwrap().len(), 1);
    assert!(s.reports(Some("other")).unwrap().is_empty());
}

#[test]
fn a_returned_report_shows_the_note_and_is_corrected_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::create(dir.path(), PIN).unwrap();
    s.keep_forms(&[form("1")], 1).unwrap();
    let sent = s
        .start_report("meal_centre_daily", "1", "PK10101", 2)
        .unwrap();
    s.save_report(sent.id, r#"{"site":"A","meals_served":9000}"#, 3)
        .unwrap();
    s.submit_report(sent.id, 4).unwrap();
    let draft = s
        .start_report("meal_centre_daily", "1", "PK10101", 5)
        .unwrap();
    let decision = |id, decision: &str| ReportDecision {
        id,
        decision: decision.into(),
        note: "Count again".into(),
        by: "Sana".into(),
        at: 6,
        seq: 4,
    };
    const CENTRE: &str = "https://centre.example";
    assert_eq!(s.reviews_after(CENTRE).unwrap(), 0);
    // Not stored by the registry yet (queued), a draft, or an unknown decision: left alone.
    assert_eq!(
        s.apply_reviews(CENTRE, &[decision(sent.id, "returned")])
            .unwrap(),
        0
    );
    s.mark_reports(&[(sent.id, None)]).unwrap();
    assert_eq!(
        s.apply_reviews(
            CENTRE,
            &[
                decision(draft.id, "returned"),
                decision(sent.id, "replaced")
            ]
        )
        .unwrap(),
        0
    );
    assert!(
        s.correct_report(sent.id, 7).is_err(),
        "only a returned report"
    );
    assert_eq!(
        s.apply_reviews(CENTRE, &[decision(sent.id, "returned")])
            .unwrap(),
        1
    );
    // The last decision held is kept per registry, and never moves back.
    assert_eq!(s.reviews_after(CENTRE).unwrap(), 4);
    assert_eq!(s.reviews_after("https://hub.example").unwrap(), 0);
    let older = ReportDecision {
        seq: 2,
        ..decision(sent.id, "returned")
    };
    s.apply_reviews(CENTRE, &[older]).unwrap();
    assert_eq!(s.reviews_after(CENTRE).unwrap(), 4);
    drop(s);

    let mut s = Store::open(dir.path(), PIN).unwrap();
    assert_eq!(s.reviews_after(CENTRE).unwrap(), 4, "kept across a restart");
    let back = s.report(sent.id).unwrap().unwrap();
    assert_eq!(back.state, "returned");
    assert_eq!(back.review_note.as_deref(), Some("Count again"));
    assert_eq!(back.reviewed_by.as_deref(), Some("Sana"));
    assert!(!back.editable());
    let fix = s.correct_report(sent.id, 8).unwrap();
    assert_eq!(
        (fix.state.as_str(), fix.replaces, fix.answers.as_str()),
        (
            "draft",
            Some(sent.id),
            r#"{"site":"A","meals_served":9000}"#
        )
    );
    assert_eq!(s.correct_report(sent.id, 9).unwrap().id, fix.id);
    assert_eq!(
        s.report(sent.id).unwrap().unwrap().replaced_by,
        Some(fix.id)
    );
    assert_eq!(s.reports(None).unwrap().len(), 3);
}
