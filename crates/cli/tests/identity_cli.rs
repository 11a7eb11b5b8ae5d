//! Identity verification with NADRA from the command line, against a real registry over HTTP:
//! `registry identity export` writes the area's numbers and a manifest (owner-only files), the
//! authority's result file is applied by `registry identity import`, a second import changes
//! nothing, a malformed file is refused with its line number and exit status 2, the mismatch is a
//! case in `registry duplicates list`, and the tablet shows each member's verification after its
//! next sync (`household show --json`).

use serde_json::{json, Value};
use std::path::Path;
mod common;
use common::{
    admin_json, admin_text, device, district_user, enrolled_device, registry_out,
    TempRegistry as Registry,
};

fn add(dir: &Path) -> String {
    let h = json!({
        "area": "PK60301",
        "answers": {"respondent": "Karim Bakhsh", "consent": "OK"},
        "members": [
            {"name": "Karim Bakhsh", "relation": "head", "sex": "male", "dob": "1981-04-02",
             "id_number": "35202-1234567-1"},
            {"name": "Shazia Bibi", "relation": "spouse", "sex": "female", "age": 38,
             "id_number": "35202-7654321-2"}
        ]
    });
    let out = device(dir)
        .args(["household", "add", "-f", "-", "--json"])
        .write_stdin(h.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn export_import_twice_and_a_malformed_file_from_the_command_line() {
    let reg = Registry::start();
    let surveyor = district_user(&reg, "surveyor");
    let district = district_user(&reg, "district");
    let tablet = enrolled_device(&reg, &surveyor);
    let id = add(tablet.path());
    device(tablet.path()).arg("sync").assert().success();

    let out = reg.dir.path().join("PK603.csv");
    let text = admin_text(
        &reg.db,
        &[
            "identity",
            "export",
            "--area",
            "PK603",
            "--out",
            out.to_str().unwrap(),
            "--as",
            &district,
        ],
    );
    assert!(text.contains("2 number(s)"), "{text}");
    let csv = std::fs::read_to_string(&out).unwrap();
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(reg.dir.path().join("PK603.csv.manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["rows"], 2);
    assert_eq!(manifest["area"], "PK603");
    let batch = manifest["batch_id"].as_str().unwrap().to_string();
    assert!(
        csv.contains(&format!("{batch},3520212345671,Karim Bakhsh,,1981-04-02")),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("{batch},3520276543212,Shazia Bibi,Karim Bakhsh,")),
        "{csv}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "personal data readable by the owner only");
    }

    let result = reg.dir.path().join("nadra-result.csv");
    std::fs::write(
        &result,
        format!("batch_id,cnic,result,fields\n{batch},35202-1234567-1,verified,\n{batch},35202-7654321-2,mismatch,father_or_husband_name\n"),
    )
    .unwrap();
    let args = [
        "identity",
        "import",
        result.to_str().unwrap(),
        "--as",
        &district,
    ];
    let first = admin_json(&reg.db, &args);
    assert_eq!(first["verified"], 1);
    assert_eq!(first["mismatch"], 1);
    assert_eq!(first["members_updated"], 2);
    assert_eq!(first["cases"], 1);
    let again = admin_text(&reg.db, &args);
    assert!(
        again.contains("imported before; nothing changed"),
        "{again}"
    );

    let bad = reg.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "batch_id,cnic,result,fields\n,3520212345671,verified,\n,35202,verified,\n",
    )
    .unwrap();
    let refused = registry_out(
        &reg.db,
        &[
            "identity",
            "import",
            bad.to_str().unwrap(),
            "--as",
            &district,
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("line 3"),
        "{refused:?}"
    );

    let cases = admin_json(&reg.db, &["duplicates", "list"]);
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(cases[0]["kind"], "mismatch");
    assert_eq!(cases[0]["detail"], "father_or_husband_name");

    // The tablet shows the results after its next sync.
    device(tablet.path()).arg("sync").assert().success();
    let shown = device(tablet.path())
        .args(["household", "show", &id, "--json"])
        .output()
        .unwrap();
    assert!(shown.status.success(), "{shown:?}");
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    let states: Vec<&str> = shown["verifications"]
        .as_object()
        .expect("verifications")
        .values()
        .map(|v| v["state"].as_str().unwrap())
        .collect();
    let mut states = states;
    states.sort();
    assert_eq!(states, vec!["mismatch", "verified"]);
}
