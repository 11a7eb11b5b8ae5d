//! `shumari registry backup` and `restore` end to end on real files, with the registry serving:
//! the backup is written while it runs and restores to a registry that lists the same households'
//! users; a damaged backup, an existing database without `--force` and a PostgreSQL `--db` are refused
//! with exit status 2 and a plain message. Off a terminal the long commands (backup, restore, file
//! import) print their usual lines only: no progress bar, no control sequences.

mod common;
use assert_cmd::Command;
use common::{sqlite_url, PIN};
use serde_json::Value;
use std::path::Path;

fn shumari() -> Command {
    let mut c = Command::cargo_bin("shumari").unwrap();
    c.env_remove("SHUMARI_DB_KEY")
        .env_remove("SHUMARI_DB_KEY_FILE")
        .env_remove("SHUMARI_DB")
        .env_remove("SHUMARI_CONFIG");
    c
}

/// Output of a successful command, checked to carry no terminal control sequence or carriage return.
fn plain(c: &mut Command) -> String {
    let out = c.output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains('\x1b') && !text.contains('\r'), "{text:?}");
    }
    assert_eq!(stderr, "", "nothing on stderr off a terminal");
    stdout
}

fn users(db: &str) -> Vec<Value> {
    let out = shumari()
        .args(["registry", "device", "list", "--db", db, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn add_user(db: &str, name: &str) -> String {
    let out = shumari()
        .args(["registry", "user", "add", "--db", db, "--name", name])
        .args(["--role", "surveyor", "--area", "PK101"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn code(db: &str, user: &str) -> String {
    let out = shumari()
        .args(["registry", "enroll-code", "--db", db, "--user", user])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn a_serving_registry_is_backed_up_and_restored_and_damage_is_refused() {
    let reg = common::TempRegistry::start();
    // A device enrolled: its row is what the restored registry must list again.
    let user = add_user(&reg.db, "Backup Surveyor");
    let device = tempfile::tempdir().unwrap();
    let dev = |args: &[&str]| {
        let mut c = shumari();
        c.env("SHUMARI_DATA_DIR", device.path())
            .env("SHUMARI_PIN", PIN)
            .args(args);
        c
    };
    plain(&mut dev(&["init"]));
    plain(&mut dev(&[
        "enroll",
        "--registry",
        &reg.url,
        "--code",
        &code(&reg.db, &user),
    ]));
    let before = users(&reg.db);
    assert_eq!(before.len(), 1);

    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("registry.shumari-backup");
    let printed = plain(
        shumari()
            .args(["registry", "backup", "--db", &reg.db, "--to"])
            .arg(&file),
    );
    assert!(printed.starts_with("wrote "), "{printed}");
    assert!(printed.contains("sha256 "), "{printed}");

    let restored = out.path().join("restored").join("registry.db");
    let target = sqlite_url(&restored);
    let printed = plain(
        shumari()
            .args(["registry", "restore", "--from"])
            .arg(&file)
            .args(["--db", &target, "--json"]),
    );
    let summary: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(summary["encrypted"], false);
    assert_eq!(users(&target), before);

    // Again, onto the database now there: refused without --force, nothing changed.
    let again = shumari()
        .args(["registry", "restore", "--from"])
        .arg(&file)
        .args(["--db", &target])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&again.get_output().stderr).to_string();
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    plain(
        shumari()
            .args(["registry", "restore", "--force", "--from"])
            .arg(&file)
            .args(["--db", &target]),
    );

    // A truncated copy is refused and writes nothing.
    let bytes = std::fs::read(&file).unwrap();
    let cut = out.path().join("cut.shumari-backup");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    let fresh = out.path().join("fresh");
    let refused = shumari()
        .args(["registry", "restore", "--from"])
        .arg(&cut)
        .args(["--db", &sqlite_url(&fresh.join("registry.db"))])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(
        err.contains("truncated") || err.contains("corrupt"),
        "{err}"
    );
    assert!(empty_or_missing(&fresh), "something was written");
}

fn empty_or_missing(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
}

#[test]
fn a_postgres_registry_is_sent_to_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["registry", "backup", "--to", "x.bak"],
        vec!["registry", "restore", "--from", "x.bak"],
    ] {
        let a = shumari()
            .current_dir(dir.path())
            .args(&args)
            .args(["--db", "postgres://shumari:secret@localhost/registry"])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(err.contains("pg_dump") && !err.contains("secret"), "{err}");
    }
}

#[test]
fn a_file_import_off_a_terminal_prints_its_summary_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = |args: &[&str]| {
        let mut c = shumari();
        c.env("SHUMARI_DATA_DIR", dir.path().join("store"))
            .env("SHUMARI_PIN", PIN)
            .args(args);
        c
    };
    plain(&mut store(&["init"]));
    let lines: Vec<String> = (0..3)
        .map(|i| {
            serde_json::json!({
                "area": "PK10101",
                "answers": {"rooms": 2},
                "members": [{"name": format!("Head {i}"), "relation": "head", "sex": "male", "age": 40,
                    "id_number": format!("35202{i:07}1")}]
            })
            .to_string()
        })
        .collect();
    let file = dir.path().join("households.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let printed = plain(&mut store(&[
        "household",
        "import",
        "-f",
        file.to_str().unwrap(),
    ]));
    assert_eq!(printed, "imported 3, rejected 0\n");
}
