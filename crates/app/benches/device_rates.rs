//! Device-side rates: what a tablet or a supervisor's laptop does with many households at once.
//! Run: `cargo bench -p shumari-app --bench device_rates`.
//!
//! Rows (aims from the scale issue, on 2 cores):
//! - **import**: a community organisation's list of 10,000 generated NSER households through
//!   [`App::import_households`], the use case behind `shumari household import` (the questionnaire's
//!   write-time checks, then the store), in batches of 1,000 as the command reads them. Aim
//!   >= 5,000 households/s.
//! - **first pull**: a new device of a district pulls N households from a registry served over
//!   loopback HTTP (the registry on SQLite, filled beforehand by another device's push). Printed: wall
//!   time, bytes received, and households per second *applied on the device* (the wall time minus the
//!   time spent inside transport calls, which is the registry's and the network's). Aims: >= 10,000
//!   households/s on the device at every size, and at 10,000 households <= 1 s and <= 1 MB in all.
//!
//! `SHUMARI_DEVICE_BENCH_SIZES` chooses the registry sizes of the first-pull rows (default `10000`;
//! the scale issue's second size is `166000`, a province's sixth of a million, which takes a few
//! minutes to fill). Households come from the scenario harness's seeded generator, so the same run
//! pulls the same households.

use comfy_table::Table;
use shumari_app::App;
use shumari_scenarios::nser_gen::{district_of, tehsils, Generator};
use shumari_scenarios::{http_transport, TestDevice, TestRegistry};
use shumari_store::Store;
use shumari_sync::{Endpoint, Transport, TransportError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PIN: &str = "246813";
const SEED: u64 = 7;
/// Households imported (`SHUMARI_DEVICE_BENCH_IMPORT` to change it, e.g. for a profile).
const IMPORT: usize = 10_000;
/// Households a `household import` hands the app at once.
const IMPORT_BATCH: usize = 1_000;
/// Households recorded on the filling device per store transaction.
const ADD_BATCH: usize = 1_000;

/// A transport that adds up the time spent inside its calls.
struct Timed {
    inner: Box<dyn Transport>,
    spent: Arc<Mutex<Duration>>,
}

impl Transport for Timed {
    fn call(
        &mut self,
        endpoint: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, TransportError> {
        let t = Instant::now();
        let out = self.inner.call(endpoint, token, body);
        *self.spent.lock().unwrap_or_else(|p| p.into_inner()) += t.elapsed();
        out
    }
}

/// A tehsil and its district; the district holds every household of a run.
fn place() -> (String, String) {
    let tehsil = tehsils().into_iter().next().expect("a tehsil");
    let district = district_of(&tehsil);
    (tehsil, district)
}

fn import_count() -> usize {
    std::env::var("SHUMARI_DEVICE_BENCH_IMPORT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(IMPORT)
}

/// Households per second through the app's import use case.
fn import_rate() -> f64 {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let (tehsil, district) = place();
    {
        let mut store = Store::create(&dir, PIN).expect("create");
        store.set_user("bench").expect("user");
        // An enrolled device (the app adopts a store with a registry and areas); nothing listens
        // there, so background sync stays offline during the import.
        store
            .kv_set("sync.registry_url", "http://127.0.0.1:9")
            .expect("url");
        store
            .kv_set("sync.areas", &format!(r#"["{district}"]"#))
            .expect("areas");
    }
    let app = App::new(dir);
    app.unlock(PIN).expect("unlock");
    let mut gen = Generator::new(SEED);
    let inputs: Vec<_> = (0..import_count())
        .map(|_| gen.household_in(&tehsil))
        .collect();
    let start = Instant::now();
    let mut ok = 0;
    for chunk in inputs.chunks(IMPORT_BATCH) {
        for r in app.import_households(chunk, "en").expect("import") {
            r.expect("a valid household");
            ok += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(ok, inputs.len());
    ok as f64 / secs
}

/// What a new device's first pull of `n` households cost.
struct Pull {
    n: usize,
    pulled: u64,
    wall: Duration,
    in_calls: Duration,
    bytes: u64,
}

fn first_pull(n: usize) -> Pull {
    let (tehsil, district) = place();
    let mut reg = TestRegistry::sqlite();
    eprintln!("first pull {n}: filling the registry");
    {
        let mut filler = reg.device(&[district.as_str()]);
        let mut gen = Generator::new(SEED);
        let mut left = n;
        while left > 0 {
            let take = left.min(ADD_BATCH);
            let inputs: Vec<_> = (0..take).map(|_| gen.household_in(&tehsil)).collect();
            for r in filler
                .store
                .add_households(&inputs, None, "nser-household", "1")
                .expect("record households")
            {
                r.expect("a valid household");
            }
            left -= take;
        }
        let pushed = filler.sync().pushed;
        assert_eq!(pushed, n as u64, "every household accepted");
    }
    let url = reg.serve_http();
    let user = reg.user("surveyor", &[district.as_str()]);
    let code = reg.code(&user);
    let spent = Arc::new(Mutex::new(Duration::ZERO));
    let mut device = TestDevice::new(Box::new(Timed {
        inner: http_transport(&url),
        spent: spent.clone(),
    }));
    device.enroll(&code).expect("enroll");
    *spent.lock().unwrap_or_else(|p| p.into_inner()) = Duration::ZERO;
    eprintln!("first pull {n}: pulling");
    let start = Instant::now();
    let report = device.sync();
    let wall = start.elapsed();
    let in_calls = *spent.lock().unwrap_or_else(|p| p.into_inner());
    assert!(report.complete && report.refused.is_empty(), "{report:?}");
    Pull {
        n,
        pulled: report.pulled,
        wall,
        in_calls,
        bytes: report.bytes_received,
    }
}

fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn main() {
    let sizes: Vec<usize> = std::env::var("SHUMARI_DEVICE_BENCH_SIZES")
        .unwrap_or_else(|_| "10000".into())
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().expect("a size"))
        .collect();
    let import = import_rate();
    let pulls: Vec<Pull> = sizes.into_iter().map(first_pull).collect();

    let mut table = Table::new();
    table.set_header(vec!["measure (device side)", "result", "aim"]);
    table.add_row(vec![
        format!(
            "import of {} households (App::import_households)",
            thousands(import_count() as f64)
        ),
        format!("{}/s", thousands(import)),
        ">= 5,000/s".to_string(),
    ]);
    for p in &pulls {
        let device = p.wall.saturating_sub(p.in_calls).as_secs_f64();
        table.add_row(vec![
            format!(
                "first pull of {} households: applied on the device",
                thousands(p.n as f64)
            ),
            format!(
                "{}/s ({:.2} s of {:.2} s)",
                thousands(p.pulled as f64 / device.max(1e-9)),
                device,
                p.wall.as_secs_f64()
            ),
            ">= 10,000/s".to_string(),
        ]);
        table.add_row(vec![
            format!(
                "first pull of {} households: wall time and bytes received (loopback)",
                thousands(p.n as f64)
            ),
            format!(
                "{:.2} s, {:.2} MB",
                p.wall.as_secs_f64(),
                p.bytes as f64 / 1e6
            ),
            if p.n == 10_000 { "<= 1 s, <= 1 MB" } else { "" }.to_string(),
        ]);
    }
    println!("{table}");
}
