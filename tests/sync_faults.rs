//! Sync over real HTTP through a fault-injecting proxy ([`shumari_scenarios::faults`]), and malformed
//! or oversized requests at the HTTP layer.

use proptest::prelude::*;
use shumari_registry::{Config, SqliteStorage};
use shumari_scenarios::faults::{FaultConfig, FaultProxy};
use shumari_scenarios::{http_transport, TestDevice, TestRegistry, AREA};
use shumari_sync::codec::{frame, Writer};
use shumari_sync::engine::KEY_TOKEN;
use shumari_sync::proto::{Message, PushDoc, PushRequest, PushResponse};
use shumari_sync::{Endpoint, Retry, Transport, TransportError, PROTOCOL_VERSION};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// Every push call: the ids sent, the request's size, and whether the answer arrived.
type PushLog = Arc<Mutex<Vec<(Vec<Uuid>, usize, bool)>>>;

/// Records every push a device makes.
struct Pushes {
    inner: Box<dyn Transport>,
    log: PushLog,
}

impl Transport for Pushes {
    fn call(
        &mut self,
        endpoint: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, TransportError> {
        let ids: Vec<Uuid> = if endpoint == Endpoint::Push {
            let req = PushRequest::decode(&body).expect("the engine sends valid pushes");
            req.docs.iter().map(|d| d.id).collect()
        } else {
            Vec::new()
        };
        let size = body.len();
        let out = self.inner.call(endpoint, token, body);
        if endpoint == Endpoint::Push {
            self.log.lock().unwrap().push((ids, size, out.is_ok()));
        }
        out
    }
}

fn recorded(inner: Box<dyn Transport>) -> (Box<dyn Transport>, PushLog) {
    let log = PushLog::default();
    (
        Box::new(Pushes {
            inner,
            log: log.clone(),
        }),
        log,
    )
}

fn quick_retries(d: &mut TestDevice) {
    d.options.retry = Retry {
        attempts: 40,
        base: Duration::from_millis(1),
        max: Duration::from_millis(5),
    };
}

fn upstream(url: &str) -> std::net::SocketAddr {
    url.trim_start_matches("http://").parse().expect("addr")
}

const HOUSEHOLDS: u32 = 300;

/// 300 households pushed by one device and pulled by another, both through a proxy that cuts most
/// connections at random offsets (seeded): everything arrives once, nothing is duplicated,
/// all replicas converge, and no household the registry acknowledged is ever sent again.
#[test]
fn syncing_through_a_cutting_proxy_loses_nothing_and_resends_nothing_acknowledged() {
    // A clean run for comparison.
    let mut clean = TestRegistry::sqlite();
    let url = clean.serve_http();
    let mut c = clean.device(&[AREA]);
    c.options.chunk_bytes = 16 * 1024;
    c.add_many(0, HOUSEHOLDS, AREA);
    let (t, clean_log) = recorded(http_transport(&url));
    c.transport = t;
    assert!(c.sync().complete);
    let clean_bytes: usize = clean_log.lock().unwrap().iter().map(|p| p.1).sum();

    let mut reg = TestRegistry::sqlite();
    let url = reg.serve_http();
    // Answers are small (an acceptance is an id and a byte), so cuts on the way back fall within
    // the first kilobyte to hit them.
    let proxy = FaultProxy::start(
        reg.rt.handle(),
        upstream(&url),
        0x5eed_2026,
        FaultConfig {
            max_cut_down: 1024,
            ..FaultConfig::default()
        },
    );
    let mut a = reg.device(&[AREA]);
    quick_retries(&mut a);
    a.options.chunk_bytes = 16 * 1024;
    let created: BTreeSet<Uuid> = a.add_many(0, HOUSEHOLDS, AREA).into_iter().collect();
    let (t, log) = recorded(http_transport(&proxy.url()));
    a.transport = t;
    let mut attempts = 0;
    loop {
        attempts += 1;
        assert!(attempts <= 30, "no complete sync after 30 attempts");
        if let Ok(r) = a.try_sync() {
            if r.complete {
                break;
            }
        }
    }
    let stats = proxy.stats();
    assert!(
        stats.cuts_up > 0 && stats.cuts_down > 0,
        "the proxy cut nothing: {stats:?}"
    );
    // Nothing lost, nothing duplicated.
    let heads = reg.heads();
    assert_eq!(heads.keys().copied().collect::<BTreeSet<_>>(), created);
    assert_eq!(
        reg.counts(),
        clean.counts(),
        "log and audit as in a clean run"
    );
    assert_eq!(reg.counts().0, u64::from(HOUSEHOLDS));
    assert_eq!(a.heads(), heads);
    // Resumed, not restarted: once a push was answered, none of its households is sent again.
    let log = log.lock().unwrap();
    let mut acked_at: BTreeMap<Uuid, usize> = BTreeMap::new();
    for (i, (ids, _, ok)) in log.iter().enumerate() {
        for id in ids {
            assert!(
                !acked_at.contains_key(id),
                "household sent again in push {i} after it was acknowledged"
            );
            if *ok {
                acked_at.insert(*id, i);
            }
        }
    }
    assert_eq!(acked_at.len(), HOUSEHOLDS as usize);
    let answered: usize = log.iter().filter(|p| p.2).map(|p| p.1).sum();
    let lost: usize = log.iter().filter(|p| !p.2).map(|p| p.1).sum();
    eprintln!(
        "{} connections, {} cut up, {} cut down; pushes: {answered} B answered + {lost} B lost, \
         clean run {clean_bytes} B",
        stats.connections, stats.cuts_up, stats.cuts_down
    );
    // Answered pushes carry each household once: about the clean run's bytes (chunk boundaries
    // differ after a cut, and so does compression).
    assert!(
        answered <= clean_bytes + clean_bytes / 10,
        "{answered} B vs {clean_bytes} B"
    );
    drop(log);

    // A second device pulls everything through a faulty link; here the answers are the big side.
    let pull_proxy = FaultProxy::start(
        reg.rt.handle(),
        upstream(&url),
        0x5eed_2027,
        FaultConfig {
            max_cut_up: 1024,
            max_cut_down: 40 * 1024,
            ..FaultConfig::default()
        },
    );
    let mut b = reg.device(&[AREA]);
    quick_retries(&mut b);
    b.options.chunk_bytes = 16 * 1024;
    b.transport = http_transport(&pull_proxy.url());
    let mut attempts = 0;
    loop {
        attempts += 1;
        assert!(attempts <= 30, "no complete pull after 30 attempts");
        if let Ok(r) = b.try_sync() {
            if r.complete {
                break;
            }
        }
    }
    assert_eq!(b.heads(), heads);
    assert_eq!(
        reg.counts().0,
        u64::from(HOUSEHOLDS),
        "pulling logs nothing"
    );
    let s = pull_proxy.stats();
    assert!(s.cuts_up + s.cuts_down > 0, "{s:?}");
}

fn token(d: &TestDevice) -> String {
    d.store.kv_get(KEY_TOKEN).unwrap().unwrap()
}

/// (log, audit) counts and heads: everything a half-applied batch would change.
type Snapshot = ((u64, u64), BTreeMap<Uuid, Vec<[u8; 32]>>);

fn snapshot(reg: &TestRegistry<SqliteStorage>) -> Snapshot {
    (reg.counts(), reg.heads())
}

fn expect_json_error(r: Result<Vec<u8>, TransportError>, status: u16, code: &str) {
    match r {
        Err(TransportError::Rejected {
            status: s,
            code: c,
            message,
        }) => {
            assert_eq!((s, c.as_str()), (status, code), "{message}");
            // The HTTP transport falls back to code `http` when the body is not JSON {code, message}.
            assert!(
                !message.is_empty() && !message.starts_with("HTTP "),
                "{message}"
            );
        }
        other => panic!("expected {status} {code}, got {other:?}"),
    }
}

/// Malformed and oversized requests get a 4xx with a JSON `{code, message}` and change nothing: a
/// batch that fails to decode anywhere — even in its last byte — is not applied in part.
#[test]
fn malformed_and_oversized_requests_are_4xx_and_change_nothing() {
    let mut reg = TestRegistry::sqlite_with(Config {
        max_body: 256 * 1024,
        ..Config::default()
    });
    let url = reg.serve_http();
    let mut a = reg.device(&[AREA]);
    a.add_many(0, 5, AREA);
    a.transport = http_transport(&url);
    assert!(a.sync().complete);
    let ids = a.add_many(5, 40, AREA);
    let docs: Vec<PushDoc> = shumari_sync::identity::outgoing_signed(&a.store, &ids)
        .unwrap()
        .into_iter()
        .map(|o| {
            // Signed as the engine signs them: the device has a key.
            let records = o
                .signatures
                .into_iter()
                .map(shumari_sync::identity::to_wire);
            PushDoc::raw(o.id, o.changes).signed(records.collect())
        })
        .collect();
    let req = PushRequest {
        docs,
        submissions: Vec::new(),
    };
    let before = snapshot(&reg);
    let tok = token(&a);
    let mut t = http_transport(&url);
    let mut payload = Writer::new();
    req.write(&mut payload);
    let payload = payload.into_inner();
    let good = req.encode();
    // A whole valid batch followed by one stray byte.
    let mut trailing = payload.clone();
    trailing.push(0);
    // The batch cut short inside its last document.
    let truncated = payload[..payload.len() - 40].to_vec();
    // A gzip stream cut short.
    let cut_gzip = good[..good.len() - 100].to_vec();
    // A compression bomb: 40 MB of zeros in a small frame.
    let bomb = frame(PROTOCOL_VERSION, PushRequest::KIND, &vec![0u8; 40 << 20]);
    assert!(bomb.len() < 256 * 1024);
    for body in [
        frame(PROTOCOL_VERSION, PushRequest::KIND, &trailing),
        frame(PROTOCOL_VERSION, PushRequest::KIND, &truncated),
        cut_gzip,
        bomb,
        b"SHMS".to_vec(),
        b"{\"docs\": []}".to_vec(),
    ] {
        expect_json_error(t.call(Endpoint::Push, Some(&tok), body), 400, "bad_request");
        assert!(
            snapshot(&reg) == before,
            "a rejected request changed the registry"
        );
    }
    // Over the body limit (the batch, again and again).
    let mut big = PushRequest {
        docs: Vec::new(),
        submissions: Vec::new(),
    };
    while big.encode().len() <= 256 * 1024 {
        big.docs.extend(req.docs.iter().cloned());
        for d in big.docs.iter_mut().skip(req.docs.len()) {
            d.id = Uuid::now_v7();
        }
    }
    expect_json_error(
        t.call(Endpoint::Push, Some(&tok), big.encode()),
        413,
        "too_large",
    );
    assert!(
        snapshot(&reg) == before,
        "an oversized request changed the registry"
    );
    // A wrong token is refused as such, also with JSON.
    expect_json_error(
        t.call(Endpoint::Push, Some("not-a-token"), good.clone()),
        401,
        "unauthorized",
    );
    assert!(snapshot(&reg) == before);
    // The same batch, well-formed, goes through whole.
    let resp = PushResponse::decode(&t.call(Endpoint::Push, Some(&tok), good).unwrap()).unwrap();
    assert_eq!(resp.results.len(), 40);
    assert_eq!(reg.heads().len(), 45);
}

/// Pushes whose change bytes are mutated (flipped, cut, spliced) reach automerge's decoder at the
/// registry: each such household is refused on its own (`bad_document`, `forged_actor` when the
/// mutation hits the actor id, or a bound's code when a mutated length describes more than the
/// bounds allow), the registry never panics, and it keeps serving: a clean sync after
/// 300 such pushes completes and converges.
#[test]
fn pushes_with_mutated_changes_are_refused_per_household_and_never_crash_the_registry() {
    use proptest::test_runner::{Config as RunnerConfig, TestRunner};
    let reg = TestRegistry::sqlite();
    let mut a = reg.device(&[AREA]);
    let ids = a.add_many(0, 3, AREA);
    let docs: Vec<PushDoc> = shumari_sync::identity::outgoing_signed(&a.store, &ids)
        .unwrap()
        .into_iter()
        .map(|o| {
            // Signed as the engine signs them: the device has a key.
            let records = o
                .signatures
                .into_iter()
                .map(shumari_sync::identity::to_wire);
            PushDoc::raw(o.id, o.changes).signed(records.collect())
        })
        .collect();
    let tok = token(&a);
    let t = std::cell::RefCell::new(reg.transport());
    let refused = std::cell::Cell::new(0u32);
    let mut runner = TestRunner::new(RunnerConfig {
        cases: 300,
        ..RunnerConfig::default()
    });
    let strategy = (
        0..docs.len(),
        proptest::collection::vec((any::<usize>(), 0..3u8, any::<u8>()), 1..5),
    );
    let outcome = runner.run(&strategy, |(pick, edits)| {
        let mut d = docs[pick].clone();
        for (at, how, byte) in edits {
            let n = d.changes.len();
            match how {
                0 if n > 0 => d.changes[at % n] ^= byte | 1,
                1 => d.changes.truncate(at % (n + 1)),
                _ => d.changes.insert(at % (n + 1), byte),
            }
        }
        let resp = t
            .borrow_mut()
            .call(
                Endpoint::Push,
                Some(&tok),
                PushRequest {
                    docs: vec![d],
                    submissions: Vec::new(),
                }
                .encode(),
            )
            .expect("a push with bad changes is answered per household");
        let resp = PushResponse::decode(&resp).expect("a valid answer");
        prop_assert_eq!(resp.results.len(), 1);
        if let shumari_sync::proto::DocOutcome::Refused(r) = &resp.results[0].1 {
            refused.set(refused.get() + 1);
            prop_assert!(
                [
                    "bad_document",
                    "forged_actor",
                    "out_of_scope",
                    // A mutation automerge still reads makes another change, with another hash:
                    // the record sent is not its author's signature of it.
                    "unsigned_change",
                    "bad_signature",
                    // A flipped length can describe far more data than was sent: refused by the
                    // bounds before automerge loads it.
                    "too_large",
                    "too_many_actors",
                    "too_many_keys",
                    "too_many_members",
                    "too_many_conflicts",
                ]
                .contains(&r.code.as_str()),
                "{:?}",
                r
            );
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    assert!(refused.get() > 100, "only {} refused", refused.get());
    // Still serving: a clean sync completes and the replicas agree.
    let r = a.sync();
    assert!(r.complete, "{r:?}");
    assert_eq!(a.heads(), reg.heads());
    assert_eq!(reg.heads().len(), 3);
}
