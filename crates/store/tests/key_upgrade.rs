//! A store made with a cheaper Argon2id setting is moved to the current one on its next unlock, and a
//! kill at any step of that move loses nothing. This binary never lowers the cost for tests, so the
//! "current" cost here is the product's.

mod common;

use common::{household, FORM, PIN};
use shumari_store::key::{KdfCost, KeyFile};
use shumari_store::{Store, StoreError, UpgradeStop, KEY_FILE, KEY_FILE_NEXT};
use std::path::Path;

/// The cost stores had before it was raised (kept small so the test is quick).
const OLD: KdfCost = KdfCost {
    m_kib: 8 * 1024,
    t: 1,
    p: 1,
};

/// An old-cost store holding one household; returns its directory and the household's id.
fn old_store() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create_with_cost_for_tests(dir.path(), PIN, OLD).unwrap();
    let id = store
        .add_household(&household(7), None, FORM.0, FORM.1)
        .unwrap()
        .id
        .to_string();
    drop(store);
    assert_eq!(key_file(dir.path()).cost(), OLD);
    (dir, id)
}

fn key_file(dir: &Path) -> KeyFile {
    KeyFile::read(&dir.join(KEY_FILE)).unwrap()
}

/// The store opens with the PIN, holds the household, and its key file now has the product's cost.
fn assert_upgraded(dir: &Path, id: &str) {
    let store = Store::open(dir, PIN).unwrap();
    assert_eq!(store.get(id).unwrap().household.id.to_string(), id);
    drop(store);
    assert_eq!(key_file(dir).cost(), KdfCost::DEFAULT);
    assert!(
        key_file(dir).m_kib >= 64 * 1024,
        "the product cost is at least 64 MiB"
    );
    assert!(
        !dir.join(KEY_FILE_NEXT).exists(),
        "no pending key file left"
    );
    // Opening again finds nothing to do and still works.
    let store = Store::open(dir, PIN).unwrap();
    assert_eq!(store.get(id).unwrap().household.id.to_string(), id);
}

#[test]
fn an_old_store_opens_and_is_rekeyed_to_the_current_cost() {
    let (dir, id) = old_store();
    let old_key_file = std::fs::read(dir.path().join(KEY_FILE)).unwrap();
    assert_upgraded(dir.path(), &id);
    // The database really is under the new key: the old parameters no longer open it.
    std::fs::write(dir.path().join(KEY_FILE), old_key_file).unwrap();
    assert!(matches!(
        Store::open(dir.path(), PIN),
        Err(StoreError::WrongPin)
    ));
}

#[test]
fn a_wrong_pin_does_not_upgrade_or_change_anything() {
    let (dir, id) = old_store();
    let files = |d: &Path| {
        ["shumari.db", KEY_FILE]
            .map(|f| std::fs::read(d.join(f)).unwrap())
            .to_vec()
    };
    let before = files(dir.path());
    assert!(matches!(
        Store::open(dir.path(), "000000"),
        Err(StoreError::WrongPin)
    ));
    assert_eq!(files(dir.path()), before);
    assert_eq!(key_file(dir.path()).cost(), OLD);
    assert_upgraded(dir.path(), &id);
}

#[test]
fn a_kill_at_any_step_of_the_upgrade_loses_nothing() {
    for stop in [
        UpgradeStop::BeforeRekey,
        UpgradeStop::BeforeCheckpoint,
        UpgradeStop::BeforeRename,
    ] {
        let (dir, id) = old_store();
        Store::interrupt_key_upgrade_for_tests(dir.path(), PIN, stop).unwrap();
        assert!(dir.path().join(KEY_FILE_NEXT).exists(), "{stop:?}");
        // A wrong PIN after the kill still opens nothing and settles nothing.
        assert!(
            matches!(Store::open(dir.path(), "000000"), Err(StoreError::WrongPin)),
            "{stop:?}"
        );
        assert!(dir.path().join(KEY_FILE_NEXT).exists(), "{stop:?}");
        assert_upgraded(dir.path(), &id);
    }
}

#[test]
fn processes_unlocking_an_old_store_at_once_take_turns_and_lose_nothing() {
    let (dir, id) = old_store();
    let opened: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| s.spawn(|| Store::open(dir.path(), PIN).is_ok()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(opened, [true, true, true]);
    assert_upgraded(dir.path(), &id);
}
