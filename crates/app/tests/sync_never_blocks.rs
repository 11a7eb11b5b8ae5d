//! The sync never blocks the interview: while a round crawls over a 2G link, or waits on a registry
//! that hangs or refuses connections, every app call returns, and edits made during the round are
//! neither lost nor acknowledged before the registry has them.
//!
//! The registry is a real one (SQLite, served over HTTP on loopback); the 2G link is the scenario
//! harness's proxy at 50 kbit/s with 300 ms added latency and no cuts. Nothing here asserts a wall
//! time: the loops that wait are bounded only so that a broken build fails instead of hanging.

use serde_json::json;
use shumari_app::App;
use shumari_domain::HouseholdInput;
use shumari_registry::SqliteStorage;
use shumari_scenarios::faults::{FaultConfig, FaultProxy};
use shumari_scenarios::{TestRegistry, AREA};
use shumari_store::Store;
use shumari_sync::engine::KEY_URL;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

const PIN: &str = "246813";
const HOUSEHOLDS: usize = 1_000;

fn socket(url: &str) -> SocketAddr {
    url.trim_start_matches("http://")
        .parse()
        .expect("a loopback address")
}

/// An app enrolled (through `url`) as a new surveyor of [`AREA`]; its data directory is `dir/data`.
fn enrolled_app(reg: &TestRegistry<SqliteStorage>, url: &str, dir: &Path) -> App {
    let user = reg.user("surveyor", &[AREA]);
    let app = App::new(dir.join("data"));
    app.enroll(url, &reg.code(&user), PIN).expect("enroll");
    app
}

/// Opens the app's store directly (the app must be locked), as the command line would.
fn open_store(app: &App) -> Store {
    Store::open(app.dir(), PIN).expect("open store")
}

/// Waits until the round that is running (or about to run) has ended; returns its status.
fn round_ended(app: &App, before: &Option<String>) -> shumari_app::sync::SyncStatus {
    for _ in 0..6_000 {
        let s = app.sync_status().expect("status");
        if s.state != "running" && (s.last_sync_at != *before || s.error.is_some()) {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the sync round did not end");
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    for _ in 0..6_000 {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("never happened: {what}");
}

/// A household as the first pages of an interview leave it: a few answers and its head.
fn household(i: usize) -> HouseholdInput {
    serde_json::from_value(json!({
        "area": AREA,
        "answers": {
            "address": format!("House {i}, Street {}, Mohalla {}", i % 40, i % 7),
            "respondent": format!("Respondent {i}"),
            "phone": format!("0300-{:07}", 1_000_000 + i),
            "rooms": 1 + i % 5,
        },
        "members": [{
            "name": format!("Head of household {i}"), "relation": "head", "sex": "female",
            "age": 30 + i % 40, "id_number": format!("35202{:07}2", i),
        }],
    }))
    .expect("a valid household")
}

/// An address a surveyor types, one keystroke at a time (50 characters and more).
fn address(n: usize) -> String {
    format!("House {n:04}, Street 4, Mohalla Islamabad, Tehsil Lahore")
}

#[test]
fn two_hundred_saves_complete_while_a_2g_sync_of_1000_households_runs() {
    let mut reg = TestRegistry::sqlite();
    let upstream = socket(&reg.serve_http());
    let proxy = FaultProxy::start(reg.rt.handle(), upstream, 9, FaultConfig::two_g());
    let tmp = tempfile::tempdir().unwrap();
    let app = enrolled_app(&reg, &proxy.url(), tmp.path());
    app.lock();

    // 1,000 households waiting, written as an import would write them.
    let order = {
        let mut store = open_store(&app);
        let inputs: Vec<HouseholdInput> = (0..HOUSEHOLDS).map(household).collect();
        let form = shumari_app::questionnaire::form_id();
        let version = shumari_app::questionnaire::form_version();
        store
            .add_households(&inputs, None, form, version)
            .expect("add");
        store.unsynced_ids().expect("waiting")
    };
    assert_eq!(order.len(), HOUSEHOLDS);

    // Unlocking starts the worker's round; wait until the first push frame is on the wire (so the
    // first household's changes are collected and in flight).
    let before = app.sync_status().ok().and_then(|s| s.last_sync_at);
    let up = proxy.stats().bytes_up;
    app.unlock(PIN).expect("unlock");
    wait_for("a push frame on the wire", || {
        proxy.stats().bytes_up > up + 4096
    });
    assert_eq!(app.sync_status().unwrap().state, "running");

    // The interview: 200 keystroke saves over four households (one in the batch in flight, one at the
    // end of the queue, one in the middle, one created during the round), with the screens' other
    // calls in between.
    let fresh = Uuid::parse_str(&app.create_household(AREA).expect("create").id).unwrap();
    let edited = [
        order[0],
        order[HOUSEHOLDS / 2],
        order[HOUSEHOLDS - 1],
        fresh,
    ];
    let mut last: BTreeMap<Uuid, String> = BTreeMap::new();
    let mut saves = 0;
    for k in 1..=50 {
        for (n, id) in edited.iter().enumerate() {
            let text = address(n);
            let iv = app
                .set_answer(&id.to_string(), None, "address", json!(&text[..k]))
                .expect("a keystroke save returns Ok during the sync");
            assert_eq!(iv.household_id, id.to_string());
            last.insert(*id, text[..k].to_string());
            saves += 1;
        }
        if k % 10 == 0 {
            assert_eq!(app.sync_status().unwrap().state, "running");
            assert_eq!(
                app.list_households("", None, None).unwrap().len(),
                HOUSEHOLDS + 1
            );
        }
    }
    assert_eq!(saves, 200);
    let during = app.sync_status().unwrap();
    assert_eq!(during.state, "running", "the round outlasts the interview");
    assert!(during.pending > 0);

    let s = round_ended(&app, &before);
    assert!(s.error.is_none(), "{:?}", s.error);
    assert!(s.last_sync_at.is_some());

    // After the round, an edited household is either still waiting on the device or at the registry
    // with its last value: never taken as synced without its edit. Everything else went up.
    app.lock();
    let waiting: BTreeSet<Uuid> = open_store(&app)
        .unsynced_ids()
        .unwrap()
        .into_iter()
        .collect();
    eprintln!(
        "after the round: {} of the 4 edited households waiting; link: {:?}",
        waiting.len(),
        proxy.stats()
    );
    assert!(waiting.iter().all(|id| edited.contains(id)), "{waiting:?}");
    for id in &edited {
        let at_registry = reg.show(*id)["answers"]["address"].clone();
        assert!(
            waiting.contains(id) || at_registry == json!(last[id]),
            "{id} is neither waiting nor at the registry with its last value ({at_registry})"
        );
    }

    // A restarted app still knows when it last synced.
    let app = App::new(app.dir().to_path_buf());
    app.unlock_foreground(PIN).expect("unlock");
    assert_eq!(app.sync_status().unwrap().last_sync_at, s.last_sync_at);
    assert!(app.last_sync().is_some());
    app.lock();

    // The next round sends what waited; the registry ends with every value.
    let before = s.last_sync_at;
    app.unlock(PIN).expect("unlock");
    let s = round_ended(&app, &before);
    assert!(s.error.is_none(), "{:?}", s.error);
    assert_eq!(s.pending, 0, "{s:?}");
    for id in &edited {
        assert_eq!(reg.show(*id)["answers"]["address"], json!(last[id]), "{id}");
    }
    app.lock();
    let device: BTreeMap<Uuid, Vec<[u8; 32]>> = open_store(&app)
        .all_heads()
        .unwrap()
        .into_iter()
        .map(|(id, h)| {
            let mut v: Vec<[u8; 32]> = h.iter().map(|c| c.0).collect();
            v.sort_unstable();
            (id, v)
        })
        .collect();
    assert_eq!(device.len(), HOUSEHOLDS + 1);
    assert_eq!(
        reg.heads(),
        device,
        "device and registry hold the same changes"
    );
}

/// A loopback listener that accepts connections and never answers (a registry that hangs).
fn hanging_registry() -> (String, Arc<AtomicUsize>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming().flatten() {
            held.push(s);
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    (url, accepted)
}

/// Points the locked app's store at another registry address.
fn move_registry(app: &App, url: &str) {
    open_store(app).kv_set(KEY_URL, url).unwrap();
}

/// Every call a screen makes while a round is stuck on the network: each returns, and the round is
/// still running afterwards.
fn screens_work_while_the_round_is_stuck(app: &App, hh: &str, tag: &str) {
    assert_eq!(app.sync_status().unwrap().state, "running");
    for k in 1..=20 {
        let text = format!("House {tag} {k}");
        let iv = app
            .set_answer(hh, None, "address", json!(text))
            .expect("save");
        assert_eq!(iv.household_id, hh);
    }
    assert!(!app.list_households("", None, None).unwrap().is_empty());
    app.household_counts().unwrap();
    app.open_interview(hh).unwrap();
    app.create_household(AREA).unwrap();
    assert_eq!(app.sync_now().unwrap().state, "running");
    let s = app.sync_status().unwrap();
    assert_eq!(s.state, "running");
    assert!(s.pending >= 1);
}

#[test]
fn no_app_call_waits_while_the_registry_refuses_or_hangs() {
    let mut reg = TestRegistry::sqlite();
    let url = reg.serve_http();
    let tmp = tempfile::tempdir().unwrap();
    let app = enrolled_app(&reg, &url, tmp.path());
    let hh = app.create_household(AREA).unwrap().id;

    // Connection refused: the engine retries with backoff for a while; the app does not wait.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    app.lock();
    move_registry(&app, &closed);
    app.unlock(PIN).unwrap();
    wait_for("the round to start", || {
        app.sync_status().unwrap().state == "running"
    });
    screens_work_while_the_round_is_stuck(&app, &hh, "refused");

    // A registry that accepts and never answers: the request waits on its timeout; the app does not.
    let (hang, accepted) = hanging_registry();
    app.lock();
    move_registry(&app, &hang);
    app.unlock(PIN).unwrap();
    wait_for("a connection to the hanging registry", || {
        accepted.load(Ordering::SeqCst) > 0
    });
    screens_work_while_the_round_is_stuck(&app, &hh, "hang");
    // Locking and unlocking again do not wait on the stuck round either.
    app.lock();
    app.unlock(PIN).unwrap();
    assert!(app.sync_status().unwrap().pending >= 2);
}
