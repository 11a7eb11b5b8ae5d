//! `shumari hub` against a real centre (`shumari registry serve` on loopback): a district office set
//! up from the command line (the hub enrolled with a `hub` user's code, a surveyor given to the hub
//! and a code made there), a tablet enrolled at `shumari hub serve` and syncing with it, and the
//! hub's upstream rounds. Then crash safety: `shumari hub sync` is killed with SIGKILL in the middle
//! of pushing a large batch (the moment chosen by the rows the centre has committed, not by time),
//! and the next round finishes the job: every household reaches the centre once, with the tablet's
//! heads.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
mod common;
use common::{admin_json, bin, device, sqlite_url, TempRegistry};

/// `shumari hub ARGS --db DB`, which must succeed; its standard output.
fn hub(db: &str, args: &[&str]) -> String {
    let out = Command::new(bin())
        .arg("hub")
        .args(args)
        .args(["--db", db])
        .output()
        .expect("run a hub command");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

/// A running `shumari hub serve`, killed when dropped.
struct HubServer {
    child: Child,
    url: String,
}

impl Drop for HubServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve_hub(db: &str) -> HubServer {
    let mut child = Command::new(bin())
        .args(["hub", "serve", "--db", db, "--listen", "127.0.0.1:0"])
        .args(["--every-minutes", "600"])
        .env("SHUMARI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the hub");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read the address");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    HubServer { child, url }
}

/// A district office: the centre, a hub enrolled with it, and a surveyor given to the hub; returns
/// the hub's `--db` and the surveyor's id.
fn office(centre: &TempRegistry, dir: &Path) -> (String, String) {
    let hub_user = admin_json(
        &centre.db,
        &[
            "user",
            "add",
            "--name",
            "Office Hub",
            "--role",
            "hub",
            "--area",
            "PK603",
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_string();
    let code = admin_json(&centre.db, &["enroll-code", "--user", &hub_user])["code"]
        .as_str()
        .expect("code")
        .to_string();
    let db = sqlite_url(&dir.join("hub.db"));
    hub(&db, &["enroll", "--upstream", &centre.url, "--code", &code]);
    let surveyor = admin_json(
        &centre.db,
        &[
            "user",
            "add",
            "--name",
            "Sana Malik",
            "--role",
            "surveyor",
            "--area",
            "PK603",
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_string();
    hub(
        &db,
        &[
            "user",
            "add",
            "--id",
            &surveyor,
            "--name",
            "Sana Malik",
            "--role",
            "surveyor",
            "--area",
            "PK603",
        ],
    );
    (db, surveyor)
}

/// A tablet store enrolled at the hub at `url` with a code the hub made for `user`.
fn tablet(db: &str, url: &str, user: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    device(dir.path()).arg("init").assert().success();
    let code = hub(db, &["code", "--user", user]);
    device(dir.path())
        .args(["enroll", "--registry", url, "--code", &code])
        .assert()
        .success();
    dir
}

fn household(n: u32) -> Value {
    json!({
        "area": "PK60301",
        "answers": {"respondent": format!("Karim Bakhsh {n}"), "consent": "OK",
                    "address": format!("House {n}, Mohalla Qasim"), "rooms": 3},
        "members": [{"name": format!("Karim Bakhsh {n}"), "relation": "head", "sex": "male", "age": 40}]
    })
}

/// Households `from..to` added on the tablet in one command (each command opens the encrypted
/// store, which costs a key derivation).
fn add(dir: &Path, from: u32, to: u32) {
    let lines: String = (from..to).map(|n| format!("{}\n", household(n))).collect();
    device(dir)
        .args(["household", "import", "-f", "-", "--json"])
        .write_stdin(lines)
        .assert()
        .success();
}

fn centre_households(centre: &TempRegistry) -> Vec<Value> {
    admin_json(&centre.db, &["household", "list"])
        .as_array()
        .expect("list")
        .clone()
}

#[test]
fn a_district_office_set_up_and_synced_from_the_command_line() {
    let centre = TempRegistry::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, surveyor) = office(&centre, dir.path());
    let served = serve_hub(&db);
    let t = tablet(&db, &served.url, &surveyor);
    add(t.path(), 1, 2);
    device(t.path()).arg("sync").assert().success();
    assert!(
        centre_households(&centre).is_empty(),
        "not upstream before a round"
    );

    let report: Value = serde_json::from_str(&hub(&db, &["sync", "--json"])).expect("json");
    assert_eq!(report["pushed"], json!(1), "{report}");
    assert_eq!(report["tablets_registered"], json!(1), "{report}");
    let listed = centre_households(&centre);
    assert_eq!(listed.len(), 1);
    // A second round has nothing to do.
    let report: Value = serde_json::from_str(&hub(&db, &["sync", "--json"])).expect("json");
    assert_eq!(
        (&report["pushed"], &report["pulled"]),
        (&json!(0), &json!(0))
    );
}

/// Rows in the centre's change log (what it has committed), read beside the running server.
fn log_rows(centre: &TempRegistry) -> i64 {
    let path = centre.db.strip_prefix("sqlite:").expect("sqlite");
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.busy_timeout(Duration::from_secs(5)).expect("timeout");
    conn.query_row("SELECT count(*) FROM log", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn a_hub_killed_mid_round_finishes_at_the_next_with_nothing_twice() {
    // Enough for several pushes of a round (`shumari_hub::round::PUSH_BYTES` each).
    const HOUSEHOLDS: u32 = 300;
    let centre = TempRegistry::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, surveyor) = office(&centre, dir.path());
    let served = serve_hub(&db);
    let t = tablet(&db, &served.url, &surveyor);
    add(t.path(), 0, HOUSEHOLDS);
    device(t.path()).arg("sync").assert().success();

    // A round killed once the centre has committed part of the push.
    let mut round = Command::new(bin())
        .args(["hub", "sync", "--db", &db])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a round");
    let started = Instant::now();
    while log_rows(&centre) == 0 && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(2));
    }
    round.kill().expect("SIGKILL");
    round.wait().expect("reaped");
    let before = log_rows(&centre);
    assert!(
        before >= 1,
        "the round was killed after the centre committed something"
    );

    // The next round finishes; a further one finds nothing.
    hub(&db, &["sync"]);
    let report: Value = serde_json::from_str(&hub(&db, &["sync", "--json"])).expect("json");
    assert_eq!(
        (&report["pushed"], &report["pulled"]),
        (&json!(0), &json!(0))
    );
    let listed = centre_households(&centre);
    assert_eq!(listed.len(), HOUSEHOLDS as usize);
    // One log entry per household: nothing was stored twice.
    assert_eq!(log_rows(&centre), i64::from(HOUSEHOLDS));
    // The tablet, syncing with the hub, holds what the centre holds.
    device(t.path()).arg("sync").assert().success();
    let on_tablet = device(t.path())
        .args(["household", "list", "--limit", "1000", "--json"])
        .output()
        .expect("list");
    let on_tablet: Value = serde_json::from_slice(&on_tablet.stdout).expect("json");
    assert_eq!(
        on_tablet.as_array().expect("list").len(),
        HOUSEHOLDS as usize
    );
}
