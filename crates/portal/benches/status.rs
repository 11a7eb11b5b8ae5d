//! Citizen status page look-ups per second over HTTP, on a registry of many households.
//!
//! `cargo bench -p shumari-portal --bench status` fills an SQLite registry with
//! `SHUMARI_PORTAL_BENCH_HOUSEHOLDS` generated NSER households (default 100,000) through the real
//! ingest path (the scale harness's loader), serves it with the portal on loopback, and drives
//! `POST /status` from concurrent keep-alive connections for a few seconds per mix: right CNIC and
//! date (the status page), right CNIC with a wrong date, and unknown CNICs. It prints requests per
//! second and latency percentiles per mix, and the median of the two misses side by side (they must
//! cost the same: the enumeration guard). The load generator is this bench started again as its
//! own single-threaded process (`status_client.rs`); it still shares the machine's cores with the
//! server, so the rate is a floor of what the server alone would do.
//! `SHUMARI_PORTAL_BENCH_DB=FILE` keeps the filled registry in FILE and reuses it on the next run.

use shumari_portal::PortalConfig;
use shumari_registry::service::CitizenLimits;
use shumari_registry::storage::AttemptRule;
use shumari_registry::{Config, Registry, SqliteStorage, Storage};
use std::sync::Arc;
use std::time::Instant;

#[path = "status_client.rs"]
mod client;
use client::Mix;

/// Concurrent keep-alive connections (`SHUMARI_PORTAL_BENCH_CLIENTS` overrides): a closed loop
/// drives at most connections / latency requests per second, so too few leave the server idle.
fn clients() -> usize {
    std::env::var("SHUMARI_PORTAL_BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}
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

fn percentile_ms(us: u128) -> f64 {
    us as f64 / 1000.0
}

/// Runs the load generator in its own process for one mix; returns (requests/s, p50 ms, p99 ms).
fn drive(addr: &str, keys: &std::path::Path, mix: Mix) -> (f64, f64, f64) {
    let out = std::process::Command::new(std::env::current_exe().expect("this bench's path"))
        .env("SHUMARI_PORTAL_BENCH_CLIENT", addr)
        .env("SHUMARI_PORTAL_BENCH_MIX", mix.name())
        .env("SHUMARI_PORTAL_BENCH_CLIENTS", clients().to_string())
        .env("SHUMARI_PORTAL_BENCH_SECONDS", SECONDS.to_string())
        .env("SHUMARI_PORTAL_BENCH_KEYS", keys)
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("the load generator");
    assert!(out.status.success(), "the load generator failed");
    let line = String::from_utf8_lossy(&out.stdout);
    let v: Vec<f64> = line
        .split_whitespace()
        .map(|x| x.parse().expect("a number"))
        .collect();
    (
        v[0],
        percentile_ms(v[1] as u128),
        percentile_ms(v[2] as u128),
    )
}

fn main() {
    if std::env::var_os("SHUMARI_PORTAL_BENCH_CLIENT").is_some() {
        client::run();
        return;
    }
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
        // A registry filled before the citizen rows existed (V22) gets them as a server's start
        // would give them.
        let made = rt.block_on(reg.fill_citizen_rows()).expect("citizen rows");
        if made > 0 {
            eprintln!("made {made} citizen rows");
        }
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
    let keys = sample_keys(&reg, &rt, &ids);
    let keys_file = dir.path().join("keys.tsv");
    std::fs::write(
        &keys_file,
        keys.iter()
            .map(|(n, d, m, y)| format!("{n}\t{d}\t{m}\t{y}\n"))
            .collect::<String>(),
    )
    .expect("keys file");
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
    let addr = listener.local_addr().expect("addr").to_string();
    let router =
        shumari_registry::app_with(reg.clone(), shumari_portal::router(reg.clone(), portal));
    rt.spawn(async move {
        let _ = shumari_registry::launch_router(listener, router, std::future::pending()).await;
    });

    println!(
        "\n## Citizen status page, {n} households (SQLite), {} clients, {SECONDS} s per row\n",
        clients()
    );
    println!("| look-up | requests/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|");
    let mut medians = Vec::new();
    for (name, mix) in [
        ("right CNIC and date (status page)", Mix::Found),
        ("right CNIC, wrong date", Mix::WrongDate),
        ("unknown CNIC", Mix::Unknown),
    ] {
        let (rate, p50, p99) = drive(&addr, &keys_file, mix);
        println!("| {name} | {rate:.0} | {p50:.2} | {p99:.2} |");
        medians.push(p50);
    }
    println!(
        "\nMisses: median {:.2} ms (wrong date) vs {:.2} ms (unknown CNIC).",
        medians[1], medians[2]
    );
}
