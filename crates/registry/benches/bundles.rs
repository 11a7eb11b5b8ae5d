//! USB bundle benchmark: a tablet holding N generated NSER households writes its bundle for the
//! registry, the registry imports it (as the tablet's push) and writes the bundle for a colleague's
//! new tablet in the same area, which loads it. Prints the size of each file and the time of each
//! step, on SQLite.
//!
//! Run: `cargo bench -p shumari-registry --bench bundles`. `SHUMARI_BENCH_HOUSEHOLDS` lists the
//! sizes (default `1000,10000`).

#[path = "../../../tests/harness/nser_gen.rs"]
mod nser_gen;

use shumari_proto::signing::DeviceKey;
use shumari_registry::{Config, InMemoryTransport, Registry, Role, SqliteStorage};
use shumari_store::Store;
use shumari_sync::engine::KEY_DEVICE;
use shumari_sync::Options;
use std::sync::Arc;
use std::time::{Duration, Instant};

const AREA: &str = "PK10101";
const PIN: &str = "bench-pin-4821";

struct Row {
    households: usize,
    up_bytes: usize,
    up_export: Duration,
    up_import: Duration,
    down_bytes: usize,
    down_export: Duration,
    down_import: Duration,
}

fn enrolled(
    rt: &tokio::runtime::Runtime,
    reg: &Arc<Registry<SqliteStorage>>,
    dir: &std::path::Path,
    name: &str,
) -> Store {
    let user = rt
        .block_on(reg.add_user(name, Role::Surveyor, &[AREA.to_string()]))
        .expect("user");
    let code = rt.block_on(reg.enroll_code(&user)).expect("code");
    let mut store = Store::create(dir, PIN).expect("store");
    let mut t = InMemoryTransport::new(reg.clone(), rt.handle().clone());
    shumari_sync::enroll(&mut store, &mut t, "memory:", &code, &Options::default())
        .expect("enroll");
    store
}

fn run(n: usize) -> Row {
    shumari_store::key::set_cost_for_tests(Some(shumari_store::key::KdfCost::FOR_TESTS));
    let tmp = tempfile::tempdir().expect("tempdir");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let storage = SqliteStorage::open(&tmp.path().join("registry.db")).expect("registry");
    let reg = Arc::new(Registry::new(storage, Config::default()));
    let key = DeviceKey::from_secret([42; 32]);
    rt.block_on(reg.adopt_bundle_key(&key)).expect("key");

    std::fs::create_dir(tmp.path().join("a")).expect("dir");
    std::fs::create_dir(tmp.path().join("b")).expect("dir");
    let mut a = enrolled(&rt, &reg, &tmp.path().join("a"), "Surveyor A");
    let mut b = enrolled(&rt, &reg, &tmp.path().join("b"), "Surveyor B");
    let mut gen = nser_gen::Generator::new(7);
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let inputs: Vec<_> = chunk.iter().map(|_| gen.household_in(AREA)).collect();
        a.add_households(&inputs, None, "nser-household", "1")
            .expect("add");
    }

    let t = Instant::now();
    let up = shumari_sync::bundle::export_for_registry(&mut a, false).expect("export up");
    let up_export = t.elapsed();
    let t = Instant::now();
    let report = rt
        .block_on(reg.import_bundle(&key, &up.bytes))
        .expect("import up");
    let up_import = t.elapsed();
    assert_eq!(report.accepted as usize, n, "{:?}", report.refused.first());

    let device_b = b.kv_get(KEY_DEVICE).expect("kv").expect("enrolled");
    let t = Instant::now();
    let down = rt
        .block_on(reg.export_bundle(&key, &device_b, false))
        .expect("export down");
    let down_export = t.elapsed();
    let t = Instant::now();
    let got = shumari_sync::bundle::import_from_registry(&mut b, &down.bytes).expect("import down");
    let down_import = t.elapsed();
    assert_eq!(got.pulled as usize, n);
    Row {
        households: n,
        up_bytes: up.bytes.len(),
        up_export,
        up_import,
        down_bytes: down.bytes.len(),
        down_export,
        down_import,
    }
}

fn main() {
    let sizes: Vec<usize> = std::env::var("SHUMARI_BENCH_HOUSEHOLDS")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let rows: Vec<Row> = sizes.into_iter().map(run).collect();
    let s = |d: Duration| format!("{:.2} s", d.as_secs_f64());
    println!("| households | up: size | up: export (tablet) | up: import (registry) | down: size | down: export (registry) | down: import (tablet) |");
    println!("|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {:.2} MB ({:.0} B/household) | {} | {} | {:.2} MB ({:.0} B/household) | {} | {} |",
            r.households,
            r.up_bytes as f64 / 1e6,
            r.up_bytes as f64 / r.households as f64,
            s(r.up_export),
            s(r.up_import),
            r.down_bytes as f64 / 1e6,
            r.down_bytes as f64 / r.households as f64,
            s(r.down_export),
            s(r.down_import),
        );
    }
}
