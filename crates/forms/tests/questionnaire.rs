//! The shipped NSER household questionnaire: loads, round-trips, skip logic, languages, versions.

mod common;

use common::{household, today};
use serde_json::json;
use shumari_forms::{household_form, Form, Instance, QuestionType};

fn validate(h: &serde_json::Value, lang: &str) -> shumari_forms::Validation {
    household_form().validate(&Instance::from_household_json(h).unwrap(), lang, today())
}

#[test]
fn the_shipped_form_has_the_contract_fields() {
    let f = household_form();
    assert_eq!(f.settings.form_id, "nser-household");
    assert_eq!(f.settings.version, "1");
    for n in ["address", "phone", "rooms", "area", "gps"] {
        assert!(f.question(n).is_some(), "{n}");
        assert_eq!(f.repeat_of(n), None);
    }
    for n in [
        "name",
        "relation",
        "sex",
        "age",
        "dob",
        "id_number",
        "education",
        "wg_seeing",
        "occupation",
        "income",
    ] {
        assert_eq!(f.repeat_of(n), Some("members"), "{n}");
    }
    let rel: Vec<_> = f.choices_of("relation").map(|c| c.name.as_str()).collect();
    for c in [
        "head", "spouse", "son", "daughter", "parent", "sibling", "other",
    ] {
        assert!(rel.contains(&c), "{c}");
    }
    let sex: Vec<_> = f.choices_of("sex").map(|c| c.name.as_str()).collect();
    assert_eq!(sex, ["male", "female", "transgender"]);
    let wg: Vec<_> = f.choices_of("wg").map(|c| c.name.as_str()).collect();
    assert_eq!(wg.len(), 4);
    assert_eq!(
        f.question("members").unwrap().kind,
        QuestionType::BeginRepeat
    );
    // Every label has English and Urdu.
    for q in f.survey.iter().filter(|q| !q.label.is_empty()) {
        assert!(
            q.label.contains_key("English (en)") && q.label.contains_key("Urdu (ur)"),
            "{}",
            q.name
        );
    }
    assert_eq!(
        f.text(&f.question("members").unwrap().label, "ur"),
        Some("گھر کے افراد")
    );
    assert_eq!(
        f.text(&f.question("relation").unwrap().label, "ur"),
        Some("سربراہ سے رشتہ")
    );
    assert_eq!(
        f.text(&f.question("name").unwrap().label, "Urdu"),
        Some("نام")
    );
}

#[test]
fn round_trips_through_toml_and_xlsx() {
    let f = household_form();
    let toml = f.to_toml_string();
    let again = Form::from_toml_str(&toml).unwrap();
    assert_eq!(&again, f);
    assert_eq!(again.to_toml_string(), toml, "the writer is stable");
    let xlsx = f.to_xlsx_bytes().unwrap();
    let from_xlsx = Form::from_xlsx_bytes(&xlsx).unwrap();
    assert_eq!(&from_xlsx, f);
    assert_eq!(
        Form::from_toml_str(&from_xlsx.to_toml_string()).unwrap(),
        *f
    );
}

#[test]
fn a_complete_household_is_complete() {
    let v = validate(&household(12), "en");
    assert!(
        v.is_complete(),
        "missing {:?}\ninvalid {:?}",
        v.missing,
        v.invalid
    );
    assert!(v.unknown.is_empty(), "{:?}", v.unknown);
    assert_eq!(v.calculated["answers.household_size"], json!(12));
    assert_eq!(v.calculated["members.m-01.age_years"], json!(42));
    assert_eq!(
        v.calculated["members.m-03.age_years"],
        json!(15),
        "from the date of birth"
    );
}

#[test]
fn missing_answers_are_listed_with_paths_not_errors() {
    let h = json!({"area": "PK60301", "answers": {"rooms": 3},
        "members": [{"id": "a1", "name": "Ayesha", "relation": "head", "sex": "female", "age": 34}]});
    let v = validate(&h, "en");
    assert!(!v.is_complete());
    assert!(v.invalid.is_empty(), "{:?}", v.invalid);
    let paths: Vec<_> = v.missing.iter().map(|i| i.path.as_str()).collect();
    assert!(paths.contains(&"answers.address"));
    assert!(
        paths.contains(&"members.a1.id_number"),
        "CNIC required at 34"
    );
    assert!(paths.contains(&"members.a1.marital_status"));
    let cnic = v
        .missing
        .iter()
        .find(|i| i.path == "members.a1.id_number")
        .unwrap();
    assert_eq!(cnic.question, "id_number");
    assert!(cnic.message.contains("CNIC"), "{}", cnic.message);
    assert!(!paths.contains(&"members.a1.age"), "age is given");
    assert!(
        !paths.contains(&"answers.cattle"),
        "livestock counts only when there is livestock"
    );
}

#[test]
fn skip_logic_by_age() {
    let mut h = household(3);
    // a 3-year-old: no school, disability, marital status, occupation; no CNIC needed
    h["members"][2] = json!({"id": "baby", "name": "Usman", "relation": "son", "sex": "male", "dob": "2022-01-11"});
    let v = validate(&h, "en");
    assert!(v.is_complete(), "{:?} {:?}", v.missing, v.invalid);
    assert!(!v
        .relevant
        .iter()
        .any(|p| p.starts_with("members.baby.education")));
    assert!(!v
        .relevant
        .iter()
        .any(|p| p == "members.baby.marital_status"));
    assert!(
        v.relevant.iter().any(|p| p == "members.baby.id_number"),
        "B-form may be given"
    );
    // a 12-year-old: school and marital status asked, CNIC not required
    h["members"][2] =
        json!({"id": "k", "name": "Ali", "relation": "son", "sex": "male", "age": 12});
    let v = validate(&h, "en");
    let missing: Vec<_> = v.missing.iter().map(|i| i.path.as_str()).collect();
    assert!(missing.contains(&"members.k.in_school"));
    assert!(missing.contains(&"members.k.marital_status"));
    assert!(!missing.contains(&"members.k.id_number"));
    // 18 by date of birth (age field absent): CNIC required
    h["members"][2] =
        json!({"id": "k", "name": "Ali", "relation": "son", "sex": "male", "dob": "2007-05-01"});
    let v = validate(&h, "en");
    assert!(v.missing.iter().any(|i| i.path == "members.k.id_number"));
    // neither age nor date of birth
    h["members"][2] = json!({"id": "k", "name": "Ali", "relation": "son", "sex": "male"});
    let v = validate(&h, "en");
    let age = v
        .missing
        .iter()
        .find(|i| i.path == "members.k.age")
        .unwrap();
    assert_eq!(age.message, "Give the date of birth or the age.");
}

#[test]
fn constraints_fail_with_the_message_in_the_language() {
    let mut h = household(2);
    h["members"][0]["id_number"] = json!("1234");
    h["answers"]["rooms"] = json!(0);
    h["answers"]["assets"] = json!("tv none");
    let v = validate(&h, "ur");
    let cnic = v
        .invalid
        .iter()
        .find(|i| i.path == "members.m-01.id_number")
        .unwrap();
    assert!(cnic.message.contains("شناختی کارڈ"), "{}", cnic.message);
    assert!(v.invalid.iter().any(|i| i.path == "answers.rooms"));
    assert!(v.invalid.iter().any(|i| i.path == "answers.assets"));
    let v = validate(&h, "en");
    let cnic = v
        .invalid
        .iter()
        .find(|i| i.path == "members.m-01.id_number")
        .unwrap();
    assert_eq!(
        cnic.message,
        "A CNIC or B-form number has 13 digits: 12345-1234567-1."
    );
    // type errors are invalid too
    h["answers"]["rooms"] = json!("three");
    h["answers"]["walls"] = json!("marble");
    let v = validate(&h, "en");
    let rooms = v
        .invalid
        .iter()
        .find(|i| i.path == "answers.rooms")
        .unwrap();
    assert_eq!(rooms.message, "expected a whole number");
    assert!(v
        .invalid
        .iter()
        .any(|i| i.path == "answers.walls" && i.message.contains("marble")));
}

#[test]
fn check_value_refuses_bad_writes_and_accepts_blanks() {
    let f = household_form();
    let inst = Instance::from_household_json(&household(3)).unwrap();
    let ok = |p: &str, v: serde_json::Value| f.check_value(&inst, p, &v, "en", today());
    assert!(ok("answers.rooms", json!(4)).is_ok());
    assert!(
        ok("answers.rooms", json!(null)).is_ok(),
        "blank never blocks"
    );
    let e = ok("answers.rooms", json!(0)).unwrap_err();
    assert_eq!(e[0].path, "answers.rooms");
    assert_eq!(e[0].message, "A dwelling has between 1 and 50 rooms.");
    assert!(ok("members.m-01.id_number", json!("35202-1234567-1")).is_ok());
    assert!(ok("members.m-01.id_number", json!("3520212345671")).is_ok());
    assert!(ok("members.m-01.id_number", json!("35202_1234567_1")).is_err());
    assert!(ok("members.m-01.answers.education", json!("matric")).is_ok());
    assert!(ok("members.0.education", json!("phd")).is_err());
    assert!(ok("members.m-01.sex", json!("m")).is_err());
    assert!(
        ok("answers.colour", json!("red")).is_err(),
        "unknown question"
    );
    assert!(
        ok("answers.name", json!("x")).is_err(),
        "member question at household level"
    );
    assert!(
        ok("answers.household_size", json!(3)).is_err(),
        "calculated"
    );
    assert!(ok("area", json!("PK60301")).is_ok());
    assert!(ok("gps", json!("31.5 74.3 0 5")).is_ok());
    assert!(ok("gps", json!("north")).is_err());
    assert!(
        ok("members.m-01.dob", json!("2030-01-01")).is_err(),
        "future date of birth"
    );
    assert!(ok("members.nobody.name", json!("x")).is_err());
}

#[test]
fn older_answers_are_kept_and_reported_as_unknown() {
    let mut h = household(2);
    h["answers"]["old_question"] = json!("kept");
    h["members"][0]["answers"]["old_member_q"] = json!(1);
    let inst = Instance::from_household_json(&h).unwrap();
    household_form().open(&inst).unwrap();
    let v = household_form().validate(&inst, "en", today());
    assert!(v.is_complete(), "unknown answers do not block");
    let unknown: Vec<_> = v.unknown.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        unknown,
        ["answers.old_question", "members.m-01.old_member_q"]
    );
    assert_eq!(inst.answers["old_question"], json!("kept"));
    // a household from a newer version, or another form, does not open
    let mut newer = inst.clone();
    newer.form_version = Some("2".into());
    assert!(household_form().open(&newer).is_err());
    let mut other = inst.clone();
    other.form_id = Some("other-form".into());
    assert!(household_form().open(&other).is_err());
}

#[test]
fn a_newer_version_opens_an_older_household() {
    // version 2 drops `respondent` and adds `landmark`
    let src = shumari_forms::model::Form::to_toml_string(household_form())
        .replace("version = \"1\"", "version = \"2\"")
        .replace("name = \"respondent\"", "name = \"landmark\"");
    let v2 = Form::from_toml_str(&src).unwrap();
    let inst = Instance::from_household_json(&household(2)).unwrap();
    assert_eq!(inst.form_version.as_deref(), Some("1"));
    v2.open(&inst).unwrap();
    let v = v2.validate(&inst, "en", today());
    assert_eq!(v.recorded_version.as_deref(), Some("1"));
    assert_eq!(v.form_version, "2");
    assert!(v.unknown.iter().any(|i| i.path == "answers.respondent"));
    assert!(v.missing.iter().any(|i| i.path == "answers.landmark"));
}

#[test]
fn validating_twelve_members_is_cheap_enough_to_run_often() {
    // correctness only (timings are in benches/validate.rs)
    let v = validate(&household(12), "ur");
    assert_eq!(v.calculated.len(), 12 * 3 + 3);
}

#[test]
fn union_council_and_village_codes_are_valid_areas() {
    for (area, ok) in [
        ("PK60301", true),
        ("PK60301-UC012", true),
        ("PK60301-UC012-V03", true),
        ("PK6", true),
        ("60301", false),
        ("PK60301-uc1", false),
        ("PK60301-", false),
    ] {
        let mut h = common::household(3);
        h["area"] = serde_json::json!(area);
        let v = validate(&h, "en");
        assert_eq!(
            v.invalid.iter().all(|i| i.path != "area"),
            ok,
            "{area}: {:?}",
            v.invalid
        );
    }
}
