//! Dashboard reads at a million households: the coverage of a province (its districts with their
//! targets), the district map's figures and the province's PMT distribution, read from the
//! maintained aggregates (migration V19) on SQLite and on PostgreSQL 15. Prints one table beside
//! the aim of issue 12 ("counts by area x status and the PMT histogram for a province: < 500 ms at
//! 1M").
//!
//! Run: `cargo bench -p shumari-registry --bench dashboards` (under a minute);
//! `SHUMARI_DASHBOARD_BACKENDS=sqlite` or `=postgres` runs one backend.
//!
//! The aggregate rows are inserted directly, not by loading a million households through ingest
//! (an hour and gigabytes per backend, see the scale bench): what a dashboard read costs depends on
//! the aggregate rows under the province, not on the households behind them, and the triggers that
//! keep those rows are checked against a full recount by `tests/aggregate_scenarios.rs`. The rows
//! are what a million households leave: every shipped tehsil with 10 union councils, the
//! households spread evenly over them (~173 each) in all six statuses, and their scores over 61
//! one-point buckets (10..=70), every union council with a target. Punjab, the province read, holds
//! 139 of the 577 tehsils: about 8,300 status rows and 85,000 bucket rows.

#[path = "../../../tests/harness/pg.rs"]
mod pg;

use shumari_domain::{AreaLevel, AreaRegistry, Status};
use shumari_registry::storage::postgres::PgStorage;
use shumari_registry::{Config, Registry, Role, SqliteStorage, Storage};
use std::time::{Duration, Instant};

/// Households in the registry.
const HOUSEHOLDS: u64 = 1_000_000;
/// Union councils per tehsil.
const UCS: usize = 10;
/// Score buckets each union council's households fall in.
const BUCKETS: std::ops::RangeInclusive<i64> = 10..=70;
/// Reads timed for the median.
const RUNS: usize = 11;
/// The province read (Punjab).
const PROVINCE: &str = "PK6";

/// (status rows, bucket rows, target rows) of the whole registry.
type Rows = (
    Vec<(String, String, i64)>,
    Vec<(String, i64, i64)>,
    Vec<(String, i64)>,
);

fn rows() -> Rows {
    let areas = AreaRegistry::builtin();
    let ucs: Vec<String> = areas
        .all()
        .filter(|a| a.level == AreaLevel::Tehsil)
        .flat_map(|t| (1..=UCS).map(move |u| format!("{}-UC{u:03}", t.code)))
        .collect();
    let per_uc = HOUSEHOLDS as i64 / ucs.len() as i64;
    let (mut status, mut buckets, mut targets) = (Vec::new(), Vec::new(), Vec::new());
    let n_buckets = BUCKETS.count() as i64;
    for uc in &ucs {
        for (i, s) in Status::ALL.iter().enumerate() {
            // Most households are approved; every status has some.
            let n = if *s == Status::Approved {
                per_uc - 25
            } else {
                5
            };
            status.push((uc.clone(), s.as_str().to_string(), n.max(1) + i as i64 % 2));
        }
        for b in BUCKETS {
            buckets.push((uc.clone(), b, (per_uc / n_buckets).max(1)));
        }
        targets.push((uc.clone(), per_uc + 20));
    }
    (status, buckets, targets)
}

fn fill_sqlite(path: &std::path::Path, (s, b, t): &Rows) {
    let mut c = rusqlite::Connection::open(path).expect("open");
    let tx = c.transaction().expect("tx");
    for (a, st, n) in s {
        tx.execute(
            "INSERT INTO area_status_counts (area, status, households) VALUES (?1, ?2, ?3)",
            rusqlite::params![a, st, n],
        )
        .expect("status row");
    }
    for (a, k, n) in b {
        tx.execute(
            "INSERT INTO area_pmt_histogram (area, bucket, households) VALUES (?1, ?2, ?3)",
            rusqlite::params![a, k, n],
        )
        .expect("bucket row");
    }
    for (a, n) in t {
        tx.execute(
            "INSERT INTO area_targets (area, households, set_by, set_at) VALUES (?1, ?2, 'bench', 0)",
            rusqlite::params![a, n],
        )
        .expect("target row");
    }
    tx.commit().expect("commit");
}

async fn fill_pg(url: &str, (s, b, t): &Rows) {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    let col = |v: Vec<String>| v;
    client
        .execute(
            "INSERT INTO area_status_counts SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])",
            &[
                &col(s.iter().map(|r| r.0.clone()).collect()),
                &col(s.iter().map(|r| r.1.clone()).collect()),
                &s.iter().map(|r| r.2).collect::<Vec<i64>>(),
            ],
        )
        .await
        .expect("status rows");
    client
        .execute(
            "INSERT INTO area_pmt_histogram SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])",
            &[
                &col(b.iter().map(|r| r.0.clone()).collect()),
                &b.iter().map(|r| r.1 as i32).collect::<Vec<i32>>(),
                &b.iter().map(|r| r.2).collect::<Vec<i64>>(),
            ],
        )
        .await
        .expect("bucket rows");
    client
        .execute(
            "INSERT INTO area_targets SELECT a, n, 'bench', 0 FROM unnest($1::text[], $2::bigint[]) AS v(a, n)",
            &[
                &col(t.iter().map(|r| r.0.clone()).collect()),
                &t.iter().map(|r| r.1).collect::<Vec<i64>>(),
            ],
        )
        .await
        .expect("target rows");
    client
        .batch_execute(
            "ANALYZE area_status_counts; ANALYZE area_pmt_histogram; ANALYZE area_targets;",
        )
        .await
        .expect("analyze");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// (coverage, district map, PMT histogram) medians, and the province's households and scored.
async fn measure<S: Storage>(reg: &Registry<S>) -> [(Duration, u64); 3] {
    let id = reg
        .add_user("Bench Monitor", Role::Province, &[PROVINCE.to_string()])
        .await
        .expect("user");
    let user = reg.acting_user(&id).await.expect("the user");
    let (mut cov, mut map, mut hist) = (Vec::new(), Vec::new(), Vec::new());
    let (mut households, mut districts, mut scored) = (0, 0, 0);
    for _ in 0..RUNS {
        let t = Instant::now();
        let c = reg.coverage(&user, None).await.expect("coverage");
        cov.push(t.elapsed());
        households = c.total.households();
        let t = Instant::now();
        districts = reg.district_coverage(&user).await.expect("map").len() as u64;
        map.push(t.elapsed());
        let t = Instant::now();
        scored = reg
            .pmt_histogram(&user, None)
            .await
            .expect("histogram")
            .scored();
        hist.push(t.elapsed());
    }
    [
        (median(cov), households),
        (median(map), districts),
        (median(hist), scored),
    ]
}

fn main() {
    let which = std::env::var("SHUMARI_DASHBOARD_BACKENDS").unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let data = rows();
    let mut columns: Vec<(&str, [(Duration, u64); 3])> = Vec::new();
    if which.is_empty() || which == "sqlite" {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("registry.db");
        drop(SqliteStorage::open(&path).expect("create"));
        fill_sqlite(&path, &data);
        let reg = Registry::new(SqliteStorage::open(&path).expect("open"), Config::default());
        columns.push(("SQLite", rt.block_on(measure(&reg))));
    }
    if which.is_empty() || which == "postgres" {
        let cluster = pg::PgCluster::start(false);
        let url = cluster.database();
        let m = rt.block_on(async {
            let storage = PgStorage::connect(&url).await.expect("connect");
            fill_pg(&url, &data).await;
            measure(&Registry::new(storage, Config::default())).await
        });
        columns.push(("PostgreSQL", m));
    }
    let status_rows = data.0.iter().filter(|r| r.0.starts_with(PROVINCE)).count();
    let bucket_rows = data.1.iter().filter(|r| r.0.starts_with(PROVINCE)).count();
    println!(
        "\nDashboard reads of {PROVINCE} in a registry of {HOUSEHOLDS} households \
         ({status_rows} status rows, {bucket_rows} bucket rows under it; median of {RUNS})\n"
    );
    let mut head = "| read (2 cores) | aim |".to_string();
    let mut rule = "|---|---|".to_string();
    for (name, _) in &columns {
        head.push_str(&format!(" {name} 1M |"));
        rule.push_str("---|");
    }
    println!("{head}\n{rule}");
    let names = [
        "coverage of the province: its districts, statuses, targets (`Registry::coverage`)",
        "district map figures (`Registry::district_coverage`)",
        "PMT histogram of the province (`Registry::pmt_histogram`)",
    ];
    let what = ["households", "districts", "scored"];
    for (i, name) in names.iter().enumerate() {
        let mut line = format!("| {name} | < 500 ms |");
        for (_, m) in &columns {
            let (d, n) = m[i];
            let ok = if d < Duration::from_millis(500) {
                "✓"
            } else {
                "✗"
            };
            line.push_str(&format!(
                " {:.1} ms ({n} {}) {ok} |",
                d.as_secs_f64() * 1000.0,
                what[i]
            ));
        }
        println!("{line}");
    }
}
