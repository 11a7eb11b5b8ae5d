//! What the command line's end-to-end tests share: the `shumari` binary, a registry it serves on a
//! loopback port (killed when dropped), its admin commands, and a device's command with its data
//! directory and PIN. Each test file uses the part it needs.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};

/// PIN of every test device.
pub const PIN: &str = "482193";

/// The binary under test.
pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("shumari")
}

/// `--db` for an SQLite registry at `path`.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

/// A running `shumari registry serve`, killed when dropped.
#[derive(Debug)]
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT` or `https://...`, as it printed.
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `shumari registry serve --db DB ARGS`; returns once it printed the address it listens on.
    pub fn start(db: &str, args: &[&str]) -> Server {
        let mut child = std::process::Command::new(bin())
            .args(["registry", "serve", "--db", db])
            .args(args)
            .env("SHUMARI_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the registry");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the address");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        Server { child, url }
    }

    /// The same on a free loopback port, with `extra` arguments.
    pub fn loopback(db: &str, extra: &[&str]) -> Server {
        let mut args = vec!["--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        Server::start(db, &args)
    }

    /// `HOST:PORT`, without the scheme.
    pub fn addr(&self) -> &str {
        self.url.rsplit("://").next().unwrap_or(&self.url)
    }
}

/// A registry on SQLite in its own temporary directory, served on loopback.
#[derive(Debug)]
pub struct TempRegistry {
    pub server: Server,
    /// Its `--db`.
    pub db: String,
    /// Its address.
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl TempRegistry {
    pub fn start() -> TempRegistry {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = sqlite_url(&dir.path().join("registry.db"));
        let server = Server::loopback(&db, &[]);
        let url = server.url.clone();
        TempRegistry {
            server,
            db,
            url,
            dir,
        }
    }
}

/// `shumari registry ARGS --db DB`.
pub fn registry_out(db: &str, args: &[&str]) -> Output {
    std::process::Command::new(bin())
        .arg("registry")
        .args(args)
        .args(["--db", db])
        .output()
        .expect("run a registry command")
}

/// An admin command that must succeed; its standard output, trimmed.
pub fn admin_text(db: &str, args: &[&str]) -> String {
    let out = registry_out(db, args);
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

/// An admin command with `--json` that must succeed; its answer.
pub fn admin_json(db: &str, args: &[&str]) -> Value {
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let out = registry_out(db, &with_json);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A device's command: its data directory and PIN set.
pub fn device(dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(bin());
    c.env("SHUMARI_DATA_DIR", dir).env("SHUMARI_PIN", PIN);
    c
}

/// A user named Sana Malik with `role` in the district PK603 (the CLI scenarios' district); returns
/// the id.
pub fn district_user(reg: &TempRegistry, role: &str) -> String {
    admin_json(
        &reg.db,
        &[
            "user",
            "add",
            "--name",
            "Sana Malik",
            "--role",
            role,
            "--area",
            "PK603",
        ],
    )["id"]
        .as_str()
        .expect("user id")
        .to_string()
}

/// A device store, initialised and enrolled at `reg` for `user`.
pub fn enrolled_device(reg: &TempRegistry, user: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    device(dir.path()).arg("init").assert().success();
    let code = admin_json(&reg.db, &["enroll-code", "--user", user])["code"]
        .as_str()
        .expect("code")
        .to_string();
    device(dir.path())
        .args(["enroll", "--registry", &reg.url, "--code", &code])
        .assert()
        .success();
    dir
}

/// A household answering every required question of the shipped questionnaire, in PK60301: its
/// head `head` (CNIC `cnic`) and his wife, in `rooms` rooms; `selfcare` is both adults' answer to
/// the Washington Group self-care question (`some` counts as a difficulty, `no_difficulty` not).
pub fn complete_household(head: &str, cnic: &str, rooms: u32, selfcare: &str) -> Value {
    let adult = |name: &str, relation: &str, sex: &str, age: u32, cnic: &str| {
        serde_json::json!({"name": name, "relation": relation, "sex": sex, "age": age, "id_number": cnic,
            "answers": {"marital_status": "married", "literate": "yes", "education": "primary",
                "wg_seeing": "no_difficulty", "wg_hearing": "no_difficulty", "wg_walking": "no_difficulty",
                "wg_remembering": "no_difficulty", "wg_selfcare": selfcare,
                "wg_communicating": "no_difficulty", "occupation": "labour", "income": 25000}})
    };
    serde_json::json!({
        "area": "PK60301",
        "gps": {"lat": 31.52, "lon": 74.35, "accuracy": 8.0},
        "answers": {
            "address": "House 12, Mohalla 4", "phone": "0300-1234567", "respondent": head,
            "consent": "OK", "tenure": "owned", "rooms": rooms, "walls": "brick", "roof": "iron_sheet",
            "floor": "cement", "toilet": "pit", "water": "hand_pump", "cooking_fuel": "wood",
            "lighting": "electricity", "electricity": "yes", "electricity_bill": 2500, "gas": "no",
            "assets": "tv smartphone", "has_livestock": "yes", "cattle": 1, "buffalo": 0, "goats": 3,
            "sheep": 0, "camels": 0, "poultry": 6, "land_owned": 0, "land_rented": 0, "support": "none"
        },
        "members": [adult(head, "head", "male", 42, cnic),
                    adult("Shazia Bibi", "spouse", "female", 38, "35202-7654321-2")]
    })
}
