//! Coverage targets from the command line: `registry target set` and `import` store what `list`
//! shows; a file with bad lines is refused whole (exit 2, every line named); an unknown area is bad
//! input; an administrator acting with `--as` is held to their areas; each change is on the access
//! trail.

use serde_json::json;
mod common;
use common::{admin_json, admin_text, registry_out, sqlite_url};

#[test]
fn targets_are_set_imported_listed_and_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir.path().join("registry.db"));
    admin_text(
        &db,
        &["target", "set", "--area", "PK603", "--households", "1200"],
    );
    let csv = dir.path().join("targets.csv");
    std::fs::write(&csv, "area,households\nPK60301,400\nPK60302,300\n").unwrap();
    admin_text(&db, &["target", "import", csv.to_str().unwrap()]);
    let listed = admin_json(&db, &["target", "list", "--area", "PK603"]);
    let pairs: Vec<(String, u64)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["area"].as_str().unwrap().into(),
                t["households"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("PK603".into(), 1200),
            ("PK60301".into(), 400),
            ("PK60302".into(), 300)
        ]
    );

    // Bad lines: nothing stored, each line named, exit 2.
    std::fs::write(
        &csv,
        "area,households\nPK60301,9\nPK60302,many\nPK60303,-1\n",
    )
    .unwrap();
    let out = registry_out(&db, &["target", "import", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3") && err.contains("line 4"), "{err}");
    let out = registry_out(
        &db,
        &["target", "set", "--area", "PK999", "--households", "5"],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let again = admin_json(&db, &["target", "list", "--area", "PK60301"]);
    assert_eq!(again[0]["households"], json!(400));

    // An administrator of another province may not set Punjab's targets.
    let admin = admin_json(
        &db,
        &[
            "user",
            "add",
            "--name",
            "Asma",
            "--role",
            "administrator",
            "--area",
            "PK7",
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = registry_out(
        &db,
        &[
            "target",
            "set",
            "--area",
            "PK603",
            "--households",
            "1",
            "--as",
            &admin,
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    admin_text(
        &db,
        &[
            "target",
            "set",
            "--area",
            "PK701",
            "--households",
            "10",
            "--as",
            &admin,
        ],
    );
    let trail = admin_text(&db, &["audit", "list"]);
    assert_eq!(trail.matches("dashboard.target_set").count(), 3, "{trail}");
}
