//! A registry restored from a backup taken in the middle of an ingest repairs itself from the
//! devices: the backup holds the registry as it was when the copy began (the pushes still arriving
//! are not in it), and after the restore the devices' next syncs find the difference through the
//! consistency check and send what is missing, so nothing a device held is lost.

use serde_json::json;
use shumari_registry::storage::backup::{self, Progress, Summary};
use shumari_registry::{Config, DbUrl, SqliteStorage};
use shumari_scenarios::{runtime, TestRegistry, AREA};
use shumari_sync::{Endpoint, Transport, TransportError};
use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

/// Passes calls through, and on the `at`-th push starts a backup of the registry's database on
/// another thread, waits until its snapshot is taken, and lets the pushes go on while it copies.
struct BackupDuringPush {
    inner: Box<dyn Transport>,
    at: usize,
    db: PathBuf,
    to: PathBuf,
    seen: Arc<Mutex<Seen>>,
}

/// What the wrapper saw: pushes so far, and the backup it started.
#[derive(Default)]
struct Seen {
    pushes: usize,
    backup: Option<JoinHandle<Summary>>,
}

impl Transport for BackupDuringPush {
    fn call(
        &mut self,
        endpoint: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, TransportError> {
        if endpoint == Endpoint::Push {
            let mut seen = self.seen.lock().unwrap();
            seen.pushes += 1;
            if seen.pushes == self.at {
                let (started_tx, started_rx) = mpsc::channel::<()>();
                let (db, to) = (DbUrl::Sqlite(self.db.clone()), self.to.clone());
                seen.backup = Some(std::thread::spawn(move || {
                    let mut first = Some(started_tx);
                    let mut progress = |_: Progress| {
                        if let Some(tx) = first.take() {
                            let _ = tx.send(());
                        }
                    };
                    backup::backup(&db, None, &to, &mut progress).expect("backup")
                }));
                started_rx.recv().expect("the backup started");
            }
        }
        self.inner.call(endpoint, token, body)
    }
}

#[test]
fn a_registry_restored_from_a_backup_taken_mid_ingest_is_repaired_by_the_devices() {
    let reg = TestRegistry::sqlite();
    let db = reg.dir.path().join("registry.db");
    let to = reg.dir.path().join("registry.shumari-backup");
    let mut a = reg.device(&[AREA]);
    let mut b = reg.device(&[AREA]);
    b.add_many(1000, 20, AREA);
    b.sync();

    // A pushes 60 households in many small requests; the backup starts at the third.
    let ids = a.add_many(0, 60, AREA);
    a.options.chunk_bytes = 8 * 1024;
    let seen = Arc::new(Mutex::new(Seen::default()));
    a.transport = Box::new(BackupDuringPush {
        inner: reg.transport(),
        at: 3,
        db: db.clone(),
        to: to.clone(),
        seen: seen.clone(),
    });
    let r = a.sync();
    assert!(r.complete, "{r:?}");
    a.transport = reg.transport();
    let (pushes, handle) = {
        let mut seen = seen.lock().unwrap();
        (
            seen.pushes,
            seen.backup.take().expect("a backup was started"),
        )
    };
    assert!(
        pushes > 3,
        "the pushes went on after the backup began ({pushes})"
    );
    let summary = handle.join().unwrap();

    // After the backup: an edit and a new household that the backup cannot hold.
    a.set(ids[0], "answers.q01", json!("edited after the backup"));
    let late = a.add(5000, AREA);
    a.sync();
    b.sync();
    let everything = reg.heads();
    assert_eq!(everything.len(), 81);
    assert_eq!(a.heads(), everything);
    assert_eq!(b.heads(), everything);

    // The registry's machine is lost; the backup is restored elsewhere and served again.
    let restored = tempfile::tempdir().unwrap();
    let restored_db = restored.path().join("registry.db");
    let r = backup::restore(
        &to,
        &DbUrl::Sqlite(restored_db.clone()),
        None,
        false,
        &mut |_| {},
    )
    .expect("restore");
    assert_eq!(r.sha256, summary.sha256);
    let reg2 = TestRegistry::with_storage(
        SqliteStorage::open(&restored_db).expect("open the restored registry"),
        runtime(),
        Config::default(),
    );
    let held = reg2.heads();
    // Mid-ingest: B's households and A's first requests are in it, A's later ones are not.
    assert!(held.len() > 20 && held.len() < 80, "{}", held.len());
    assert!(!held.contains_key(&late));
    drop(reg);

    // The devices sync with the restored registry (their tokens are in the backup): the check finds
    // what the registry lacks and they send it whole.
    a.transport = reg2.transport();
    b.transport = reg2.transport();
    let ra = a.sync();
    assert!(ra.complete, "{ra:?}");
    assert!(ra.pushed as usize >= 81 - held.len(), "{ra:?}");
    let rb = b.sync();
    assert!(rb.complete, "{rb:?}");
    assert_eq!(
        reg2.heads(),
        everything,
        "the registry holds all that the devices held"
    );
    assert_eq!(a.heads(), everything);
    assert_eq!(b.heads(), everything);
    assert_eq!(
        reg2.show(ids[0])["answers"]["q01"],
        json!("edited after the backup")
    );
}
