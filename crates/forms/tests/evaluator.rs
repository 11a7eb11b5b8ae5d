//! ODK semantics through whole forms: empty versus 0, selected() on multi-selects, relevance inside
//! repeats, references from a repeat row to its own row and to household level, count/sum over a
//! repeat, position(..), choice filters, repeat_count, forward references.

use serde_json::{json, Value};
use shumari_forms::{Form, Instance, Validation};

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
}

const FORM: &str = r#"
[settings]
form_id = "t"
version = "1"

[[survey]]
type = "integer"
name = "n"
label = "N"

[[survey]]
type = "select_multiple items"
name = "items"
label = "Items"

[[survey]]
type = "calculate"
name = "n_is_zero"
calculation = "if(${n} = 0, 'zero', if(${n} = '', 'empty', 'other'))"

[[survey]]
type = "calculate"
name = "n_plus_one"
calculation = "${n} + 1"

[[survey]]
type = "calculate"
name = "has_tv"
calculation = "if(selected(${items}, 'tv'), 'yes', 'no')"

[[survey]]
type = "calculate"
name = "n_items"
calculation = "count-selected(${items})"

[[survey]]
type = "integer"
name = "adult_age"
label = "Adult age"

[[survey]]
type = "begin_repeat"
name = "members"
label = "Members"

[[survey]]
type = "integer"
name = "age"
label = "Age"
required = "yes"

[[survey]]
type = "text"
name = "school"
label = "School"
required = "yes"
relevant = "${age} < ${adult_age}"

[[survey]]
type = "integer"
name = "income"
label = "Income"
relevant = "${age} >= ${adult_age}"
constraint = ". <= ${cap} * position(..)"
constraint_message = "too high for row"

[[survey]]
type = "calculate"
name = "row"
calculation = "position(..)"

[[survey]]
type = "calculate"
name = "older_than_first"
calculation = "${age} > 30"

[[survey]]
type = "end_repeat"

[[survey]]
type = "integer"
name = "cap"
label = "Cap"

[[survey]]
type = "calculate"
name = "count_m"
calculation = "count(${members})"

[[survey]]
type = "calculate"
name = "sum_income"
calculation = "sum(${income})"

[[survey]]
type = "calculate"
name = "max_age"
calculation = "max(${age})"

[[choices]]
list_name = "items"
name = "tv"
label = "TV"

[[choices]]
list_name = "items"
name = "fridge"
label = "Fridge"
"#;

fn run(answers: Value, members: Value) -> Validation {
    let f = Form::from_toml_str(FORM).unwrap();
    let h = json!({"answers": answers, "members": members});
    f.validate(&Instance::from_household_json(&h).unwrap(), "en", today())
}

#[test]
fn empty_is_not_zero() {
    let v = run(json!({}), json!([]));
    assert_eq!(v.calculated["answers.n_is_zero"], json!("empty"));
    assert_eq!(
        v.calculated["answers.n_plus_one"],
        json!("NaN"),
        "empty in arithmetic is NaN"
    );
    let v = run(json!({"n": 0}), json!([]));
    assert_eq!(v.calculated["answers.n_is_zero"], json!("zero"));
    assert_eq!(v.calculated["answers.n_plus_one"], json!(1));
}

#[test]
fn selected_on_multi_selects() {
    let v = run(json!({"items": "fridge tv"}), json!([]));
    assert_eq!(v.calculated["answers.has_tv"], json!("yes"));
    assert_eq!(v.calculated["answers.n_items"], json!(2));
    let v = run(json!({"items": "fridge"}), json!([]));
    assert_eq!(v.calculated["answers.has_tv"], json!("no"));
    let v = run(json!({}), json!([]));
    assert_eq!(v.calculated["answers.n_items"], json!(0));
    let v = run(json!({"items": "fridge radio"}), json!([]));
    assert!(v
        .invalid
        .iter()
        .any(|i| i.path == "answers.items" && i.message.contains("radio")));
}

#[test]
fn relevance_inside_repeats_reads_own_row_and_household() {
    let members = json!([{"id": "a", "age": 40}, {"id": "b", "age": 9}, {"id": "c"}]);
    let v = run(json!({"adult_age": 18}), members);
    let missing: Vec<_> = v.missing.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(missing, ["members.b.school", "members.c.age"]);
    assert!(v.relevant.contains(&"members.a.income".to_string()));
    assert!(!v.relevant.contains(&"members.a.school".to_string()));
    assert!(!v.relevant.contains(&"members.b.income".to_string()));
    // member c has no age: '' < 18 and '' >= 18 are both false, so neither is asked
    assert!(!v
        .relevant
        .iter()
        .any(|p| p == "members.c.school" || p == "members.c.income"));
    // no household threshold: nothing depending on it is asked
    let v = run(json!({}), json!([{"id": "a", "age": 40}]));
    assert!(v.missing.is_empty());
}

#[test]
fn count_sum_and_position_over_a_repeat() {
    let members = json!([{"age": 40, "answers": {"income": 100}}, {"age": 35, "answers": {"income": 150}}, {"age": 20, "answers": {"income": 50}}]);
    let v = run(json!({"adult_age": 18, "cap": 1000}), members);
    assert_eq!(v.calculated["answers.count_m"], json!(3));
    assert_eq!(v.calculated["answers.sum_income"], json!(300));
    assert_eq!(v.calculated["answers.max_age"], json!(40));
    assert_eq!(v.calculated["members.0.row"], json!(1));
    assert_eq!(v.calculated["members.2.row"], json!(3));
    assert_eq!(v.calculated["members.0.older_than_first"], json!("true"));
    assert_eq!(v.calculated["members.2.older_than_first"], json!("false"));
    // a non-relevant income is empty, and sum() with an empty value is NaN (JavaRosa)
    let members =
        json!([{"age": 40, "answers": {"income": 100}}, {"age": 5, "answers": {"income": 99}}]);
    let v = run(json!({"adult_age": 18, "cap": 1000}), members);
    assert_eq!(v.calculated["answers.sum_income"], json!("NaN"));
    // constraint uses the household cap and the row position
    let members = json!([{"id": "x", "age": 40, "answers": {"income": 150}}, {"id": "y", "age": 40, "answers": {"income": 150}}]);
    let v = run(json!({"adult_age": 18, "cap": 100}), members);
    let invalid: Vec<_> = v
        .invalid
        .iter()
        .map(|i| (i.path.as_str(), i.message.as_str()))
        .collect();
    assert_eq!(invalid, [("members.x.income", "too high for row")]);
}

#[test]
fn choice_filter_repeat_count_forward_refs_and_defaults() {
    let src = r#"
[settings]
form_id = "cf"
version = "1"

[[survey]]
type = "select_one province"
name = "province"
label = "Province"

[[survey]]
type = "select_one district"
name = "district"
label = "District"
choice_filter = "province = ${province}"

[[survey]]
type = "calculate"
name = "early"
calculation = "${late} * 2"

[[survey]]
type = "integer"
name = "late"
label = "Late"
default = "4"

[[survey]]
type = "begin_repeat"
name = "members"
label = "M"
repeat_count = "${late}"

[[survey]]
type = "text"
name = "x"
label = "X"
read_only = "yes"
required = "yes"

[[survey]]
type = "end_repeat"

[[choices]]
list_name = "province"
name = "punjab"
label = "Punjab"

[[choices]]
list_name = "province"
name = "sindh"
label = "Sindh"

[[choices]]
list_name = "district"
name = "lahore"
label = "Lahore"
province = "punjab"

[[choices]]
list_name = "district"
name = "karachi"
label = "Karachi"
province = "sindh"
"#;
    let f = Form::from_toml_str(src).unwrap();
    assert_eq!(f.question("late").unwrap().default.as_deref(), Some("4"));
    let h = json!({"answers": {"province": "punjab", "district": "karachi", "late": 2}, "members": [{}]});
    let inst = Instance::from_household_json(&h).unwrap();
    let v = f.validate(&inst, "en", today());
    assert!(
        v.invalid.iter().any(|i| i.path == "answers.district"),
        "{:?}",
        v.invalid
    );
    assert!(v
        .invalid
        .iter()
        .any(|i| i.path == "members" && i.message == "expected 2 rows, found 1"));
    assert_eq!(
        v.calculated["answers.early"],
        json!(4),
        "a calculation may refer further down"
    );
    assert!(
        v.missing.is_empty(),
        "read-only questions are not required of the surveyor"
    );
    assert!(f
        .check_value(&inst, "answers.district", &json!("lahore"), "en", today())
        .is_ok());
    assert!(f
        .check_value(&inst, "answers.district", &json!("karachi"), "en", today())
        .is_err());
    assert!(
        f.check_value(&inst, "members.0.x", &json!("a"), "en", today())
            .is_err(),
        "read only"
    );
}
