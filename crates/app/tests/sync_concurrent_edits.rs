//! Edits made while a sync round runs: the engine never holds the store across a request, an edit
//! made while its household's batch is in flight waits for the next round (nothing lost, nothing
//! acknowledged twice), a store closed mid-round stops the round cleanly, and any interleaving of
//! edits and rounds through the app leaves the device and the registry with the same changes.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use shumari_app::App;
use shumari_registry::SqliteStorage;
use shumari_scenarios::{test_options, TestDevice, TestRegistry, AREA};
use shumari_store::Store;
use shumari_sync::{
    sync_with, Endpoint, Options, SharedStore, SyncError, Transport, TransportError,
};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

const PIN: &str = "246813";

type Shared = Arc<Mutex<Option<Store>>>;

/// What a transport wrapper does to the store while a request is on the wire.
enum During {
    /// Nothing.
    Nothing,
    /// Edits this household during the first push.
    EditOnPush(Uuid),
    /// Closes the store during the first pull (the app was locked).
    CloseOnPull,
}

/// A transport that checks the engine left the store free for every request, and acts on it.
struct WhileInFlight {
    inner: Box<dyn Transport>,
    store: Shared,
    during: During,
    closed: Option<Store>,
    /// What was waiting when the first pull went out (after the push, before any check).
    waiting_at_pull: Option<Vec<Uuid>>,
}

impl Transport for WhileInFlight {
    fn call(
        &mut self,
        endpoint: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, TransportError> {
        {
            let mut guard = self
                .store
                .try_lock()
                .expect("the engine does not hold the store during a request");
            if endpoint == Endpoint::Pull && self.waiting_at_pull.is_none() {
                if let Some(s) = guard.as_ref() {
                    self.waiting_at_pull = Some(s.unsynced_ids().expect("waiting"));
                }
            }
            match (&self.during, endpoint) {
                (During::EditOnPush(id), Endpoint::Push) => {
                    guard
                        .as_mut()
                        .expect("open")
                        .set_fields(
                            &id.to_string(),
                            &[("answers.q00".into(), json!("edited in flight"))],
                        )
                        .expect("edit");
                    self.during = During::Nothing;
                }
                (During::CloseOnPull, Endpoint::Pull) => {
                    self.closed = guard.take();
                    self.during = During::Nothing;
                }
                _ => {}
            }
        }
        self.inner.call(endpoint, token, body)
    }
}

/// A device enrolled in memory, its store moved behind a mutex the way the app holds it.
fn shared_device(
    reg: &TestRegistry<SqliteStorage>,
    n: u32,
) -> (Shared, Box<dyn Transport>, Vec<Uuid>) {
    let mut d: TestDevice = reg.device(&[AREA]);
    let ids = d.add_many(0, n, AREA);
    let TestDevice {
        store, transport, ..
    } = d;
    (Arc::new(Mutex::new(Some(store))), transport, ids)
}

fn waiting(store: &Shared) -> Vec<Uuid> {
    store
        .lock()
        .unwrap()
        .as_ref()
        .unwrap()
        .unsynced_ids()
        .unwrap()
}

fn heads(store: &Store) -> BTreeMap<Uuid, Vec<[u8; 32]>> {
    store
        .all_heads()
        .unwrap()
        .into_iter()
        .map(|(id, h)| {
            let mut v: Vec<[u8; 32]> = h.iter().map(|c| c.0).collect();
            v.sort_unstable();
            (id, v)
        })
        .collect()
}

#[test]
fn an_edit_made_while_its_batch_is_in_flight_waits_for_the_next_round() {
    let reg = TestRegistry::sqlite();
    let (store, inner, ids) = shared_device(&reg, 3);
    let mut t = WhileInFlight {
        inner,
        store: store.clone(),
        during: During::EditOnPush(ids[0]),
        closed: None,
        waiting_at_pull: None,
    };
    // One push/pull/check pass only, so the check cannot send the edit within the same call.
    let once = Options {
        max_rounds: 1,
        ..test_options()
    };
    let r = sync_with(&mut SharedStore::new(&store), &mut t, &once, &mut |_| {}).unwrap();
    assert_eq!(r.pushed, 3, "{r:?}");
    assert!(r.refused.is_empty(), "{r:?}");
    // Right after the push: the registry's acknowledgement covered what was sent, not the edit.
    assert_eq!(t.waiting_at_pull, Some(vec![ids[0]]));
    // The registry acknowledged what was sent; the edit made meanwhile is still waiting.
    assert_eq!(waiting(&store), vec![ids[0]]);
    assert_ne!(
        reg.show(ids[0])["answers"]["q00"],
        json!("edited in flight")
    );
    let logged = reg.counts().0;

    let r = sync_with(
        &mut SharedStore::new(&store),
        &mut t,
        &test_options(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(r.pushed, 1, "only the edited household goes: {r:?}");
    assert!(r.complete, "{r:?}");
    assert!(waiting(&store).is_empty());
    assert_eq!(
        reg.show(ids[0])["answers"]["q00"],
        json!("edited in flight")
    );
    assert_eq!(reg.counts().0, logged + 1, "the edit is logged once");
    let guard = store.lock().unwrap();
    assert_eq!(reg.heads(), heads(guard.as_ref().unwrap()));
}

#[test]
fn a_store_closed_during_a_round_stops_it_and_keeps_what_was_acknowledged() {
    let reg = TestRegistry::sqlite();
    let (store, inner, ids) = shared_device(&reg, 5);
    let mut t = WhileInFlight {
        inner,
        store: store.clone(),
        during: During::CloseOnPull,
        closed: None,
        waiting_at_pull: None,
    };
    let err = sync_with(
        &mut SharedStore::new(&store),
        &mut t,
        &test_options(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, SyncError::Stopped), "{err:?}");
    // Unlocked again: the push was acknowledged before the store closed, so nothing is resent.
    *store.lock().unwrap() = t.closed.take();
    assert!(waiting(&store).is_empty());
    let r = sync_with(
        &mut SharedStore::new(&store),
        &mut t,
        &test_options(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(r.pushed, 0, "{r:?}");
    assert!(r.complete, "{r:?}");
    assert_eq!(reg.heads().len(), ids.len());
}

/// One step of the property: edits (household, field, value), made alone or while a round runs.
#[derive(Debug, Clone)]
struct Step {
    edits: Vec<(usize, usize, u32)>,
    during_round: bool,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let edit = (0..3usize, 0..2usize, 0..1000u32);
    let step = (prop::collection::vec(edit, 0..8), any::<bool>()).prop_map(|(edits, r)| Step {
        edits,
        during_round: r,
    });
    prop::collection::vec(step, 1..5)
}

const FIELDS: [&str; 2] = ["address", "respondent"];

fn value(field: usize, v: u32) -> Value {
    json!(format!(
        "{} {v}",
        if field == 0 { "House" } else { "Respondent" }
    ))
}

/// Whatever the interleaving of edits and rounds (each round runs on its own thread while the edits
/// go through the app's own locking path), two more rounds leave nothing waiting and the registry with
/// the same changes and values as the device.
#[test]
fn edits_interleaved_with_rounds_converge_with_the_registry() {
    let mut reg = TestRegistry::sqlite();
    let url = reg.serve_http();
    let tmp = tempfile::tempdir().unwrap();
    let app = App::new(tmp.path().join("data"));
    let user = reg.user("surveyor", &[AREA]);
    app.enroll(&url, &reg.code(&user), PIN).unwrap();
    // Rounds are run by the test, not the background worker.
    app.lock();
    app.unlock_foreground(PIN).unwrap();

    let mut runner = TestRunner::new(Config {
        cases: 8,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&steps(), |steps| {
            let hh: Vec<String> = (0..3)
                .map(|_| app.create_household(AREA).unwrap().id)
                .collect();
            let edit = |(h, f, v): (usize, usize, u32)| {
                app.set_answer(&hh[h], None, FIELDS[f], value(f, v))
                    .expect("save");
            };
            for step in steps {
                if step.during_round {
                    std::thread::scope(|s| {
                        let round = s.spawn(|| app.sync_once(None, &mut |_| {}));
                        step.edits.iter().copied().for_each(edit);
                        let r = round.join().unwrap().expect("round");
                        prop_assert!(r.refused.is_empty(), "{:?}", r);
                        Ok(())
                    })?;
                } else {
                    step.edits.iter().copied().for_each(edit);
                }
            }
            app.sync_once(None, &mut |_| {}).expect("round");
            let r = app.sync_once(None, &mut |_| {}).expect("round");
            prop_assert!(r.complete, "{:?}", r);
            prop_assert_eq!(app.sync_status().unwrap().pending, 0);
            for id in &hh {
                let device = app.open_interview(id).unwrap().answers;
                let at_registry = reg.show(Uuid::parse_str(id).unwrap())["answers"].clone();
                for f in FIELDS {
                    let d = device.get(f).cloned().unwrap_or(Value::Null);
                    prop_assert_eq!(&d, &at_registry[f], "{} {}", id, f);
                }
            }
            // Opening the interviews recorded their first opening (paradata): one more round
            // sends it.
            app.sync_once(None, &mut |_| {}).expect("round");
            app.lock();
            let device = heads(&Store::open(app.dir(), PIN).unwrap());
            app.unlock_foreground(PIN).unwrap();
            prop_assert_eq!(reg.heads(), device);
            Ok(())
        })
        .unwrap();
}
