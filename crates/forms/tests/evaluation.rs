//! `Form::evaluate`, what a screen needs in one call: relevance of notes and groups (a group's relevance
//! applies to everything inside it), the choices a `choice_filter` offers in each repeat row, required
//! and read-only flags in context, and findings with messages in every language of the form.

use serde_json::{json, Value};
use shumari_forms::{household_form, Evaluation, Form, Instance};

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
}

const FORM: &str = r#"
[settings]
form_id = "screens"
version = "1"
default_language = "English (en)"

[[survey]]
type = "select_one yes_no"
name = "farms"
"label::English (en)" = "Does the household farm?"
"label::Urdu (ur)" = "کیا گھرانہ کھیتی کرتا ہے؟"

[[survey]]
type = "note"
name = "intro"
"label::English (en)" = "Read out the consent text."
"label::Urdu (ur)" = "رضامندی کی عبارت پڑھ کر سنائیں۔"

[[survey]]
type = "begin_group"
name = "farm"
"label::English (en)" = "Farm"
"label::Urdu (ur)" = "کھیت"
relevant = "${farms} = 'yes'"

[[survey]]
type = "note"
name = "farm_note"
"label::English (en)" = "Ask about the last harvest."
"label::Urdu (ur)" = "پچھلی فصل کے بارے میں پوچھیں۔"

[[survey]]
type = "integer"
name = "acres"
"label::English (en)" = "Acres farmed"
"label::Urdu (ur)" = "زیرِ کاشت ایکڑ"
required = "yes"
constraint = ". > 0"
"constraint_message::English (en)" = "Give a positive number of acres."
"constraint_message::Urdu (ur)" = "ایکڑ کی مثبت تعداد درج کریں۔"

[[survey]]
type = "end_group"

[[survey]]
type = "select_one province"
name = "province"
"label::English (en)" = "Province"
"label::Urdu (ur)" = "صوبہ"

[[survey]]
type = "begin_repeat"
name = "members"
"label::English (en)" = "Members"
"label::Urdu (ur)" = "افراد"

[[survey]]
type = "select_one province"
name = "born_in"
"label::English (en)" = "Province of birth"
"label::Urdu (ur)" = "پیدائش کا صوبہ"

[[survey]]
type = "select_one district"
name = "district"
"label::English (en)" = "District"
"label::Urdu (ur)" = "ضلع"
choice_filter = "province = ${born_in} or position(..) = 1"

[[survey]]
type = "select_one province"
name = "favourite"
"label::English (en)" = "Favourite province"
"label::Urdu (ur)" = "پسندیدہ صوبہ"
choice_filter = "label = 'Punjab'"

[[survey]]
type = "text"
name = "phone"
"label::English (en)" = "Phone"
"label::Urdu (ur)" = "فون"
required = "${born_in} = 'sindh'"
read_only = "position(..) > 2"

[[survey]]
type = "end_repeat"

[[choices]]
list_name = "yes_no"
name = "yes"
"label::English (en)" = "Yes"
"label::Urdu (ur)" = "ہاں"

[[choices]]
list_name = "yes_no"
name = "no"
"label::English (en)" = "No"
"label::Urdu (ur)" = "نہیں"

[[choices]]
list_name = "province"
name = "punjab"
"label::English (en)" = "Punjab"
"label::Urdu (ur)" = "پنجاب"

[[choices]]
list_name = "province"
name = "sindh"
"label::English (en)" = "Sindh"
"label::Urdu (ur)" = "سندھ"

[[choices]]
list_name = "district"
name = "lahore"
"label::English (en)" = "Lahore"
"label::Urdu (ur)" = "لاہور"
province = "punjab"

[[choices]]
list_name = "district"
name = "karachi"
"label::English (en)" = "Karachi"
"label::Urdu (ur)" = "کراچی"
province = "sindh"
"#;

fn form() -> Form {
    Form::from_toml_str(FORM).unwrap()
}

fn evaluate(lang: &str, answers: Value, members: Value) -> Evaluation {
    let h = json!({"answers": answers, "members": members});
    form().evaluate(&Instance::from_household_json(&h).unwrap(), lang, today())
}

fn relevant(e: &Evaluation, question: &str, position: Option<usize>) -> bool {
    e.item(question, position)
        .unwrap_or_else(|| panic!("no item {question} at {position:?}"))
        .relevant
}

#[test]
fn a_groups_relevance_applies_to_its_notes_and_questions() {
    let e = evaluate("en", json!({"farms": "no"}), json!([]));
    assert!(relevant(&e, "intro", None), "a note outside any group");
    assert!(!relevant(&e, "farm", None), "the group itself");
    assert!(!relevant(&e, "farm_note", None), "a note inside it");
    assert!(!relevant(&e, "acres", None), "a question inside it");
    assert!(e.missing.is_empty(), "nothing inside is required");

    let e = evaluate("en", json!({"farms": "yes"}), json!([]));
    for name in ["farm", "farm_note", "acres"] {
        assert!(relevant(&e, name, None), "{name}");
    }
    assert_eq!(e.item("farm_note", None).unwrap().path, "answers.farm_note");
    assert_eq!(
        e.missing
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>(),
        ["answers.acres"]
    );
    assert!(e.item("acres", None).unwrap().required);
}

#[test]
fn a_choice_filter_offers_choices_row_by_row() {
    let members = json!([
        {"id": "a", "answers": {"born_in": "sindh"}},
        {"id": "b", "answers": {"born_in": "punjab"}},
        {"id": "c", "answers": {"born_in": "sindh"}}
    ]);
    let e = evaluate("en", json!({}), members);
    let offered = |k: usize| e.item("district", Some(k)).unwrap().choices.clone();
    // The first row is offered everything (`position(..) = 1`); the others their province's districts.
    assert_eq!(offered(0), Some(vec!["lahore".into(), "karachi".into()]));
    assert_eq!(offered(1), Some(vec!["lahore".to_string()]));
    assert_eq!(offered(2), Some(vec!["karachi".to_string()]));
    let row = e.item("district", Some(2)).unwrap().row.clone().unwrap();
    assert_eq!(
        (row.repeat.as_str(), row.position, row.key.as_str()),
        ("members", 2, "c")
    );
    assert_eq!(
        e.item("district", Some(2)).unwrap().path,
        "members.c.district"
    );
    // A select without a filter offers its whole list.
    assert_eq!(e.item("born_in", Some(0)).unwrap().choices, None);
    // `required` and `read_only` are evaluated in each row.
    let phone = |k: usize| e.item("phone", Some(k)).unwrap();
    assert!(phone(0).required && !phone(1).required);
    assert!(!phone(1).read_only && phone(2).read_only);
    assert_eq!(
        e.missing
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>(),
        ["members.a.phone"],
        "row c's phone is read-only, so not asked of the surveyor"
    );
}

#[test]
fn a_choices_label_reads_in_the_surveyors_language() {
    let members = json!([{"id": "a"}]);
    let en = evaluate("en", json!({}), members.clone());
    assert_eq!(
        en.item("favourite", Some(0)).unwrap().choices,
        Some(vec!["punjab".to_string()])
    );
    let ur = evaluate("ur", json!({}), members);
    assert_eq!(
        ur.item("favourite", Some(0)).unwrap().choices,
        Some(Vec::new()),
        "in Urdu no label is 'Punjab'"
    );
}

#[test]
fn one_call_gives_every_message_in_both_languages() {
    let f = form();
    let h = json!({"answers": {"farms": "yes", "acres": 0, "province": "balochistan"},
        "members": [{"id": "a", "answers": {"born_in": "sindh"}}]});
    let inst = Instance::from_household_json(&h).unwrap();
    let e = f.evaluate(&inst, "en", today());
    let message = |path: &str, lang: &str| {
        let found = e
            .invalid
            .iter()
            .chain(&e.missing)
            .find(|x| x.path == path)
            .unwrap_or_else(|| panic!("no finding at {path}"));
        f.text(&found.message, lang).unwrap().to_string()
    };
    // The form's own message in each language.
    assert_eq!(
        message("answers.acres", "en"),
        "Give a positive number of acres."
    );
    assert_eq!(
        message("answers.acres", "ur"),
        "ایکڑ کی مثبت تعداد درج کریں۔"
    );
    // The engine's own messages, in each language too.
    assert!(message("answers.province", "en").contains("is not one of the choices"));
    assert!(message("answers.province", "ur").contains("انتخاب"));
    assert_eq!(
        message("members.a.phone", "en"),
        "This question is required."
    );
    assert_eq!(
        message("members.a.phone", "ur"),
        "اس سوال کا جواب دینا ضروری ہے"
    );
    // The same findings, in the same order, as validating once per language.
    for lang in ["en", "ur"] {
        let v = f.validate(&inst, lang, today());
        let one: Vec<(&str, String)> = v
            .missing
            .iter()
            .chain(&v.invalid)
            .map(|i| (i.path.as_str(), i.message.clone()))
            .collect();
        let both: Vec<(&str, String)> = e
            .missing
            .iter()
            .chain(&e.invalid)
            .map(|i| {
                (
                    i.path.as_str(),
                    f.text(&i.message, lang).unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(one, both, "{lang}");
        assert_eq!(v.calculated, e.calculated);
        assert_eq!(v.is_complete(), e.is_complete());
    }
}

#[test]
fn texts_in_every_language_of_the_form() {
    let f = form();
    let farms = f.question("farms").unwrap();
    let t = f.in_every_language(&farms.label);
    assert_eq!(t["English (en)"], "Does the household farm?");
    assert_eq!(t["Urdu (ur)"], "کیا گھرانہ کھیتی کرتا ہے؟");
    assert_eq!(f.message_languages(), ["English (en)", "Urdu (ur)"]);
}

#[test]
fn the_shipped_questionnaire_hides_a_childs_education_group() {
    let h = json!({"area": "PK60301", "members": [
        {"id": "child", "name": "A", "relation": "son", "sex": "male", "age": 3},
        {"id": "adult", "name": "B", "relation": "head", "sex": "female", "age": 30}
    ]});
    let e = household_form().evaluate(&Instance::from_household_json(&h).unwrap(), "en", today());
    assert!(!relevant(&e, "education_group", Some(0)));
    assert!(!relevant(&e, "literate", Some(0)));
    assert!(relevant(&e, "education_group", Some(1)));
    assert!(relevant(&e, "literate", Some(1)));
    assert!(
        !relevant(&e, "roster_note", None),
        "the roster is not empty"
    );
}
