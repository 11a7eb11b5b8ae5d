//! Export throughput and memory: `cargo bench -p shumari-exports --bench export`.
//!
//! A registry on SQLite is filled with N generated NSER households through the real ingest path
//! (`shumari_scenarios::loader::load`: one device per district pushing over the in-memory
//! transport; N from `SHUMARI_EXPORT_BENCH_HOUSEHOLDS`, 20,000 by default), then each export runs
//! once as a district officer holding every province (personal columns included, the widest
//! files): households and members, CSV and Parquet. For each it prints rows per second (rows
//! written over the export's wall time: paging, decoding the automerge documents, writing, hashing,
//! the audit row) and the peak resident memory during the export (`VmHWM`, reset before each run
//! with Linux's `clear_refs`), beside the resident memory before it: what the export adds should
//! not grow with N, as it holds one page of households at a time.

use shumari_exports::{export, ExportRequest, Format, What};
use shumari_registry::Role;
use shumari_scenarios::TestRegistry;
use std::time::Instant;

/// A value of `/proc/self/status` in bytes (`VmHWM`: peak; `VmRSS`: now).
fn status_bytes(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
}

fn main() {
    let n: u64 = std::env::var("SHUMARI_EXPORT_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(20_000);
    let reg = TestRegistry::sqlite();
    let t = Instant::now();
    let loaded = shumari_scenarios::loader::load(&reg.reg, reg.rt.handle(), n, 1);
    eprintln!(
        "loaded {} households in {:.1} s",
        loaded.households,
        t.elapsed().as_secs_f64()
    );
    let provinces: Vec<String> = shumari_domain::AreaRegistry::builtin()
        .all()
        .filter(|a| a.level == shumari_domain::AreaLevel::Province)
        .map(|a| a.code.clone())
        .collect();
    let user = reg.rt.block_on(async {
        let id = reg
            .reg
            .add_user("Bench Officer", Role::District, &provinces)
            .await
            .expect("user");
        reg.reg.acting_user(&id).await.expect("user")
    });
    let out = tempfile::tempdir().expect("tempdir");
    println!(
        "\nexport of a registry of {} households (SQLite, release, personal columns included)\n",
        loaded.households
    );
    println!(
        "| dataset | format | rows | seconds | rows/s | file | RSS before | peak RSS during |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    // A form's reports are benched with their own data, not these households.
    for what in What::ALL.into_iter().filter(|w| *w != What::Submissions) {
        for format in [Format::Csv, Format::Parquet] {
            let before = status_bytes("VmRSS:");
            let _ = std::fs::write("/proc/self/clear_refs", "5");
            let req = ExportRequest {
                what,
                format,
                area: None,
                since: None,
                form: None,
            };
            let dir = out
                .path()
                .join(format!("{}-{}", what.as_str(), format.as_str()));
            let t = Instant::now();
            let m = reg
                .rt
                .block_on(export(&reg.reg, &user, &req, &dir))
                .expect("export");
            let secs = t.elapsed().as_secs_f64();
            let peak = status_bytes("VmHWM:");
            println!(
                "| {} | {} | {} | {:.2} | {:.0} | {} | {} | {} |",
                what.as_str(),
                format.as_str(),
                m.rows,
                secs,
                m.rows as f64 / secs,
                mib(m.files[0].bytes),
                mib(before),
                mib(peak),
            );
        }
    }
}
