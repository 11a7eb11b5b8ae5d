//! Two `shumari registry serve` processes on one PostgreSQL database, the way registry servers sit
//! behind a load balancer: devices push and pull through either, at the same time, in any order,
//! and the registry ends with every household exactly once, every edit merged, and every device
//! agreeing with it. The registry keeps no state between requests in the process, so the second
//! server must not lose, repeat or reorder anything the first one wrote; the race this exercises
//! most is the ingest's compare-and-set on a household's heads, when two colleagues edit the same
//! household and push it through different servers at the same moment.

#[path = "../../../tests/harness/pg.rs"]
mod pg;

use serde_json::{json, Value};
use shumari_domain::HouseholdInput;
use shumari_store::{ListFilter, Store};
use shumari_sync::{HttpTransport, Options};
use std::collections::BTreeSet;
use std::sync::Barrier;

mod common;
use common::{admin_json, admin_text as admin, Server, PIN};

const AREA: &str = "PK10101";
/// Devices, each pushing through both servers.
const DEVICES: usize = 4;
/// Rounds of new households per device, each synced through the other server than the last.
const ROUNDS: usize = 4;
/// New households per device per round.
const PER_ROUND: usize = 8;
/// Households two colleagues edit at the same moment through different servers.
const SHARED: usize = 10;

fn household(device: usize, n: usize) -> HouseholdInput {
    serde_json::from_value(json!({
        "area": AREA,
        "answers": { "q_device": format!("{device}"), "q_n": format!("{n}") },
        "members": [{
            "name": format!("Head {n} of device {device}"),
            "relation": "head", "sex": "female", "age": 30 + (n % 40),
        }],
    }))
    .expect("valid household")
}

fn sync(store: &mut Store, url: &str) -> shumari_sync::Report {
    let mut t = HttpTransport::new(url).expect("client");
    let r = shumari_sync::sync(store, &mut t, &Options::default(), &mut |_| {}).expect("sync");
    assert!(r.refused.is_empty(), "{r:?}");
    r
}

/// Every household a device holds: id → (answers, conflicting fields), as JSON.
fn holdings(store: &Store) -> Vec<(String, Value, usize)> {
    let rows = store
        .list(&ListFilter {
            limit: 10_000,
            ..ListFilter::default()
        })
        .expect("list");
    let mut out: Vec<_> = rows
        .iter()
        .map(|r| {
            let v = store.get(&r.id.to_string()).expect("get");
            let answers = serde_json::to_value(&v.household.answers).expect("json");
            (r.id.to_string(), answers, v.conflicts.len())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn two_registry_processes_on_one_postgres_lose_and_repeat_nothing() {
    let cluster = pg::PgCluster::start(false);
    let db = cluster.database();
    let servers = [Server::loopback(&db, &[]), Server::loopback(&db, &[])];
    let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();

    // Each device enrolls through a different server than its neighbour.
    let dirs: Vec<tempfile::TempDir> = (0..DEVICES)
        .map(|_| tempfile::tempdir().expect("tempdir"))
        .collect();
    let mut stores: Vec<Store> = dirs
        .iter()
        .enumerate()
        .map(|(i, dir)| {
            let user = admin(
                &db,
                &[
                    "user",
                    "add",
                    "--name",
                    &format!("Surveyor {i}"),
                    "--role",
                    "surveyor",
                    "--area",
                    AREA,
                ],
            );
            let code = admin(&db, &["enroll-code", "--user", &user]);
            let mut store = Store::create(dir.path(), PIN).expect("store");
            let url = &urls[i % 2];
            let mut t = HttpTransport::new(url).expect("client");
            shumari_sync::enroll(&mut store, &mut t, url, &code, &Options::default())
                .expect("enroll");
            store
        })
        .collect();

    // New households from every device at once, each round through the other server.
    let start = Barrier::new(DEVICES);
    std::thread::scope(|s| {
        for (i, store) in stores.iter_mut().enumerate() {
            let (urls, start) = (&urls, &start);
            s.spawn(move || {
                start.wait();
                for round in 0..ROUNDS {
                    let inputs: Vec<_> = (0..PER_ROUND)
                        .map(|k| household(i, round * PER_ROUND + k))
                        .collect();
                    store
                        .add_households(&inputs, None, "nser-household", "1")
                        .expect("add");
                    let r = sync(store, &urls[(i + round) % 2]);
                    assert_eq!(
                        r.pushed as usize, PER_ROUND,
                        "device {i} round {round}: {r:?}"
                    );
                }
            });
        }
    });
    let total = DEVICES * ROUNDS * PER_ROUND;

    // Everyone catches up (through alternating servers), then device 0 and device 1 edit the
    // same households: one field each, and one field both, which must become a conflict.
    for (i, store) in stores.iter_mut().enumerate() {
        sync(store, &urls[i % 2]);
    }
    let shared: Vec<String> = stores[0]
        .list(&ListFilter {
            limit: SHARED,
            ..ListFilter::default()
        })
        .expect("list")
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(shared.len(), SHARED);
    for (i, who) in [(0usize, "a"), (1, "b")] {
        for id in &shared {
            stores[i]
                .set_fields(
                    id,
                    &[
                        (format!("answers.q_from_{who}"), json!(who)),
                        ("answers.q_both".into(), json!(format!("said by {who}"))),
                    ],
                )
                .expect("edit");
        }
    }
    let both = Barrier::new(2);
    std::thread::scope(|s| {
        let (first, rest) = stores.split_at_mut(1);
        for (store, url) in [(&mut first[0], &urls[0]), (&mut rest[0], &urls[1])] {
            let both = &both;
            s.spawn(move || {
                both.wait();
                sync(store, url);
            });
        }
    });

    // Quiet: every device syncs through both servers until nothing moves.
    for _ in 0..2 {
        for (i, store) in stores.iter_mut().enumerate() {
            for url in [&urls[(i + 1) % 2], &urls[i % 2]] {
                let r = sync(store, url);
                assert!(r.complete, "{r:?}");
            }
        }
    }

    // The registry holds each household once, with a reference of its own.
    let rows = admin_json(&db, &["household", "list"]);
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), total, "households at the registry");
    let ids: BTreeSet<&str> = rows.iter().filter_map(|r| r["id"].as_str()).collect();
    let refs: BTreeSet<&str> = rows.iter().filter_map(|r| r["ref"].as_str()).collect();
    assert_eq!(
        (ids.len(), refs.len()),
        (total, total),
        "ids and references unique"
    );

    // Both colleagues' edits are there, and the field both changed is a conflict, not a winner.
    for id in &shared {
        let shown = admin_json(&db, &["household", "show", id]).to_string();
        for needle in ["q_from_a", "q_from_b", "said by a", "said by b"] {
            assert!(shown.contains(needle), "{id} lacks {needle}: {shown}");
        }
    }

    // And every device agrees with the others, conflicts included.
    let first = holdings(&stores[0]);
    assert_eq!(first.len(), total, "device 0 holds every household");
    assert_eq!(
        first.iter().filter(|h| h.2 > 0).count(),
        SHARED,
        "one conflict per shared household"
    );
    for (i, store) in stores.iter().enumerate().skip(1) {
        assert!(holdings(store) == first, "device {i} differs from device 0");
    }
}
