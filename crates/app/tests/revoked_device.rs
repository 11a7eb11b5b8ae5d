//! A tablet the registry cut off: its background sync stops with the code `revoked` (which the UI
//! says in plain words), schedules no further rounds of its own, and every household stays on the
//! tablet. Runs a real registry (`shumari registry serve`) and revokes the tablet with the CLI.

use shumari_app::App;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

const PIN: &str = "97531864";

/// The `shumari` CLI (built by `cargo build -p shumari-cli`), next to this test's binary or via
/// `SHUMARI_BIN`.
fn cli() -> PathBuf {
    if let Ok(p) = std::env::var("SHUMARI_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("shumari")
}

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
}

/// Runs one background round on demand and returns the status once it has ended.
fn sync_round(app: &App) -> shumari_app::sync::SyncStatus {
    let before = app.sync_status().unwrap().last_sync_at;
    app.sync_now().unwrap();
    for _ in 0..1200 {
        let s = app.sync_status().unwrap();
        if s.state != "running" && (s.last_sync_at != before || s.error.is_some()) {
            return s;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("the sync round did not end");
}

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
    // The surveyor may still try by hand; the answer is the same.
    let s = sync_round(&app);
    assert_eq!(s.error.map(|e| e.code), Some("revoked".to_string()));
    assert_eq!(
        app.sync_once(None, &mut |_| {}).unwrap_err().code(),
        "revoked"
    );
}
