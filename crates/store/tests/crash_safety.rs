//! Crash safety: a writer process is killed with SIGKILL at random moments during a burst of writes, many
//! times. After each kill, every write that had returned success is present and the database is sound.
//!
//! The writer is this same test binary re-run with `SHUMARI_CRASH_WRITER` set: it adds households and
//! prints each id to stdout only after `add_household` returned, so the parent knows exactly which writes
//! were acknowledged.

mod common;
use common::{household, FORM, PIN};
use shumari_store::key::{set_cost_for_tests, KdfCost};
use shumari_store::{ListFilter, Store};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn crash_writer_child() {
    let Ok(dir) = std::env::var("SHUMARI_CRASH_WRITER") else {
        return;
    };
    set_cost_for_tests(Some(KdfCost::FOR_TESTS));
    let mut store = Store::open(std::path::Path::new(&dir), PIN).unwrap();
    let start: u32 = std::env::var("SHUMARI_CRASH_START")
        .unwrap()
        .parse()
        .unwrap();
    for n in start.. {
        let c = store
            .add_household(&household(n), None, FORM.0, FORM.1)
            .unwrap();
        // Also edit, so kills land inside chunk appends and compactions too.
        store
            .set_fields(
                &c.reference,
                &[("answers.rooms".into(), serde_json::json!(n % 7))],
            )
            .unwrap();
        println!("{} {}", c.id, n % 7);
    }
}

#[test]
fn sigkill_during_writes_loses_nothing_acknowledged() {
    if std::env::var("SHUMARI_CRASH_WRITER").is_ok() {
        return;
    }
    // The parent opens the store every few milliseconds; the key derivation's cost is not tested here.
    set_cost_for_tests(Some(KdfCost::FOR_TESTS));
    let dir = tempfile::tempdir().unwrap();
    drop(Store::create(dir.path(), PIN).unwrap());
    let exe = std::env::current_exe().unwrap();
    let mut acknowledged: Vec<(String, i64)> = Vec::new();
    let rounds = 12;
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args([
                "crash_writer_child",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("SHUMARI_CRASH_WRITER", dir.path())
            .env("SHUMARI_CRASH_START", (round * 100_000).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Kill after a pseudo-random number of acknowledged writes (varies the moment of the kill: while
        // writing the WAL, during a compaction, between statements), plus a random sub-millisecond delay.
        let target = 3 + (round * 7919 % 23) as usize;
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some((id, rooms)) = line.split_once(' ') {
                    if id.len() == 36 {
                        lines.push((id.to_string(), rooms.parse::<i64>().unwrap()));
                    }
                }
            }
            lines
        });
        // Wait until enough writes were acknowledged, then kill mid-burst.
        loop {
            std::thread::sleep(Duration::from_millis(5));
            if child.try_wait().unwrap().is_some() {
                panic!("writer exited by itself");
            }
            // the reader owns stdout; poll the store's row count instead of the pipe
            if let Ok(s) = Store::open(dir.path(), PIN) {
                if s.list(&ListFilter {
                    limit: 100_000,
                    ..Default::default()
                })
                .map(|l| l.len())
                .unwrap_or(0)
                    >= acknowledged.len() + target
                {
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_micros(u64::from(round as u32 * 337 % 900)));
        // SIGKILL: no destructors, no flush, no chance to finish the transaction.
        Command::new("kill")
            .args(["-9", &child.id().to_string()])
            .status()
            .unwrap();
        child.wait().unwrap();
        acknowledged.extend(reader.join().unwrap());

        let store = Store::open(dir.path(), PIN).unwrap();
        assert_eq!(store.integrity_check().unwrap(), ["ok"], "round {round}");
        for (id, rooms) in &acknowledged {
            let v = store
                .get(id)
                .unwrap_or_else(|e| panic!("round {round}: acknowledged write {id} lost: {e}"));
            assert_eq!(
                v.household.answers["rooms"],
                serde_json::json!(rooms),
                "round {round}: edit of {id} lost"
            );
        }
    }
    assert!(acknowledged.len() >= rounds as usize * 3);
}
