//! A thief at the lock screen: five wrong PINs are free, then each doubles a wait during which even the
//! right PIN is refused untried; the count lives in a file read before unlocking, so it survives
//! restarts; the right PIN after the wait opens everything and clears the count. Time is passed in.

mod common;

use common::{household, FORM, PIN};
use shumari_store::attempts::{AttemptCounter, ATTEMPTS_FILE};
use shumari_store::key::{set_cost_for_tests, KdfCost};
use shumari_store::{Store, StoreError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const WRONG: &str = "000000";

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
}

fn waits(r: Result<Store, StoreError>) -> u64 {
    match r {
        Err(StoreError::TooManyAttempts { retry_after_secs }) => retry_after_secs,
        other => panic!("expected a wait, got {:?}", other.map(|_| "a store")),
    }
}

#[test]
fn wrong_pins_past_five_double_a_wait_and_nothing_is_erased() {
    set_cost_for_tests(Some(KdfCost::FOR_TESTS));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut store = Store::create(d, PIN).unwrap();
    let id = store
        .add_household(&household(3), None, FORM.0, FORM.1)
        .unwrap()
        .id
        .to_string();
    drop(store);

    for i in 0..6 {
        assert!(
            matches!(Store::open_at(d, WRONG, at(i)), Err(StoreError::WrongPin)),
            "attempt {i}"
        );
    }
    // Read before unlocking, by a fresh counter (a restarted app has nothing else).
    let counted = AttemptCounter::new(d).read().unwrap();
    assert_eq!(counted.failures, 6);
    assert_eq!(counted.remaining(at(5)), Duration::from_secs(30));

    // During the wait every attempt is refused untried, the right PIN too, and none is counted.
    assert_eq!(waits(Store::open_at(d, WRONG, at(15))), 20);
    assert_eq!(waits(Store::open_at(d, PIN, at(34))), 1);
    assert_eq!(AttemptCounter::new(d).read().unwrap().failures, 6);

    // After it, a seventh failure doubles the wait.
    assert!(matches!(
        Store::open_at(d, WRONG, at(35)),
        Err(StoreError::WrongPin)
    ));
    assert_eq!(waits(Store::open_at(d, PIN, at(36))), 59);

    // The right PIN after the wait opens every household, and the count is gone.
    let store = Store::open_at(d, PIN, at(95)).unwrap();
    assert_eq!(store.get(&id).unwrap().household.id.to_string(), id);
    drop(store);
    assert_eq!(AttemptCounter::new(d).read().unwrap().failures, 0);
    assert!(!d.join(ATTEMPTS_FILE).exists());
    assert!(matches!(
        Store::open_at(d, WRONG, at(96)),
        Err(StoreError::WrongPin)
    ));
    assert!(
        Store::open_at(d, PIN, at(97)).is_ok(),
        "one failure is free again"
    );
}

#[test]
fn a_damaged_counter_buys_no_free_guesses() {
    set_cost_for_tests(Some(KdfCost::FOR_TESTS));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    drop(Store::create(d, PIN).unwrap());
    std::fs::write(d.join(ATTEMPTS_FILE), b"{not json").unwrap();
    assert!(matches!(
        Store::open_at(d, WRONG, at(0)),
        Err(StoreError::WrongPin)
    ));
    // Damaged counted as six failures, plus this one: the wait is already a minute.
    assert_eq!(waits(Store::open_at(d, PIN, at(1))), 59);
}
