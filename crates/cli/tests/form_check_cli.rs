//! `shumari form check` on real workbooks: id, version, languages, question counts and warnings
//! (exit 0), errors with warnings (exit 2), as text and as `--json`.

use assert_cmd::Command;
use serde_json::{json, Value};

fn fixture(name: &str) -> String {
    format!(
        "{}/../forms/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn shumari() -> Command {
    let mut c = Command::cargo_bin("shumari").unwrap();
    // Checking a form needs no store.
    let dir = std::env::temp_dir().join("shumari-form-check-no-store");
    c.env("SHUMARI_DATA_DIR", dir).env_remove("RUST_LOG");
    c
}

#[test]
fn an_xls_form_prints_what_it_is_and_its_warnings() {
    let path = fixture("legacy.xls");
    let out = shumari().args(["form", "check", &path]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "form: legacy",
            "version: 2024010101",
            "title: Legacy household",
            "languages: default",
            "questions by type: integer 1, select_one 1, text 1",
            "warning: sheet survey, row 3, column G: a value in a column without a header is ignored",
            "warning: sheet Instructions: sheet `Instructions` is not an XLSForm sheet (survey, choices, settings); it is ignored (kept on export)",
            "warning: sheet survey, row 2, column comments: column `comments` is not used by this engine; it is ignored (kept on export)",
            &format!("{path}: the form is valid, 3 warning(s)"),
        ]
    );
}

#[test]
fn an_ods_form_without_settings_states_its_derived_id_and_version_in_json() {
    let out = shumari()
        .args(["form", "check", &fixture("household.ods"), "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["format"], "ods");
    assert_eq!(v["errors"], json!([]));
    let version = v["form"]["version"].as_str().unwrap();
    assert_eq!(version.len(), 8);
    assert!(version.bytes().all(|b| b.is_ascii_hexdigit()), "{version}");
    assert_eq!(v["form"]["id"], "household");
    assert_eq!(v["form"]["title"], Value::Null);
    assert_eq!(v["form"]["languages"], json!(["default"]));
    assert_eq!(
        v["form"]["questions"],
        json!({"integer": 1, "select_one": 1, "text": 1})
    );
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 5, "{v}");
    assert_eq!(
        warnings[2],
        json!({"sheet": "settings", "row": 0, "column": "form_id",
            "message": "no form_id: the file's name gives `household`"})
    );
    assert_eq!(warnings[3]["column"], "version");
    assert!(warnings[3]["message"]
        .as_str()
        .unwrap()
        .starts_with(&format!(
            "no version: `{version}` is derived from the file's content"
        )));
}

#[test]
fn errors_exit_2_and_come_with_the_warnings_that_explain_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.toml");
    std::fs::write(
        &path,
        "[settings]\nform_id = \"t\"\nversion = \"1\"\n[[survey]]\ntype = \"text\"\nname = \"a\"\nlable = \"A\"\n",
    )
    .unwrap();
    let out = shumari()
        .args(["form", "check"])
        .arg(&path)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["form"], Value::Null);
    assert_eq!(
        v["errors"],
        json!([{"sheet": "survey", "row": 2, "column": "label", "message": "`a` has no label"}])
    );
    assert_eq!(v["warnings"][0]["column"], "lable");
    let out = shumari()
        .args(["form", "check"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("sheet survey, row 2, column label: `a` has no label\n"),
        "{text}"
    );
    assert!(text.ends_with("1 problem(s), 1 warning(s)\n"), "{text}");
}

#[test]
fn languages_are_listed_with_the_app_language_each_one_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("langs.toml");
    std::fs::write(
        &path,
        "[settings]\nform_id = \"t\"\nversion = \"1\"\n[[survey]]\ntype = \"text\"\nname = \"a\"\n\
         \"label::English (en)\" = \"A\"\n\"label:Urdu\" = \"الف\"\n\"label::French (fr)\" = \"A\"\n",
    )
    .unwrap();
    let out = shumari()
        .args(["form", "check"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\nlanguages: English (en) [en], French (fr) [not in the app], Urdu [ur]\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "warning: sheet survey, row 2, column label::French (fr): language `French (fr)`"
        ),
        "{text}"
    );
    let out = shumari()
        .args(["form", "check"])
        .arg(&path)
        .arg("--json")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["form"]["app_languages"],
        json!({"English (en)": "en", "French (fr)": null, "Urdu": "ur"})
    );
}

const MARKET: &str = r#"
[settings]
form_id = "market"
version = "1"

[[survey]]
type = "select_one_from_file crops.csv"
name = "crop"
label = "Crop"

[[survey]]
type = "calculate"
name = "price"
calculation = "pulldata('prices', 'price', 'name', ${crop})"
"#;

#[test]
fn attachments_are_read_from_the_media_folder_and_beside_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let form = dir.path().join("market.toml");
    std::fs::write(&form, MARKET).unwrap();
    let path = form.to_str().unwrap();

    // Nothing attached: each missing file is a warning at its row.
    let out = shumari()
        .args(["form", "check", path, "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["attachments"], json!([]));
    let rows: Vec<(u64, &str)> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["row"].as_u64().unwrap(), w["column"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [(2, "type"), (3, "calculation")]);

    // crops.csv in market-media/, prices.csv beside the form, and a stray file in the folder.
    let media = dir.path().join("market-media");
    std::fs::create_dir(&media).unwrap();
    std::fs::write(media.join("crops.csv"), "name,label\nrice,Rice\n").unwrap();
    std::fs::write(media.join("old.csv"), "a\n1\n").unwrap();
    std::fs::write(dir.path().join("prices.csv"), "name,price\nrice,4200\n").unwrap();
    let out = shumari().args(["form", "check", path]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("attachments: crops.csv, old.csv, prices.csv"),
        "{text}"
    );
    assert!(
        text.contains(
            "warning: sheet old.csv: the file is attached but no row of the form uses it"
        ),
        "{text}"
    );
    assert!(text.contains("the form is valid, 1 warning(s)"), "{text}");

    // A malformed CSV refuses the form, naming the file and line.
    std::fs::write(media.join("crops.csv"), "name,label\nrice\n").unwrap();
    let out = shumari().args(["form", "check", path]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("sheet crops.csv, row 2: the row has 1 field(s) where the header has 2"),
        "{text}"
    );
}
