//! `shumari registry export` against a real registry a tablet synced to over HTTP: a district
//! officer's CSV and Parquet exports of households and members with the codebook and manifest
//! beside them (`--json` prints the manifest, whose SHA-256 matches the file), a provincial
//! monitor's export without names, CNICs, phone or address, an area outside the user's refused,
//! a bad format refused with exit status 2, and every export in `registry audit list`.

use serde_json::{json, Value};
use sha2::Digest;
use std::path::Path;
mod common;
use common::{
    admin_json, device, district_user, enrolled_device, registry_out, TempRegistry as Registry,
};

fn add(dir: &Path) {
    let h = json!({
        "area": "PK60301",
        "answers": {"respondent": "Karim Bakhsh", "consent": "OK", "address": "House 12, Mohalla Qasim",
                    "phone": "0300-1234567", "rooms": 3, "assets": "tv fridge"},
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
}

fn export(reg: &Registry, args: &[&str]) -> Value {
    let mut a = vec!["export"];
    a.extend_from_slice(args);
    admin_json(&reg.db, &a)
}

#[test]
fn exports_from_the_command_line() {
    let reg = Registry::start();
    let surveyor = district_user(&reg, "surveyor");
    let district = district_user(&reg, "district");
    let tablet = enrolled_device(&reg, &surveyor);
    add(tablet.path());
    device(tablet.path()).arg("sync").assert().success();

    let out = reg.dir.path().join("out");
    let o = out.to_str().unwrap();
    let m = export(
        &reg,
        &[
            "--format",
            "csv",
            "--what",
            "households",
            "--out",
            o,
            "--as",
            &district,
        ],
    );
    assert_eq!(m["rows"], 1);
    assert_eq!(m["personal_data"], true);
    assert_eq!(m["files"][0]["name"], "households.csv");
    let csv = std::fs::read(out.join("households.csv")).unwrap();
    assert_eq!(
        m["files"][0]["sha256"],
        hex(&sha2::Sha256::digest(&csv)),
        "the manifest's hash is the file's"
    );
    let text = String::from_utf8(csv).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(header[..3], ["id", "reference", "area"]);
    assert!(header.contains(&"address") && header.contains(&"rooms"));
    assert!(text.contains("House 12, Mohalla Qasim") && text.contains("tv fridge"));
    for f in [
        "households.codebook.csv",
        "households.codebook.json",
        "households.manifest.json",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("households.csv"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "personal data is for the owner only");
    }

    let m = export(
        &reg,
        &[
            "--format",
            "parquet",
            "--what",
            "members",
            "--since",
            "2020-01-01",
            "--out",
            o,
            "--as",
            &district,
        ],
    );
    assert_eq!(
        (m["rows"].as_u64(), m["format"].as_str()),
        (Some(2), Some("parquet"))
    );
    assert_eq!(m["filters"]["since"], "2020-01-01");
    let pq = std::fs::read(out.join("members.parquet")).unwrap();
    assert_eq!(&pq[..4], b"PAR1");

    // A provincial monitor: the data without who the household is.
    let province = admin_json(
        &reg.db,
        &[
            "user", "add", "--name", "Monitor", "--role", "province", "--area", "PK6",
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pout = reg.dir.path().join("monitor");
    let m = export(
        &reg,
        &[
            "--format",
            "csv",
            "--what",
            "members",
            "--out",
            pout.to_str().unwrap(),
            "--as",
            &province,
        ],
    );
    assert_eq!(
        (m["rows"].as_u64(), m["personal_data"].as_bool()),
        (Some(2), Some(false))
    );
    let text = std::fs::read_to_string(pout.join("members.csv")).unwrap();
    assert!(
        !text.contains("Karim") && !text.contains("3520212345671"),
        "{text}"
    );
    assert!(!text
        .lines()
        .next()
        .unwrap()
        .split(',')
        .any(|h| h == "name" || h == "id_number"));

    // Refusals: an area outside the user's, a format that is none.
    let r = registry_out(
        &reg.db,
        &[
            "export",
            "--format",
            "csv",
            "--what",
            "households",
            "--area",
            "PK10101",
            "--out",
            o,
            "--as",
            &district,
        ],
    );
    assert!(!r.status.success());
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("outside your areas"),
        "{r:?}"
    );
    let r = registry_out(
        &reg.db,
        &[
            "export",
            "--format",
            "xlsx",
            "--what",
            "households",
            "--out",
            o,
            "--as",
            &district,
        ],
    );
    assert_eq!(r.status.code(), Some(2), "{r:?}");

    // Every export on the trail.
    let trail = admin_json(&reg.db, &["audit", "list", "--limit", "1000"]);
    let exports: Vec<&Value> = trail
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "data.export")
        .collect();
    assert_eq!(exports.len(), 3);
    assert!(exports[2]["detail"]
        .as_str()
        .unwrap()
        .contains("personal=false"));
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
