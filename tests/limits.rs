//! Bounded untrusted input, end to end through the registry's service: a household over a
//! per-household cap is refused on its own, never stored and never forwarded to another device, while
//! the rest of the push goes through.

use serde_json::json;
use shumari_domain::HouseholdInput;
use shumari_proto::limits::{MAX_KEYS, MAX_MEMBERS};
use shumari_scenarios::{TestRegistry, AREA};

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
