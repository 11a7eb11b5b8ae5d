//! A tablet the registry cut off: its background sync stops with the code `revoked` (which the UI
//! says in plain words), schedules no further rounds of its own, and every household stays on the
//! tablet. Runs a real registry (`shumari registry serve`) and revokes the tablet with the CLI.

use shumari_app::App;

const PIN: &str = "97531864";

mod common;
use common::{sync_round, Registry};

#[test]
fn a_revoked_tablet_stops_syncing_says_why_and_keeps_its_households() {
    let dir = tempfile::tempdir().unwrap();
    let reg = Registry::start(dir.path());
    let user = reg.cli_json(&[
        "registry", "user", "add", "--name", "Test", "--role", "surveyor", "--area", "PK10101",
    ]);
    let code = reg.cli_json(&[
        "registry",
        "enroll-code",
        "--user",
        user["id"].as_str().unwrap(),
    ]);
    let app = App::new(dir.path().join("data"));
    app.enroll(&reg.url, code["code"].as_str().unwrap(), PIN)
        .unwrap();
    app.create_household("PK10101").unwrap();
    let s = sync_round(&app);
    assert!(s.error.is_none(), "{:?}", s.error);

    let devices = reg.cli_json(&["registry", "device", "list"]);
    let id = devices[0]["id"].as_str().unwrap();
    reg.cli_json(&["registry", "device", "revoke", id]);
    let waiting = app.create_household("PK10101").unwrap();

    let s = sync_round(&app);
    let err = s.error.clone().expect("the round failed");
    assert_eq!((s.state.as_str(), err.code.as_str()), ("error", "revoked"));
    assert!(
        err.message.contains("ask your supervisor"),
        "{}",
        err.message
    );
    assert_eq!(
        s.next_attempt_at, None,
        "no automatic retry is scheduled: retrying cannot help"
    );
    assert_eq!(s.pending, 1, "the unsynced household is still waiting");
    let listed = app.list_households("", None, None).unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|h| h.id == waiting.id));
    // What the registry never received leaves on a file for the supervisor.
    let file = app.export_unsent().unwrap();
    assert_eq!(file.count, 1);
    let text = std::fs::read_to_string(&file.path).unwrap();
    let exported: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(exported["id"], waiting.id.as_str());
    // The surveyor may still try by hand; the answer is the same.
    let s = sync_round(&app);
    assert_eq!(s.error.map(|e| e.code), Some("revoked".to_string()));
    assert_eq!(
        app.sync_once(None, &mut |_| {}).unwrap_err().code(),
        "revoked"
    );
}
