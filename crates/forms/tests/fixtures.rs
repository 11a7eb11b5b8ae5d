//! The committed .xlsx fixtures (written by examples/make_fixtures.rs), one per construct, and the
//! errors for unsupported constructs naming sheet, row and column.

use serde_json::json;
use shumari_forms::{check_form_source, check_source, Flag, Form, Instance, QuestionType};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn load(name: &str) -> Form {
    Form::from_xlsx_bytes(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
}

#[test]
fn every_question_type_and_column() {
    let f = load("types.xlsx");
    assert_eq!(f.settings.version, "3", "a numeric cell reads as its text");
    let kinds: Vec<_> = f.survey.iter().map(|q| q.kind.as_cell()).collect();
    assert_eq!(
        kinds,
        [
            "text",
            "integer",
            "decimal",
            "date",
            "geopoint",
            "note",
            "acknowledge",
            "select_one yes_no",
            "select_multiple assets",
            "calculate",
            "text"
        ]
    );
    let address = f.question("address").unwrap();
    assert_eq!(address.required, Flag::Yes);
    assert_eq!(f.text(&address.label, "ur"), Some("پتہ"));
    assert_eq!(
        f.text(&address.hint, "ur"),
        Some("House and street"),
        "falls back to the default language"
    );
    assert_eq!(f.question("land").unwrap().default.as_deref(), Some("0"));
    assert_eq!(f.question("code").unwrap().read_only, Flag::Yes);
    assert_eq!(
        f.question("electricity").unwrap().appearance.as_deref(),
        Some("minimal")
    );
    assert_eq!(f.choice_label("assets", "fridge", "ur"), "فریج");

    let h = json!({"answers": {"address": "ab", "rooms": 60, "visit_date": "2030-01-01", "gps": "31.5 74.3",
        "consent": "OK", "electricity": "yes", "assets": "tv none", "land": 1.5}});
    let v = f.validate(&Instance::from_household_json(&h).unwrap(), "ur", today());
    let invalid: Vec<_> = v
        .invalid
        .iter()
        .map(|i| (i.question.as_str(), i.message.as_str()))
        .collect();
    assert_eq!(
        invalid,
        [
            ("address", "بہت مختصر"),
            ("rooms", "1 سے 50 کمرے"),
            ("visit_date", "مستقبل کی نہیں"),
            ("assets", "کوئی نہیں اکیلا")
        ]
    );
    assert_eq!(v.calculated["answers.rooms_plus"], json!(61));
    let v = f.validate(
        &Instance::from_household_json(&json!({})).unwrap(),
        "ur",
        today(),
    );
    assert_eq!(v.missing[0].message, "پتہ درج کریں");
    assert_eq!(
        v.missing[1].message, "اس سوال کا جواب دینا ضروری ہے",
        "engine default in Urdu"
    );
}

#[test]
fn groups_and_relevance() {
    let f = load("groups.xlsx");
    assert_eq!(
        f.question("animals").unwrap().kind,
        QuestionType::BeginGroup
    );
    assert_eq!(
        f.question("remarks").unwrap().row,
        8,
        "rows are spreadsheet rows; the blank row 7 is skipped"
    );
    let run = |a: serde_json::Value| {
        f.validate(
            &Instance::from_household_json(&json!({"answers": a})).unwrap(),
            "en",
            today(),
        )
    };
    let v = run(json!({"has_livestock": "no"}));
    assert!(
        v.is_complete(),
        "a non-relevant group hides its required questions"
    );
    let v = run(json!({"has_livestock": "yes"}));
    let missing: Vec<_> = v.missing.iter().map(|i| i.question.as_str()).collect();
    assert_eq!(
        missing,
        ["goats"],
        "cattle depends on goats < 100, false when goats is empty"
    );
    let v = run(json!({"has_livestock": "yes", "goats": 3}));
    let missing: Vec<_> = v.missing.iter().map(|i| i.question.as_str()).collect();
    assert_eq!(missing, ["cattle"]);
}

#[test]
fn repeats() {
    let f = load("repeat.xlsx");
    assert_eq!(f.repeat_of("income"), Some("members"));
    let h = json!({"answers": {"size": 2, "cap": 1000}, "members": [
        {"id": "a", "name": "A", "age": 30, "answers": {"income": 500}},
        {"id": "b", "name": "B", "age": 10, "answers": {"in_school": "yes"}}]});
    let v = f.validate(&Instance::from_household_json(&h).unwrap(), "en", today());
    assert!(v.is_complete(), "{:?} {:?}", v.missing, v.invalid);
    assert_eq!(v.calculated["answers.n"], json!(2));
    assert_eq!(v.calculated["members.b.line"], json!(2));
    assert_eq!(
        v.calculated["answers.total"],
        json!("NaN"),
        "b's income is not relevant, so empty"
    );
}

#[test]
fn choice_filters() {
    let f = load("choice_filter.xlsx");
    let inst = Instance::from_household_json(&json!({"answers": {"province": "sindh"}})).unwrap();
    assert!(f
        .check_value(&inst, "answers.district", &json!("karachi"), "en", today())
        .is_ok());
    assert!(f
        .check_value(&inst, "answers.district", &json!("lahore"), "en", today())
        .is_err());
}

#[test]
fn fixtures_round_trip_through_both_formats() {
    for name in [
        "types.xlsx",
        "groups.xlsx",
        "repeat.xlsx",
        "choice_filter.xlsx",
    ] {
        let f = load(name);
        let via_toml = Form::from_toml_str(&f.to_toml_string()).unwrap();
        let via_xlsx = Form::from_xlsx_bytes(&via_toml.to_xlsx_bytes().unwrap()).unwrap();
        // rows renumber when blank rows are dropped; everything else is identical
        let strip = |f: &Form| {
            let mut f = f.clone();
            f.survey.iter_mut().for_each(|q| q.row = 0);
            f
        };
        assert_eq!(strip(&via_toml), strip(&f), "{name}");
        assert_eq!(via_xlsx, via_toml, "{name}");
    }
}

fn issues(name: &str) -> Vec<(String, usize, String, String)> {
    check_form_source(name, &fixture(name))
        .into_iter()
        .map(|i| (i.sheet, i.row, i.column, i.message))
        .collect()
}

#[test]
fn unsupported_constructs_are_named() {
    // A type the field app captures only in part loads, with a warning naming the row and what.
    assert!(issues("unknown_type.xlsx").is_empty());
    let image = check_source("unknown_type.xlsx", &fixture("unknown_type.xlsx"));
    assert!(
        image.warnings.iter().any(|w| w.row == 3
            && w.column == "type"
            && w.message
                .starts_with("`image`: the field app records the picked file's name")),
        "{:?}",
        image.warnings
    );
    // A column pyxform reads and the engine does not act on is a warning naming the feature, and
    // the column is kept for export.
    assert!(issues("unknown_column.xlsx").is_empty());
    let checked = check_source("unknown_column.xlsx", &fixture("unknown_column.xlsx"));
    let warnings: Vec<_> = checked
        .warnings
        .iter()
        .map(|i| {
            (
                i.sheet.as_str(),
                i.row,
                i.column.as_str(),
                i.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        warnings,
        [
            (
                "survey",
                2,
                "media::image",
                "column `media::image` (images in labels) is not acted on by this engine; it is \
                 kept for export"
            ),
            (
                "survey",
                2,
                "media::image",
                "`house.jpg` is not attached to the form: the text shows without it"
            )
        ]
    );
    let form = checked.form.unwrap();
    let kept = &form.survey[0].extra;
    assert!(kept.contains_key("media::image"), "{kept:?}");
    let again = Form::from_xlsx_bytes(&form.to_xlsx_bytes().unwrap()).unwrap();
    assert_eq!(again, form);
    let bad = issues("bad_expression.xlsx");
    assert_eq!(bad.len(), 2);
    assert_eq!(
        (bad[0].0.as_str(), bad[0].1, bad[0].2.as_str()),
        ("survey", 2, "constraint")
    );
    assert!(bad[0].3.contains("at character 6"), "{}", bad[0].3);
    assert_eq!((bad[1].1, bad[1].2.as_str()), (3, "relevant"));
    assert!(bad[1].3.contains("`${room}` refers to no question"));
    let with_image = Form::from_xlsx_bytes(&fixture("unknown_type.xlsx")).unwrap();
    assert_eq!(
        with_image.question("photo").unwrap().kind,
        shumari_forms::QuestionType::Media(shumari_forms::Media::Image)
    );
    assert_eq!(check_form_source("x.xlsx", b"not a zip")[0].sheet, "file");
}
