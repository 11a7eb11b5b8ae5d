//! The device's key and change signatures in the store: a key is kept once, the device's own
//! changes are signed once (the same record every time they are sent), others' records are kept as
//! they arrived, and a household that leaves the device takes its records with it.

mod common;
use common::{household, FORM, PIN};
use shumari_store::{ChangeSignature, Store};
use std::cell::Cell;

#[test]
fn own_changes_are_signed_once_and_records_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(dir.path(), PIN).unwrap();
    assert!(store.device_key().unwrap().is_none());
    assert!(store.create_device_key(&[7; 32]).unwrap());
    // A key is never replaced.
    assert!(!store.create_device_key(&[8; 32]).unwrap());
    let key = store.device_key().unwrap().unwrap();
    assert_eq!(*key.secret, [7; 32]);
    assert!(!key.registered);
    store.mark_device_key_registered().unwrap();
    assert!(store.device_key().unwrap().unwrap().registered);

    let h = store
        .add_household(&household(1), None, FORM.0, FORM.1)
        .unwrap()
        .id;
    let calls = Cell::new(0);
    let sign = |hash: &[u8; 32]| {
        calls.set(calls.get() + 1);
        let mut s = [0u8; 64];
        s[..32].copy_from_slice(hash);
        s
    };
    // Without a signer nothing is signed.
    let o = store.outgoing_with(&[h], None).unwrap().pop().unwrap();
    assert!(o.signatures.is_empty());
    assert!(!o.relays);
    let first = store
        .outgoing_with(&[h], Some(&sign))
        .unwrap()
        .pop()
        .unwrap();
    let n = first.signatures.len();
    assert!(n >= 1);
    assert_eq!(calls.get(), n);
    // Sent again (a cut round, a repair): the kept records, no new signature.
    let again = store
        .outgoing_with(&[h], Some(&sign))
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(again.signatures, first.signatures);
    assert_eq!(calls.get(), n);
    // Plain `outgoing` carries them too, and so does a reopened store.
    drop(store);
    let mut store = Store::open(dir.path(), PIN).unwrap();
    let after = store.outgoing(&[h]).unwrap().pop().unwrap();
    assert_eq!(after.signatures, first.signatures);
    assert_eq!(store.signatures_of(&h).unwrap().len(), n);

    // Another device's record, received with its change, is kept; an unknown household's is not.
    let theirs = ChangeSignature {
        hash: [3; 32],
        signature: [4; 64],
    };
    store
        .keep_signatures(&[
            (h, vec![theirs.clone()]),
            (uuid::Uuid::nil(), vec![theirs.clone()]),
        ])
        .unwrap();
    assert!(store.signatures_of(&h).unwrap().contains(&theirs));

    // Once the registry holds the household and it leaves the device, its records go with it.
    let heads: Vec<_> = store.all_heads().unwrap();
    store.mark_acked(&heads).unwrap();
    assert_eq!(store.remove_local(&[h]).unwrap().removed, 1);
    assert!(store.signatures_of(&h).unwrap().is_empty());
}
