//! The scale loader fills a registry through the real ingest path, and a first sync of a device
//! scoped to one district gives it exactly that district's households: every one of them, and none
//! of another district's.

use shumari_registry::Role;
use shumari_scenarios::loader::{self, device, sync_once};
use shumari_scenarios::TestRegistry;
use std::collections::BTreeSet;
use uuid::Uuid;

#[test]
fn each_district_device_receives_exactly_its_districts_households() {
    let reg = TestRegistry::sqlite();
    let loaded = loader::load(&reg.reg, reg.rt.handle(), 300, 12);
    assert_eq!(loaded.households, 300);
    assert_eq!(loaded.devices, loaded.by_district.len());
    assert!(
        loaded.by_district.len() > 50,
        "{}",
        loaded.by_district.len()
    );
    let everything: BTreeSet<Uuid> = loaded.by_district.values().flatten().copied().collect();
    assert_eq!(everything.len(), 300);
    assert_eq!(
        reg.heads().keys().copied().collect::<BTreeSet<_>>(),
        everything
    );

    for (district, ids) in &loaded.by_district {
        let (_dir, mut store, mut t) = device(
            &reg.reg,
            reg.rt.handle(),
            Role::Surveyor,
            std::slice::from_ref(district),
            None,
        );
        let report = sync_once(&mut store, &mut t);
        let held: BTreeSet<Uuid> = store
            .all_heads()
            .expect("heads")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let expected: BTreeSet<Uuid> = ids.iter().copied().collect();
        assert_eq!(held, expected, "district {district}");
        assert_eq!(report.pulled, ids.len() as u64, "district {district}");
    }

    // A district the load left empty (the 300 households reach only the first 300 tehsils).
    let loaded_districts: BTreeSet<String> = loaded.by_district.keys().cloned().collect();
    let empty = shumari_scenarios::nser_gen::tehsils()
        .iter()
        .map(|t| shumari_scenarios::nser_gen::district_of(t))
        .find(|d| !loaded_districts.contains(d))
        .expect("a district without households");
    let (_dir, mut store, mut t) =
        device(&reg.reg, reg.rt.handle(), Role::Surveyor, &[empty], None);
    let report = sync_once(&mut store, &mut t);
    assert_eq!(report.pulled, 0);
    assert!(store.all_heads().expect("heads").is_empty());
}
