//! Field-app latency bench (run: `cargo bench -p shumari-app`). Prints median and p95 of:
//! - start to unlocked home screen: open the app, unlock with the PIN (Argon2id), and the calls the home
//!   screen makes (session, areas, counts, sync status);
//! - first page of the household list with 10,000 households: the `list_households` call and its JSON;
//! - a keystroke in an answer to its durable save: one `set_answer` (SQLite commit, synchronous=FULL);
//! - the same during a 2G sync: 1,000 households going up through a proxy playing a 50 kbit/s link
//!   with 300 ms added latency, the surveyor typing at a brisk pace meanwhile.
//!
//! The webview's own share (parse and paint) is not in these numbers: the UI renders ~20 rows of the
//! virtual list whatever the count, and the e2e run records wall-clock screenshots.
//! Aims: < 2 s, < 200 ms, < 20 ms, < 20 ms.

use comfy_table::Table;
use serde_json::json;
use shumari_app::App;
use shumari_domain::{HouseholdInput, MemberInput};
use shumari_scenarios::faults::{FaultConfig, FaultProxy};
use shumari_scenarios::TestRegistry;
use shumari_store::Store;
use std::net::TcpListener;
use std::time::{Duration, Instant};

const PIN: &str = "246813";
const HOUSEHOLDS: usize = 10_000;

fn stats(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let p = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (p(0.5), p(0.95))
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// `count` households with three members each.
fn households(count: usize) -> Vec<HouseholdInput> {
    (0..count)
        .map(|i| HouseholdInput {
            area: Some("PK10101".into()),
            answers: [("rooms".to_string(), json!(1 + i % 5))]
                .into_iter()
                .collect(),
            members: (0..3)
                .map(|j| MemberInput {
                    name: format!("Member {i} {j}"),
                    relation: if j == 0 { "head".into() } else { "son".into() },
                    sex: "male".into(),
                    age: Some(json!(20 + j)),
                    id_number: Some(format!("35202{:07}{}", i, 2 * j + 1)),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        })
        .collect()
}

/// Keystroke saves while the background worker pushes 1,000 households over a 2G link.
fn keystrokes_during_2g_sync() -> Vec<Duration> {
    let mut reg = TestRegistry::sqlite();
    let upstream = reg
        .serve_http()
        .trim_start_matches("http://")
        .parse()
        .expect("addr");
    let proxy = FaultProxy::start(reg.rt.handle(), upstream, 1, FaultConfig::two_g());
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let app = App::new(dir.clone());
    let user = reg.user("surveyor", &["PK10101"]);
    app.enroll(&proxy.url(), &reg.code(&user), PIN)
        .expect("enroll");
    app.lock();
    Store::open(&dir, PIN)
        .expect("open")
        .add_households(&households(1000), None, "nser-household", "1")
        .expect("add");
    let up = proxy.stats().bytes_up;
    app.unlock(PIN).expect("unlock");
    // Type once the first push frame is on the wire.
    while proxy.stats().bytes_up < up + 4096 {
        std::thread::sleep(Duration::from_millis(20));
    }
    let hh = app.create_household("PK10101").expect("create").id;
    let text = "House 12, Street 4, Mohalla Islamabad, Tehsil Lahore";
    let mut keys = Vec::new();
    for field in ["address", "respondent"] {
        for i in 1..=text.len() {
            let t = Instant::now();
            app.set_answer(&hh, None, field, json!(&text[..i]))
                .expect("set");
            keys.push(t.elapsed());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let state = app.sync_status().expect("status").state;
    if state != "running" {
        eprintln!("note: the sync round ended before the typing did ({state})");
    }
    app.lock();
    keys
}

fn main() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    // A device prepared as the CLI enrolls one (registry and areas in the store's settings); the app
    // adopts it on unlock. Nothing listens after the bench starts, so background sync stays offline.
    {
        let mut store = Store::create(&dir, PIN).expect("create");
        store.set_user("bench").expect("user");
        store.kv_set("sync.registry_url", &url).expect("url");
        store.kv_set("sync.areas", r#"["PK10101"]"#).expect("areas");
    }
    let app = App::new(dir.clone());

    // 10,000 households with three members each, written in batches straight to the store.
    {
        let mut store = Store::open(&dir, PIN).expect("open");
        let inputs = households(HOUSEHOLDS);
        for chunk in inputs.chunks(1000) {
            store
                .add_households(chunk, None, "nser-household", "1")
                .expect("add");
        }
    }

    let mut start = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let a = App::new(dir.clone());
        a.unlock(PIN).expect("unlock");
        let _ = a.session_status();
        a.list_areas().expect("areas");
        a.household_counts().expect("counts");
        a.sync_status().expect("sync");
        start.push(t.elapsed());
        a.lock();
    }

    app.unlock(PIN).expect("unlock");
    let mut list = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let rows = app.list_households("", None, None).expect("list");
        let json = serde_json::to_string(&rows).expect("json");
        assert_eq!(rows.len(), HOUSEHOLDS);
        assert!(!json.is_empty());
        list.push(t.elapsed());
    }

    let hh = app.create_household("PK10101").expect("create").id;
    let m = app.add_member(&hh).expect("member").members[0].id.clone();
    let mut keys = Vec::new();
    let name = "Ayesha Bibi";
    for i in 1..=name.len() {
        let t = Instant::now();
        app.set_answer(&hh, Some(&m), "name", json!(&name[..i]))
            .expect("set");
        keys.push(t.elapsed());
    }
    for i in 1..=30 {
        let t = Instant::now();
        app.set_answer(&hh, None, "rooms", json!(i % 9 + 1))
            .expect("set");
        keys.push(t.elapsed());
    }
    app.lock();
    let during_sync = keystrokes_during_2g_sync();

    let mut table = Table::new();
    table.set_header(vec!["measure", "median", "p95", "aim"]);
    for (name, v, aim) in [
        ("start to unlocked home screen (core)", start, "< 2 s"),
        (
            "household list, 10,000 households (core + JSON)",
            list,
            "< 200 ms",
        ),
        ("keystroke to durable save", keys, "< 20 ms"),
        (
            "keystroke to durable save during a 2G sync",
            during_sync,
            "< 20 ms",
        ),
    ] {
        let (med, p95) = stats(v);
        table.add_row(vec![name.to_string(), ms(med), ms(p95), aim.to_string()]);
    }
    println!("{table}");
}
