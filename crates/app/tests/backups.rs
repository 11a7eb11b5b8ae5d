//! "Back up now": each backup is a folder named by its time in the data directory's `backups`
//! folder that opens as the store with the same PIN; the last five are kept, and the Settings
//! screen's store information shows the store's size and the last backup.

use shumari_app::backups::{BACKUP_DIR, KEEP};
use shumari_app::{App, Clock};
use shumari_store::key::{set_cost_for_tests, KdfCost};
use shumari_store::Store;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

const PIN: &str = "246813";

#[test]
fn back_up_now_writes_a_store_that_opens_keeps_the_last_five_and_is_shown() {
    set_cost_for_tests(Some(KdfCost::FOR_TESTS));
    let dir = tempfile::tempdir().unwrap();
    drop(Store::create(dir.path(), PIN).unwrap());
    // 2026-11-30 10:15:00 UTC, a minute later at each backup.
    let secs = Arc::new(AtomicU64::new(1_796_033_700));
    let clock = {
        let secs = secs.clone();
        Clock::from_fn(move || UNIX_EPOCH + Duration::from_secs(secs.load(Ordering::SeqCst)))
    };
    let app = App::with_clock(dir.path().to_path_buf(), clock);
    assert_eq!(app.store_info().unwrap_err().code(), "locked");
    app.unlock_foreground(PIN).unwrap();
    let info = app.store_info().unwrap();
    assert!(info.size_bytes > 0);
    assert_eq!(info.last_backup, None);

    let mut written = Vec::new();
    for _ in 0..7 {
        written.push(app.back_up_now().unwrap());
        secs.fetch_add(60, Ordering::SeqCst);
    }
    let last = written.last().unwrap();
    assert_eq!(written[0].at, "2026-11-30T10:15:00Z");
    assert!(
        written[0].path.ends_with("store-20261130T101500Z"),
        "{}",
        written[0].path
    );
    assert!(last.bytes > 0);
    assert_eq!(app.store_info().unwrap().last_backup.as_ref(), Some(last));

    let mut kept: Vec<String> = std::fs::read_dir(dir.path().join(BACKUP_DIR))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    kept.sort();
    let newest: Vec<String> = written[written.len() - KEEP..]
        .iter()
        .map(|b| b.path.clone())
        .collect();
    assert_eq!(kept, newest);

    // The newest backup is a store the PIN opens.
    app.lock();
    let copy = Store::open(std::path::Path::new(&last.path), PIN).unwrap();
    assert!(copy.integrity_check().unwrap().iter().all(|l| l == "ok"));
}
