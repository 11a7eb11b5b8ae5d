//! `household show` reports conflicts made by two devices, and `household set` resolves them.
//!
//! The second device is a store of its own; the two exchange changes through the store's sync hooks,
//! exactly as the sync engine does, so the conflict is a real automerge conflict.

use serde_json::{json, Value};
use shumari_store::Store;

mod common;
use common::{device as shumari, PIN};

fn exchange(from: &mut Store, to: &mut Store) {
    let out = from.unsynced(1000).unwrap();
    let batch: Vec<_> = out
        .iter()
        .map(|o| (o.id, o.changes.clone(), o.heads.clone()))
        .collect();
    for (_, r) in to.apply_remote(&batch).unwrap() {
        r.unwrap();
    }
}

#[test]
fn show_lists_conflicts_with_authors_and_set_resolves() {
    let a_dir = tempfile::tempdir().unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    shumari(a_dir.path()).arg("init").assert().success();
    let h = json!({"area": "PK10101", "answers": {"rooms": 2},
                   "members": [{"name": "Karim", "relation": "head", "sex": "male", "age": 50}]});
    let out = shumari(a_dir.path())
        .args(["household", "add", "-f", "-", "--json"])
        .write_stdin(h.to_string())
        .output()
        .unwrap();
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = created["id"].as_str().unwrap().to_string();

    // device b receives the household, then both edit `rooms` offline
    {
        let mut a = Store::open(a_dir.path(), PIN).unwrap();
        let mut b = Store::create(b_dir.path(), PIN).unwrap();
        b.set_user("surveyor-b").unwrap();
        exchange(&mut a, &mut b);
    }
    shumari(a_dir.path())
        .args(["household", "set", &id, "answers.rooms=3"])
        .assert()
        .success();
    shumari(b_dir.path())
        .args(["household", "set", &id, "answers.rooms=4"])
        .assert()
        .success();
    {
        let mut a = Store::open(a_dir.path(), PIN).unwrap();
        let mut b = Store::open(b_dir.path(), PIN).unwrap();
        exchange(&mut b, &mut a);
    }
    let out = shumari(a_dir.path())
        .args(["household", "show", &id, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    let conflicts = shown["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{shown:#}");
    assert_eq!(conflicts[0]["path"], "answers.rooms");
    let mut values: Vec<(i64, String)> = conflicts[0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["value"].as_i64().unwrap(),
                v["author"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    values.sort();
    assert_eq!(
        values,
        [(3, "local".to_string()), (4, "surveyor-b".to_string())]
    );
    // human output says so too
    let human = shumari(a_dir.path())
        .args(["household", "show", &id])
        .output()
        .unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(
        text.contains("CONFLICTS (1)")
            && text.contains("answers.rooms")
            && text.contains("surveyor-b"),
        "{text}"
    );
    // the list flags it
    let list: Value = serde_json::from_slice(
        &shumari(a_dir.path())
            .args(["household", "list", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(list[0]["conflict_count"], 1);

    // resolving: a later write supersedes both values
    shumari(a_dir.path())
        .args(["household", "set", &id, "answers.rooms=4"])
        .assert()
        .success();
    let shown: Value = serde_json::from_slice(
        &shumari(a_dir.path())
            .args(["household", "show", &id, "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(shown["conflicts"], json!([]));
    assert_eq!(shown["answers"]["rooms"], 4);
}
