//! The shipped service-point form (a meal centre's or a shelter's daily report): loads, and its
//! checks hold (shelter counts asked only of shelters, women and children not more than the people
//! sheltered).

use serde_json::{json, Value};
use shumari_forms::{Form, Instance};

const SOURCE: &str = include_str!("../questionnaires/meal_centre_daily.toml");

fn form() -> Form {
    Form::from_toml_str(SOURCE).expect("the shipped service-point form loads")
}

fn validate(answers: Value) -> shumari_forms::Validation {
    let inst = Instance::from_household_json(&json!({ "answers": answers })).expect("instance");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    form().validate(&inst, "en", today)
}

#[test]
fn the_service_point_form_loads_without_warnings() {
    let loaded = Form::load("meal_centre_daily.toml", SOURCE.as_bytes()).expect("loads");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let f = loaded.form;
    assert_eq!(f.settings.form_id, "meal_centre_daily");
    assert_eq!(f.settings.version, "1");
    for q in ["site", "date", "meals_served", "people_sheltered"] {
        assert!(f.question(q).is_some(), "{q}");
    }
}

#[test]
fn a_meal_centre_report_is_complete_without_shelter_counts() {
    let v = validate(json!({
        "site": "Langar Mall Road", "date": "2026-11-30", "site_kind": "meal_centre",
        "meals_served": 412,
    }));
    assert!(v.is_complete(), "{:?} {:?}", v.missing, v.invalid);
}

#[test]
fn a_shelter_must_count_the_people_it_sheltered() {
    let v = validate(json!({
        "site": "Panahgah Lahore", "date": "2026-11-30", "site_kind": "shelter", "meals_served": 80,
    }));
    assert!(v.missing.iter().any(|i| i.question == "people_sheltered"));
}

#[test]
fn counts_are_checked() {
    let v = validate(json!({
        "site": "Panahgah Lahore", "date": "2026-11-30", "site_kind": "both", "meals_served": -1,
        "people_sheltered": 40, "women_children": 41,
    }));
    let bad: Vec<&str> = v.invalid.iter().map(|i| i.question.as_str()).collect();
    assert!(bad.contains(&"meals_served"), "{bad:?}");
    assert!(bad.contains(&"women_children"), "{bad:?}");
}
