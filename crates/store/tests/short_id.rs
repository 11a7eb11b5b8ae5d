//! Taking the short id the registry grants: households the registry never saw are renumbered, the
//! others keep the reference that may already be printed on a family's slip.

mod common;
use common::{household, FORM, PIN};
use shumari_store::Store;

#[test]
fn a_granted_short_id_renumbers_only_households_the_registry_never_saw() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(dir.path(), PIN).unwrap();
    let old = store.device().short_id.clone();
    let new = if old == "K7QD2" { "K7QD3" } else { "K7QD2" };
    let synced = store
        .add_household(&household(1), None, FORM.0, FORM.1)
        .unwrap();
    let unsynced = store
        .add_household(&household(2), None, FORM.0, FORM.1)
        .unwrap();
    let heads: Vec<_> = store
        .all_heads()
        .unwrap()
        .into_iter()
        .filter(|(id, _)| *id == synced.id)
        .collect();
    store.mark_acked(&heads).unwrap();

    assert_eq!(store.adopt_short_id(new).unwrap(), 1);
    let reference = |s: &Store, id: uuid::Uuid| s.get(&id.to_string()).unwrap().household.reference;
    assert_eq!(reference(&store, synced.id), synced.reference);
    let renumbered = reference(&store, unsynced.id);
    assert_eq!(renumbered, unsynced.reference.replace(&old, new));
    // The projection follows the document: the household is found by its new reference only.
    assert!(store.get(&renumbered).is_ok());
    assert!(store.get(&unsynced.reference).is_err());
    // New households carry the granted id, and so does the store after a restart.
    let later = store
        .add_household(&household(3), None, FORM.0, FORM.1)
        .unwrap();
    assert!(
        later.reference.contains(&format!("-{new}-")),
        "{}",
        later.reference
    );
    drop(store);
    let store = Store::open(dir.path(), PIN).unwrap();
    assert_eq!(store.device().short_id, new);
}

#[test]
fn a_short_id_that_is_not_one_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(dir.path(), PIN).unwrap();
    let old = store.device().short_id.clone();
    assert!(store.adopt_short_id("K7Q").is_err());
    assert!(store.adopt_short_id("k7qd2").is_err());
    assert_eq!(store.device().short_id, old);
}
