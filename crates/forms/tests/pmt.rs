//! The illustrative PMT: explained scores, thresholds, the disability threshold.

mod common;

use serde_json::json;
use shumari_forms::{pmt_model, Instance, PmtModel};

fn score(h: &serde_json::Value) -> shumari_forms::PmtResult {
    pmt_model().score_on(&Instance::from_household_json(h).unwrap(), common::today())
}

fn sum(r: &shumari_forms::PmtResult) -> f64 {
    r.contributions.iter().map(|c| c.points).sum()
}

#[test]
fn the_shipped_model_says_it_is_illustrative() {
    assert!(shumari_forms::pmt::PMT_MODEL_TOML.contains("not public"));
    assert_eq!(pmt_model().model_version, "illustrative-v1");
}

#[test]
fn contributions_sum_to_the_score() {
    let r = score(&common::household(12));
    assert!((sum(&r) - r.score).abs() < 1e-9, "{r:?}");
    assert!(r.score > 0.0 && r.score < 100.0);
    let rooms = r
        .contributions
        .iter()
        .find(|c| c.variable == "rooms_per_person")
        .unwrap();
    assert_eq!(rooms.value, json!(0.17), "2 rooms for 12 people");
    assert_eq!(rooms.points, 0.0);
    assert_eq!(rooms.label_ur, "فی کس کمرے");
    let assets = r
        .contributions
        .iter()
        .find(|c| c.variable == "assets")
        .unwrap();
    assert_eq!(assets.points, 3.0, "tv 2 + smartphone 1");
    let dep = r
        .contributions
        .iter()
        .find(|c| c.variable == "dependency_ratio")
        .unwrap();
    assert_eq!(
        dep.value,
        json!(2.0),
        "6 children under 15 and 2 grandparents for 4 members aged 15-64"
    );
}

#[test]
fn poor_households_are_eligible_and_rich_ones_are_not() {
    let poor = score(&common::household(12));
    assert!(poor.score <= 32.0, "{}", poor.score);
    assert!(poor
        .programmes
        .iter()
        .any(|p| p.programme == "kafalat" && p.eligible && p.threshold == 32.0));
    let mut rich = common::household(3);
    let a = rich["answers"].as_object_mut().unwrap();
    for (k, v) in [("rooms", json!(8)), ("walls", json!("brick")), ("roof", json!("rcc")), ("floor", json!("tiles")),
        ("toilet", json!("flush")), ("cooking_fuel", json!("gas")), ("assets", json!("tv fridge freezer ac washing_machine microwave car tractor motorcycle computer geyser")), ("buffalo", json!(10)),
        ("land_owned", json!(20))] {
        a.insert(k.into(), v);
    }
    let r = score(&rich);
    assert_eq!(r.score, 100.0, "clamped");
    assert!(
        (sum(&r) - 100.0).abs() < 1e-9,
        "a clamp line keeps the sum equal to the score"
    );
    assert!(r.contributions.iter().any(|c| c.variable == "clamp"));
    assert!(!r.programmes[0].eligible);
}

#[test]
fn a_member_with_a_disability_raises_the_threshold() {
    let model = PmtModel::from_toml_str(
        r#"model_version = "t"
constant = 35.0
variables = []
[[programmes]]
name = "kafalat"
label_en = "Kafalat"
label_ur = "کفالت"
threshold = 32.0
disability_threshold = 37.0
"#,
    )
    .unwrap();
    let mut h = common::household(2);
    let r = model.score_on(&Instance::from_household_json(&h).unwrap(), common::today());
    assert_eq!(r.score, 35.0);
    assert!(!r.disability);
    assert_eq!(
        (r.programmes[0].threshold, r.programmes[0].eligible),
        (32.0, false)
    );
    h["members"][1]["answers"]["wg_walking"] = json!("cannot");
    let r = model.score_on(&Instance::from_household_json(&h).unwrap(), common::today());
    assert!(r.disability);
    assert_eq!(
        (r.programmes[0].threshold, r.programmes[0].eligible),
        (37.0, true)
    );
    h["members"][1]["answers"]["wg_walking"] = json!("some");
    let r = model.score_on(&Instance::from_household_json(&h).unwrap(), common::today());
    assert!(
        !r.disability,
        "some difficulty is not a disability in the WG short set cut-off"
    );
}

#[test]
fn bad_models_are_refused() {
    assert!(PmtModel::from_toml_str("model_version = 1").is_err());
    let bands = r#"model_version = "t"
constant = 0.0
programmes = []
[[variables]]
name = "x"
label_en = "x"
label_ur = "x"
kind = "number"
questions = ["a"]
bands = [{ min = 2.0, points = 1.0 }, { min = 1.0, points = 0.0 }]
"#;
    assert!(PmtModel::from_toml_str(bands).is_err());
}
