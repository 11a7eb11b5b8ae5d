//! What the app's tests against a real registry share: the `shumari` binary, a registry it serves
//! (plain HTTP on loopback, or HTTPS with a certificate a private CA issued), and the CLI's admin
//! commands on that registry's database. Each test file uses the part it needs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The `shumari` CLI (built by `cargo build -p shumari-cli`), next to this test's binary or via
/// `SHUMARI_BIN`.
pub fn cli() -> PathBuf {
    if let Ok(p) = std::env::var("SHUMARI_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("shumari")
}

/// A real registry (`shumari registry serve` on SQLite in a temp dir), killed on drop.
pub struct Registry {
    child: Child,
    pub db: String,
    pub url: String,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    /// Plain HTTP on a loopback port.
    pub fn start(dir: &Path) -> Registry {
        Registry::start_with(dir, &[])
    }

    /// With more `serve` arguments (`--tls-cert`, `--tls-key`, ...).
    pub fn start_with(dir: &Path, args: &[&str]) -> Registry {
        let db = format!("sqlite:{}", dir.join("registry.db").display());
        let mut child = Command::new(cli())
            .args(["registry", "serve", "--db", &db, "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the shumari CLI is built (cargo build -p shumari-cli)");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let url = loop {
            let mut line = String::new();
            assert!(out.read_line(&mut line).unwrap() > 0, "registry exited");
            if let Some(u) = line.trim().strip_prefix("listening on ") {
                break u.to_string();
            }
        };
        Registry { child, db, url }
    }

    /// An admin command on this registry's database, its JSON answer.
    pub fn cli_json(&self, args: &[&str]) -> serde_json::Value {
        let out = Command::new(cli())
            .args(args)
            .args(["--db", &self.db, "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// A fresh enrollment code for a new surveyor of `area`.
    pub fn code(&self, area: &str) -> String {
        let u = self.cli_json(&[
            "registry", "user", "add", "--name", "Test", "--role", "surveyor", "--area", area,
        ]);
        let id = u["id"].as_str().unwrap().to_string();
        let c = self.cli_json(&["registry", "enroll-code", "--user", &id]);
        c["code"].as_str().unwrap().to_string()
    }
}

/// Runs one background sync round on demand and returns the status once it has ended.
pub fn sync_round(app: &shumari_app::App) -> shumari_app::sync::SyncStatus {
    let before = app.sync_status().unwrap().last_sync_at;
    app.sync_now().unwrap();
    // Polls the worker's status: the round runs on its own thread.
    for _ in 0..1200 {
        let s = app.sync_status().unwrap();
        if s.state != "running" && (s.last_sync_at != before || s.error.is_some()) {
            return s;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("the sync round did not end");
}
