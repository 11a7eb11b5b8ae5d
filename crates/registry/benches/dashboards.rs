//! Dashboard reads at a million households: the coverage of a province (its districts with their
//! targets), the district map's figures and the province's PMT distribution, read from the
//! maintained aggregates (migration V19), then programme reach (V25's maintained counts), the field
//! figures (review backlog by age, conflicts, duplicates, flags, devices: indexed counts) and
//! households per surveyor per day with interview durations (the quality facts' (day, area)
//! index), on SQLite and on PostgreSQL 15. Prints one table beside the aim ("< 500 ms at 1M").
//!
//! Run: `cargo bench -p shumari-registry --bench dashboards` (under a minute);
//! `SHUMARI_DASHBOARD_BACKENDS=sqlite` or `=postgres` runs one backend;
//! `SHUMARI_DASHBOARD_HOUSEHOLDS=N` a registry of N households instead of a million.
//!
//! The aggregate rows are inserted directly, not by loading a million households through ingest
//! (an hour and gigabytes per backend, see the scale bench): what a dashboard read costs depends on
//! the aggregate rows under the province, not on the households behind them, and the triggers that
//! keep those rows are checked against a full recount by `tests/aggregate_scenarios.rs`. The rows
//! are what a million households leave: every shipped tehsil with 10 union councils, the
//! households spread evenly over them (~173 each) in all six statuses, and their scores over 61
//! one-point buckets (10..=70), every union council with a target. Punjab, the province read, holds
//! 139 of the 577 tehsils: about 8,300 status rows and 85,000 bucket rows.
//!
//! The field figures read slices of the registry's own rows, so those slices are inserted as a
//! million households would leave them: the households waiting for review (the submitted ones of
//! the status rows, of every age up to ten days) and one household with an open conflict per union
//! council as `households` rows, two weeks of interviews (a million households over six months of
//! enumeration: 14/180 of them, five surveyors per tehsil, with durations) as quality facts, and
//! two shipped programmes' eligible and enrolled counts per union council. Programme reach counts
//! only the programmes in force, so both programme files are loaded too, and the counts are kept
//! under their ids; the bench stops if the reach read does not count every enrolment under the
//! province. The rest of the million households would lie outside every index range these reads
//! walk.

#[path = "../../../tests/harness/pg.rs"]
mod pg;

use shumari_domain::{AreaLevel, AreaRegistry, Status};
use shumari_registry::storage::postgres::PgStorage;
use shumari_registry::{Config, Registry, Role, SqliteStorage, Storage};
use std::time::{Duration, Instant};

/// Households in the registry (`SHUMARI_DASHBOARD_HOUSEHOLDS`, a million by default).
fn households() -> u64 {
    std::env::var("SHUMARI_DASHBOARD_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}
/// Days of enumeration the registry's households were interviewed over.
const ENUMERATION_DAYS: u64 = 180;
/// Days of households per surveyor the dashboards show.
const DAYS_SHOWN: u64 = 14;
/// Surveyors per tehsil.
const SURVEYORS: usize = 5;
/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;
/// Union councils per tehsil.
const UCS: usize = 10;
/// Score buckets each union council's households fall in.
const BUCKETS: std::ops::RangeInclusive<i64> = 10..=70;
/// Reads timed for the median.
const RUNS: usize = 11;
/// The province read (Punjab).
const PROVINCE: &str = "PK6";
/// The programmes loaded, whose reach is read (shipped files).
const PROGRAMMES: [&str; 2] = [
    shumari_programmes::shipped::KAFALAT,
    shumari_programmes::shipped::TALEEMI_WAZAIF,
];

/// The ids of [`PROGRAMMES`].
fn programme_ids() -> Vec<String> {
    PROGRAMMES
        .iter()
        .map(|src| {
            shumari_programmes::Programme::from_toml_str(src)
                .expect("a shipped programme")
                .id
        })
        .collect()
}

/// A `households` row: id, area, status, conflicts, last change (ms).
type HouseholdRow = (String, String, String, i64, i64);
/// A quality facts row: household, area, tehsil, surveyor, day, duration (s).
type FactRow = (String, String, String, String, String, i64);

/// The rows a registry of [`households`] leaves (see the module docs).
struct Rows {
    status: Vec<(String, String, i64)>,
    buckets: Vec<(String, i64, i64)>,
    targets: Vec<(String, i64)>,
    households: Vec<HouseholdRow>,
    facts: Vec<FactRow>,
    reach: Vec<(String, String, i64, i64)>,
}

/// `YYYY-MM-DD` of `ms`.
fn day_of(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn rows(now: i64) -> Rows {
    let areas = AreaRegistry::builtin();
    let ucs: Vec<(String, String)> = areas
        .all()
        .filter(|a| a.level == AreaLevel::Tehsil)
        .flat_map(|t| (1..=UCS).map(move |u| (t.code.clone(), format!("{}-UC{u:03}", t.code))))
        .collect();
    let per_uc = households() as i64 / ucs.len() as i64;
    let window = (per_uc as u64 * DAYS_SHOWN / ENUMERATION_DAYS).max(1) as i64;
    let mut r = Rows {
        status: Vec::new(),
        buckets: Vec::new(),
        targets: Vec::new(),
        households: Vec::new(),
        facts: Vec::new(),
        reach: Vec::new(),
    };
    let programmes = programme_ids();
    let n_buckets = BUCKETS.count() as i64;
    let mut id = 0u64;
    let mut next_id = || {
        id += 1;
        format!("00000000-0000-4000-8000-{id:012}")
    };
    for (tehsil, uc) in &ucs {
        for (i, s) in Status::ALL.iter().enumerate() {
            // Most households are approved; every status has some.
            let n = if *s == Status::Approved {
                per_uc - 25
            } else {
                5
            };
            let n = n.max(1) + i as i64 % 2;
            r.status.push((uc.clone(), s.as_str().to_string(), n));
            if *s == Status::Submitted {
                for k in 0..n {
                    let at = now - (k % 10) * DAY_MS - 3_600_000;
                    r.households
                        .push((next_id(), uc.clone(), s.as_str().into(), 0, at));
                }
            }
        }
        r.households.push((
            next_id(),
            uc.clone(),
            Status::Approved.as_str().into(),
            1,
            now,
        ));
        for b in BUCKETS {
            r.buckets.push((uc.clone(), b, (per_uc / n_buckets).max(1)));
        }
        r.targets.push((uc.clone(), per_uc + 20));
        for k in 0..window {
            let surveyor = format!("{tehsil}-s{}", k as usize % SURVEYORS);
            let day = day_of(now - (k % DAYS_SHOWN as i64) * DAY_MS);
            r.facts.push((
                next_id(),
                uc.clone(),
                tehsil.clone(),
                surveyor,
                day,
                600 + (k * 37) % 3600,
            ));
        }
        for p in &programmes {
            r.reach
                .push((p.clone(), uc.clone(), per_uc / 3, per_uc / 4));
        }
    }
    r
}

fn fill_sqlite(path: &std::path::Path, r: &Rows) {
    let (s, b, t) = (&r.status, &r.buckets, &r.targets);
    let mut c = rusqlite::Connection::open(path).expect("open");
    let tx = c.transaction().expect("tx");
    for (id, area, status, conflicts, at) in &r.households {
        tx.execute(
            "INSERT INTO households (id, area, ref, member_count, status, conflict_count, heads,
                                     doc, last_device, updated_at)
             VALUES (?1, ?2, ?1, 1, ?3, ?4, x'', x'', 'bench', ?5)",
            rusqlite::params![id, area, status, conflicts, at],
        )
        .expect("household row");
    }
    for (id, area, tehsil, surveyor, day, secs) in &r.facts {
        tx.execute(
            "INSERT INTO quality_facts (household_id, area, tehsil, surveyor, day, duration_secs)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![id, area, tehsil, surveyor, day, secs],
        )
        .expect("fact row");
    }
    for (p, area, eligible, enrolled) in &r.reach {
        tx.execute(
            "INSERT INTO programme_area_counts (programme_id, area, eligible, enrolled)
             VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![p, area, eligible, enrolled],
        )
        .expect("reach row");
    }
    // The counts of a million households (the rows above moved some through the triggers).
    for (a, st, n) in s {
        tx.execute(
            "INSERT INTO area_status_counts (area, status, households) VALUES (?1, ?2, ?3)
             ON CONFLICT (area, status) DO UPDATE SET households = excluded.households",
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

async fn fill_pg(url: &str, r: &Rows) {
    let (s, b, t) = (&r.status, &r.buckets, &r.targets);
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    let col = |v: Vec<String>| v;
    let h = &r.households;
    client
        .execute(
            "INSERT INTO households (id, area, ref, member_count, status, conflict_count, heads,
                                     doc, last_device, updated_at)
             SELECT i, a, i, 1, s, c, '', '', 'bench', u
               FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
                 AS v(i, a, s, c, u)",
            &[
                &col(h.iter().map(|r| r.0.clone()).collect()),
                &col(h.iter().map(|r| r.1.clone()).collect()),
                &col(h.iter().map(|r| r.2.clone()).collect()),
                &h.iter().map(|r| r.3).collect::<Vec<i64>>(),
                &h.iter().map(|r| r.4).collect::<Vec<i64>>(),
            ],
        )
        .await
        .expect("household rows");
    let f = &r.facts;
    client
        .execute(
            "INSERT INTO quality_facts (household_id, area, tehsil, surveyor, day, duration_secs)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                  $6::bigint[])",
            &[
                &col(f.iter().map(|r| r.0.clone()).collect()),
                &col(f.iter().map(|r| r.1.clone()).collect()),
                &col(f.iter().map(|r| r.2.clone()).collect()),
                &col(f.iter().map(|r| r.3.clone()).collect()),
                &col(f.iter().map(|r| r.4.clone()).collect()),
                &f.iter().map(|r| r.5).collect::<Vec<i64>>(),
            ],
        )
        .await
        .expect("fact rows");
    let p = &r.reach;
    client
        .execute(
            "INSERT INTO programme_area_counts (programme_id, area, eligible, enrolled)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])",
            &[
                &col(p.iter().map(|r| r.0.clone()).collect()),
                &col(p.iter().map(|r| r.1.clone()).collect()),
                &p.iter().map(|r| r.2).collect::<Vec<i64>>(),
                &p.iter().map(|r| r.3).collect::<Vec<i64>>(),
            ],
        )
        .await
        .expect("reach rows");
    client
        .execute(
            "INSERT INTO area_status_counts SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
             ON CONFLICT (area, status) DO UPDATE SET households = excluded.households",
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
            "ANALYZE area_status_counts; ANALYZE area_pmt_histogram; ANALYZE area_targets;
             ANALYZE households; ANALYZE quality_facts; ANALYZE programme_area_counts;",
        )
        .await
        .expect("analyze");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Reads timed (median) with what each counted: coverage, district map, PMT histogram, programme
/// reach, field figures, households per surveyor per day.
const READS: usize = 6;

async fn measure<S: Storage>(reg: &Registry<S>, now: i64) -> [(Duration, u64); READS] {
    let id = reg
        .add_user("Bench Monitor", Role::Province, &[PROVINCE.to_string()])
        .await
        .expect("user");
    let user = reg.acting_user(&id).await.expect("the user");
    // Reach counts the programmes in force: load them, as a programme officer does.
    let officer = reg
        .add_user("Bench Officer", Role::Programme, &[PROVINCE.to_string()])
        .await
        .expect("officer");
    let officer = reg.acting_user(&officer).await.expect("the officer");
    for src in PROGRAMMES {
        reg.load_programme(&officer, src).await.expect("programme");
    }
    let (mut cov, mut map, mut hist) = (Vec::new(), Vec::new(), Vec::new());
    let (mut reach, mut field, mut days) = (Vec::new(), Vec::new(), Vec::new());
    let (mut households, mut districts, mut scored) = (0, 0, 0);
    let (mut enrolled, mut waiting, mut interviews) = (0, 0, 0);
    let from = day_of(now - (DAYS_SHOWN as i64 - 1) * DAY_MS);
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
        let t = Instant::now();
        enrolled = reg
            .programme_reach(&user, None)
            .await
            .expect("reach")
            .iter()
            .map(|p| p.enrolled)
            .sum();
        reach.push(t.elapsed());
        let t = Instant::now();
        waiting = reg
            .field_figures(&user, None, now)
            .await
            .expect("field")
            .counts
            .waiting;
        field.push(t.elapsed());
        let t = Instant::now();
        interviews = reg
            .field_days(&user, None, &from)
            .await
            .expect("days")
            .days
            .iter()
            .map(|d| d.households)
            .sum();
        days.push(t.elapsed());
    }
    [
        (median(cov), households),
        (median(map), districts),
        (median(hist), scored),
        (median(reach), enrolled),
        (median(field), waiting),
        (median(days), interviews),
    ]
}

fn main() {
    let which = std::env::var("SHUMARI_DASHBOARD_BACKENDS").unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let now = chrono::Utc::now().timestamp_millis();
    let data = rows(now);
    let mut columns: Vec<(&str, [(Duration, u64); READS])> = Vec::new();
    if which.is_empty() || which == "sqlite" {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("registry.db");
        drop(SqliteStorage::open(&path).expect("create"));
        fill_sqlite(&path, &data);
        let reg = Registry::new(SqliteStorage::open(&path).expect("open"), Config::default());
        columns.push(("SQLite", rt.block_on(measure(&reg, now))));
    }
    if which.is_empty() || which == "postgres" {
        let cluster = pg::PgCluster::start(false);
        let url = cluster.database();
        let m = rt.block_on(async {
            let storage = PgStorage::connect(&url).await.expect("connect");
            fill_pg(&url, &data).await;
            measure(&Registry::new(storage, Config::default()), now).await
        });
        columns.push(("PostgreSQL", m));
    }
    let status_rows = data
        .status
        .iter()
        .filter(|r| r.0.starts_with(PROVINCE))
        .count();
    let bucket_rows = data
        .buckets
        .iter()
        .filter(|r| r.0.starts_with(PROVINCE))
        .count();
    // The reach row counts every enrolment inserted under the province, in every programme.
    let enrolled: i64 = data
        .reach
        .iter()
        .filter(|r| r.1.starts_with(PROVINCE))
        .map(|r| r.3)
        .sum();
    for (name, m) in &columns {
        let read = m[3].1;
        assert!(
            read > 0 && read == enrolled as u64,
            "{name}: programme reach read {read} enrolments, the province holds {enrolled}"
        );
    }
    let n = households();
    println!(
        "\nDashboard reads of {PROVINCE} in a registry of {n} households \
         ({status_rows} status rows, {bucket_rows} bucket rows under it; median of {RUNS})\n"
    );
    let mut head = "| read (2 cores) | aim |".to_string();
    let mut rule = "|---|---|".to_string();
    for (name, _) in &columns {
        head.push_str(&format!(" {name} {n} |"));
        rule.push_str("---|");
    }
    println!("{head}\n{rule}");
    let names = [
        "coverage of the province: its districts, statuses, targets (`Registry::coverage`)",
        "district map figures (`Registry::district_coverage`)",
        "PMT histogram of the province (`Registry::pmt_histogram`)",
        "programme reach: eligible and enrolled per programme (`Registry::programme_reach`)",
        "field figures: backlog by age, conflicts, duplicates, flags, devices (`Registry::field_figures`)",
        "households per surveyor per day, 14 days, with durations (`Registry::field_days`)",
    ];
    let what = [
        "households",
        "districts",
        "scored",
        "enrolled",
        "waiting",
        "interviews",
    ];
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
