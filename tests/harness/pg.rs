//! A throwaway PostgreSQL 15 cluster on loopback for tests (and the registry benchmark, which includes
//! this file by path: it depends on `std` and `tempfile` only).
//!
//! One cluster per test process, started on first use in a temp dir and stopped (`pg_ctl stop`) when
//! the last [`Arc<PgCluster>`] handed out by [`PgCluster::shared`] is dropped. Each test asks for its own
//! database ([`PgCluster::database`]) so scenarios running in parallel never see each other's rows.
//!
//! `initdb` refuses to run as root, and tests here run as root: the server then runs as `nobody`
//! through `runuser`, in a temp dir owned by that user. Authentication is `trust` on 127.0.0.1 only.
//! PostgreSQL is a required test dependency: when it is missing the test fails and says how to install
//! it (`scripts/deps.sh`) rather than skipping silently.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// Where Debian's postgresql-15 package puts the server binaries.
pub const BIN: &str = "/usr/lib/postgresql/15/bin";
/// The unprivileged account the server runs as when we are root.
const OS_USER: &str = "nobody";

/// A running cluster.
#[derive(Debug)]
pub struct PgCluster {
    dir: tempfile::TempDir,
    data: PathBuf,
    port: u16,
    as_user: Option<String>,
    next_db: AtomicU32,
}

fn bin(name: &str) -> PathBuf {
    Path::new(BIN).join(name)
}

fn run(cmd: &mut Command, what: &str) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("could not run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn id_of(args: &[&str]) -> u32 {
    let out = run(Command::new("id").args(args), "id");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("numeric id")
}

/// A port nobody listens on right now (the kernel's choice; the race until postgres binds is benign:
/// `start` retries).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

impl PgCluster {
    /// The cluster of this test process, started if no test holds it.
    pub fn shared() -> Arc<PgCluster> {
        static SHARED: Mutex<Weak<PgCluster>> = Mutex::new(Weak::new());
        let mut slot = SHARED.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = slot.upgrade() {
            return c;
        }
        let c = Arc::new(PgCluster::start(false));
        *slot = Arc::downgrade(&c);
        c
    }

    /// Starts a new cluster. `durable: false` turns fsync off (tests); the benchmark keeps it on so
    /// the comparison with SQLite (`synchronous=FULL`) is fair.
    pub fn start(durable: bool) -> PgCluster {
        assert!(
            bin("initdb").exists() && bin("postgres").exists(),
            "PostgreSQL 15 is required for these tests but {BIN}/initdb was not found; \
             install it with scripts/deps.sh (Debian package postgresql-15)"
        );
        let dir = tempfile::Builder::new()
            .prefix("shumari-pg-")
            .tempdir()
            .expect("tempdir");
        let as_user = (id_of(&["-u"]) == 0).then(|| OS_USER.to_string());
        if let Some(user) = &as_user {
            let (uid, gid) = (id_of(&["-u", user]), id_of(&["-g", user]));
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .expect("hand the cluster directory to the server's user");
        }
        let data = dir.path().join("data");
        let mut c = PgCluster {
            dir,
            data,
            port: 0,
            as_user,
            next_db: AtomicU32::new(0),
        };
        run(
            c.server_cmd("initdb").args([
                "-D".as_ref(),
                c.data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "--auth=trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--locale=C".as_ref(),
                "--no-sync".as_ref(),
            ]),
            "initdb",
        );
        let fsync = if durable { "on" } else { "off" };
        let mut last = String::new();
        for _attempt in 0..5 {
            c.port = free_port();
            let opts = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync={fsync} -c synchronous_commit={fsync} \
                 -c full_page_writes={fsync} -c max_connections=200",
                c.port,
                c.dir.path().display()
            );
            let out = c
                .server_cmd("pg_ctl")
                .arg("start")
                .arg("-w")
                .arg("-t")
                .arg("60")
                .arg("-D")
                .arg(&c.data)
                .arg("-l")
                .arg(c.dir.path().join("server.log"))
                .arg("-o")
                .arg(opts)
                .output()
                .expect("run pg_ctl");
            if out.status.success() {
                return c;
            }
            last = std::fs::read_to_string(c.dir.path().join("server.log")).unwrap_or_default();
        }
        panic!("PostgreSQL did not start:\n{last}");
    }

    /// A server binary, run as the unprivileged user when we are root.
    fn server_cmd(&self, name: &str) -> Command {
        let mut cmd = match &self.as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(bin(name));
                c
            }
            None => Command::new(bin(name)),
        };
        // The server's user may not be able to read the caller's working directory.
        cmd.current_dir(self.dir.path());
        cmd
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A new, empty database; returns its `postgres://` URL.
    pub fn database(&self) -> String {
        let name = format!("t{}", self.next_db.fetch_add(1, Ordering::Relaxed));
        run(
            Command::new(bin("createdb"))
                .args(["-h", "127.0.0.1", "-U", "postgres", "-p"])
                .arg(self.port.to_string())
                .arg(&name),
            "createdb",
        );
        self.url(&name)
    }

    /// Runs `sql` with psql against the database at `url`; returns its unaligned output.
    pub fn psql(&self, url: &str, sql: &str) -> String {
        let out = run(
            Command::new(bin("psql")).args([
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                url,
                "-c",
                sql,
            ]),
            "psql",
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The URL of database `name`.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self
            .server_cmd("pg_ctl")
            .arg("stop")
            .arg("-m")
            .arg("immediate")
            .arg("-w")
            .arg("-D")
            .arg(&self.data)
            .output();
    }
}
