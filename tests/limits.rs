//! Bounded untrusted input, end to end through the registry's service: a household over a
//! per-household cap is refused on its own, never stored and never forwarded to another device, while
//! the rest of the push goes through; a request over a per-request bound is refused whole with
//! HTTP 413 and the code `too_large`.

use serde_json::json;
use shumari_domain::HouseholdInput;
use shumari_proto::limits::{
    MAX_ENROLL_BODY, MAX_KEYS, MAX_MEMBERS, MAX_PUSH_DOCS, MAX_REGISTER_ACTORS,
};
use shumari_scenarios::{http_transport, TestRegistry, AREA};
use shumari_sync::engine::KEY_TOKEN;
use shumari_sync::proto::{ActorsRequest, EnrollRequest, Message, PushDoc, PushRequest};
use shumari_sync::{Endpoint, TransportError};
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
    }
    .encode();
    assert!(big.len() > MAX_ENROLL_BODY, "{}", big.len());
    too_large(http.call(Endpoint::Enroll, None, big));
    // An ordinary one is read (and refused for its unknown code, not its size).
    let small = EnrollRequest {
        code: "ABCD-EFGH".into(),
        label: "tablet 7".into(),
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
