//! The lock screen against someone guessing: the app shows failed unlocks and the wait before it is
//! unlocked, refuses during the wait with `too_many_attempts`, and opens with the right PIN after it.
//! The clock is the test's.

use shumari_app::{App, Clock};
use shumari_store::key::{set_cost_for_tests, KdfCost};
use shumari_store::Store;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

const PIN: &str = "246813";

#[test]
fn wrong_pins_are_counted_before_unlock_and_past_five_the_app_counts_down() {
    set_cost_for_tests(Some(KdfCost::FOR_TESTS));
    let dir = tempfile::tempdir().unwrap();
    drop(Store::create(dir.path(), PIN).unwrap());
    let secs = Arc::new(AtomicU64::new(1_800_000_000));
    let clock = {
        let secs = secs.clone();
        Clock::from_fn(move || UNIX_EPOCH + Duration::from_secs(secs.load(Ordering::SeqCst)))
    };
    let app = App::with_clock(dir.path().to_path_buf(), clock.clone());

    for _ in 0..6 {
        assert_eq!(
            app.unlock_foreground("111111").unwrap_err().code(),
            "wrong_pin"
        );
    }
    // A restarted app (a new App over the same directory) knows before anyone types a PIN.
    let app = App::with_clock(dir.path().to_path_buf(), clock);
    let status = app.session_status();
    assert!(!status.unlocked);
    assert_eq!((status.failed_unlocks, status.unlock_wait_secs), (6, 30));

    secs.fetch_add(10, Ordering::SeqCst);
    let err = app.unlock_foreground(PIN).unwrap_err();
    assert_eq!(err.code(), "too_many_attempts");
    assert!(err.to_string().contains("20 seconds"), "{err}");
    assert_eq!(app.session_status().unlock_wait_secs, 20);

    secs.fetch_add(20, Ordering::SeqCst);
    assert!(app.unlock_foreground(PIN).unwrap().unlocked);
    let status = app.session_status();
    assert_eq!((status.failed_unlocks, status.unlock_wait_secs), (0, 0));
}
