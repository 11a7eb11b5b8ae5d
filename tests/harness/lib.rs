//! Test harness shared by the scenario tests: a registry (SQLite in a temp dir, or PostgreSQL started
//! on loopback), devices with real encrypted stores, NSER-sized households, and transports (in-memory,
//! HTTP, and HTTP through a fault-injecting proxy).

pub mod faults;
pub mod loader;
pub mod nser_gen;
pub mod pg;
pub mod pki;

use serde_json::{json, Value};
use shumari_domain::automerge::ChangeHash;
use shumari_domain::HouseholdInput;
use shumari_registry::{Config, InMemoryTransport, Registry, SqliteStorage, Storage};
use shumari_store::Store;
use shumari_sync::{HttpTransport, Options, Report, Retry, Transport};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use uuid::Uuid;

/// PIN of every test store.
pub const PIN: &str = "482193";
/// A tehsil in Punjab used by most scenarios.
pub const AREA: &str = "PK10101";

/// An NSER-sized household: 60 household answers and 6 members of 15 fields each.
pub fn nser_household(n: u32, area: &str) -> HouseholdInput {
    let mut answers = serde_json::Map::new();
    for i in 0..60u32 {
        let v = match i % 4 {
            0 => json!((n + i) % 7),
            1 => json!(format!("option_{}", (n + i) % 5)),
            2 => json!((n + i).is_multiple_of(2)),
            _ => json!(format!("Mohalla {} street {}", n % 97, i)),
        };
        answers.insert(format!("q{i:02}"), v);
    }
    let relations = ["head", "spouse", "son", "daughter", "son", "daughter"];
    let sexes = ["male", "female", "male", "female", "male", "female"];
    let members: Vec<Value> = (0..6u32)
        .map(|m| {
            let mut ma = serde_json::Map::new();
            for k in 0..9u32 {
                ma.insert(format!("m{k}"), json!((n + m + k) % 4));
            }
            let mut v = json!({
                "name": format!("Member {m} of household {n}"),
                "relation": relations[m as usize],
                "sex": sexes[m as usize],
                "age": if m < 2 { 30 + m } else { 3 + m },
                "answers": ma,
            });
            if m < 2 {
                v["id_number"] = json!(format!("35202{:07}{}", n % 10_000_000, 1 + m));
            }
            v
        })
        .collect();
    serde_json::from_value(json!({"area": area, "answers": answers, "members": members}))
        .expect("valid household")
}

/// Engine options for tests: small retry delays.
pub fn test_options() -> Options {
    Options {
        retry: Retry {
            attempts: 30,
            base: Duration::from_millis(5),
            max: Duration::from_millis(50),
        },
        ..Options::default()
    }
}

/// A registry on a runtime of its own.
#[derive(Debug)]
pub struct TestRegistry<S> {
    /// The runtime the registry runs on.
    pub rt: tokio::runtime::Runtime,
    /// The registry.
    pub reg: Arc<Registry<S>>,
    /// Temp files (SQLite database).
    pub dir: TempDir,
    /// HTTP address once served.
    pub url: Option<String>,
}

/// A multi-threaded runtime for a test registry.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

impl TestRegistry<SqliteStorage> {
    /// A registry on SQLite in a temp dir.
    pub fn sqlite() -> Self {
        Self::sqlite_with(Config::default())
    }

    /// The same with settings.
    pub fn sqlite_with(config: Config) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = SqliteStorage::open(&dir.path().join("registry.db")).expect("open registry");
        TestRegistry {
            rt: runtime(),
            reg: Arc::new(Registry::new(storage, config)),
            dir,
            url: None,
        }
    }
}

impl TestRegistry<shumari_registry::storage::postgres::PgStorage> {
    /// A registry on a fresh PostgreSQL database of `pg`.
    pub fn postgres(pg: &pg::PgCluster) -> Self {
        let rt = runtime();
        let storage = rt
            .block_on(shumari_registry::storage::postgres::PgStorage::connect(
                &pg.database(),
            ))
            .expect("connect to the test cluster");
        Self::with_storage(storage, rt, Config::default())
    }
}

/// One test per backend for a scenario taking `&mut TestRegistry<S>` (or `&TestRegistry<S>`): the
/// SQLite run under the first name, the PostgreSQL run, in a fresh database of the shared test
/// cluster, under the second.
#[macro_export]
macro_rules! on_both {
    ($sqlite:ident, $pg:ident, $scenario:path) => {
        #[test]
        fn $sqlite() {
            $scenario(&mut $crate::TestRegistry::sqlite());
        }

        #[test]
        fn $pg() {
            let pg = $crate::pg::PgCluster::shared();
            $scenario(&mut $crate::TestRegistry::postgres(&pg));
        }
    };
}

impl<S: Storage> TestRegistry<S> {
    /// Wraps a storage.
    pub fn with_storage(storage: S, rt: tokio::runtime::Runtime, config: Config) -> Self {
        TestRegistry {
            rt,
            reg: Arc::new(Registry::new(storage, config)),
            dir: tempfile::tempdir().expect("tempdir"),
            url: None,
        }
    }

    /// Adds a user; returns the id.
    pub fn user(&self, role: &str, areas: &[&str]) -> String {
        let areas: Vec<String> = areas.iter().map(|s| s.to_string()).collect();
        self.rt
            .block_on(
                self.reg
                    .add_user("Test User", role.parse().expect("role"), &areas),
            )
            .expect("add user")
    }

    /// A one-time enrollment code.
    pub fn code(&self, user: &str) -> String {
        self.rt
            .block_on(self.reg.enroll_code(user))
            .expect("enroll code")
    }

    /// An in-memory transport.
    pub fn transport(&self) -> Box<dyn Transport> {
        Box::new(InMemoryTransport::new(
            self.reg.clone(),
            self.rt.handle().clone(),
        ))
    }

    /// Serves HTTP on a loopback port; returns the base URL.
    pub fn serve_http(&mut self) -> String {
        if let Some(u) = &self.url {
            return u.clone();
        }
        let listener = self
            .rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let reg = self.reg.clone();
        self.rt.spawn(async move {
            let _ = shumari_registry::launch(listener, reg, std::future::pending()).await;
        });
        let url = format!("http://{addr}");
        self.url = Some(url.clone());
        url
    }

    /// A new enrolled device for a new user with `areas`, talking in memory.
    pub fn device(&self, areas: &[&str]) -> TestDevice {
        let user = self.user("surveyor", areas);
        self.device_for(&user)
    }

    /// A new enrolled device for an existing user.
    pub fn device_for(&self, user: &str) -> TestDevice {
        let code = self.code(user);
        let mut d = TestDevice::new(self.transport());
        d.enroll(&code).expect("enroll");
        d
    }

    /// (log entries, audit rows) at the registry.
    pub fn counts(&self) -> (u64, u64) {
        self.rt.block_on(self.reg.storage.counts()).expect("counts")
    }

    /// Heads of every household at the registry, sorted.
    pub fn heads(&self) -> BTreeMap<Uuid, Vec<[u8; 32]>> {
        self.rt
            .block_on(self.reg.storage.all_heads())
            .expect("heads")
            .into_iter()
            .map(|(id, _, h)| {
                let mut v = shumari_registry::storage::heads_vec(&h);
                v.sort_unstable();
                (id, v)
            })
            .collect()
    }

    /// A household as the registry shows it (its JSON).
    pub fn show(&self, id: Uuid) -> Value {
        let detail = self
            .rt
            .block_on(self.reg.household_show(None, &id.to_string()))
            .expect("show");
        serde_json::to_value(detail).expect("json")
    }
}

/// A device: an encrypted store and a transport.
pub struct TestDevice {
    /// Data directory.
    pub dir: TempDir,
    /// The store.
    pub store: Store,
    /// How it reaches the registry.
    pub transport: Box<dyn Transport>,
    /// Engine options.
    pub options: Options,
}

impl std::fmt::Debug for TestDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDevice")
            .field("dir", &self.dir.path())
            .finish()
    }
}

/// The answers of a meal centre's daily report (`meal_centre_daily.toml`) for the day the form
/// scenarios use, with `meals` served.
pub fn meal_report(meals: u32) -> Value {
    json!({"site": "Langar Mall Road", "date": "2026-11-30", "site_kind": "meal_centre",
           "meals_served": meals})
}

impl TestDevice {
    /// Fills a report of `form` version `version` in `area` with `answers` and submits it: started,
    /// saved and submitted one millisecond apart from `at`. Returns the report as started.
    pub fn file_report(
        &mut self,
        form: &str,
        version: &str,
        area: &str,
        answers: &Value,
        at: i64,
    ) -> shumari_store::Report {
        let draft = self
            .store
            .start_report(form, version, area, at)
            .expect("start a report");
        self.submit_with(draft.id, answers, at + 1);
        draft
    }

    /// Corrects the returned report `id` with `answers` and submits the correction (from `at`).
    /// Returns the correction as started.
    pub fn file_correction(&mut self, id: Uuid, answers: &Value, at: i64) -> shumari_store::Report {
        let fix = self.store.correct_report(id, at).expect("correct");
        self.submit_with(fix.id, answers, at + 1);
        fix
    }

    fn submit_with(&mut self, id: Uuid, answers: &Value, at: i64) {
        self.store
            .save_report(id, &answers.to_string(), at)
            .expect("save the report");
        self.store
            .submit_report(id, at + 1)
            .expect("submit the report");
    }

    /// A fresh store using `transport`.
    pub fn new(transport: Box<dyn Transport>) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        // Scenarios make and reopen many stores; what the key derivation costs is the store's own test.
        shumari_store::key::set_cost_for_tests(Some(shumari_store::key::KdfCost::FOR_TESTS));
        let store = Store::create(dir.path(), PIN).expect("create store");
        TestDevice {
            dir,
            store,
            transport,
            options: test_options(),
        }
    }

    /// Redeems an enrollment code.
    pub fn enroll(&mut self, code: &str) -> Result<(), shumari_sync::SyncError> {
        shumari_sync::enroll(
            &mut self.store,
            self.transport.as_mut(),
            "memory:",
            code,
            &self.options,
        )
        .map(|_| ())
    }

    /// Adds an NSER-sized household.
    pub fn add(&mut self, n: u32, area: &str) -> Uuid {
        self.store
            .add_household(&nser_household(n, area), None, "nser-household", "1")
            .expect("add household")
            .id
    }

    /// Adds many households in one transaction.
    pub fn add_many(&mut self, from: u32, count: u32, area: &str) -> Vec<Uuid> {
        let inputs: Vec<_> = (from..from + count)
            .map(|n| nser_household(n, area))
            .collect();
        self.store
            .add_households(&inputs, None, "nser-household", "1")
            .expect("add households")
            .into_iter()
            .map(|r| r.expect("valid").id)
            .collect()
    }

    /// Sets one field.
    pub fn set(&mut self, id: Uuid, path: &str, value: Value) {
        self.store
            .set_fields(&id.to_string(), &[(path.to_string(), value)])
            .expect("set field");
    }

    /// One sync; panics on a transport or store error.
    pub fn sync(&mut self) -> Report {
        self.try_sync().expect("sync")
    }

    /// One sync.
    pub fn try_sync(&mut self) -> Result<Report, shumari_sync::SyncError> {
        shumari_sync::sync(
            &mut self.store,
            self.transport.as_mut(),
            &self.options,
            &mut |_| {},
        )
    }

    /// Closes and reopens the store (a restarted app: new actor id).
    pub fn restart(&mut self) {
        let dir = self.dir.path().to_path_buf();
        // Drop the old connection before opening again.
        let fresh = Store::open(&dir, PIN).expect("reopen");
        self.store = fresh;
    }

    /// Heads of every household, sorted.
    pub fn heads(&self) -> BTreeMap<Uuid, Vec<[u8; 32]>> {
        self.store
            .all_heads()
            .expect("heads")
            .into_iter()
            .map(|(id, h)| {
                let mut v: Vec<[u8; 32]> = h.iter().map(|c: &ChangeHash| c.0).collect();
                v.sort_unstable();
                (id, v)
            })
            .collect()
    }
}

/// Wraps a transport: records the largest request and response, counts calls, and can fail every call
/// after the `fail_after`-th (a link that drops) until `heal` is called.
#[allow(missing_debug_implementations)]
pub struct Recorder {
    /// The real transport.
    pub inner: Box<dyn Transport>,
    /// State shared with the test.
    pub stats: Arc<std::sync::Mutex<RecorderStats>>,
}

/// What a [`Recorder`] saw.
#[derive(Debug, Default, Clone)]
pub struct RecorderStats {
    /// Calls made.
    pub calls: usize,
    /// Largest request body.
    pub max_request: usize,
    /// Largest response body.
    pub max_response: usize,
    /// Fail calls once `calls` exceeds this.
    pub fail_after: Option<usize>,
    /// Pull requests made, and how many of them carried a computed digest (not all zeros).
    pub pulls: usize,
    /// See `pulls`.
    pub pulls_with_digest: usize,
}

impl Recorder {
    /// Wraps `inner`; returns the transport and a handle on its stats.
    pub fn wrap(
        inner: Box<dyn Transport>,
    ) -> (Box<dyn Transport>, Arc<std::sync::Mutex<RecorderStats>>) {
        let stats = Arc::new(std::sync::Mutex::new(RecorderStats::default()));
        (
            Box::new(Recorder {
                inner,
                stats: stats.clone(),
            }),
            stats,
        )
    }
}

impl Transport for Recorder {
    fn call(
        &mut self,
        endpoint: shumari_sync::Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, shumari_sync::TransportError> {
        {
            let mut s = self.stats.lock().expect("stats");
            s.calls += 1;
            if s.fail_after.is_some_and(|n| s.calls > n) {
                return Err(shumari_sync::TransportError::Rejected {
                    status: 400,
                    code: "link_down".into(),
                    message: "the test cut the link".into(),
                });
            }
            s.max_request = s.max_request.max(body.len());
            if endpoint == shumari_sync::Endpoint::Pull {
                use shumari_sync::proto::Message as _;
                if let Ok(req) = shumari_sync::proto::PullRequest::decode(&body) {
                    s.pulls += 1;
                    s.pulls_with_digest += usize::from(req.digest != [0; 8]);
                }
            }
        }
        let out = self.inner.call(endpoint, token, body)?;
        let mut s = self.stats.lock().expect("stats");
        s.max_response = s.max_response.max(out.len());
        Ok(out)
    }
}

/// A device talking HTTP to `url`.
pub fn http_transport(url: &str) -> Box<dyn Transport> {
    Box::new(HttpTransport::new(url).expect("http client"))
}

/// A tehsil outside province `PK1` (for out-of-scope writes).
pub fn other_area() -> String {
    shumari_domain::AreaRegistry::builtin()
        .all()
        .find(|a| a.level == shumari_domain::AreaLevel::Tehsil && !a.code.starts_with("PK1"))
        .expect("a tehsil elsewhere")
        .code
        .clone()
}
