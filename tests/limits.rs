//! Bounded untrusted input, end to end through the registry's service: a household over a
//! per-household cap is refused on its own, never stored and never forwarded to another device, while
//! the rest of the push goes through; a request over a per-request bound is refused whole with
//! HTTP 413 and the code `too_large`; a caller over its rate gets 429 with `Retry-After`, which the
//! sync engine waits out before it retries; a device measures what the registry sends the same way
//! before its store loads it; one address flooding enrollments is rate-limited.

use serde_json::json;
use shumari_domain::HouseholdInput;
use shumari_proto::limits::{
    MAX_ENROLL_BODY, MAX_KEYS, MAX_MEMBERS, MAX_PUSH_DOCS, MAX_REGISTER_ACTORS,
};
use shumari_registry::{Config, RateLimits};
use shumari_scenarios::{http_transport, TestRegistry, AREA};
use shumari_sync::engine::KEY_TOKEN;
use shumari_sync::proto::{
    ActorsRequest, DocChanges, EnrollRequest, Message, PullResponse, PushDoc, PushRequest,
};
use shumari_sync::{Endpoint, Transport, TransportError};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

fn household(answers: usize, members: usize) -> HouseholdInput {
    let answers: serde_json::Map<String, serde_json::Value> = (0..answers)
        .map(|i| (format!("q{i:04}"), json!("yes")))
        .collect();
    let members: Vec<_> = (0..members)
        .map(|m| json!({"name": format!("Member {m}"), "relation": if m == 0 { "head" } else { "son" }, "sex": "male", "age": 20}))
        .collect();
    serde_json::from_value(json!({"area": AREA, "answers": answers, "members": members}))
        .expect("valid household")
}

#[test]
fn households_over_a_cap_are_refused_alone_and_never_forwarded() {
    let reg = TestRegistry::sqlite();
    let mut a = reg.device(&[AREA]);
    let mut b = reg.device(&[AREA]);
    let honest = a.add(1, AREA);
    let add = |d: &mut shumari_scenarios::TestDevice, h: HouseholdInput| {
        d.store
            .add_household(&h, None, "nser-household", "1")
            .expect("the device keeps what its surveyor typed")
            .id
    };
    let crowded = add(&mut a, household(5, MAX_MEMBERS + 1));
    let wordy = add(&mut a, household(MAX_KEYS + 1, 1));
    let r = a.sync();
    let mut refused: Vec<(uuid::Uuid, &str)> =
        r.refused.iter().map(|x| (x.id, x.code.as_str())).collect();
    refused.sort();
    let mut expected = vec![(crowded, "too_many_members"), (wordy, "too_many_keys")];
    expected.sort();
    assert_eq!(refused, expected, "{r:?}");
    let held = reg.heads();
    assert!(held.contains_key(&honest));
    assert!(!held.contains_key(&crowded) && !held.contains_key(&wordy));
    b.sync();
    let at_b = b.heads();
    assert!(at_b.contains_key(&honest));
    assert!(!at_b.contains_key(&crowded) && !at_b.contains_key(&wordy));
}

fn too_large(r: Result<Vec<u8>, TransportError>) -> String {
    match r {
        Err(TransportError::Rejected {
            status: 413,
            code,
            message,
        }) if code == "too_large" => message,
        other => panic!("expected 413 too_large, got {other:?}"),
    }
}

#[test]
fn requests_over_a_bound_are_refused_whole() {
    let mut reg = TestRegistry::sqlite();
    let d = reg.device(&[AREA]);
    let token = d.store.kv_get(KEY_TOKEN).unwrap().unwrap();
    let mut t = reg.transport();

    // Households per push: one over the bound is refused before anything is read.
    let push = |n: usize| PushRequest {
        docs: (0..n)
            .map(|_| PushDoc::raw(Uuid::new_v4(), Vec::new()))
            .collect(),
        submissions: Vec::new(),
    };
    let message = too_large(t.call(
        Endpoint::Push,
        Some(&token),
        push(MAX_PUSH_DOCS + 1).encode(),
    ));
    assert!(message.contains(&MAX_PUSH_DOCS.to_string()), "{message}");
    // At the bound the push is read (each empty household is refused on its own).
    assert!(t
        .call(Endpoint::Push, Some(&token), push(MAX_PUSH_DOCS).encode())
        .is_ok());

    // Actors per registration.
    let actors = |n: usize| ActorsRequest {
        actors: (0..n).map(|_| Uuid::new_v4().as_bytes().to_vec()).collect(),
        key: None,
    };
    too_large(t.call(
        Endpoint::Actors,
        Some(&token),
        actors(MAX_REGISTER_ACTORS + 1).encode(),
    ));
    assert!(t
        .call(
            Endpoint::Actors,
            Some(&token),
            actors(MAX_REGISTER_ACTORS).encode()
        )
        .is_ok());

    // An enrollment body over 1 KiB never reaches the service (over HTTP, where the limit lives).
    let url = reg.serve_http();
    let mut http = http_transport(&url);
    let label: String = (0..80)
        .map(|_| Uuid::new_v4().simple().to_string())
        .collect();
    let big = EnrollRequest {
        code: "ABCD-EFGH".into(),
        label,
        short_id: "K7QD2".into(),
        bundle_key: false,
    }
    .encode();
    assert!(big.len() > MAX_ENROLL_BODY, "{}", big.len());
    too_large(http.call(Endpoint::Enroll, None, big));
    // An ordinary one is read (and refused for its unknown code, not its size).
    let small = EnrollRequest {
        code: "ABCD-EFGH".into(),
        label: "tablet 7".into(),
        short_id: "K7QD2".into(),
        bundle_key: false,
    }
    .encode();
    match http.call(Endpoint::Enroll, None, small) {
        Err(TransportError::Rejected { status: 403, .. }) => {}
        other => panic!("{other:?}"),
    }
    // Other endpoints keep the larger limit.
    assert!(http
        .call(Endpoint::Actors, Some(&token), actors(200).encode())
        .is_ok());
}

/// A registry over HTTP whose tokens may make `burst` requests at once and then one a minute.
fn throttled_registry(burst: u32) -> (TestRegistry<shumari_registry::SqliteStorage>, String) {
    let mut reg = TestRegistry::sqlite_with(Config {
        rate: RateLimits {
            per_token_per_minute: 1,
            token_burst: burst,
            ..RateLimits::default()
        },
        ..Config::default()
    });
    let url = reg.serve_http();
    (reg, url)
}

#[test]
fn a_burst_over_the_token_limit_gets_429_with_retry_after() {
    let (reg, url) = throttled_registry(3);
    let d = reg.device(&[AREA]);
    let token = d.store.kv_get(KEY_TOKEN).unwrap().unwrap();
    let mut http = http_transport(&url);
    let empty = || {
        ActorsRequest {
            actors: Vec::new(),
            key: None,
        }
        .encode()
    };
    for _ in 0..3 {
        http.call(Endpoint::Actors, Some(&token), empty()).unwrap();
    }
    match http.call(Endpoint::Actors, Some(&token), empty()) {
        Err(TransportError::Throttled {
            retry_after_secs,
            code,
            ..
        }) => {
            assert_eq!(code, "rate_limited");
            assert!((1..=60).contains(&retry_after_secs), "{retry_after_secs}");
        }
        other => panic!("expected 429 with Retry-After, got {other:?}"),
    }
    // Another device's token is not held back by this one's burst.
    let other = reg.device(&[AREA]);
    let token = other.store.kv_get(KEY_TOKEN).unwrap().unwrap();
    assert!(http.call(Endpoint::Actors, Some(&token), empty()).is_ok());
}

/// Passes calls through, noting every `Retry-After` the registry answered with.
struct NoteThrottles {
    inner: Box<dyn Transport>,
    asked: Arc<Mutex<Vec<u64>>>,
}

impl Transport for NoteThrottles {
    fn call(
        &mut self,
        endpoint: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, TransportError> {
        let r = self.inner.call(endpoint, token, body);
        if let Err(TransportError::Throttled {
            retry_after_secs, ..
        }) = &r
        {
            self.asked.lock().unwrap().push(*retry_after_secs);
        }
        r
    }
}

#[test]
fn the_engine_waits_out_retry_after_and_the_sync_completes() {
    // One request a second, no burst: a sync round makes several requests in quick succession.
    let mut reg = TestRegistry::sqlite_with(Config {
        rate: RateLimits {
            per_token_per_minute: 60,
            token_burst: 1,
            ..RateLimits::default()
        },
        ..Config::default()
    });
    let url = reg.serve_http();
    let mut d = reg.device(&[AREA]);
    let id = d.add(1, AREA);
    let asked = Arc::new(Mutex::new(Vec::new()));
    d.transport = Box::new(NoteThrottles {
        inner: http_transport(&url),
        asked: asked.clone(),
    });
    let r = d.sync();
    let asked = asked.lock().unwrap().clone();
    assert!(!asked.is_empty(), "the registry never throttled: {r:?}");
    assert!(r.complete, "{r:?}");
    assert!(reg.heads().contains_key(&id));
    // Each wait lasted at least what the registry asked for.
    let asked_ms: u64 = asked.iter().map(|s| s * 1000).sum();
    assert!(
        r.throttled_ms >= asked_ms,
        "{} < {asked_ms}",
        r.throttled_ms
    );
}

/// A compressed automerge change chunk (type 2) whose body inflates to `mib` MiB of zeros: one
/// compressed MiB, byte-aligned by a sync flush, repeated, then an empty final block.
fn compressed_change_bomb(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut c = Compress::new(Compression::best(), false);
    let mut segment = Vec::with_capacity(1 << 16);
    c.compress_vec(&vec![0u8; 1 << 20], &mut segment, FlushCompress::Sync)
        .unwrap();
    let mut deflated = segment.repeat(mib);
    deflated.extend_from_slice(&[0x03, 0x00]);
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
    let mut n = deflated.len();
    while n >= 0x80 {
        chunk.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    chunk.push(n as u8);
    chunk.extend_from_slice(&deflated);
    chunk
}

/// Passes calls through, adding a household made of `bomb` to every pull page.
struct SlipIntoPulls {
    inner: Box<dyn Transport>,
    id: Uuid,
    bomb: Vec<u8>,
}

impl Transport for SlipIntoPulls {
    fn call(
        &mut self,
        endpoint: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, TransportError> {
        let out = self.inner.call(endpoint, token, body)?;
        if endpoint != Endpoint::Pull {
            return Ok(out);
        }
        let mut page = PullResponse::decode(&out).expect("a pull page");
        page.docs.push(DocChanges {
            id: self.id,
            changes: self.bomb.clone(),
            heads: vec![[7; 32]],
            signatures: Vec::new(),
        });
        Ok(page.encode())
    }
}

#[test]
fn a_device_refuses_a_bomb_from_the_registry_before_loading_it() {
    let reg = TestRegistry::sqlite();
    let mut a = reg.device(&[AREA]);
    let honest = a.add(1, AREA);
    a.sync();
    let mut b = reg.device(&[AREA]);
    let bomb = Uuid::new_v4();
    let inner = std::mem::replace(&mut b.transport, reg.transport());
    b.transport = Box::new(SlipIntoPulls {
        inner,
        id: bomb,
        bomb: compressed_change_bomb(256),
    });
    let r = b.sync();
    assert!(
        r.refused
            .iter()
            .any(|x| x.id == bomb && x.code == "too_large"),
        "{r:?}"
    );
    let held = b.heads();
    assert!(
        held.contains_key(&honest),
        "the honest household still arrives"
    );
    assert!(!held.contains_key(&bomb));
}

#[test]
fn one_address_flooding_enrollments_gets_429() {
    // Guessing enrollment codes needs no token: the per-address limit is what stops it.
    let mut reg = TestRegistry::sqlite_with(Config {
        rate: RateLimits {
            per_address_per_minute: 1,
            address_burst: 2,
            ..RateLimits::default()
        },
        ..Config::default()
    });
    let url = reg.serve_http();
    let mut http = http_transport(&url);
    let guess = |n: u32| {
        EnrollRequest {
            code: format!("GUESS-{n:04}"),
            label: "tablet".into(),
            short_id: "K7QD2".into(),
            bundle_key: false,
        }
        .encode()
    };
    for n in 0..2 {
        match http.call(Endpoint::Enroll, None, guess(n)) {
            Err(TransportError::Rejected { status: 403, .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    match http.call(Endpoint::Enroll, None, guess(2)) {
        Err(TransportError::Throttled { code, .. }) => assert_eq!(code, "rate_limited"),
        other => panic!("expected 429, got {other:?}"),
    }
}
