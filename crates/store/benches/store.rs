//! Store benchmark: with 10,000 households of 6 members, the operations a surveyor waits on.
//! Prints a table of median and p95 latency. Run: `cargo bench -p shumari-store`.
//! `SHUMARI_BENCH_HOUSEHOLDS` overrides the store size (e.g. for a quick run).

use serde_json::json;
use shumari_domain::HouseholdInput;
use shumari_store::{ListFilter, Store};
use std::time::{Duration, Instant};

const PIN: &str = "bench-pin-4821";

fn household(n: u32) -> HouseholdInput {
    let first = [
        "Ghulam", "Muhammad", "Ayesha", "Nasreen", "Bilal", "Zainab", "Imran", "Sadia",
    ];
    let last = ["Rasool", "Khan", "Bibi", "Akhtar", "Hussain", "Shah"];
    let members: Vec<_> = (0..6u32)
        .map(|i| {
            let rel = ["head", "spouse", "son", "daughter", "son", "daughter"][i as usize];
            let sex = if i % 2 == 0 { "male" } else { "female" };
            json!({
                "name": format!("{} {} {}", first[((n + i) % 8) as usize], last[(n % 6) as usize], n),
                "relation": rel, "sex": sex, "age": 40 - i * 6,
                "id_number": format!("{}5202{:07}{}", 3 + n % 4, n * 10 + i, 2 * (i % 5) + (1 - i % 2)),
                "answers": {"education": "primary", "occupation": "labour", "income": 12000, "marital": "married"}
            })
        })
        .collect();
    let area = ["PK10101", "PK10102", "PK10103"][(n % 3) as usize];
    serde_json::from_value(json!({
        "area": area,
        "answers": {"rooms": 2, "address": format!("Gali {n}"), "walls": "brick", "roof": "rcc", "toilet": "flush",
                     "water": "hand_pump", "fuel": "wood", "lighting": "electricity", "assets": "tv fridge", "cattle": 2, "goats": 3},
        "members": members
    }))
    .expect("valid bench household")
}

struct Row {
    name: &'static str,
    samples: Vec<Duration>,
    aim: &'static str,
}

fn pct(s: &mut [Duration], p: f64) -> Duration {
    s.sort();
    s[((s.len() as f64 - 1.0) * p).round() as usize]
}

fn time<F: FnMut()>(n: usize, mut f: F) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect()
}

fn main() {
    let count: u32 = std::env::var("SHUMARI_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::create(dir.path(), PIN).expect("create");
    let t = Instant::now();
    let inputs: Vec<_> = (0..count).map(household).collect();
    for chunk in inputs.chunks(500) {
        for r in store
            .add_households(chunk, None, "nser-household", "1")
            .expect("batch")
        {
            r.expect("valid");
        }
    }
    eprintln!(
        "seeded {count} households in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let mut rows = Vec::new();
    let mut n = count;
    rows.push(Row {
        name: "insert one household (6 members, commit)",
        samples: time(200, || {
            n += 1;
            store
                .add_household(&household(n), None, "nser-household", "1")
                .expect("insert");
        }),
        aim: "<= 1 ms",
    });
    rows.push(Row {
        name: "list first page of 50",
        samples: time(200, || {
            assert_eq!(store.list(&ListFilter::default()).expect("list").len(), 50);
        }),
        aim: "<= 20 ms",
    });
    let names = ["Ghulam", "ayesha khan", "Nasreen Bibi 77", "Imran Sh"];
    let mut i = 0;
    rows.push(Row {
        name: "search by name (FTS, first page)",
        samples: time(200, || {
            i += 1;
            let r = store
                .list(&ListFilter {
                    search: Some(names[i % 4].into()),
                    ..Default::default()
                })
                .expect("search");
            assert!(!r.is_empty());
        }),
        aim: "<= 20 ms",
    });
    rows.push(Row {
        name: "search by CNIC prefix (7 digits)",
        samples: time(200, || {
            i += 1;
            let k = i as u32 % count;
            let p = format!("{}5202{:06}", 3 + k % 4, k);
            let r = store
                .list(&ListFilter {
                    search: Some(p),
                    ..Default::default()
                })
                .expect("search");
            assert!(!r.is_empty());
        }),
        aim: "<= 20 ms",
    });
    drop(store);
    rows.push(Row {
        name: "open store (Argon2id + SQLCipher + migrate)",
        samples: time(20, || {
            drop(Store::open(dir.path(), PIN).expect("open"));
        }),
        aim: "<= 300 ms",
    });

    println!(
        "\nshumari-store benchmark: {count} households x 6 members, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!("| operation | runs | median | p95 | aim |");
    println!("|---|---:|---:|---:|---|");
    for mut r in rows {
        let runs = r.samples.len();
        let med = pct(&mut r.samples, 0.5);
        let p95 = pct(&mut r.samples, 0.95);
        println!(
            "| {} | {runs} | {:.3} ms | {:.3} ms | {} |",
            r.name,
            med.as_secs_f64() * 1e3,
            p95.as_secs_f64() * 1e3,
            r.aim
        );
    }
}
