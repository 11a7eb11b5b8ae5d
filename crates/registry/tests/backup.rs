//! Backups of an SQLite registry on real files: a backup taken while another connection keeps
//! writing is one consistent snapshot, restores to a database that opens with the same rows, keeps an
//! encrypted registry encrypted, and a damaged, truncated or foreign backup is refused with nothing
//! written.

use shumari_registry::storage::backup::{self, BackupError, Progress, Stage};
use shumari_registry::storage::{Storage, User};
use shumari_registry::{DbUrl, Role, SqliteStorage};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

fn user(i: usize) -> User {
    User {
        id: format!("u-{i:05}"),
        // Long names make the database several hundred pages, so the copy takes many steps.
        name: format!("Surveyor {i} {}", "x".repeat(2000)),
        role: Role::Surveyor,
        areas: vec!["PK101".into()],
    }
}

fn sqlite(path: &Path) -> DbUrl {
    DbUrl::Sqlite(path.to_path_buf())
}

fn user_ids(path: &Path, key: Option<&str>) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    if let Some(k) = key {
        conn.pragma_update(None, "key", k).unwrap();
    }
    let mut stmt = conn.prepare("SELECT id FROM users ORDER BY id").unwrap();
    let ids = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    ids
}

fn quiet() -> impl FnMut(Progress) {
    |_| {}
}

/// Files in `dir` other than those named (no temporary file is left behind).
fn others(dir: &Path, known: &[&Path]) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !known.iter().any(|k| k == p))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_taken_while_writing_is_one_snapshot_and_restores_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let storage = SqliteStorage::open(&db).unwrap();
    for i in 0..600 {
        storage.add_user(&user(i), 1).await.unwrap();
    }
    let before = user_ids(&db, None);

    // A second connection (as `registry serve` would hold) writes while the copy runs: on the first
    // progress report it commits 50 more users, and the copy goes on.
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let writer_db = db.clone();
    let writer = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let s = SqliteStorage::open(&writer_db).unwrap();
        go_rx.recv().unwrap();
        for i in 600..650 {
            rt.block_on(s.add_user(&user(i), 2)).unwrap();
        }
        done_tx.send(()).unwrap();
    });
    let to = dir.path().join("registry.shumari-backup");
    let db_url = sqlite(&db);
    let to_file = to.clone();
    let (summary, copy_reports) = tokio::task::spawn_blocking(move || {
        let mut copy_reports = 0;
        let mut progress = |p: Progress| {
            if p.stage == Stage::Copy {
                copy_reports += 1;
                if copy_reports == 1 {
                    go_tx.send(()).unwrap();
                    done_rx.recv().unwrap();
                }
            }
        };
        let s = backup::backup(&db_url, None, &to_file, &mut progress).unwrap();
        (s, copy_reports)
    })
    .await
    .unwrap();
    writer.join().unwrap();
    assert!(
        copy_reports > 1,
        "the copy took one step: the test proves nothing"
    );
    assert_eq!(user_ids(&db, None).len(), 650, "the writes went through");
    assert!(summary.backup_bytes < summary.database_bytes, "{summary:?}");
    assert!(!summary.encrypted);

    let restored = dir.path().join("restored").join("registry.db");
    let r = backup::restore(&to, &sqlite(&restored), None, false, &mut quiet()).unwrap();
    assert_eq!(r.sha256, summary.sha256);
    // The snapshot is the registry as it was when the copy began: none of the later writes, all of
    // the earlier ones, with their content.
    assert_eq!(user_ids(&restored, None), before);
    let reopened = SqliteStorage::open(&restored).unwrap();
    assert_eq!(reopened.user("u-00007").await.unwrap(), Some(user(7)));
}

async fn small_backup(dir: &Path) -> (PathBuf, PathBuf) {
    let db = dir.join("registry.db");
    let storage = SqliteStorage::open(&db).unwrap();
    for i in 0..20 {
        storage.add_user(&user(i), 1).await.unwrap();
    }
    drop(storage);
    let to = dir.join("registry.shumari-backup");
    backup::backup(&sqlite(&db), None, &to, &mut quiet()).unwrap();
    (db, to)
}

/// What a refusal must be.
type Expect = fn(&BackupError) -> bool;

#[tokio::test]
async fn a_damaged_truncated_or_foreign_backup_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, good) = small_backup(dir.path()).await;
    let bytes = std::fs::read(&good).unwrap();

    let mut flipped = bytes.clone();
    let mid = 56 + (bytes.len() - 56) / 2;
    flipped[mid] ^= 0x55;
    let mut wrong_sum = bytes.clone();
    wrong_sum[30] ^= 1;
    let mut trailing = bytes.clone();
    trailing.extend_from_slice(b"more");
    let mut future = bytes.clone();
    future[8] = 99;
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("flipped", flipped, |e| {
            matches!(e, BackupError::Corrupt(..))
        }),
        ("checksum", wrong_sum, |e| {
            matches!(e, BackupError::Corrupt(..))
        }),
        ("trailing", trailing, |e| {
            matches!(e, BackupError::Corrupt(..))
        }),
        ("half", bytes[..bytes.len() / 2].to_vec(), |e| {
            matches!(e, BackupError::Truncated(_))
        }),
        ("header only", bytes[..40].to_vec(), |e| {
            matches!(e, BackupError::Truncated(_))
        }),
        ("foreign", b"SQLite format 3\0 not ours".to_vec(), |e| {
            matches!(e, BackupError::Foreign(_))
        }),
        ("empty", Vec::new(), |e| {
            matches!(e, BackupError::Foreign(_))
        }),
        ("future", future, |e| {
            matches!(e, BackupError::UnsupportedVersion { found: 99, .. })
        }),
    ];
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let target = out.join("registry.db");
    for (name, content, expected) in cases {
        let file = dir.path().join(format!("{name}.bak"));
        std::fs::write(&file, content).unwrap();
        let err = backup::restore(&file, &sqlite(&target), None, false, &mut quiet()).unwrap_err();
        assert!(expected(&err), "{name}: {err:?}");
        assert!(err.is_bad_input(), "{name}");
        assert!(
            err.to_string().contains(&file.display().to_string()),
            "{name}: {err}"
        );
        assert!(
            others(&out, &[]).is_empty(),
            "{name}: something was written: {:?}",
            others(&out, &[])
        );
    }
}

#[tokio::test]
async fn an_existing_database_is_replaced_only_with_force_and_its_old_wal_goes() {
    let dir = tempfile::tempdir().unwrap();
    let (db, good) = small_backup(dir.path()).await;
    let other = dir.path().join("other.db");
    let s = SqliteStorage::open(&other).unwrap();
    s.add_user(&user(999), 1).await.unwrap();
    drop(s);
    let before = std::fs::read(&other).unwrap();

    let err = backup::restore(&good, &sqlite(&other), None, false, &mut quiet()).unwrap_err();
    assert!(matches!(err, BackupError::Exists(_)), "{err:?}");
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(std::fs::read(&other).unwrap(), before);

    // A stale write-ahead log beside the target must not be replayed onto the restored file.
    std::fs::write(dir.path().join("other.db-wal"), b"stale").unwrap();
    backup::restore(&good, &sqlite(&other), None, true, &mut quiet()).unwrap();
    assert!(!dir.path().join("other.db-wal").exists());
    assert_eq!(user_ids(&other, None), user_ids(&db, None));
    SqliteStorage::open(&other).unwrap();
}

#[tokio::test]
async fn an_encrypted_registry_backs_up_encrypted_and_restores_only_with_its_key() {
    const KEY: &str = "district-office-key";
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let s = SqliteStorage::open_keyed(&db, Some(KEY)).unwrap();
    for i in 0..5 {
        s.add_user(&user(i), 1).await.unwrap();
    }
    let to = dir.path().join("registry.shumari-backup");
    let summary = backup::backup(&sqlite(&db), Some(KEY), &to, &mut quiet()).unwrap();
    assert!(summary.encrypted);

    let target = dir.path().join("restored.db");
    let err = backup::restore(&to, &sqlite(&target), None, false, &mut quiet()).unwrap_err();
    assert!(matches!(err, BackupError::KeyNeeded(_)), "{err:?}");
    let err =
        backup::restore(&to, &sqlite(&target), Some("wrong"), false, &mut quiet()).unwrap_err();
    assert!(matches!(err, BackupError::Unreadable(_)), "{err:?}");
    assert!(!target.exists());

    backup::restore(&to, &sqlite(&target), Some(KEY), false, &mut quiet()).unwrap();
    // The restored file is still encrypted: no name on disk, opens only with the key.
    let raw = std::fs::read(&target).unwrap();
    assert!(
        !raw.windows(9).any(|w| w == b"Surveyor "),
        "plaintext on disk"
    );
    assert!(SqliteStorage::open(&target).is_err());
    let reopened = SqliteStorage::open_keyed(&target, Some(KEY)).unwrap();
    assert_eq!(reopened.user("u-00003").await.unwrap(), Some(user(3)));
}

#[test]
fn a_postgres_registry_is_pointed_to_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let pg = DbUrl::parse("postgres://shumari:secret@localhost/registry");
    let err = backup::backup(&pg, None, &dir.path().join("x"), &mut quiet()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("pg_dump") && !msg.contains("secret"), "{msg}");
    let err = backup::restore(&dir.path().join("x"), &pg, None, false, &mut quiet()).unwrap_err();
    assert!(err.to_string().contains("pg_dump"), "{err}");
}
