//! What one PIN guess costs a thief who has copied the tablet's files: one Argon2id derivation at the
//! parameters new stores get ([`KdfCost::DEFAULT`]), on one core of this machine, and from it the time to
//! try every PIN of 6, 7 and 8 digits. Prints a table. Run: `cargo bench -p shumari-store --bench kdf`
//! (a few seconds; `SHUMARI_BENCH_GUESSES` sets how many derivations are timed, default 5).

use shumari_store::key::{KdfCost, KeyFile};
use std::time::{Duration, Instant};

fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    match s {
        s if s < 1.0 => format!("{:.0} ms", s * 1e3),
        s if s < 120.0 => format!("{s:.1} s"),
        s if s < 7200.0 => format!("{:.1} min", s / 60.0),
        s if s < 172_800.0 => format!("{:.1} h", s / 3600.0),
        s if s < 63_072_000.0 => format!("{:.1} days", s / 86_400.0),
        s => format!("{:.1} years", s / 31_557_600.0),
    }
}

fn main() {
    let n: u32 = std::env::var("SHUMARI_BENCH_GUESSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let cost = KdfCost::DEFAULT;
    let kf = KeyFile::generate_with(cost);
    // One untimed derivation first, so page faults of the first 64 MiB allocation are not counted.
    kf.derive("000000").expect("derive");
    let mut samples: Vec<Duration> = (0..n)
        .map(|i| {
            let guess = format!("{i:06}");
            let t = Instant::now();
            kf.derive(&guess).expect("derive");
            t.elapsed()
        })
        .collect();
    samples.sort();
    let median = samples[samples.len() / 2];
    println!(
        "Argon2id m={} MiB t={} p={} — one guess on one core (median of {n}): {}",
        cost.m_kib / 1024,
        cost.t,
        cost.p,
        human(median)
    );
    println!(
        "{:<14} {:>14} {:>20}",
        "PIN", "guesses", "all of them, 1 core"
    );
    for digits in [6u32, 7, 8] {
        let guesses = 10u64.pow(digits);
        println!(
            "{:<14} {:>14} {:>20}",
            format!("{digits} digits"),
            guesses,
            human(median * guesses as u32)
        );
    }
}
