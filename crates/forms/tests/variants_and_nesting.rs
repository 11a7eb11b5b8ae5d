//! pyxform's typed variants (`phone number`, `percentage`, ...) and repeats inside repeats: both
//! load, behave as pyxform's XForm would (or degrade with a warning), and export as written.

use chrono::NaiveDate;
use serde_json::json;
use shumari_forms::{Form, Instance, QuestionType, Row};

const FORM: &str = r#"
[settings]
form_id = "variants"
version = "1"

[[survey]]
type = "phone number"
name = "mobile"
label = "Mobile"

[[survey]]
type = "percentage"
name = "share"
label = "Share of income from farming"

[[survey]]
type = "number of days in last month"
name = "days"
label = "Days worked"
constraint = ". != 13"
constraint_message = "Not 13"

[[survey]]
type = "begin_repeat"
name = "plots"
label = "Plots"

[[survey]]
type = "text"
name = "plot_name"
label = "Plot"

[[survey]]
type = "begin_repeat"
name = "crops"
label = "Crops on the plot"
repeat_count = "2"

[[survey]]
type = "text"
name = "crop"
label = "Crop"

[[survey]]
type = "calculate"
name = "first_crop"
calculation = "indexed-repeat(${crop}, ${plots}, 1, ${crops}, 1)"

[[survey]]
type = "end_repeat"

[[survey]]
type = "end_repeat"
"#;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
}

fn invalid(form: &Form, answers: serde_json::Value) -> Vec<(String, String)> {
    let inst = Instance::from_household_json(&json!({"answers": answers, "members": []})).unwrap();
    form.validate(&inst, "en", today())
        .invalid
        .into_iter()
        .map(|i| (i.path, i.message))
        .collect()
}

#[test]
fn typed_variants_carry_their_built_in_constraints() {
    let form = Form::load("variants.toml", FORM.as_bytes()).unwrap().form;
    assert_eq!(form.question("mobile").unwrap().kind, QuestionType::Text);
    assert_eq!(form.question("share").unwrap().kind, QuestionType::Integer);
    assert!(invalid(
        &form,
        json!({"mobile": "03001234567", "share": 100, "days": 31})
    )
    .is_empty());
    assert_eq!(
        invalid(&form, json!({"mobile": "0300-1234567"})),
        [("answers.mobile".into(), "Enter numbers only.".into())]
    );
    assert_eq!(
        invalid(&form, json!({"share": 101})),
        [("answers.share".into(), "This answer is not allowed.".into())]
    );
    assert_eq!(
        invalid(&form, json!({"days": 32})),
        [("answers.days".into(), "Not 13".into())],
        "the row's own message wins"
    );
    // The row's own constraint applies as well.
    assert_eq!(invalid(&form, json!({"days": 13})).len(), 1);
    // In Urdu.
    let inst = Instance::from_household_json(&json!({"answers": {"mobile": "+92"}, "members": []}))
        .unwrap();
    let v = form.validate(&inst, "ur", today());
    assert_eq!(v.invalid[0].message, "صرف ہندسے درج کریں");
}

#[test]
fn a_repeat_inside_a_repeat_loads_as_a_group_of_the_outer_row_with_a_warning() {
    let loaded = Form::load("variants.toml", FORM.as_bytes()).unwrap();
    let w: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        ["sheet survey, row 7, column type: `crops` is a repeat inside a repeat, which the engine \
          cannot hold yet: its questions are asked once in each row of the outer repeat"]
    );
    let form = loaded.form;
    assert_eq!(form.repeat_of("crop"), Some("plots"));
    assert_eq!(
        form.question("crops").unwrap().kind,
        QuestionType::BeginGroup
    );
    // Answers in each outer row; indexed-repeat's inner row 1 is that row.
    let row = |key: &str, plot: &str, crop: &str| Row {
        key: key.into(),
        answers: [("plot_name", plot), ("crop", crop)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect(),
    };
    let mut inst = Instance::default();
    inst.repeats.insert(
        "plots".into(),
        vec![row("p1", "North", "wheat"), row("p2", "South", "rice")],
    );
    let e = form.evaluate(&inst, "en", today());
    let firsts: Vec<_> = e
        .calculated
        .iter()
        .filter(|(k, _)| k.ends_with("first_crop"))
        .map(|(_, v)| v.clone())
        .collect();
    assert_eq!(firsts, [json!("wheat"), json!("wheat")]);
    // Exported as written: begin_repeat, its repeat_count, end_repeat, and the variants' types.
    let toml = form.to_toml_string();
    assert_eq!(toml.matches("type = \"begin_repeat\"").count(), 2, "{toml}");
    assert_eq!(toml.matches("type = \"end_repeat\"").count(), 2);
    assert!(toml.contains("repeat_count = \"2\""));
    assert!(toml.contains("type = \"phone number\"") && toml.contains("type = \"percentage\""));
    assert_eq!(Form::from_toml_str(&toml).unwrap(), form);
    let xlsx = Form::from_xlsx_bytes(&form.to_xlsx_bytes().unwrap()).unwrap();
    assert_eq!(xlsx, form);
}

/// `osm` (OpenMapKit), which pyxform converts, loads with a warning naming the row, with or without
/// a tag list, and exports as written.
#[test]
fn an_openmapkit_question_loads_with_a_warning() {
    let src = r#"
[settings]
form_id = "osm"
version = "1"

[[survey]]
type = "osm building_tags"
name = "building"
label = "Trace the building"

[[survey]]
type = "osm"
name = "road"
label = "The road"

[[survey]]
type = "text"
name = "note_taker"
label = "Your name"
"#;
    let loaded = Form::load("osm.toml", src.as_bytes()).unwrap();
    let rows: Vec<(usize, String)> = loaded
        .warnings
        .iter()
        .map(|w| (w.row, w.message.clone()))
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].0 == 2 && rows[0].1.starts_with("`osm building_tags`: OpenMapKit"));
    assert!(rows[1].0 == 3 && rows[1].1.starts_with("`osm`: OpenMapKit"));
    let form = loaded.form;
    assert_eq!(
        form.question("building").unwrap().kind,
        QuestionType::Osm("building_tags".into())
    );
    // Nothing is asked of it: the rest of the form is complete without it.
    assert!(invalid(&form, json!({"note_taker": "Sana"})).is_empty());
    let toml = form.to_toml_string();
    assert!(toml.contains("type = \"osm building_tags\"") && toml.contains("type = \"osm\""));
    assert_eq!(Form::from_toml_str(&toml).unwrap(), form);
}
