//! The registry at rest, from the command line: `registry serve` creates its SQLite files readable by
//! the owner only; admin commands, household reads and a request with an unknown token each leave a
//! row in the access audit trail; `registry audit verify` passes (exit 0) until a row is edited
//! directly in the database, then names that row (exit 1).

use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{registry_out, sqlite_url as db_arg, Server};

fn serve(db: &Path) -> Server {
    Server::loopback(&db_arg(db), &[])
}

fn registry(db: &Path, args: &[&str]) -> Output {
    registry_out(&db_arg(db), args)
}

const TOKEN: &str = "tok-NEVER-IN-THE-TRAIL-4821";

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// `GET /v1/households` with a bearer token over plain HTTP; returns the status line.
fn get_households(addr: &str, token: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect to the registry");
    write!(
        s,
        "GET /v1/households HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_string()
}

#[cfg(unix)]
fn mode(p: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let m = std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode();
    format!("{:o}", m & 0o777)
}

#[cfg(unix)]
#[test]
fn registry_files_are_created_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let _server = serve(&db);
    // While serve runs, SQLite keeps its write-ahead log and shared-memory index beside the file.
    for name in ["registry.db", "registry.db-wal", "registry.db-shm"] {
        assert_eq!(mode(&dir.path().join(name)), "600", "{name}");
    }
}

#[test]
fn audit_verify_passes_then_names_the_row_edited_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let server = serve(&db);

    let out = registry(
        &db,
        &[
            "user", "add", "--name", "Sana", "--role", "district", "--area", "PK101", "--json",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let user = json_of(&out)["id"].as_str().unwrap().to_string();
    assert!(registry(&db, &["enroll-code", "--user", &user])
        .status
        .success());
    assert!(registry(&db, &["household", "list"]).status.success());
    let missing = registry(&db, &["household", "show", "PK101-0000-0001"]);
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
    assert!(
        get_households(server.addr(), TOKEN).contains(" 401 "),
        "an unknown token is refused"
    );

    let list = registry(&db, &["audit", "list", "--json"]);
    assert!(list.status.success(), "{list:?}");
    let text = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(!text.contains(TOKEN), "the token reached the trail: {text}");
    let rows = json_of(&list);
    let actions: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "user.add",
            "enroll_code.issue",
            "household.list",
            "household.show",
            "auth.unknown_token"
        ]
    );

    let ok = registry(&db, &["audit", "verify", "--json"]);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    let report = json_of(&ok);
    assert_eq!(report["rows"], 5);
    assert!(report["broken"].is_null(), "{report}");

    // Someone with write access to the file hides who enrolled a device.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE access_audit SET subject = 'u-someone-else' WHERE seq = 2",
            [],
        )
        .unwrap();
    let bad = registry(&db, &["audit", "verify", "--json"]);
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
    let report = json_of(&bad);
    assert_eq!(report["broken"]["seq"], 2, "{report}");
    let human = registry(&db, &["audit", "verify"]);
    assert_eq!(human.status.code(), Some(1));
    let said = String::from_utf8_lossy(&human.stdout);
    assert!(said.contains("broken at row 2"), "{said}");
}

#[test]
fn an_encrypted_registry_opens_only_with_its_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let key_file = dir.path().join("registry.key");
    std::fs::write(&key_file, "correct horse battery staple\n").unwrap();
    let keyed = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_shumari"))
            .arg("registry")
            .args(args)
            .args(["--db", &db_arg(&db)])
            .env("SHUMARI_DB_KEY_FILE", &key_file)
            .output()
            .unwrap()
    };
    let add = keyed(&[
        "user", "add", "--name", "Sana", "--role", "district", "--area", "PK101",
    ]);
    assert!(add.status.success(), "{add:?}");
    assert!(keyed(&["audit", "verify"]).status.success());

    let without = registry(&db, &["household", "list"]);
    assert_eq!(without.status.code(), Some(1), "{without:?}");
    let said = String::from_utf8_lossy(&without.stderr);
    assert!(said.contains("SHUMARI_DB_KEY_FILE"), "{said}");
    assert!(keyed(&["household", "list"]).status.success());
}
