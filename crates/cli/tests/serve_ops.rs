//! `shumari registry serve` as a service: a SIGTERM during an ingest finishes the requests in flight
//! (what the registry stored is exactly what the device was told), leaves the SQLite database
//! checkpointed, exits 0, and the restart serves on with nothing lost; and the JSON log of a whole
//! scenario (enrollment, imports with names and CNICs, pushes, pulls, look-ups by CNIC, errors) holds
//! none of the names, ID numbers, phone numbers or addresses it saw, while each request's lines carry
//! a request id.

use serde_json::Value;
use shumari_domain::HouseholdInput;
use shumari_store::Store;
use shumari_sync::{HttpTransport, Options, Retry};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use uuid::Uuid;

mod common;
use common::{admin_json, admin_text, bin, device, sqlite_url, PIN};

/// A `registry serve` whose log goes to a file.
struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path, log: &Path, level: &str) -> Served {
    let mut child = Command::new(bin())
        .args(["registry", "serve", "--db", &sqlite_url(db)])
        .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
        .env("SHUMARI_LOG", level)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("start the registry");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    Served { child, url }
}

/// Sends SIGTERM and waits for the exit; its status.
fn terminate(s: &mut Served) -> std::process::ExitStatus {
    let ok = Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    s.child.wait().unwrap()
}

/// One HTTP/1.1 GET over a plain socket (the tests need no HTTP client); the whole answer.
fn http_get(url: &str, path: &str, token: &str) -> String {
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

const AREA: &str = "PK10101";

fn household(n: u32) -> HouseholdInput {
    let members: Vec<Value> = (0..6u32)
        .map(|m| {
            serde_json::json!({
                "name": format!("Member {m} of household {n}"),
                "relation": if m == 0 { "head" } else { "son" },
                "sex": "male",
                "age": 20 + m,
            })
        })
        .collect();
    let answers: serde_json::Map<String, Value> = (0..60u32)
        .map(|i| (format!("q{i:02}"), Value::from(format!("answer {n} {i}"))))
        .collect();
    serde_json::from_value(
        serde_json::json!({"area": AREA, "answers": answers, "members": members}),
    )
    .unwrap()
}

fn log_rows(db: &Path) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c.query_row("SELECT count(*) FROM log", [], |r| r.get(0))
        .unwrap_or(0)
}

fn registry_ids(db: &Path) -> BTreeSet<Uuid> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c.prepare("SELECT id FROM households").unwrap();
    st.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap().parse().unwrap())
        .collect()
}

#[test]
fn sigterm_mid_ingest_finishes_what_is_in_flight_and_the_restart_is_clean() {
    const HOUSEHOLDS: u32 = 600;
    let dir = tempfile::tempdir().unwrap();
    let db: PathBuf = dir.path().join("registry.db");
    let log = dir.path().join("registry.log");
    let mut server = serve(&db, &log, "info");
    let db_url = sqlite_url(&db);
    let user = admin_text(
        &db_url,
        &[
            "user", "add", "--name", "Term", "--role", "surveyor", "--area", AREA,
        ],
    );
    let code = admin_text(&db_url, &["enroll-code", "--user", &user]);
    let dev_dir = dir.path().join("device");
    std::fs::create_dir_all(&dev_dir).unwrap();
    let mut store = Store::create(&dev_dir, PIN).unwrap();
    // Small pushes, so the ingest is many requests and the signal lands between or inside them.
    let options = Options {
        chunk_bytes: 16 * 1024,
        retry: Retry {
            attempts: 1,
            base: Duration::from_millis(1),
            max: Duration::from_millis(2),
        },
        ..Options::default()
    };
    let mut t = HttpTransport::new(&server.url).unwrap();
    shumari_sync::enroll(&mut store, &mut t, &server.url, &code, &options).unwrap();
    let inputs: Vec<_> = (0..HOUSEHOLDS).map(household).collect();
    let all: BTreeSet<Uuid> = store
        .add_households(&inputs, None, "nser-household", "1")
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap().id)
        .collect();

    let url = server.url.clone();
    let opts = options.clone();
    let job = std::thread::spawn(move || {
        let r = HttpTransport::new(&url)
            .map_err(|e| e.to_string())
            .and_then(|mut t| {
                shumari_sync::sync(&mut store, &mut t, &opts, &mut |_| {})
                    .map(|r| r.complete)
                    .map_err(|e| e.to_string())
            });
        (store, r)
    });
    // The signal comes once part of the ingest is stored (or the push finished first).
    while log_rows(&db) < 150 && !job.is_finished() {
        std::thread::sleep(Duration::from_millis(2));
    }
    let status = terminate(&mut server);
    assert!(status.success(), "a SIGTERM is a clean stop: {status:?}");
    let (mut store, result) = job.join().unwrap();
    let stored = registry_ids(&db);
    eprintln!(
        "stopped with {} of {HOUSEHOLDS} stored; sync {result:?}",
        stored.len()
    );
    assert!(
        result != Ok(true),
        "the stop landed before the sync finished"
    );

    // Requests in flight were finished and answered: what the registry stored is exactly what the
    // device was told it has (a kill would leave stored households the device must send again).
    let unsent: BTreeSet<Uuid> = store
        .unsent_households()
        .unwrap()
        .into_iter()
        .map(|h| h.household.id)
        .collect();
    let acknowledged: BTreeSet<Uuid> = all.difference(&unsent).copied().collect();
    assert_eq!(stored, acknowledged, "stored = acknowledged");
    // The database was left tidy: the write-ahead log folded into the file.
    let wal = std::fs::metadata(dir.path().join("registry.db-wal")).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "the WAL was checkpointed at shutdown");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("stopping: no new connections"), "{text}");
    assert!(text.contains("registry stopped"), "{text}");

    // The restart serves on; the device's next sync completes and nothing is lost or doubled.
    let server = serve(&db, &log, "info");
    let mut t = HttpTransport::new(&server.url).unwrap();
    let r = shumari_sync::sync(&mut store, &mut t, &options, &mut |_| {}).unwrap();
    assert!(r.complete, "{r:?}");
    assert_eq!(registry_ids(&db), all);
    let c = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM log"), i64::from(HOUSEHOLDS));
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

/// Households with real-looking personal data: the demo's first lines.
fn demo_households(n: usize) -> Vec<Value> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/households.jsonl"),
    )
    .unwrap();
    text.lines()
        .take(n)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every string in the households a log must never show: names, ID numbers (with and without
/// dashes), phone numbers and addresses.
fn personal_strings(households: &[Value]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for h in households {
        for key in ["phone", "address"] {
            if let Some(s) = h["answers"][key].as_str() {
                out.insert(s.to_string());
            }
        }
        for m in h["members"].as_array().unwrap() {
            out.insert(m["name"].as_str().unwrap().to_string());
            if let Some(id) = m["id_number"].as_str() {
                out.insert(id.to_string());
                out.insert(id.replace('-', ""));
            }
        }
    }
    out
}

#[test]
fn a_whole_scenarios_log_names_no_one_and_carries_request_ids() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let db_url = sqlite_url(&db);
    let log = dir.path().join("registry.log");
    let mut server = serve(&db, &log, "debug");
    let households = demo_households(25);
    let area = households[0]["area"].as_str().unwrap().to_string();
    let enrolled = |name: &str, role: &str| {
        let user = admin_json(
            &db_url,
            &[
                "user", "add", "--name", name, "--role", role, "--area", &area,
            ],
        );
        let code = admin_json(
            &db_url,
            &["enroll-code", "--user", user["id"].as_str().unwrap()],
        );
        let d = tempfile::tempdir().unwrap();
        device(d.path()).arg("init").assert().success();
        device(d.path())
            .args(["enroll", "--registry", &server.url, "--code"])
            .arg(code["code"].as_str().unwrap())
            .assert()
            .success();
        d
    };
    let surveyor = enrolled("Surveyor One", "surveyor");
    let supervisor = enrolled("Supervisor Two", "supervisor");
    let same_area: Vec<String> = households
        .iter()
        .filter(|h| h["area"] == area.as_str())
        .map(|h| h.to_string())
        .collect();
    device(surveyor.path())
        .args(["household", "import", "--file", "-"])
        .write_stdin(same_area.join("\n"))
        .assert()
        .success();
    device(surveyor.path()).arg("sync").assert().success();
    // The supervisor's first sync pulls them; an edit goes back up.
    device(supervisor.path()).arg("sync").assert().success();
    // Look-ups with a CNIC in the query and in the path, a wrong token, a failed enrollment.
    let cnic = households[0]["members"][0]["id_number"].as_str().unwrap();
    for path in [
        format!("/v1/households?cnic={cnic}"),
        format!("/v1/households/{cnic}"),
    ] {
        let answer = http_get(&server.url, &path, "wrong");
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
        assert!(
            answer.to_ascii_lowercase().contains("x-request-id: "),
            "{answer}"
        );
    }
    device(dir.path().join("x").as_path())
        .arg("init")
        .assert()
        .success();
    device(dir.path().join("x").as_path())
        .args(["enroll", "--registry", &server.url, "--code", "NOT-A-CODE"])
        .assert()
        .failure();
    // Admin reads of personal data at the registry.
    admin_json(&db_url, &["household", "list"]);
    // What a scraper on this machine reads.
    let metrics = http_get(&server.url, "/metrics", "");
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    let ingested = format!("shumari_households_ingested_total {}", same_area.len());
    assert!(metrics.contains(&ingested), "{metrics}");
    assert!(
        metrics.contains(r#"shumari_sync_requests_total{endpoint="enroll"} 3"#),
        "{metrics}"
    );
    assert!(!metrics.contains(cnic), "{metrics}");
    assert!(terminate(&mut server).success());

    let text = std::fs::read_to_string(&log).unwrap();
    let mut requests = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"));
        if v["fields"]["message"] == "answered" {
            requests += 1;
            assert!(
                v["span"]["request_id"]
                    .as_str()
                    .is_some_and(|s| s.len() >= 32),
                "{line}"
            );
        }
    }
    assert!(
        requests >= 10,
        "{requests} answered requests logged:\n{text}"
    );
    assert!(text.contains(r#""message":"ingested""#), "{text}");
    for s in personal_strings(&households) {
        assert!(!text.contains(&s), "the log shows {s:?}");
    }
}
