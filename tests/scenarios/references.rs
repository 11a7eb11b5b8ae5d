//! Reference numbers are unique by construction: the registry grants each device its own short id and
//! refuses a household that introduces a reference outside the pusher's range or already in use.

use shumari_registry::Storage;
use shumari_scenarios::{other_area, TestDevice, TestRegistry, AREA};

fn reference(d: &TestDevice, id: uuid::Uuid) -> String {
    d.store
        .get(&id.to_string())
        .expect("household")
        .household
        .reference
}

pub fn references_are_unique_by_device<S: Storage>(reg: &TestRegistry<S>) {
    let elsewhere = other_area();
    let mut a = reg.device(&[&elsewhere]);
    let a_short = a.store.device().short_id.clone();
    let x = a.add(71, &elsewhere);
    let x_ref = reference(&a, x);
    assert!(a.sync().refused.is_empty());

    // B's new store happened to pick A's short id and made a household before enrolling: enrollment
    // grants B another id and renumbers that household, which then syncs.
    let mut b = TestDevice::new(reg.transport());
    b.store
        .adopt_short_id(&a_short)
        .expect("same short id as A");
    let early = b.add(72, AREA);
    assert!(reference(&b, early).contains(&format!("-{a_short}-")));
    let user = reg.user("surveyor", &[AREA]);
    b.enroll(&reg.code(&user)).expect("enroll");
    let b_short = b.store.device().short_id.clone();
    assert_ne!(
        b_short, a_short,
        "the registry granted B a short id of its own"
    );
    let early_ref = reference(&b, early);
    assert!(early_ref.contains(&format!("-{b_short}-")), "{early_ref}");
    assert!(b.sync().refused.is_empty());
    assert_eq!(reg.show(early)["ref"], early_ref.as_str());

    // A device that numbers a new household in A's range is refused...
    let foreign = b.add(73, AREA);
    b.store
        .edit_household(&foreign.to_string(), "forge", |e| {
            e.set_reference(&format!("{AREA}-{a_short}-99"))
        })
        .expect("local edit");
    // ...and so is one that copies A's household's reference.
    let copy = b.add(74, AREA);
    b.store
        .edit_household(&copy.to_string(), "copy", |e| e.set_reference(&x_ref))
        .expect("local edit");
    let honest = b.add(75, AREA);
    let r = b.sync();
    let mut refused: Vec<(uuid::Uuid, String)> = r
        .refused
        .iter()
        .map(|f| (f.id, f.code.as_str().to_string()))
        .collect();
    refused.sort();
    let mut expected = vec![
        (foreign, "foreign_reference".to_string()),
        (copy, "duplicate_reference".to_string()),
    ];
    expected.sort();
    assert_eq!(refused, expected, "{r:?}");
    let held = reg.heads();
    assert!(!held.contains_key(&foreign) && !held.contains_key(&copy));
    assert!(held.contains_key(&honest));
    assert_eq!(reg.show(x)["ref"], x_ref.as_str());
}
