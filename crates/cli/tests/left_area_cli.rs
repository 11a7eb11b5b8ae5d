//! Households the registry moved out of this device's area: the one with unsent changes is kept, the
//! surveyor lists it (`household list --left-area`) and exports it (`household export-left-area`);
//! the one the registry had received is gone.

use serde_json::{json, Value};
use shumari_domain::HouseholdInput;
use shumari_store::Store;

mod common;
use common::{device as shumari, PIN};

fn household(n: u32) -> HouseholdInput {
    serde_json::from_value(json!({
        "area": "PK10101",
        "answers": {"rooms": 2, "address": format!("Gali {n}")},
        "members": [{"name": format!("Ayesha {n}"), "relation": "head", "sex": "female", "age": 30}]
    }))
    .unwrap()
}

#[test]
fn a_household_that_left_with_unsent_changes_is_listed_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let (unsent, sent) = {
        let mut store = Store::create(dir.path(), PIN).unwrap();
        let unsent = store
            .add_household(&household(1), None, "nser-household", "1")
            .unwrap()
            .id;
        let sent = store
            .add_household(&household(2), None, "nser-household", "1")
            .unwrap()
            .id;
        // The registry acknowledged `sent` as it is; `unsent` never reached it.
        let heads: Vec<_> = store
            .all_heads()
            .unwrap()
            .into_iter()
            .filter(|(id, _)| *id == sent)
            .collect();
        store.mark_acked(&heads).unwrap();
        // Then the registry says both left this device's area.
        let gone = store.remove_local(&[unsent, sent]).unwrap();
        assert_eq!((gone.removed, gone.kept), (1, 1));
        (unsent.to_string(), sent.to_string())
    };

    let out = shumari(dir.path())
        .args(["household", "list", "--left-area", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], unsent);
    shumari(dir.path())
        .args(["household", "show", &sent])
        .assert()
        .code(2);

    let out = shumari(dir.path())
        .args(["household", "export-left-area"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], unsent);
    assert_eq!(lines[0]["members"][0]["name"], "Ayesha 1");

    let file = dir.path().join("handover.jsonl");
    shumari(dir.path())
        .args(["household", "export-left-area", "--out"])
        .arg(&file)
        .assert()
        .success();
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 1);
    assert!(text.contains(&unsent));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "personal data readable by others: {mode:o}"
        );
    }
}
