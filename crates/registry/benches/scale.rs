//! Scale benchmark: registries of 10,000 and 100,000 realistic NSER households (by default), filled
//! through the real ingest path, on SQLite and on PostgreSQL 15, then asked what a district office
//! asks of them. Prints one table, each measure beside the aim of issue 12 ("A registry for a whole
//! country") with ✓ where it is met and ✗ where it is not.
//!
//! Run: `cargo bench -p shumari-registry --bench scale`. `SHUMARI_SCALE_SIZES=10000,100000,1000000`
//! chooses the sizes (a million households takes the better part of an hour and several GB of disk
//! per backend); `SHUMARI_SCALE_BACKENDS=sqlite` or `=postgres` runs one backend.
//!
//! - Households come from the scenario harness's generator (`tests/harness/nser_gen.rs`: every
//!   question of the shipped questionnaire answered, ~6.4 members, spread evenly over every tehsil)
//!   and are loaded by its loader (`tests/harness/loader.rs`): one enrolled device per district,
//!   scoped to it, pushing with `shumari_sync::sync` over `InMemoryTransport`, which runs the same
//!   handler HTTP does. Both files, and `pg.rs` that starts PostgreSQL (fsync on), are included by
//!   path.
//! - "Ingest" is households divided by the time spent inside push calls. The "floor" is automerge
//!   `load` + `save` of (up to 5,000 of) the same stored documents, as in the sync benchmark.
//! - "Up-to-date sync" is the time inside the registry's handler (every call of one sync of a device
//!   scoped to the largest district, which has already pulled it), median of 21.
//! - The same for a device scoped to a union council of that district holding 500 households at
//!   every registry size (the loader never writes there): flat across sizes means O(scope).
//! - "First sync of a tehsil" is a new device scoped to one tehsil of that district pulling it:
//!   wall time of the whole sync (device side included) and bytes received.
//! - Look-ups go through `Registry::household_show` (which also appends to the access audit trail),
//!   by id and by reference number, 1,000 households sampled over many districts; median and p99.
//! - Memory is the process's peak resident set (`VmHWM`, reset before each run; the devices and
//!   the generator live in the same process, so it is an upper bound for the registry; PostgreSQL's
//!   server processes are not counted). Disk is the SQLite files (database, WAL) or
//!   `pg_database_size`, divided by the households.

#[path = "../../../tests/harness/loader.rs"]
mod loader;
#[path = "../../../tests/harness/nser_gen.rs"]
mod nser_gen;
#[path = "../../../tests/harness/pg.rs"]
mod pg;

use shumari_domain::AreaRegistry;
use shumari_registry::storage::postgres::PgStorage;
use shumari_registry::{Config, Registry, Role, SqliteStorage, Storage};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The generator's seed: every run loads the same households.
const SEED: u64 = 2026;
/// Up-to-date syncs timed for the median.
const QUIET_SYNCS: usize = 21;
/// Look-ups timed for the median and p99.
const LOOKUPS: usize = 1000;
/// Documents loaded and saved for the floor.
const FLOOR_DOCS: usize = 5000;
/// Households of the union council whose size is the same at every registry size.
const FIXED_SCOPE: usize = 500;
/// Requests per second of the look-ups over HTTP (the rate).
const HTTP_RATE: u64 = 500;
/// Look-ups sent at that rate, a third each by id, by reference and by a member's CNIC.
const HTTP_LOOKUPS: usize = 3_000;
/// Keep-alive connections the paced look-ups are spread over.
const HTTP_CONNECTIONS: usize = 8;

/// What one (backend, size) run measured.
struct Run {
    label: String,
    n: u64,
    ingest: f64,
    floor: f64,
    district: String,
    district_households: usize,
    quiet_ms: f64,
    fixed_quiet_ms: f64,
    tehsil_households: u64,
    tehsil_secs: f64,
    tehsil_bytes: u64,
    by_id: (f64, f64),
    by_ref: (f64, f64),
    http: (f64, f64),
    list_rows: usize,
    list_ms: f64,
    rss_bytes: u64,
    disk_bytes: u64,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Median and p99 of durations, in milliseconds.
fn median_p99(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort_unstable();
    let at = |p: f64| {
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v[i.min(v.len() - 1)].as_secs_f64() * 1000.0
    };
    (at(0.5), at(0.99))
}

/// The process's peak resident set since the last [`reset_peak_rss`], in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

/// Starts `VmHWM` again from the current resident set (Linux `clear_refs` value 5).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Households per second that automerge loads and saves, over up to [`FLOOR_DOCS`] stored
/// documents taken province by province.
fn floor<S: Storage>(rt: &tokio::runtime::Runtime, reg: &Registry<S>) -> f64 {
    let areas = AreaRegistry::builtin();
    let mut docs: Vec<Vec<u8>> = Vec::new();
    for province in areas.children(None).expect("provinces") {
        let mut after = None;
        while docs.len() < FLOOR_DOCS {
            let page = rt
                .block_on(reg.storage.snapshot_page(&province.code, after, 500))
                .expect("snapshot page");
            let Some(last) = page.last() else { break };
            after = Some((last.area.clone(), last.id));
            docs.extend(page.into_iter().map(|d| d.doc));
        }
    }
    docs.truncate(FLOOR_DOCS);
    let t = Instant::now();
    let mut bytes = 0usize;
    for d in &docs {
        let doc = automerge::Automerge::load(d).expect("load");
        bytes += doc.save().len();
    }
    std::hint::black_box(bytes);
    docs.len() as f64 / t.elapsed().as_secs_f64()
}

/// Loads `n` households into `reg` and measures it; `disk` reads the registry's size on disk.
fn run<S: Storage>(
    label: &str,
    rt: &tokio::runtime::Runtime,
    reg: Arc<Registry<S>>,
    n: u64,
    disk: impl Fn() -> u64,
) -> Run {
    reset_peak_rss();
    eprintln!("{label}: loading {n} households");
    // Scoring and duplicate detection run in the background, as under `registry serve`.
    {
        let _rt = rt.enter();
        reg.spawn_queue();
    }
    let t = Instant::now();
    let loaded = loader::load(&reg, rt.handle(), n, SEED);
    eprintln!(
        "{label}: loaded in {:.0} s ({} devices, {:.0} s inside pushes)",
        t.elapsed().as_secs_f64(),
        loaded.devices,
        loaded.push.as_secs_f64()
    );
    let t = Instant::now();
    rt.block_on(reg.settle_queue());
    eprintln!(
        "{label}: scoring and duplicate checks finished {:.1} s after the last push",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let job = rt.block_on(reg.rescore(|_| {})).expect("rescore");
    eprintln!(
        "{label}: a PMT rescoring run scored {} households in {:.1} s ({:.0}/s)",
        job.done,
        t.elapsed().as_secs_f64(),
        job.done as f64 / t.elapsed().as_secs_f64()
    );
    let ingest = loaded.households as f64 / loaded.push.as_secs_f64();
    let floor = floor(rt, &reg);

    // A device scoped to the largest district, which has pulled it once: its syncs are quiet.
    let (district, ids) = loaded
        .by_district
        .iter()
        .max_by_key(|(_, ids)| ids.len())
        .expect("a district");
    let (_d, mut store, mut t) = loader::device(
        &reg,
        rt.handle(),
        Role::Surveyor,
        std::slice::from_ref(district),
        None,
    );
    let first = loader::sync_once(&mut store, &mut t);
    assert_eq!(first.pulled, ids.len() as u64);
    let mut quiet = Vec::new();
    for _ in 0..QUIET_SYNCS {
        t.reset();
        let r = loader::sync_once(&mut store, &mut t);
        assert_eq!(r.pulled + r.pushed, 0);
        quiet.push(t.spent());
    }
    let quiet_ms = median_p99(quiet).0;
    drop((store, t));

    // A new device for one tehsil of that district: its first sync.
    let tehsil = nser_gen::tehsils()
        .into_iter()
        .find(|c| nser_gen::district_of(c) == *district)
        .expect("a tehsil of the district");
    let (_d, mut store, mut t) = loader::device(
        &reg,
        rt.handle(),
        Role::Surveyor,
        std::slice::from_ref(&tehsil),
        None,
    );
    let start = Instant::now();
    let tehsil_sync = loader::sync_once(&mut store, &mut t);
    let tehsil_secs = start.elapsed().as_secs_f64();
    drop((store, t));

    // Households to look up: list rows of districts taken in turn over the whole list.
    let districts: Vec<&String> = loaded.by_district.keys().collect();
    let step = (districts.len() / 16).max(1);
    let mut sample = Vec::new();
    'fill: for offset in 0..step {
        for d in districts.iter().skip(offset).step_by(step) {
            let rows = rt
                .block_on(reg.storage.list(Some(d.as_str())))
                .expect("list");
            sample.extend(rows.into_iter().take(LOOKUPS / 16 + 1));
            if sample.len() >= LOOKUPS {
                break 'fill;
            }
        }
    }
    let mut by_id = Vec::new();
    let mut by_ref = Vec::new();
    for s in sample.iter().cycle().take(LOOKUPS) {
        let t = Instant::now();
        rt.block_on(reg.household_show(None, &s.id.to_string()))
            .expect("show by id");
        by_id.push(t.elapsed());
        let t = Instant::now();
        let shown = rt
            .block_on(reg.household_show(None, &s.reference))
            .expect("show by reference");
        by_ref.push(t.elapsed());
        assert_eq!(shown.household.id, s.id);
    }

    // The same households over HTTP, as a supervisor's laptop or another system asks.
    let (_d, store, _t) = loader::device(
        &reg,
        rt.handle(),
        Role::Surveyor,
        &AreaRegistry::builtin()
            .children(None)
            .expect("provinces")
            .into_iter()
            .map(|p| p.code.clone())
            .collect::<Vec<_>>(),
        None,
    );
    let token = store
        .kv_get(shumari_sync::engine::KEY_TOKEN)
        .expect("store")
        .expect("a token");
    let paths: Vec<String> = sample
        .iter()
        .flat_map(|s| {
            let cnic = s
                .head_id_number
                .as_ref()
                .map(|n| n.digits().to_string())
                .unwrap_or_else(|| s.id.to_string());
            [
                format!("/v1/households/{}", s.id),
                format!("/v1/households/{}", s.reference),
                format!("/v1/households?cnic={cnic}"),
            ]
        })
        .collect();
    let http = http_lookups(rt, &reg, &token, &paths);
    drop(store);

    let mut list_times = Vec::new();
    let mut list_rows = 0;
    for _ in 0..5 {
        let t = Instant::now();
        list_rows = rt
            .block_on(reg.storage.list(Some(district)))
            .expect("list")
            .len();
        list_times.push(t.elapsed());
    }

    // Measured last, so the union council's households change none of the measures above.
    let disk_bytes = disk();
    // A union council of the same size at every registry size (the loader never writes there): if
    // its quiet sync costs the same at 10k and 100k, the cost follows the scope, not the country.
    let uc = format!(
        "{}-UC900",
        nser_gen::tehsils()
            .into_iter()
            .find(|c| nser_gen::district_of(c) == *district)
            .expect("a tehsil of the district")
    );
    let (_d, mut store, mut t) = loader::device(
        &reg,
        rt.handle(),
        Role::Surveyor,
        std::slice::from_ref(&uc),
        None,
    );
    let tehsil_of_uc = uc.split('-').next().expect("a tehsil code");
    store
        .add_area(&uc, "Union Council 900", tehsil_of_uc)
        .expect("add the union council");
    let mut gen = nser_gen::Generator::new(SEED + 1);
    let inputs: Vec<_> = (0..FIXED_SCOPE).map(|_| gen.household_in(&uc)).collect();
    for made in store
        .add_households(&inputs, None, "nser-household", "1")
        .expect("record households")
    {
        made.expect("a valid household");
    }
    assert_eq!(
        loader::sync_once(&mut store, &mut t).pushed,
        FIXED_SCOPE as u64
    );
    let mut fixed = Vec::new();
    for _ in 0..QUIET_SYNCS {
        t.reset();
        let r = loader::sync_once(&mut store, &mut t);
        assert_eq!(r.pulled + r.pushed, 0);
        fixed.push(t.spent());
    }
    let fixed_quiet_ms = median_p99(fixed).0;
    drop((store, t));

    Run {
        label: label.to_string(),
        n,
        ingest,
        floor,
        district: district.clone(),
        district_households: ids.len(),
        quiet_ms,
        fixed_quiet_ms,
        tehsil_households: tehsil_sync.pulled,
        tehsil_secs,
        tehsil_bytes: tehsil_sync.bytes_received,
        by_id: median_p99(by_id),
        by_ref: median_p99(by_ref),
        http,
        list_rows,
        list_ms: median_p99(list_times).0,
        rss_bytes: peak_rss(),
        disk_bytes,
    }
}

/// The registry's defaults, with one token allowed the look-up row's rate (a device's default is
/// 600 requests a minute; the bench measures the look-ups, not the limiter).
fn bench_config() -> Config {
    let mut config = Config::default();
    config.rate.per_token_per_minute = 120_000;
    config.rate.per_address_per_minute = 120_000;
    config
}

/// Look-ups over loopback HTTP at [`HTTP_RATE`] requests per second: median and p99 in ms.
///
/// Open loop: request `i` is due at `i / HTTP_RATE` s after the start, whatever became of the
/// others, and its latency counts from when it was due, so a stall shows in the requests queued
/// behind it too (no coordinated omission). Each of [`HTTP_CONNECTIONS`] threads owns one
/// keep-alive connection and every `HTTP_CONNECTIONS`-th request. HTTP/1.1 is spoken by hand, as
/// the portal bench's client does, so the generator costs little of the two cores.
fn http_lookups<S: Storage>(
    rt: &tokio::runtime::Runtime,
    reg: &Arc<Registry<S>>,
    token: &str,
    paths: &[String],
) -> (f64, f64) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let served = rt.spawn(shumari_registry::launch(
        listener,
        reg.clone(),
        std::future::pending(),
    ));
    let start = Instant::now() + Duration::from_millis(50);
    let gap = Duration::from_nanos(1_000_000_000 / HTTP_RATE);
    let latencies: Vec<Duration> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..HTTP_CONNECTIONS)
            .map(|k| {
                s.spawn(move || {
                    let stream = std::net::TcpStream::connect(addr).expect("connect");
                    stream.set_nodelay(true).expect("nodelay");
                    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                    let mut writer = stream;
                    let mut out = Vec::new();
                    for i in (k..HTTP_LOOKUPS).step_by(HTTP_CONNECTIONS) {
                        let due = start + gap * i as u32;
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        let path = &paths[i % paths.len()];
                        write!(
                            writer,
                            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\r\n"
                        )
                        .expect("send");
                        let mut status = String::new();
                        reader.read_line(&mut status).expect("status line");
                        assert!(status.contains(" 200 "), "{path}: {status}");
                        let mut length = 0usize;
                        loop {
                            let mut line = String::new();
                            reader.read_line(&mut line).expect("header");
                            if line == "\r\n" {
                                break;
                            }
                            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                                length = v.trim().parse().expect("a length");
                            }
                        }
                        let mut body = vec![0u8; length];
                        reader.read_exact(&mut body).expect("body");
                        out.push(due.elapsed());
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a look-up thread"))
            .collect()
    });
    served.abort();
    median_p99(latencies)
}

fn sqlite_run(n: u64) -> Run {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = SqliteStorage::open(&dir.path().join("registry.db")).expect("sqlite");
    let reg = Arc::new(Registry::new(storage, bench_config()));
    run("SQLite", &rt, reg, n, || dir_bytes(dir.path()))
}

fn postgres_run(cluster: &pg::PgCluster, n: u64) -> Run {
    let rt = runtime();
    let url = cluster.database();
    let storage = rt.block_on(PgStorage::connect(&url)).expect("postgres");
    let reg = Arc::new(Registry::new(storage, bench_config()));
    let out = run("PostgreSQL", &rt, reg, n, || {
        cluster
            .psql(&url, "SELECT pg_database_size(current_database())")
            .parse()
            .expect("a size")
    });
    drop(rt);
    // Give the disk back before the next size.
    let name = url.rsplit('/').next().expect("a database name");
    let _ = std::process::Command::new(Path::new(pg::BIN).join("dropdb"))
        .args(["-h", "127.0.0.1", "-U", "postgres", "-p"])
        .arg(cluster.port().to_string())
        .arg(name)
        .status();
    out
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

fn mark(ok: bool) -> &'static str {
    if ok {
        "✓"
    } else {
        "✗"
    }
}

fn size_label(n: u64) -> String {
    if n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

/// The table of `runs`, one column per run.
fn table(runs: &[Run]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut header = String::from("| measure (2 cores) | aim |");
    let mut rule = String::from("|---|---|");
    for r in runs {
        header.push_str(&format!(" {} {} |", r.label, size_label(r.n)));
        rule.push_str("---|");
    }
    let _ = writeln!(
        out,
        "\nShumari scale benchmark (seed {SEED})\n\n{header}\n{rule}"
    );
    let mut row = |measure: &str, aim: &str, cell: &dyn Fn(&Run) -> String| {
        let cells: Vec<String> = runs.iter().map(cell).collect();
        let _ = writeln!(out, "| {measure} | {aim} | {} |", cells.join(" | "));
    };
    row(
        "ingest through sync pushes (households/s)",
        "> floor; >= 8,000 SQLite, >= 6,000 PostgreSQL",
        &|r| {
            let aim = if r.label == "SQLite" { 8000.0 } else { 6000.0 };
            format!(
                "{} {}",
                thousands(r.ingest),
                mark(r.ingest > r.floor && r.ingest >= aim)
            )
        },
    );
    row(
        "automerge load + save floor, same documents (households/s)",
        "",
        &|r| thousands(r.floor),
    );
    row("ingest / floor", ">= 1", &|r| {
        format!("{:.2}", r.ingest / r.floor)
    });
    row(
        "up-to-date sync of a district's device, server time (median of 21)",
        "< 10 ms, flat in size",
        &|r| {
            format!(
                "{:.1} ms ({} hh) {}",
                r.quiet_ms,
                thousands(r.district_households as f64),
                mark(r.quiet_ms < 10.0)
            )
        },
    );
    row(
        "up-to-date sync of a union council's device, 500 households at every size, server time (median of 21)",
        "< 10 ms, the same at every size",
        &|r| format!("{:.1} ms {}", r.fixed_quiet_ms, mark(r.fixed_quiet_ms < 10.0)),
    );
    row(
        "first sync of a tehsil by a new device: households, time, bytes received",
        "2,000 in < 5 s (>= 400/s)",
        &|r| {
            let rate = r.tehsil_households as f64 / r.tehsil_secs;
            format!(
                "{} in {:.2} s, {:.0} KB ({}/s) {}",
                r.tehsil_households,
                r.tehsil_secs,
                r.tehsil_bytes as f64 / 1024.0,
                thousands(rate),
                mark(rate >= 400.0)
            )
        },
    );
    row(
        "look-up by id, `Registry` (median / p99 of 1,000)",
        "p99 < 5 ms",
        &|r| {
            format!(
                "{:.2} / {:.2} ms {}",
                r.by_id.0,
                r.by_id.1,
                mark(r.by_id.1 < 5.0)
            )
        },
    );
    row(
        "look-up by reference, `Registry` (median / p99 of 1,000)",
        "p99 < 5 ms",
        &|r| {
            format!(
                "{:.2} / {:.2} ms {}",
                r.by_ref.0,
                r.by_ref.1,
                mark(r.by_ref.1 < 5.0)
            )
        },
    );
    row(
        "look-up over HTTP at 500/s, by id, reference or a member's CNIC (median / p99 of 3,000)",
        "p99 < 5 ms",
        &|r| {
            format!(
                "{:.2} / {:.2} ms {}",
                r.http.0,
                r.http.1,
                mark(r.http.1 < 5.0)
            )
        },
    );
    row(
        "`Storage::list` of that district (median of 5)",
        "scope-sized",
        &|r| {
            format!(
                "{:.1} ms ({} rows)",
                r.list_ms,
                thousands(r.list_rows as f64)
            )
        },
    );
    row("process peak RSS (VmHWM) during the run", "< 1 GiB", &|r| {
        format!(
            "{:.0} MiB {}",
            r.rss_bytes as f64 / 1_048_576.0,
            mark(r.rss_bytes < 1 << 30)
        )
    });
    row("disk per household (data + indexes)", "< 3 KB", &|r| {
        let per = r.disk_bytes as f64 / r.n as f64;
        format!("{:.2} KB {}", per / 1024.0, mark(per < 3.0 * 1024.0))
    });
    let districts: Vec<String> = runs
        .iter()
        .map(|r| format!("{} {}: {}", r.label, size_label(r.n), r.district))
        .collect();
    let _ = writeln!(out, "\nDistrict measured: {}\n", districts.join("; "));
    out
}

fn main() {
    let sizes: Vec<u64> = std::env::var("SHUMARI_SCALE_SIZES")
        .ok()
        .map(|v| {
            v.split(',')
                .filter_map(|s| s.trim().replace('_', "").parse().ok())
                .collect()
        })
        .filter(|v: &Vec<u64>| !v.is_empty())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    let backends =
        std::env::var("SHUMARI_SCALE_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".to_string());
    // The table so far goes to standard error after each run, so a long run stopped part-way (a
    // million households takes about an hour per backend) keeps what it measured.
    let mut runs = Vec::new();
    if backends.contains("sqlite") {
        for &n in &sizes {
            runs.push(sqlite_run(n));
            eprintln!("{}", table(&runs));
        }
    }
    if backends.contains("postgres") {
        let cluster = pg::PgCluster::start(true);
        for &n in &sizes {
            runs.push(postgres_run(&cluster, n));
            eprintln!("{}", table(&runs));
        }
    }
    println!("{}", table(&runs));
}
