//! Files that travel with a form: `pulldata()` CSVs, `_from_file` select lists, the
//! `external_choices` sheet and `media::*` files, attached or missing.

use chrono::NaiveDate;
use serde_json::json;
use shumari_forms::{Form, FormIssue, Instance};

const FORM: &str = r#"
[settings]
form_id = "market"
version = "1"

[[survey]]
type = "select_one_from_file villages.csv"
name = "village"
label = "Village"
"label::Urdu (ur)" = "گاؤں"

[[survey]]
type = "select_one_from_file crops.csv"
name = "crop"
label = "Crop"
parameters = "value=code label=title"
choice_filter = "season = 'kharif'"

[[survey]]
type = "calculate"
name = "price"
calculation = "pulldata('prices', 'price', 'crop', ${crop})"

[[survey]]
type = "integer"
name = "sold"
label = "Maunds sold"
constraint = ". * ${price} < 100000"
"media::image" = "scale.png"

[[survey]]
type = "select_one_external district"
name = "district"
label = "District"

[[external_choices]]
list_name = "district"
name = "PK601"
label = "Lahore"

[[external_choices]]
list_name = "district"
name = "PK602"
label = "Kasur"

[[external_choices]]
list_name = "other"
name = "x"
label = "X"
"#;

const VILLAGES: &[u8] = b"\xEF\xBB\xBFname,label,label::Urdu (ur)\nv1,Chak 12,\xDA\x86\xDA\xA9 12\nv2,Kot Radha,\xDA\xA9\xD9\x88\xD9\xB9\n";
const CROPS: &[u8] =
    b"code,title,season\nwheat,Wheat,rabi\nrice,Rice,kharif\ncotton,Cotton,kharif\n";
const PRICES: &[u8] = b"crop,price\nrice,4200\ncotton,8500\nrice,9999\n";

fn all() -> Vec<(&'static str, &'static [u8])> {
    vec![
        ("villages.csv", VILLAGES),
        ("crops.csv", CROPS),
        ("prices.csv", PRICES),
        ("scale.png", b"\x89PNG\r\n\x1a\n".as_slice()),
    ]
}

fn warnings(w: &[FormIssue]) -> Vec<String> {
    w.iter().map(ToString::to_string).collect()
}

/// A calculated value as text (`None` when the engine reports none).
fn calc(e: &shumari_forms::Evaluation, name: &str) -> Option<String> {
    e.calculated.get(name).map(|v| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
}

fn instance(answers: serde_json::Value) -> Instance {
    Instance::from_household_json(&json!({"answers": answers, "members": []})).unwrap()
}

#[test]
fn a_form_with_its_files_loads_without_warnings_and_keeps_them() {
    let loaded = Form::load_with_attachments("market.toml", FORM.as_bytes(), &all()).unwrap();
    // The file travels with the form; showing it in a label is the field app's to do.
    assert_eq!(
        warnings(&loaded.warnings),
        ["sheet survey, row 5, column media::image: column `media::image` (images in labels) is not \
          acted on by this engine; it is kept for export"]
    );
    let names: Vec<&str> = loaded.form.attachments().names().collect();
    assert_eq!(
        names,
        ["crops.csv", "prices.csv", "scale.png", "villages.csv"]
    );
    assert_eq!(loaded.form.attachments().bytes("crops.csv"), Some(CROPS));
    let needed: Vec<String> = loaded
        .form
        .attachment_needs()
        .into_iter()
        .map(|n| format!("{} row {} {}", n.file, n.row, n.column))
        .collect();
    assert_eq!(
        needed,
        [
            "villages.csv row 2 type",
            "crops.csv row 3 type",
            "prices.csv row 4 calculation",
            "scale.png row 5 media::image",
        ]
    );
}

#[test]
fn without_its_files_the_form_loads_and_each_missing_file_is_a_warning_at_its_row() {
    let loaded = Form::load("market.toml", FORM.as_bytes()).unwrap();
    let w = warnings(&loaded.warnings);
    let w = &w[1..];
    assert_eq!(w.len(), 4, "{w:#?}");
    assert!(w[0].contains("row 2") && w[0].contains("`villages.csv`, which is not attached"));
    assert!(w[1].contains("row 3") && w[1].contains("`crops.csv`"));
    assert!(w[2].contains("row 4") && w[2].contains("`pulldata()` reads `prices.csv`"));
    assert!(w[3].contains("row 5") && w[3].contains("`scale.png` is not attached"));
    // Degraded as ODK Collect degrades: any choice name, and an empty pulldata.
    let form = loaded.form;
    let v = form.validate(
        &instance(json!({"village": "anywhere", "crop": "wheat", "district": "PK601"})),
        "en",
        today(),
    );
    assert!(v.invalid.is_empty(), "{:?}", v.invalid);
    let e = form.evaluate(&instance(json!({"crop": "rice"})), "en", today());
    assert_eq!(calc(&e, "answers.price").as_deref(), Some(""));
}

#[test]
fn pulldata_reads_the_first_matching_row_of_the_attached_csv() {
    let form = Form::load_with_attachments("market.toml", FORM.as_bytes(), &all())
        .unwrap()
        .form;
    let price = |crop: &str| {
        let e = form.evaluate(&instance(json!({"crop": crop})), "en", today());
        calc(&e, "answers.price").unwrap_or_default()
    };
    assert_eq!(price("rice"), "4200");
    assert_eq!(price("cotton"), "8500");
    assert_eq!(price("millet"), "");
    // The value takes part in a constraint: 30 maunds of cotton at 8500 is over the limit.
    let v = form.validate(
        &instance(json!({"crop": "cotton", "sold": 30})),
        "en",
        today(),
    );
    assert!(v.invalid.iter().any(|i| i.path == "answers.sold"));
    let v = form.validate(
        &instance(json!({"crop": "cotton", "sold": 3})),
        "en",
        today(),
    );
    assert!(!v.invalid.iter().any(|i| i.path == "answers.sold"));
}

#[test]
fn a_select_from_file_offers_the_csv_rows_filtered_and_translated() {
    let form = Form::load_with_attachments("market.toml", FORM.as_bytes(), &all())
        .unwrap()
        .form;
    let village = form.question("village").unwrap();
    let offered: Vec<(String, String)> = form
        .choices_for(village)
        .map(|c| {
            (
                c.name.clone(),
                form.text(&c.label, "ur").unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        offered,
        [("v1".into(), "چک 12".into()), ("v2".into(), "کوٹ".into())]
    );
    // `parameters` name the value and label columns; the filter reads another column.
    let e = form.evaluate(&instance(json!({})), "en", today());
    let crop = e.items.iter().find(|i| i.question == "crop").unwrap();
    assert_eq!(
        crop.choices.as_deref(),
        Some(&["rice".to_string(), "cotton".into()][..])
    );
    let crop_q = form.question("crop").unwrap();
    let rice = form.choices_for(crop_q).find(|c| c.name == "rice").unwrap();
    assert_eq!(form.text(&rice.label, "en"), Some("Rice"));
    // A name that is not in the file, or filtered out, is refused.
    for bad in [json!({"village": "v9"}), json!({"crop": "wheat"})] {
        let v = form.validate(&instance(bad.clone()), "en", today());
        assert_eq!(v.invalid.len(), 1, "{bad}: {:?}", v.invalid);
    }
}

#[test]
fn select_one_external_reads_its_list_from_the_external_choices_sheet() {
    let form = Form::load("market.toml", FORM.as_bytes()).unwrap().form;
    let q = form.question("district").unwrap();
    let names: Vec<&str> = form.choices_for(q).map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["PK601", "PK602"]);
    let v = form.validate(&instance(json!({"district": "PK999"})), "en", today());
    assert!(v.invalid.iter().any(|i| i.path == "answers.district"));
    // The sheet survives both export formats.
    let again = Form::from_toml_str(&form.to_toml_string()).unwrap();
    assert_eq!(again, form);
    let via_xlsx = Form::from_xlsx_bytes(&form.to_xlsx_bytes().unwrap()).unwrap();
    let q = via_xlsx.question("district").unwrap();
    assert_eq!(via_xlsx.choices_for(q).count(), 2);
}

#[test]
fn a_malformed_csv_refuses_the_form_with_its_line() {
    let mut files = all();
    files[1] = ("crops.csv", b"code,title,season\nwheat,Wheat\n".as_slice());
    let err = Form::load_with_attachments("market.toml", FORM.as_bytes(), &files).unwrap_err();
    let issues = warnings(err.issues());
    assert_eq!(
        issues,
        ["sheet crops.csv, row 2: the row has 2 field(s) where the header has 3"]
    );
    files[1] = ("crops.csv", b"code,title\n\xFF\xFE,x\n".as_slice());
    let err = Form::load_with_attachments("market.toml", FORM.as_bytes(), &files).unwrap_err();
    assert!(
        warnings(err.issues())[0].contains("not UTF-8"),
        "{:?}",
        err.issues()
    );
}

#[test]
fn unused_files_and_missing_columns_are_warnings() {
    let mut files = all();
    files.push(("notes.txt", b"hello".as_slice()));
    files[1] = ("crops.csv", b"code,name\nrice,Rice\n".as_slice());
    let loaded = Form::load_with_attachments("market.toml", FORM.as_bytes(), &files).unwrap();
    let w = warnings(&loaded.warnings);
    let w = &w[1..];
    assert_eq!(w.len(), 2, "{w:#?}");
    assert!(w[0].contains("row 3") && w[0].contains("`crops.csv` has no column `title`"));
    assert!(w[1].starts_with("sheet notes.txt") && w[1].contains("no row of the form uses it"));
    // Without its label column, the file's rows are not offered: any name is accepted.
    let v = loaded
        .form
        .validate(&instance(json!({"crop": "anything"})), "en", today());
    assert!(v.invalid.is_empty(), "{:?}", v.invalid);
}

#[test]
fn a_pulldata_file_named_by_an_expression_is_reported() {
    let src = FORM.replace("pulldata('prices'", "pulldata(concat('pri', 'ces')");
    let loaded = Form::load_with_attachments("market.toml", src.as_bytes(), &all()).unwrap();
    let w = warnings(&loaded.warnings);
    assert!(
        w.iter()
            .any(|m| m.contains("row 4") && m.contains("names its file with an expression")),
        "{w:#?}"
    );
    // It still reads the file once the name is known at run time.
    let e = loaded
        .form
        .evaluate(&instance(json!({"crop": "rice"})), "en", today());
    assert_eq!(calc(&e, "answers.price").as_deref(), Some("4200"));
}
