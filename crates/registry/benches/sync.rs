//! Sync benchmark: one device pushes N NSER-sized households (60 household answers, 6 members of ~15
//! fields) to a registry on SQLite and on PostgreSQL 15, then makes 5-field edits and an up-to-date
//! check. Prints one table of results beside the aims, and what signing and verifying a change
//! costs (every change is signed by its device and checked by the registry: 96 bytes on the wire).
//!
//! Run: `cargo bench -p shumari-registry --bench sync`. `SHUMARI_BENCH_HOUSEHOLDS` sets N (default
//! 10,000). PostgreSQL is started in a temp dir by the tests' harness (`tests/harness/pg.rs`, included
//! by path) with fsync on; SQLite runs WAL with `synchronous=NORMAL` (a push is answered after its
//! transaction commits; see `storage/sqlite.rs` for what that keeps).
//!
//! The device and the registry talk through [`InMemoryTransport`], which runs the same handler HTTP
//! does, so byte counts are the real request and response bodies. "Ingest" is the time spent inside
//! the registry's push handler (decode, automerge merge, projection, storage), households divided by
//! seconds. The "floor" is `automerge` load + save of the same documents: what any registry keeping
//! merged documents must at least do.

// The harness's loader brings the transport that times calls ([`loader::Meter`]); it reads the
// household generator by path too.
#[path = "../../../tests/harness/loader.rs"]
mod loader;
#[path = "../../../tests/harness/nser_gen.rs"]
mod nser_gen;
#[path = "../../../tests/harness/pg.rs"]
mod pg;

use loader::Meter;

use serde_json::{json, Value};
use shumari_domain::{HouseholdInput, HouseholdSummary, IdNumber, Status};
use shumari_registry::storage::postgres::PgStorage;
use shumari_registry::storage::{IngestRow, Projection, StoredDoc};
use shumari_registry::{Config, InMemoryTransport, Registry, Role, SqliteStorage, Storage};

fn id_number(digits: &str) -> IdNumber {
    IdNumber::parse("id_number", digits).expect("13 digits")
}
use shumari_store::Store;
use shumari_sync::{Endpoint, Options, Report, Transport};
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

const AREA: &str = "PK10101";
const PIN: &str = "bench-pin-4821";
/// 2G link: 50 kbit/s, 300 ms round trip.
const LINK_BPS: f64 = 50_000.0;
const LINK_RTT_S: f64 = 0.3;
/// How many single-household 5-field edits are synced (each its own sync) for the median.
const EDITS: usize = 31;

/// An NSER-sized household (the same shape as the scenario tests').
fn nser_household(n: u32) -> HouseholdInput {
    let mut answers = serde_json::Map::new();
    for i in 0..60u32 {
        let v = match i % 4 {
            0 => json!((n + i) % 7),
            1 => json!(format!("option_{}", (n + i) % 5)),
            2 => json!((n + i) & 1 == 0),
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
    serde_json::from_value(json!({"area": AREA, "answers": answers, "members": members}))
        .expect("valid household")
}

/// What one backend's run measured.
struct Run {
    ingest_per_s: f64,
    push: Report,
    edits: Vec<Report>,
    up_to_date: Report,
    /// Stored documents (for the floor and the storage-only rate).
    docs: Vec<StoredDoc>,
}

fn sync(store: &mut Store, t: &mut dyn Transport) -> Report {
    let r = shumari_sync::sync(store, t, &Options::default(), &mut |_| {}).expect("sync");
    assert!(r.complete && r.refused.is_empty(), "{r:?}");
    r
}

fn run<S: Storage>(rt: &tokio::runtime::Runtime, reg: Arc<Registry<S>>, n: u32) -> Run {
    let user = rt
        .block_on(reg.add_user("Bench Surveyor", Role::Surveyor, &[AREA.to_string()]))
        .expect("user");
    let code = rt.block_on(reg.enroll_code(&user)).expect("code");
    let mut t = Meter::new(
        InMemoryTransport::new(reg.clone(), rt.handle().clone()),
        Some(Endpoint::Push),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::create(dir.path(), PIN).expect("store");
    shumari_sync::enroll(&mut store, &mut t, "memory:", &code, &Options::default())
        .expect("enroll");
    let mut ids: Vec<Uuid> = Vec::new();
    for start in (0..n).step_by(500) {
        let inputs: Vec<_> = (start..(start + 500).min(n)).map(nser_household).collect();
        ids.extend(
            store
                .add_households(&inputs, None, "nser-household", "1")
                .expect("add")
                .into_iter()
                .map(|r| r.expect("valid").id),
        );
    }
    let report = sync(&mut store, &mut t);
    assert_eq!(report.pushed, u64::from(n));
    let secs = t.spent().as_secs_f64();
    let mut edits = Vec::new();
    for (k, id) in ids.iter().take(EDITS).enumerate() {
        let fields: Vec<(String, Value)> = (0..5)
            .map(|f| {
                (
                    format!("answers.q{:02}", f * 4 + 3),
                    json!(format!("edit {k}.{f}")),
                )
            })
            .collect();
        store.set_fields(&id.to_string(), &fields).expect("edit");
        edits.push(sync(&mut store, &mut t));
    }
    let up_to_date = sync(&mut store, &mut t);
    let mut docs = Vec::new();
    let mut after = None;
    loop {
        let page = rt
            .block_on(reg.storage.snapshot_page(AREA, after, 1000))
            .expect("snapshot");
        let Some(last) = page.last() else { break };
        after = Some((last.area.clone(), last.id));
        docs.extend(page);
    }
    Run {
        ingest_per_s: f64::from(n) / secs,
        push: report,
        edits,
        up_to_date,
        docs,
    }
}

/// Households per second that `storage` alone writes: the stored documents replayed as new rows in
/// batches of 100 through `commit_ingest`, without the service's decoding and merging.
fn storage_only<S: Storage>(rt: &tokio::runtime::Runtime, storage: &S, docs: &[StoredDoc]) -> f64 {
    let rows: Vec<IngestRow> = docs
        .iter()
        .map(|d| IngestRow {
            id: d.id,
            expected_heads: None,
            prev_area: None,
            doc: d.doc.clone(),
            heads: d.heads.clone(),
            projection: Projection {
                summary: HouseholdSummary {
                    id: d.id,
                    reference: d.id.to_string(),
                    area: d.area.clone(),
                    head_name: Some("Member 0".into()),
                    head_id_number: Some(id_number("3520200000011")),
                    member_count: 6,
                    status: Status::Complete,
                    conflict_count: 0,
                    updated_at: chrono::DateTime::from_timestamp_millis(1_750_000_000_000)
                        .expect("a valid time"),
                },
                id_numbers: vec![id_number("3520200000011"), id_number("3520200000012")],
                id_issued: Default::default(),
                created_at: chrono::DateTime::from_timestamp_millis(1_750_000_000_000)
                    .expect("a valid time"),
                phone: None,
                roster: Vec::new(),
            },
            log_changes: d.doc.clone(),
            audit: vec![(d.heads[..32].try_into().expect("32 bytes"), vec![7; 16])],
            signatures: Vec::new(),
        })
        .collect();
    let t = Instant::now();
    for batch in rows.chunks(100) {
        let stale = rt
            .block_on(storage.commit_ingest("bench", "bench", batch.to_vec(), 1))
            .expect("commit");
        assert!(stale.is_empty());
    }
    docs.len() as f64 / t.elapsed().as_secs_f64()
}

fn floor(docs: &[Vec<u8>]) -> f64 {
    let t = Instant::now();
    let mut bytes = 0usize;
    for d in docs {
        let doc = automerge::Automerge::load(d).expect("load");
        bytes += doc.save().len();
    }
    std::hint::black_box(bytes);
    docs.len() as f64 / t.elapsed().as_secs_f64()
}

fn pct(v: &mut [u64], p: f64) -> u64 {
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// Microseconds to sign one change hash on a device, and to verify one record at the registry
/// (2,000 of each; every pushed change costs one of each, relayed or not).
fn signing_cost() -> (f64, f64) {
    use shumari_proto::signing::{verify, DeviceKey};
    const N: u32 = 2_000;
    let key = DeviceKey::from_secret([7; 32]);
    let hashes: Vec<[u8; 32]> = (0..N)
        .map(|i| {
            let mut h = [0u8; 32];
            h[..4].copy_from_slice(&i.to_le_bytes());
            h
        })
        .collect();
    let t = Instant::now();
    let records: Vec<_> = hashes.iter().map(|h| key.sign(h)).collect();
    let sign = t.elapsed().as_secs_f64() * 1e6 / f64::from(N);
    let public = key.public();
    let t = Instant::now();
    assert!(records.iter().all(|r| verify(&public, r)));
    let check = t.elapsed().as_secs_f64() * 1e6 / f64::from(N);
    (sign, check)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn main() {
    let n: u32 = std::env::var("SHUMARI_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
        .max(EDITS as u32);

    let rt = runtime();
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = SqliteStorage::open(&dir.path().join("registry.db")).expect("sqlite");
    let lite = run(&rt, Arc::new(Registry::new(sqlite, Config::default())), n);
    let fresh = SqliteStorage::open(&dir.path().join("storage-only.db")).expect("sqlite");
    let lite_storage = storage_only(&rt, &fresh, &lite.docs);
    drop(rt);

    let cluster = pg::PgCluster::start(true);
    let rt = runtime();
    let storage = rt
        .block_on(PgStorage::connect(&cluster.database()))
        .expect("postgres");
    let pg = run(&rt, Arc::new(Registry::new(storage, Config::default())), n);
    let fresh = rt
        .block_on(PgStorage::connect(&cluster.database()))
        .expect("postgres");
    let pg_storage = storage_only(&rt, &fresh, &lite.docs);
    drop(rt);

    let docs: Vec<Vec<u8>> = lite.docs.iter().map(|d| d.doc.clone()).collect();
    let floor_rate = floor(&docs);
    let p = &lite.push;
    let per_hh = (p.bytes_sent + p.bytes_received) as f64 / f64::from(n);
    let sent_per_hh = p.bytes_sent as f64 / f64::from(n);
    let mut edit_sent: Vec<u64> = lite.edits.iter().map(|r| r.bytes_sent).collect();
    let mut edit_total: Vec<u64> = lite
        .edits
        .iter()
        .map(|r| r.bytes_sent + r.bytes_received)
        .collect();
    let mut edit_rt: Vec<u64> = lite.edits.iter().map(|r| r.round_trips).collect();
    let (es50, es95) = (pct(&mut edit_sent, 0.5), pct(&mut edit_sent, 0.95));
    let (et50, et95) = (pct(&mut edit_total, 0.5), pct(&mut edit_total, 0.95));
    let (er50, er95) = (pct(&mut edit_rt, 0.5), pct(&mut edit_rt, 0.95));
    // 1,000 households: bytes scale linearly; round trips with bytes (batches are byte-capped).
    let rt_1000 = ((p.round_trips as f64) * 1000.0 / f64::from(n))
        .ceil()
        .max(1.0);
    let t_2g = per_hh * 1000.0 * 8.0 / LINK_BPS + rt_1000 * LINK_RTT_S;
    let u = &lite.up_to_date;
    let u_bytes = u.bytes_sent + u.bytes_received;
    let (sign_us, verify_us) = signing_cost();

    println!(
        "\nShumari sync benchmark: {n} NSER-sized households, one device, in-memory transport\n"
    );
    println!("{:<52} {:>16} {:>28}", "measure", "result", "aim");
    let line = |m: &str, r: String, a: &str| println!("{m:<52} {r:>16} {a:>28}");
    line(
        "ingest, SQLite (households/s)",
        format!("{:.0}", lite.ingest_per_s),
        ">= 5,000; within 2x of floor",
    );
    line(
        "ingest, PostgreSQL 15 (households/s)",
        format!("{:.0}", pg.ingest_per_s),
        "(scale backend)",
    );
    line(
        "  storage alone, SQLite (commit_ingest, households/s)",
        format!("{lite_storage:.0}"),
        "",
    );
    line(
        "  storage alone, PostgreSQL (households/s)",
        format!("{pg_storage:.0}"),
        "",
    );
    line(
        "floor: automerge load + save (households/s)",
        format!("{floor_rate:.0}"),
        "",
    );
    line(
        "SQLite ingest / floor",
        format!("{:.2}x slower", floor_rate / lite.ingest_per_s),
        "<= 2x",
    );
    line(
        "PostgreSQL ingest / floor",
        format!("{:.2}x slower", floor_rate / pg.ingest_per_s),
        "",
    );
    line(
        "wire bytes per new household (sent)",
        format!("{sent_per_hh:.0} B"),
        "<= 1.3 KB, aim 500 B",
    );
    line(
        "wire bytes per new household (sent + received)",
        format!("{per_hh:.0} B"),
        "",
    );
    line(
        "5-field edit: bytes sent, median / p95",
        format!("{es50} / {es95} B"),
        "<= 200 B",
    );
    line(
        "5-field edit: whole sync bytes, median / p95",
        format!("{et50} / {et95} B"),
        "",
    );
    line(
        "5-field edit: round trips, median / p95",
        format!("{er50} / {er95}"),
        "",
    );
    line(
        &format!("round trips, first push of {n}"),
        format!("{}", p.round_trips),
        "",
    );
    line(
        "1,000 households over 2G (50 kbit/s, 300 ms RTT)",
        format!("{t_2g:.0} s"),
        "< 120 s",
    );
    line(
        "up-to-date sync: round trips / bytes",
        format!("{} / {} B", u.round_trips, u_bytes),
        "1 / < 1 KB",
    );
    line(
        "signing one change (device), µs",
        format!("{sign_us:.1}"),
        "",
    );
    line(
        "verifying one change's signature (registry), µs",
        format!("{verify_us:.1}"),
        "",
    );
    line(
        "PostgreSQL run: same wire bytes per household",
        format!(
            "{:.0} B",
            (pg.push.bytes_sent + pg.push.bytes_received) as f64 / f64::from(n)
        ),
        "",
    );
    println!();
    drop(cluster);
}
