//! What the forms benches share: one timing loop and its table row.

use std::time::{Duration, Instant};

/// Runs `f` a few times to warm up, then `iterations` times, and prints one table row: the name, the
/// count, the median, the 95th percentile and the slowest run.
pub fn measure(name: &str, iterations: usize, mut f: impl FnMut()) {
    for _ in 0..iterations.min(50) {
        f();
    }
    let mut times: Vec<Duration> = (0..iterations)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "| {name:<52} | {iterations:>6} | {:>10.2?} | {:>10.2?} | {:>10.2?} |",
        pct(0.5),
        pct(0.95),
        times[times.len() - 1]
    );
}
