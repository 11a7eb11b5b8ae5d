//! A backup of the store is a whole, encrypted copy: it opens with the same PIN and holds the same
//! households, shows no personal data on disk, and a backup folder that exists is never overwritten.

mod common;
use common::{household, FORM, PIN};
use shumari_store::key::{set_cost_for_tests, KdfCost};
use shumari_store::{ListFilter, Store, DB_FILE};

#[test]
fn a_backup_opens_with_the_same_pin_and_holds_the_same_households_encrypted() {
    set_cost_for_tests(Some(KdfCost::FOR_TESTS));
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(&dir.path().join("store"), PIN).unwrap();
    for n in 0..12 {
        store
            .add_household(&household(n), None, FORM.0, FORM.1)
            .unwrap();
    }
    let size = store.size_on_disk();
    assert!(size > 0);

    let dest = dir.path().join("backups").join("store-1");
    let bytes = store.backup_to(&dest).unwrap();
    assert_eq!(bytes, std::fs::metadata(dest.join(DB_FILE)).unwrap().len());
    let raw = std::fs::read(dest.join(DB_FILE)).unwrap();
    assert!(
        !raw.starts_with(b"SQLite format 3"),
        "the copy is not encrypted"
    );
    let first = &store.list(&ListFilter::default()).unwrap();
    let name = first[0].head_name.clone().expect("a head's name");
    assert!(!raw.windows(name.len()).any(|w| w == name.as_bytes()));

    // Edits after the backup are not in it.
    store
        .add_household(&household(99), None, FORM.0, FORM.1)
        .unwrap();
    let copy = Store::open(&dest, PIN).unwrap();
    let restored = copy.list(&ListFilter::default()).unwrap();
    assert_eq!(restored.len(), 12);
    assert_eq!(&restored, first);
    assert!(copy.integrity_check().unwrap().iter().all(|l| l == "ok"));
    assert!(matches!(
        Store::open(&dest, "999999"),
        Err(shumari_store::StoreError::WrongPin)
    ));

    assert!(
        store.backup_to(&dest).is_err(),
        "an existing backup was overwritten"
    );
}
