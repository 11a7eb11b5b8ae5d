//! Properties of the sync protocol over the in-memory transport, on SQLite:
//! - replicas always converge, whatever the edits, the sync order, and duplicated or lost messages;
//! - the bucket check repairs replicas that lost data behind the protocol's back;
//! - a push cut halfway resumes after a restart without resending what was acknowledged;
//! - bytes on the wire per edit and per new household stay small.

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use shumari_registry::SqliteStorage;
use shumari_scenarios::{TestDevice, TestRegistry, AREA, PIN};
use shumari_store::Store;
use shumari_sync::proto::{Message, PushRequest, PushResponse};
use shumari_sync::{Endpoint, Retry, Transport, TransportError};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// How a [`Chaos`] transport misbehaves, and what it saw.
#[derive(Debug, Default)]
struct ChaosState {
    /// Seeded RNG deciding the faults; `None` means a clean link.
    rng: Option<StdRng>,
    /// Probability of sending a request twice (the registry handles it twice).
    dup: f64,
    /// Probability of losing a response after the registry applied the request.
    drop: f64,
    /// Fail every call after this many calls (the link or the app dies), until reset.
    fail_after: Option<usize>,
    /// Calls so far.
    calls: usize,
    /// Per push call: the ids sent and whether the device received the answer.
    pushes: Vec<(Vec<Uuid>, bool)>,
    /// Bytes of push requests and responses, per delivered push call.
    push_bytes: Vec<usize>,
}

/// Wraps a transport: duplicates requests and drops responses at random (seeded), records pushes.
struct Chaos {
    inner: Box<dyn Transport>,
    state: Arc<Mutex<ChaosState>>,
}

impl Chaos {
    fn wrap(inner: Box<dyn Transport>) -> (Box<dyn Transport>, Arc<Mutex<ChaosState>>) {
        let state = Arc::new(Mutex::new(ChaosState::default()));
        (
            Box::new(Chaos {
                inner,
                state: state.clone(),
            }),
            state,
        )
    }
}

fn lost(what: &str) -> TransportError {
    TransportError::Unreachable(format!("the test {what}"))
}

impl Transport for Chaos {
    fn call(
        &mut self,
        endpoint: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, TransportError> {
        let (dup, drop) = {
            let mut s = self.state.lock().unwrap();
            s.calls += 1;
            if s.fail_after.is_some_and(|n| s.calls > n) {
                return Err(lost("cut the link"));
            }
            let (pd, pr) = (s.dup, s.drop);
            match s.rng.as_mut() {
                Some(r) => (r.gen_bool(pd), r.gen_bool(pr)),
                None => (false, false),
            }
        };
        let ids: Vec<Uuid> = if endpoint == Endpoint::Push {
            PushRequest::decode(&body)
                .expect("the engine sends valid pushes")
                .docs
                .iter()
                .map(|d| d.id)
                .collect()
        } else {
            Vec::new()
        };
        let sent = body.len();
        let out = if dup {
            let first = self.inner.call(endpoint, token, body.clone());
            let second = self.inner.call(endpoint, token, body);
            // Either answer may be the one that arrives.
            if drop {
                first
            } else {
                second
            }
        } else {
            self.inner.call(endpoint, token, body)
        };
        let mut s = self.state.lock().unwrap();
        if drop {
            if endpoint == Endpoint::Push {
                s.pushes.push((ids, false));
            }
            return Err(lost("dropped the response"));
        }
        if endpoint == Endpoint::Push {
            let ok = out.is_ok();
            if let Ok(b) = &out {
                PushResponse::decode(b).expect("a valid push response");
                s.push_bytes.push(sent + b.len());
            }
            s.pushes.push((ids, ok));
        }
        out
    }
}

/// Retries without sleeping: the tests never depend on time.
fn no_sleep(d: &mut TestDevice) {
    d.options.retry = Retry {
        attempts: 50,
        base: Duration::ZERO,
        max: Duration::ZERO,
    };
}

/// Conflicts of every household as (path, number of values), sorted.
type Conflicts = BTreeMap<Uuid, Vec<(String, usize)>>;

fn device_conflicts(d: &TestDevice) -> Conflicts {
    d.heads()
        .keys()
        .map(|id| {
            let v = d.store.get(&id.to_string()).unwrap();
            let mut c: Vec<_> = v
                .conflicts
                .iter()
                .map(|c| (c.path.clone(), c.values.len()))
                .collect();
            c.sort();
            (*id, c)
        })
        .collect()
}

fn registry_conflicts(reg: &TestRegistry<SqliteStorage>) -> Conflicts {
    reg.heads()
        .keys()
        .map(|id| {
            let shown = reg.show(*id);
            let mut c: Vec<_> = shown["conflicts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["path"].as_str().unwrap().to_string(),
                        c["values"].as_array().unwrap().len(),
                    )
                })
                .collect();
            c.sort();
            (*id, c)
        })
        .collect()
}

#[derive(Debug, Clone)]
enum Op {
    /// Device `d` creates a household.
    Add(usize),
    /// Device `d` sets `answers.q0{field}` of its `pick`-th household to `value`.
    Edit {
        d: usize,
        pick: usize,
        field: u8,
        value: u8,
    },
    /// Device `d` syncs over the faulty link.
    Sync(usize),
    /// Device `d`'s app restarts (a new actor id).
    Restart(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..3usize).prop_map(Op::Add),
        4 => (0..3usize, any::<usize>(), 0..4u8, any::<u8>())
            .prop_map(|(d, pick, field, value)| Op::Edit { d, pick, field, value }),
        3 => (0..3usize).prop_map(Op::Sync),
        1 => (0..3usize).prop_map(Op::Restart),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Three replicas, random edits, random sync order, duplicated requests and lost responses:
    /// after a final clean sync round every device and the registry hold the same heads for every
    /// household and show the same conflicts.
    #[test]
    fn replicas_converge_whatever_the_order_and_faults(
        ops in proptest::collection::vec(op(), 1..24),
        seed in any::<u64>(),
    ) {
        let reg = TestRegistry::sqlite();
        let mut devices = Vec::new();
        let mut links = Vec::new();
        for _ in 0..3 {
            let mut d = reg.device(&[AREA]);
            no_sleep(&mut d);
            let (t, s) = Chaos::wrap(reg.transport());
            d.transport = t;
            s.lock().unwrap().rng = Some(StdRng::seed_from_u64(seed ^ links.len() as u64));
            s.lock().unwrap().dup = 0.2;
            s.lock().unwrap().drop = 0.2;
            devices.push(d);
            links.push(s);
        }
        let mut created = 0u32;
        for op in ops {
            match op {
                Op::Add(d) => {
                    devices[d].add(created, AREA);
                    created += 1;
                }
                Op::Edit { d, pick, field, value } => {
                    let ids: Vec<Uuid> = devices[d].heads().into_keys().collect();
                    if !ids.is_empty() {
                        let id = ids[pick % ids.len()];
                        devices[d].set(id, &format!("answers.q0{field}"), json!(value));
                    }
                }
                // A sync over a faulty link may give up; the final round must still converge.
                Op::Sync(d) => {
                    let _ = devices[d].try_sync();
                }
                Op::Restart(d) => devices[d].restart(),
            }
        }
        for s in &links {
            s.lock().unwrap().rng = None;
        }
        for _ in 0..2 {
            for d in devices.iter_mut() {
                let r = d.sync();
                prop_assert!(r.complete, "{:?}", r);
            }
        }
        let heads = reg.heads();
        prop_assert_eq!(heads.len(), created as usize, "a household was lost or duplicated");
        let conflicts = registry_conflicts(&reg);
        for d in &devices {
            prop_assert_eq!(&d.heads(), &heads);
            prop_assert_eq!(&device_conflicts(d), &conflicts);
        }
    }
}

/// Closes a device's store, runs `f` on its directory, reopens it.
fn with_store_closed(d: &mut TestDevice, f: impl FnOnce(&std::path::Path)) {
    let scratch = tempfile::tempdir().unwrap();
    let old = std::mem::replace(&mut d.store, Store::create(scratch.path(), PIN).unwrap());
    drop(old);
    f(d.dir.path());
    d.store = Store::open(d.dir.path(), PIN).unwrap();
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for e in std::fs::read_dir(to).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::remove_file(p).unwrap();
        }
    }
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// A device restored from an old backup of its store lacks households it created itself after the
/// backup. The pull feed never echoes a device's own changes, so only the bucket check can find them:
/// it does, and the device gets them back.
#[test]
fn a_device_restored_from_an_old_backup_is_repaired_by_the_check() {
    let reg = TestRegistry::sqlite();
    let mut a = reg.device(&[AREA]);
    let first = a.add_many(0, 20, AREA);
    assert!(a.sync().complete);
    let backup = tempfile::tempdir().unwrap();
    with_store_closed(&mut a, |dir| copy_dir(dir, backup.path()));
    let later = a.add_many(20, 30, AREA);
    a.set(first[0], "answers.q00", json!("after the backup"));
    assert_eq!(a.sync().pushed, 31);
    let at_registry = reg.heads();
    assert_eq!(at_registry.len(), 50);
    // The tablet is wiped and restored from the backup.
    with_store_closed(&mut a, |dir| copy_dir(backup.path(), dir));
    assert_eq!(a.heads().len(), 20);
    let r = a.sync();
    assert!(r.complete, "{r:?}");
    assert_eq!(
        r.pulled, 31,
        "the 30 later households and the edit came back"
    );
    assert_eq!(r.pushed, 0);
    assert_eq!(a.heads(), at_registry);
    assert!(a.store.get(&later[29].to_string()).is_ok());
    assert_eq!(
        a.store
            .get(&first[0].to_string())
            .unwrap()
            .household
            .answers["q00"],
        json!("after the backup")
    );
}

fn registry_db(reg: &TestRegistry<SqliteStorage>) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(reg.dir.path().join("registry.db")).unwrap();
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c
}

/// The registry loses households behind the protocol's back (rows restored from an old backup,
/// an operator's mistake). The devices still believe they were acknowledged, so a push sends nothing;
/// the check finds the difference, asks for them (`want`), and the device sends them whole.
#[test]
fn a_registry_that_lost_households_gets_them_back_through_the_check() {
    let reg = TestRegistry::sqlite();
    let mut a = reg.device(&[AREA]);
    let mut b = reg.device(&[AREA]);
    let ids = a.add_many(0, 40, AREA);
    a.sync();
    b.sync();
    a.set(ids[3], "answers.q01", json!("edited"));
    a.sync();
    b.sync();
    let before = reg.heads();
    let lost: Vec<String> = ids[..5].iter().map(Uuid::to_string).collect();
    {
        let c = registry_db(&reg);
        for id in &lost {
            for table in ["log WHERE household_id", "households WHERE id"] {
                c.execute(&format!("DELETE FROM {table} = ?1"), [id])
                    .unwrap();
            }
        }
    }
    assert_eq!(reg.heads().len(), 35);
    // B holds them too, with A's signatures (received with them): the check asks, B sends them
    // whole, and the registry takes A's changes back from B, as A's.
    let r = b.sync();
    assert!(r.refused.is_empty(), "{r:?}");
    assert!(r.complete, "{r:?}");
    assert_eq!(r.pushed, 5, "{r:?}");
    assert_eq!(reg.heads(), before);
    // A, their author, syncs: it has nothing to push, and B's delivery, a log entry by B, reaches A
    // as changes it already holds.
    let r = a.sync();
    assert!(r.complete, "{r:?}");
    assert_eq!(r.pushed, 0, "{r:?}");
    assert_eq!(reg.heads(), before);
    // B syncing again sends nothing new and nothing is stored twice.
    let counts = reg.counts();
    let r = b.sync();
    assert!(r.complete, "{r:?}");
    assert_eq!(reg.counts(), counts);
    assert_eq!(a.heads(), before);
    assert_eq!(b.heads(), before);
    assert_eq!(
        reg.show(ids[3])["answers"]["q01"],
        json!("edited"),
        "{}",
        reg.show(ids[3])
    );
}

/// A device that forgot what the registry acknowledged (its sync state was reset) re-sends, but the
/// registry stores nothing twice.
#[test]
fn a_device_that_forgot_its_acknowledgements_duplicates_nothing() {
    let reg = TestRegistry::sqlite();
    let mut a = reg.device(&[AREA]);
    let ids = a.add_many(0, 30, AREA);
    a.sync();
    let counts = reg.counts();
    let heads = reg.heads();
    let forget: Vec<_> = ids.iter().map(|id| (*id, Vec::new())).collect();
    a.store.mark_acked(&forget).unwrap();
    let r = a.sync();
    assert!(r.complete, "{r:?}");
    assert_eq!(reg.counts(), counts, "nothing logged twice");
    assert_eq!(reg.heads(), heads);
    assert_eq!(a.heads(), heads);
}

/// A push cut after some chunks were acknowledged (the last answer lost on the way back), then the
/// app is killed and restarted: the next sync sends only what was not acknowledged.
#[test]
fn a_cut_push_resumes_after_a_restart_without_resending_acknowledged_documents() {
    let reg = TestRegistry::sqlite();
    let mut a = reg.device(&[AREA]);
    no_sleep(&mut a);
    a.options.chunk_bytes = 16 * 1024;
    let ids = a.add_many(0, 300, AREA);
    // The first exchanges are answered; the 5th is applied at the registry but its answer is lost; then the
    // link stays down until the app gives up.
    /// Loses the answer to the 5th push (applied at the registry), then the link stays down.
    struct LoseFifthPush(Box<dyn Transport>, usize);
    impl Transport for LoseFifthPush {
        fn call(
            &mut self,
            e: Endpoint,
            t: Option<&str>,
            b: Vec<u8>,
        ) -> Result<Vec<u8>, TransportError> {
            if self.1 >= 5 {
                return Err(lost("cut the link"));
            }
            let out = self.0.call(e, t, b);
            if e == Endpoint::Push {
                self.1 += 1;
                if self.1 == 5 {
                    return Err(lost("dropped the response"));
                }
            }
            out
        }
    }
    let (t, state) = Chaos::wrap(Box::new(LoseFifthPush(reg.transport(), 0)));
    a.transport = t;
    assert!(a.try_sync().is_err());
    let (acked, unanswered): (BTreeSet<Uuid>, BTreeSet<Uuid>) = {
        let s = state.lock().unwrap();
        // Four answered, then the fifth (applied, answer lost) and its retries on a dead link.
        let answered = s.pushes.iter().take_while(|p| p.1).count();
        assert_eq!(answered, 4);
        assert!(s.pushes[answered..].iter().all(|p| !p.1));
        let acked = s.pushes[..answered]
            .iter()
            .flat_map(|p| p.0.clone())
            .collect();
        let unanswered = s.pushes[answered..]
            .iter()
            .flat_map(|p| p.0.clone())
            .collect();
        (acked, unanswered)
    };
    assert!(!acked.is_empty());
    assert_eq!(reg.heads().len(), acked.len() + unanswered.len());
    // The app is killed and restarted; the link is back.
    a.restart();
    let (t, state) = Chaos::wrap(reg.transport());
    a.transport = t;
    let r = a.sync();
    assert!(r.complete, "{r:?}");
    let resent: BTreeSet<Uuid> = state
        .lock()
        .unwrap()
        .pushes
        .iter()
        .flat_map(|p| p.0.clone())
        .collect();
    assert!(
        resent.is_disjoint(&acked),
        "acknowledged documents were sent again"
    );
    assert_eq!(resent.len(), 300 - acked.len());
    assert_eq!(r.pushed as usize, 300 - acked.len());
    // The unanswered chunk was sent again but stored once.
    assert!(unanswered.is_subset(&resent));
    assert_eq!(reg.counts().0, 300, "one log entry per household");
    assert_eq!(a.heads(), reg.heads());
    assert_eq!(reg.heads().len(), ids.len());
}

fn median(mut v: Vec<usize>) -> usize {
    v.sort_unstable();
    v[v.len() / 2]
}

fn five_field_edit(a: &mut TestDevice, id: Uuid, i: usize) {
    let fields: Vec<(String, serde_json::Value)> = [
        ("answers.q00", json!(i % 7)),
        ("answers.q01", json!(format!("option_{}", i % 3))),
        ("answers.q02", json!(i % 2 == 1)),
        ("answers.q03", json!(format!("Mohalla {i} lane 4"))),
        ("answers.q05", json!("changed")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    a.store.set_fields(&id.to_string(), &fields).unwrap();
}

/// Push bytes (request + response, compressed, as sent) recorded since the last call.
fn take_push_bytes(state: &Arc<Mutex<ChaosState>>) -> Vec<usize> {
    std::mem::take(&mut state.lock().unwrap().push_bytes)
}

/// Bytes on the wire for 200 NSER-sized households and a 5-field edit of each, pushed the way a
/// surveyor works (20 households, then a sync; 20 edits, then a sync): the median bytes of push
/// request + response per household stay under 1.3 KB and per edit under 200 B. A household or an edit
/// synced alone pays the fixed costs of a frame (gzip header, hashes) by itself: bounded too.
#[test]
fn wire_bytes_per_household_and_per_edit_stay_small() {
    let reg = TestRegistry::sqlite();
    let mut a = reg.device(&[AREA]);
    let (t, state) = Chaos::wrap(reg.transport());
    a.transport = t;
    let mut ids = Vec::new();
    let mut per_household = Vec::new();
    for round in 0..10 {
        ids.extend(a.add_many(round * 20, 20, AREA));
        assert_eq!(a.sync().pushed, 20);
        per_household.push(take_push_bytes(&state).iter().sum::<usize>() / 20);
    }
    let mut per_edit = Vec::new();
    for (round, chunk) in ids.chunks(20).enumerate() {
        for (i, id) in chunk.iter().enumerate() {
            five_field_edit(&mut a, *id, round * 20 + i);
        }
        assert_eq!(a.sync().pushed, 20);
        per_edit.push(take_push_bytes(&state).iter().sum::<usize>() / 20);
    }
    // Alone: one household, then one edit per sync.
    let mut lone_household = Vec::new();
    let mut lone_edit = Vec::new();
    for n in 0..20 {
        let id = a.add(1000 + n, AREA);
        a.sync();
        lone_household.extend(take_push_bytes(&state));
        five_field_edit(&mut a, id, n as usize);
        a.sync();
        lone_edit.extend(take_push_bytes(&state));
    }
    let (h, e) = (median(per_household), median(per_edit));
    let (lh, le) = (median(lone_household), median(lone_edit));
    eprintln!(
        "median push bytes: {h} B per new household, {e} B per 5-field edit (batches of 20); \
         {lh} B and {le} B when synced alone"
    );
    assert!(h <= 1300, "{h} B per household");
    assert!(e <= 200, "{e} B per 5-field edit");
    assert!(lh <= 1300, "{lh} B for a household synced alone");
    assert!(le <= 400, "{le} B for an edit synced alone");
}

/// The requirement on the wire, for the case that pays the most framing: an NSER-sized household
/// (60 household fields, 6 members of 15) edited in 5 fields and synced on its own. The median bytes
/// the device sends for the whole sync (push and pull requests, compressed frames as on the wire) stay
/// at or under 200 B, and the whole sync, both ways, under 300 B in two round trips, plus the
/// change's signature record (97 B: every change is signed by its device, `shumari_proto::signing`).
#[test]
fn a_lone_five_field_edit_sends_at_most_200_bytes() {
    let reg = TestRegistry::sqlite();
    let mut a = reg.device(&[AREA]);
    let ids = a.add_many(0, 21, AREA);
    assert!(a.sync().complete);
    let mut sent = Vec::new();
    let mut total = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        five_field_edit(&mut a, *id, i);
        let r = a.sync();
        assert!(r.complete && r.refused.is_empty(), "{r:?}");
        assert_eq!((r.pushed, r.round_trips), (1, 2), "{r:?}");
        sent.push(r.bytes_sent as usize);
        total.push((r.bytes_sent + r.bytes_received) as usize);
    }
    let (s, t) = (median(sent), median(total));
    eprintln!("a lone 5-field edit: {s} B sent, {t} B sent + received (medians)");
    // The change's signature record (32-byte hash, 64-byte Ed25519 signature, which no compression
    // shrinks) rides on top of the 200 B the edit itself may cost.
    let record = shumari_proto::signing::RECORD_LEN + 1;
    assert!(s <= 200 + record, "{s} B sent for a lone 5-field edit");
    assert!(
        t <= 300 + record,
        "{t} B on the wire for a lone 5-field edit"
    );
    assert_eq!(a.heads(), reg.heads());
}
