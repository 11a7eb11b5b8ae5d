//! Citizen status page look-ups per second over HTTP, on a registry of many households.
//!
//! `cargo bench -p shumari-portal --bench status` fills an SQLite registry with
//! `SHUMARI_PORTAL_BENCH_HOUSEHOLDS` generated NSER households (default 100,000) through the real
//! ingest path (the scale harness's loader), serves it with the portal on loopback, and drives
//! `POST /status` from concurrent keep-alive clients in this process for a few seconds per mix:
//! right CNIC and date (the status page), right CNIC with a wrong date, and unknown CNICs. It prints
//! requests per second and latency percentiles per mix, and the median of the two misses side by
//! side (they must cost the same: the enumeration guard). Client and server share the machine's
//! cores, so the rate is a floor of what the server alone would do. `SHUMARI_PORTAL_BENCH_DB=FILE`
//! keeps the filled registry in FILE and reuses it on the next run.

use shumari_portal::PortalConfig;
use shumari_registry::service::CitizenLimits;
use shumari_registry::storage::AttemptRule;
use shumari_registry::{Config, Registry, SqliteStorage, Storage};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 16;
const SECONDS: u64 = 8;

/// (CNIC digits, day, month, year) of adults the registry holds.
fn sample_keys(
    reg: &Registry<SqliteStorage>,
    rt: &tokio::runtime::Runtime,
    ids: &[uuid::Uuid],
) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for chunk in ids.chunks(256) {
        let docs = rt.block_on(reg.storage.load_docs(chunk)).expect("docs");
        for d in docs.into_iter().flatten() {
            let am = shumari_domain::automerge::AutoCommit::load(&d.doc).expect("doc");
            let h = shumari_domain::HouseholdDoc::from_automerge(am)
                .and_then(|x| x.household())
                .expect("household");
            if let Some((n, date)) = h.members.iter().find_map(|m| {
                Some((
                    m.id_number.as_ref()?.digits().to_string(),
                    m.answers.get("id_issued")?.as_str()?.to_string(),
                ))
            }) {
                let p: Vec<&str> = date.split('-').collect();
                out.push((n, p[2].into(), p[1].into(), p[0].into()));
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Mix {
    Found,
    WrongDate,
    Unknown,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn drive(
    rt: &tokio::runtime::Runtime,
    base: &str,
    keys: &Arc<Vec<(String, String, String, String)>>,
    mix: Mix,
) -> (f64, Vec<Duration>) {
    let stop = Instant::now() + Duration::from_secs(SECONDS);
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|w| {
            let keys = keys.clone();
            let url = format!("{base}/status");
            rt.spawn(async move {
                let client = reqwest::Client::new();
                let mut lat = Vec::new();
                let mut i = w;
                while Instant::now() < stop {
                    let (n, d, m, y) = &keys[i % keys.len()];
                    i += CLIENTS;
                    let (cnic, year) = match mix {
                        Mix::Found => (n.clone(), y.clone()),
                        // Cards are generated issued from 2005 on, so 1999 is always wrong.
                        Mix::WrongDate => (n.clone(), "1999".to_string()),
                        Mix::Unknown => (
                            format!("{}{:07}{}", &n[..5], (i * 7919) % 10_000_000, 9),
                            y.clone(),
                        ),
                    };
                    let t = Instant::now();
                    let r = client
                        .post(&url)
                        .form(&[
                            ("lang", "en"),
                            ("cnic", cnic.as_str()),
                            ("day", d.as_str()),
                            ("month", m.as_str()),
                            ("year", year.as_str()),
                        ])
                        .send()
                        .await
                        .expect("request");
                    let status = r.status().as_u16();
                    let _ = r.bytes().await.expect("body");
                    assert!(status == 200, "status {status}");
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(rt.block_on(t).expect("client"));
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    all.sort();
    (rate, all)
}

fn main() {
    let n: u64 = std::env::var("SHUMARI_PORTAL_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // SHUMARI_PORTAL_BENCH_DB names a registry file to keep between runs: filled the first time,
    // reused (not refilled) after, so a change to the look-up is measured without a long load.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = std::env::var_os("SHUMARI_PORTAL_BENCH_DB")
        .map_or_else(|| dir.path().join("registry.db"), std::path::PathBuf::from);
    let reuse = path.exists();
    let storage = SqliteStorage::open(&path).expect("open");
    // One load generator on loopback is one address: lift the per-address rate for the bench.
    let mut config = Config::default();
    config.rate.per_address_per_minute = u32::MAX / 2;
    config.rate.address_burst = u32::MAX / 2;
    let reg = Arc::new(Registry::new(storage, config));
    let ids: Vec<uuid::Uuid> = if reuse {
        let ids = rt.block_on(reg.storage.all_heads()).expect("heads");
        eprintln!("reusing {} households in {}", ids.len(), path.display());
        ids.iter()
            .step_by(25)
            .map(|(id, _, _)| *id)
            .take(4000)
            .collect()
    } else {
        let t = Instant::now();
        let loaded = shumari_scenarios::loader::load(&reg, rt.handle(), n, 20261130);
        eprintln!(
            "loaded {} households in {:.1} s",
            loaded.households,
            t.elapsed().as_secs_f64()
        );
        loaded
            .by_district
            .values()
            .flat_map(|v| v.iter().step_by(50).copied())
            .take(4000)
            .collect()
    };
    let keys = Arc::new(sample_keys(&reg, &rt, &ids));
    // The bench misses on purpose: limits it never reaches.
    let wide = AttemptRule {
        limit: u32::MAX,
        window_ms: 1,
        lock_ms: 1,
    };
    let portal = PortalConfig {
        limits: CitizenLimits {
            per_cnic: wide,
            per_address: wide,
        },
        ..Default::default()
    };
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let router =
        shumari_registry::app_with(reg.clone(), shumari_portal::router(reg.clone(), portal));
    rt.spawn(async move {
        let _ = shumari_registry::launch_router(listener, router, std::future::pending()).await;
    });

    println!("\n## Citizen status page, {n} households (SQLite), {CLIENTS} clients, {SECONDS} s per row\n");
    println!("| look-up | requests/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|");
    let mut medians = Vec::new();
    for (name, mix) in [
        ("right CNIC and date (status page)", Mix::Found),
        ("right CNIC, wrong date", Mix::WrongDate),
        ("unknown CNIC", Mix::Unknown),
    ] {
        let (rate, lat) = drive(&rt, &base, &keys, mix);
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "| {name} | {rate:.0} | {:.2} | {:.2} |",
            ms(percentile(&lat, 0.5)),
            ms(percentile(&lat, 0.99))
        );
        medians.push(ms(percentile(&lat, 0.5)));
    }
    println!(
        "\nMisses: median {:.2} ms (wrong date) vs {:.2} ms (unknown CNIC).",
        medians[1], medians[2]
    );
}
