//! Every XLSForm question type loads (under pyxform's names too), with a warning for what the
//! engine or the field app cannot do yet; values of each type are checked by their shape; `or_other`
//! adds its choice and question; a form with every type round-trips through TOML and `.xlsx`.

mod common;

use serde_json::{json, Value};
use shumari_forms::{
    External, Form, FormError, Instance, Media, Meta, QuestionType as T, RangeParams,
};

/// One row per type, written as pyxform accepts it (aliases, spacing and case included).
const TYPES: &[(&str, &str)] = &[
    ("text", "t_text"),
    ("int", "t_int"),
    ("decimal", "t_decimal"),
    ("range", "t_range"),
    ("select one from yn", "t_select_one"),
    ("select_multiple yn", "t_select_multiple"),
    ("select_one yn or_other", "t_or_other"),
    ("select_one_from_file places.csv", "t_from_file"),
    ("select_multiple_from_file places.csv", "t_multi_file"),
    ("select_one_external yn", "t_external_select"),
    ("rank yn", "t_rank"),
    ("note", "t_note"),
    ("acknowledge", "t_ack"),
    ("date", "t_date"),
    ("time", "t_time"),
    ("datetime", "t_datetime"),
    ("gps", "t_gps"),
    ("geotrace", "t_trace"),
    ("geoshape", "t_shape"),
    ("photo", "t_photo"),
    ("audio", "t_audio"),
    ("video", "t_video"),
    ("file", "t_file"),
    ("qr code", "t_barcode"),
    ("calculate", "t_calc"),
    ("hidden", "t_hidden"),
    ("xml-external", "t_xml"),
    ("csv-external", "t_csv"),
    ("start", "t_start"),
    ("end", "t_end"),
    ("today", "t_today"),
    ("imei", "t_device"),
    ("phonenumber", "t_phone"),
    ("username", "t_user"),
    ("email", "t_email"),
    ("audit", "t_audit"),
    ("start-geopoint", "t_startgeo"),
    ("subscriberid", "t_subscriber"),
    ("simserial", "t_sim"),
    ("begin group", "t_group"),
    ("end group", ""),
    ("begin   repeat", "t_repeat"),
    ("end repeat", ""),
    ("begin loop over yn", "t_loop"),
    ("note", "t_in_loop"),
    ("end loop", ""),
];

fn source() -> String {
    let mut s = String::from("[settings]\nform_id = \"types\"\nversion = \"1\"\n");
    for (ty, name) in TYPES {
        s.push_str(&format!("[[survey]]\ntype = \"{ty}\"\n"));
        if !name.is_empty() {
            s.push_str(&format!("name = \"{name}\"\nlabel = \"{name}\"\n"));
        }
        match *name {
            "t_range" => s.push_str("parameters = \"start=0 end=10 step=2.5\"\n"),
            "t_calc" => {
                s.push_str("calculation = \"concat('on ', ${t_today}, ' ', ${t_hidden})\"\n")
            }
            "t_hidden" => s.push_str("default = \"h1\"\n"),
            _ => {}
        }
    }
    s.push_str(
        "[[choices]]\nlist_name = \"yn\"\nname = \"yes\"\nlabel = \"Yes\"\n\
         [[choices]]\nlist_name = \"yn\"\nname = \"no\"\nlabel = \"No\"\n",
    );
    s
}

fn loaded() -> shumari_forms::Loaded {
    Form::load("types.toml", source().as_bytes()).unwrap()
}

#[test]
fn every_type_loads_to_its_type() {
    let form = loaded().form;
    let kind = |n: &str| form.question(n).unwrap().kind.clone();
    let yn = || "yn".to_string();
    let places = || "places.csv".to_string();
    for (name, want) in [
        ("t_text", T::Text),
        ("t_int", T::Integer),
        ("t_decimal", T::Decimal),
        (
            "t_range",
            T::Range(RangeParams {
                start: 0.0,
                end: 10.0,
                step: 2.5,
            }),
        ),
        ("t_select_one", T::SelectOne(yn())),
        ("t_select_multiple", T::SelectMultiple(yn())),
        ("t_or_other", T::SelectOne(yn())),
        ("t_or_other_other", T::Text),
        ("t_from_file", T::SelectOneFromFile(places())),
        ("t_multi_file", T::SelectMultipleFromFile(places())),
        ("t_external_select", T::SelectOneExternal(yn())),
        ("t_rank", T::Rank(yn())),
        ("t_note", T::Note),
        ("t_ack", T::Acknowledge),
        ("t_date", T::Date),
        ("t_time", T::Time),
        ("t_datetime", T::DateTime),
        ("t_gps", T::Geopoint),
        ("t_trace", T::Geotrace),
        ("t_shape", T::Geoshape),
        ("t_photo", T::Media(Media::Image)),
        ("t_audio", T::Media(Media::Audio)),
        ("t_video", T::Media(Media::Video)),
        ("t_file", T::Media(Media::File)),
        ("t_barcode", T::Barcode),
        ("t_calc", T::Calculate),
        ("t_hidden", T::Hidden),
        ("t_xml", T::External(External::Xml)),
        ("t_csv", T::External(External::Csv)),
        ("t_start", T::Meta(Meta::Start)),
        ("t_end", T::Meta(Meta::End)),
        ("t_today", T::Meta(Meta::Today)),
        ("t_device", T::Meta(Meta::DeviceId)),
        ("t_phone", T::Meta(Meta::PhoneNumber)),
        ("t_user", T::Meta(Meta::Username)),
        ("t_email", T::Meta(Meta::Email)),
        ("t_audit", T::Meta(Meta::Audit)),
        ("t_startgeo", T::Meta(Meta::StartGeopoint)),
        ("t_subscriber", T::Meta(Meta::SubscriberId)),
        ("t_sim", T::Meta(Meta::SimSerial)),
        ("t_group", T::BeginGroup),
        ("t_repeat", T::BeginRepeat),
        ("t_loop", T::BeginGroup),
        ("t_in_loop", T::Note),
    ] {
        assert_eq!(kind(name), want, "{name}");
    }
}

#[test]
fn what_cannot_be_captured_is_a_warning_naming_the_row() {
    let warnings: Vec<(usize, String)> = loaded()
        .warnings
        .into_iter()
        .filter(|w| w.column == "type")
        .map(|w| (w.row, w.message))
        .collect();
    let mut warnings = warnings;
    warnings.sort();
    let row = |n: &str| 2 + TYPES.iter().position(|(_, x)| *x == n).unwrap();
    const MEDIA: &str =
        "the field app records the picked file's name; the file itself is not kept or sent yet";
    const FILE: &str =
        "the choices come from `places.csv`, which is not attached to the form: the \
                        question offers no choices and accepts any choice name until the file is \
                        attached";
    const GEO: &str =
        "the field app takes the points as a list (each captured or typed), not drawn on a map";
    const EXTERNAL: &str = "attached external data is not read yet; the row has no value";
    const META: &str = "this metadata is not recorded by the field app; it stays empty unless a \
                        value is imported";
    let mut want = vec![
        (row("t_from_file"), FILE.to_string()),
        (row("t_multi_file"), FILE.to_string()),
        (
            row("t_external_select"),
            "list `yn` has no rows on the external_choices sheet: the question offers no choices \
             and accepts any choice name"
                .into(),
        ),
        (row("t_trace"), format!("`geotrace`: {GEO}")),
        (row("t_shape"), format!("`geoshape`: {GEO}")),
        (row("t_photo"), format!("`photo`: {MEDIA}")),
        (row("t_audio"), format!("`audio`: {MEDIA}")),
        (row("t_video"), format!("`video`: {MEDIA}")),
        (row("t_file"), format!("`file`: {MEDIA}")),
        (
            row("t_barcode"),
            "`qr code`: the field app cannot scan barcodes yet; the code is typed as text".into(),
        ),
        (row("t_xml"), format!("`xml-external`: {EXTERNAL}")),
        (row("t_csv"), format!("`csv-external`: {EXTERNAL}")),
    ];
    // `imei` (deviceid) is recorded by the field app, so it loads without a warning.
    for (ty, name) in [
        ("phonenumber", "t_phone"),
        ("username", "t_user"),
        ("email", "t_email"),
        ("audit", "t_audit"),
        ("start-geopoint", "t_startgeo"),
        ("subscriberid", "t_subscriber"),
        ("simserial", "t_sim"),
    ] {
        want.push((row(name), format!("`{ty}`: {META}")));
    }
    want.push((
        row("t_loop"),
        "`begin loop over yn`: the questions inside are asked once, as a group, not once for \
         each choice of `yn`"
            .into(),
    ));
    want.sort();
    assert_eq!(warnings, want);
}

fn household(answers: Value) -> Instance {
    Instance::from_household_json(&json!({"area": "PK60301", "answers": answers, "members": []}))
        .unwrap()
}

/// Whether `check_value` accepts `value` for question `name`.
fn accepts(form: &Form, name: &str, value: Value) -> bool {
    form.check_value(
        &household(json!({})),
        &format!("answers.{name}"),
        &value,
        "en",
        common::today(),
    )
    .is_ok()
}

#[test]
fn values_are_checked_by_their_type() {
    let form = loaded().form;
    for (name, good, bad) in [
        ("t_range", json!(7.5), json!(11)),
        ("t_range", json!("0"), json!(3)),
        ("t_time", json!("14:30"), json!("25:00")),
        ("t_time", json!("14:30:05.250+05:00"), json!("2pm")),
        (
            "t_datetime",
            json!("2025-06-01T14:30:00Z"),
            json!("2025-06-01 14:30"),
        ),
        (
            "t_datetime",
            json!("2025-06-01T08:00"),
            json!("2025-02-30T08:00"),
        ),
        ("t_rank", json!("no yes"), json!("yes yes")),
        ("t_rank", json!("yes"), json!("maybe")),
        (
            "t_trace",
            json!("31.5 74.3 0 5;31.6 74.4"),
            json!("31.5 74.3"),
        ),
        (
            "t_shape",
            json!("31.5 74.3;31.6 74.3;31.6 74.4;31.5 74.3"),
            json!("31.5 74.3;31.6 74.3;31.6 74.4"),
        ),
        (
            "t_trace",
            json!("31.5 74.3;31.6 74.4;"),
            json!("31.5 74.3;95 74.4"),
        ),
        ("t_text", json!("anything"), json!(["a"])),
        ("t_int", json!(3), json!(2.5)),
        ("t_decimal", json!("2.5"), json!("two")),
        ("t_date", json!("2025-02-28"), json!("2025-02-30")),
        ("t_gps", json!("31.5 74.3 0 5"), json!("95 74.3")),
        ("t_ack", json!("OK"), json!("yes")),
        ("t_select_multiple", json!("yes no"), json!("yes maybe")),
        ("t_external_select", json!("anything"), json!("two words")),
        ("t_hidden", json!("h3"), json!([1])),
        ("t_select_one", json!("yes"), json!("maybe")),
        ("t_or_other", json!("other"), json!("elsewhere")),
        ("t_from_file", json!("lahore"), json!("lahore karachi")),
        ("t_barcode", json!("978-0-13"), json!(["978"])),
        ("t_photo", json!("house.jpg"), json!({"f": 1})),
        ("t_device", json!("tablet-7"), json!([1])),
    ] {
        assert!(
            accepts(&form, name, good.clone()),
            "{name} should accept {good}"
        );
        assert!(
            !accepts(&form, name, bad.clone()),
            "{name} should refuse {bad}"
        );
    }
    // Rows with no value are not writable.
    assert!(!accepts(&form, "t_xml", json!("x")));
    assert!(!accepts(&form, "t_calc", json!("x")));
}

#[test]
fn messages_name_the_expected_shape() {
    let form = loaded().form;
    let v = form.validate(
        &household(
            json!({"t_range": 3, "t_time": "2pm", "t_rank": "yes yes", "t_shape": "1 2;3 4"}),
        ),
        "en",
        common::today(),
    );
    let mut got: Vec<(String, String)> =
        v.invalid.into_iter().map(|i| (i.path, i.message)).collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("answers.t_range".into(), "expected a number from 0 to 10 in steps of 2.5".into()),
            ("answers.t_rank".into(), "`yes` is ranked more than once".into()),
            (
                "answers.t_shape".into(),
                "expected a closed shape: four GPS points or more `lat lon;...`, the last equal to \
                 the first"
                    .into()
            ),
            ("answers.t_time".into(), "expected a time HH:MM or HH:MM:SS".into()),
        ]
    );
}

#[test]
fn or_other_adds_a_choice_and_a_question_asked_when_chosen() {
    let form = loaded().form;
    let names: Vec<&str> = form.choices_of("yn").map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["yes", "no", "other"]);
    assert_eq!(form.choice_label("yn", "other", "en"), "Other");
    let other = form.question("t_or_other_other").unwrap();
    assert_eq!(other.label[""], "Specify other.");
    assert_eq!(
        other.relevant.as_ref().unwrap().source,
        "selected(${t_or_other}, 'other')"
    );
    let relevant = |answer: &str| {
        form.evaluate(
            &household(json!({"t_or_other": answer})),
            "en",
            common::today(),
        )
        .items
        .iter()
        .any(|i| i.question == "t_or_other_other" && i.relevant)
    };
    assert!(relevant("other"));
    assert!(!relevant("yes"));
}

#[test]
fn start_end_and_today_are_the_date_the_engine_is_given_and_hidden_its_default() {
    let form = loaded().form;
    let v = form.validate(&household(json!({})), "en", common::today());
    assert_eq!(
        v.calculated.get("answers.t_calc"),
        Some(&json!("on 2025-06-01 h1"))
    );
    // A recorded value is kept.
    let v = form.validate(
        &household(json!({"t_today": "2024-01-02", "t_hidden": "h2"})),
        "en",
        common::today(),
    );
    assert_eq!(
        v.calculated.get("answers.t_calc"),
        Some(&json!("on 2024-01-02 h2"))
    );
}

#[test]
fn a_form_with_every_type_round_trips() {
    let form = loaded().form;
    let toml = form.to_toml_string();
    assert!(toml.contains("type = \"select_one yn or_other\""), "{toml}");
    assert!(!toml.contains("t_or_other_other"));
    assert!(toml.contains("parameters = \"start=0 end=10 step=2.5\""));
    assert!(toml.contains("type = \"begin loop over yn\""));
    assert!(toml.contains("type = \"end loop\""));
    let via_toml = Form::from_toml_str(&toml).unwrap();
    assert_eq!(via_toml, form);
    let via_xlsx = Form::from_xlsx_bytes(&form.to_xlsx_bytes().unwrap()).unwrap();
    assert_eq!(via_xlsx, form);
}

#[test]
fn unknown_and_misused_types_are_refused_with_a_suggestion() {
    let err = |ty: &str| {
        let src = format!(
            "[settings]\nform_id = \"x\"\nversion = \"1\"\n[[survey]]\ntype = \"{ty}\"\nname = \"a\"\nlabel = \"A\"\n\
             [[choices]]\nlist_name = \"yn\"\nname = \"yes\"\nlabel = \"Yes\"\n"
        );
        match Form::from_toml_str(&src) {
            Err(FormError::Invalid(v)) => v[0].to_string(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        err("geopoitn"),
        "sheet survey, row 2, column type: unknown question type `geopoitn`; did you mean `geopoint`?"
    );
    assert_eq!(
        err("selfie"),
        "sheet survey, row 2, column type: unknown question type `selfie`"
    );
    assert_eq!(
        err("rank yn or_other"),
        "sheet survey, row 2, column type: `or_other` only follows select_one and select_multiple, not `rank yn or_other`"
    );
    assert_eq!(
        err("select_one_from_file"),
        "sheet survey, row 2, column type: `select_one_from_file` needs a file name, e.g. `select_one_from_file places.csv`"
    );
}
