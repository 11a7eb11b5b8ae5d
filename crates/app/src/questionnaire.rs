//! The questionnaire the field app renders, its skip logic, its field checks and the provisional PMT.
//!
//! This is the app's own compact household questionnaire, built on the domain's rules (CNIC shape,
//! member core fields). It is shaped like the XLSForm engine's output (sections, a repeat for the roster,
//! relevance, constraints) so that swapping in `shumari_forms::household_form()` changes this module only.
//! The UI never evaluates rules: it receives the definition as JSON and, after each saved answer, the
//! visible questions, the issues and the score.

use crate::dto::{Issue, PmtContribution, PmtResult, Text};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Questionnaire id recorded on each household.
pub const FORM_ID: &str = "nser-household";
/// Its version.
pub const FORM_VERSION: &str = "1";

/// Kinds of question the UI knows how to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Free text.
    Text,
    /// Whole number.
    Integer,
    /// Number with decimals.
    Decimal,
    /// One choice.
    SelectOne,
    /// Several choices.
    SelectMultiple,
    /// CNIC / B-form number (5-7-1 mask).
    Cnic,
    /// Phone number.
    Phone,
    /// GPS point.
    Gps,
}

/// A choice of a select question.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    /// Stored value.
    pub value: &'static str,
    /// Label.
    pub label: Text,
}

/// When a question is asked.
#[derive(Debug, Clone, Copy)]
pub enum Relevance {
    /// Always.
    Always,
    /// When another question of the same scope has this value.
    Equals(&'static str, &'static str),
    /// When another numeric question of the same scope is at least this.
    AtLeast(&'static str, f64),
}

/// One question.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// Name (answers are keyed by it).
    pub name: &'static str,
    /// Kind.
    pub kind: Kind,
    /// Label.
    pub label: Text,
    /// Help text.
    pub hint: Option<Text>,
    /// Must be answered (when relevant) before completion.
    pub required: bool,
    /// Choices for select questions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// Skip logic.
    #[serde(skip)]
    pub relevance: Relevance,
    /// Inclusive range for numbers.
    #[serde(skip)]
    pub range: Option<(f64, f64)>,
}

/// A section; `repeat` sections are asked once per member.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Id.
    pub id: &'static str,
    /// Heading.
    pub label: Text,
    /// The member roster.
    pub repeat: bool,
    /// Questions in order.
    pub questions: Vec<Question>,
}

/// The whole questionnaire.
#[derive(Debug, Clone, Serialize)]
pub struct FormDef {
    /// Id.
    pub id: &'static str,
    /// Version.
    pub version: &'static str,
    /// Sections in order.
    pub sections: Vec<Section>,
}

fn t(en: &str, ur: &str) -> Text {
    Text::new(en, ur)
}

fn c(value: &'static str, en: &str, ur: &str) -> Choice {
    Choice {
        value,
        label: t(en, ur),
    }
}

fn q(name: &'static str, kind: Kind, en: &str, ur: &str) -> Question {
    Question {
        name,
        kind,
        label: t(en, ur),
        hint: None,
        required: false,
        choices: Vec::new(),
        relevance: Relevance::Always,
        range: None,
    }
}

impl Question {
    fn required(mut self) -> Self {
        self.required = true;
        self
    }
    fn choices(mut self, c: Vec<Choice>) -> Self {
        self.choices = c;
        self
    }
    fn when(mut self, r: Relevance) -> Self {
        self.relevance = r;
        self
    }
    fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }
    fn hint(mut self, en: &str, ur: &str) -> Self {
        self.hint = Some(t(en, ur));
        self
    }
}

fn yes_no() -> Vec<Choice> {
    vec![c("yes", "Yes", "ہاں"), c("no", "No", "نہیں")]
}

/// The household questionnaire.
pub fn household_form() -> FormDef {
    use Kind::*;
    FormDef {
        id: FORM_ID,
        version: FORM_VERSION,
        sections: vec![
            Section {
                id: "dwelling",
                label: t("Dwelling", "رہائش"),
                repeat: false,
                questions: vec![
                    q(
                        "rooms",
                        Integer,
                        "How many rooms does the household live in?",
                        "گھرانہ کتنے کمروں میں رہتا ہے؟",
                    )
                    .required()
                    .range(1.0, 30.0),
                    q(
                        "walls",
                        SelectOne,
                        "Main material of the outer walls",
                        "بیرونی دیواروں کا بنیادی مواد",
                    )
                    .required()
                    .choices(vec![
                        c("brick", "Baked bricks or blocks", "پکی اینٹیں یا بلاک"),
                        c("mud", "Mud or unbaked bricks", "مٹی یا کچی اینٹیں"),
                        c("wood", "Wood or bamboo", "لکڑی یا بانس"),
                        c("other", "Other", "دیگر"),
                    ]),
                    q(
                        "has_toilet",
                        SelectOne,
                        "Does the household have a toilet?",
                        "کیا گھرانے کے پاس بیت الخلا ہے؟",
                    )
                    .required()
                    .choices(yes_no()),
                    q(
                        "toilet_type",
                        SelectOne,
                        "What kind of toilet?",
                        "بیت الخلا کی قسم؟",
                    )
                    .required()
                    .when(Relevance::Equals("has_toilet", "yes"))
                    .choices(vec![
                        c("flush", "Flush", "فلش"),
                        c("pit", "Pit latrine", "گڑھے والا"),
                        c("other", "Other", "دیگر"),
                    ]),
                    q(
                        "electricity",
                        SelectOne,
                        "Is there an electricity connection?",
                        "کیا بجلی کا کنکشن ہے؟",
                    )
                    .required()
                    .choices(yes_no()),
                ],
            },
            Section {
                id: "assets",
                label: t("Assets", "اثاثے"),
                repeat: false,
                questions: vec![
                    q(
                        "assets",
                        SelectMultiple,
                        "Which of these does the household own?",
                        "ان میں سے گھرانے کے پاس کیا ہے؟",
                    )
                    .choices(vec![
                        c("tv", "Television", "ٹیلی ویژن"),
                        c("fridge", "Refrigerator", "فریج"),
                        c("motorcycle", "Motorcycle", "موٹر سائیکل"),
                        c("car", "Car", "گاڑی"),
                        c("ac", "Air conditioner", "ایئر کنڈیشنر"),
                    ]),
                    q(
                        "owns_land",
                        SelectOne,
                        "Does the household own agricultural land?",
                        "کیا گھرانے کے پاس زرعی زمین ہے؟",
                    )
                    .required()
                    .choices(yes_no()),
                    q("land_acres", Decimal, "How many acres?", "کتنے ایکڑ؟")
                        .required()
                        .when(Relevance::Equals("owns_land", "yes"))
                        .range(0.01, 10000.0),
                    q(
                        "livestock",
                        Integer,
                        "Cattle and buffaloes owned",
                        "ملکیتی گائے اور بھینسیں",
                    )
                    .range(0.0, 500.0),
                ],
            },
            Section {
                id: "members",
                label: t("Household members", "گھرانے کے افراد"),
                repeat: true,
                questions: vec![
                    q("name", Text, "Full name", "پورا نام").required(),
                    q(
                        "relation",
                        SelectOne,
                        "Relation to the head",
                        "سربراہ سے رشتہ",
                    )
                    .required()
                    .choices(vec![
                        c("head", "Head", "سربراہ"),
                        c("spouse", "Wife or husband", "بیوی یا شوہر"),
                        c("son", "Son", "بیٹا"),
                        c("daughter", "Daughter", "بیٹی"),
                        c("parent", "Mother or father", "والدہ یا والد"),
                        c("sibling", "Brother or sister", "بھائی یا بہن"),
                        c("grandchild", "Grandchild", "پوتا پوتی یا نواسا نواسی"),
                        c("in_law", "Son- or daughter-in-law", "داماد یا بہو"),
                        c("other", "Other", "دیگر"),
                    ]),
                    q("sex", SelectOne, "Sex", "جنس").required().choices(vec![
                        c("female", "Female", "عورت"),
                        c("male", "Male", "مرد"),
                        c("transgender", "Transgender", "خواجہ سرا"),
                    ]),
                    q(
                        "age",
                        Integer,
                        "Age in completed years",
                        "مکمل سالوں میں عمر",
                    )
                    .required()
                    .range(0.0, 125.0),
                    q(
                        "id_number",
                        Cnic,
                        "CNIC or B-form number",
                        "شناختی کارڈ یا ب فارم نمبر",
                    )
                    .hint(
                        "13 digits, as on the card",
                        "13 ہندسے، جیسے کارڈ پر لکھے ہیں",
                    ),
                    q(
                        "school",
                        SelectOne,
                        "Highest schooling completed",
                        "مکمل کی گئی اعلیٰ ترین تعلیم",
                    )
                    .when(Relevance::AtLeast("age", 5.0))
                    .choices(vec![
                        c("none", "None", "کوئی نہیں"),
                        c("primary", "Primary", "پرائمری"),
                        c("secondary", "Matric or above", "میٹرک یا زیادہ"),
                    ]),
                    q(
                        "disability",
                        SelectOne,
                        "Has a disability?",
                        "کیا کوئی معذوری ہے؟",
                    )
                    .choices(yes_no()),
                ],
            },
            Section {
                id: "contact",
                label: t("Contact and location", "رابطہ اور مقام"),
                repeat: false,
                questions: vec![
                    q("phone", Phone, "Mobile number", "موبائل نمبر")
                        .hint("03XX-XXXXXXX", "03XX-XXXXXXX"),
                    q("gps", Gps, "Location of the dwelling", "رہائش کا مقام"),
                ],
            },
        ],
    }
}

/// Whether a JSON value counts as answered.
pub fn answered(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Whether `q` is asked given the answers of its scope (household or one member).
pub fn relevant(q: &Question, scope: &BTreeMap<String, Value>) -> bool {
    match q.relevance {
        Relevance::Always => true,
        Relevance::Equals(f, v) => scope.get(f).and_then(Value::as_str) == Some(v),
        Relevance::AtLeast(f, n) => number(scope.get(f)).is_some_and(|x| x >= n),
    }
}

/// Checks one answered value against its question; `None` when it is acceptable.
pub fn check_value(q: &Question, v: &Value) -> Option<(&'static str, Text)> {
    if !answered(Some(v)) {
        return None;
    }
    match q.kind {
        Kind::Cnic => {
            let s = v.as_str().unwrap_or_default();
            if shumari_domain::IdNumber::parse(q.name, s).is_err() {
                return Some((
                    "cnic",
                    t(
                        "A CNIC or B-form number has 13 digits: 12345-1234567-1.",
                        "شناختی کارڈ یا ب فارم نمبر 13 ہندسوں کا ہوتا ہے، جیسے 12345-1234567-1",
                    ),
                ));
            }
        }
        Kind::Integer | Kind::Decimal => {
            let Some(n) = number(Some(v)) else {
                return Some(("number", t("Type a number.", "ایک عدد لکھیں۔")));
            };
            if q.kind == Kind::Integer && n.fract() != 0.0 {
                return Some(("number", t("Type a whole number.", "پورا عدد لکھیں۔")));
            }
            if let Some((lo, hi)) = q.range {
                if n < lo || n > hi {
                    return Some((
                        "range",
                        Text {
                            en: format!("Must be between {lo} and {hi}."),
                            ur: format!("{lo} اور {hi} کے درمیان ہونا چاہیے۔"),
                        },
                    ));
                }
            }
        }
        Kind::Phone => {
            let digits: String = v
                .as_str()
                .unwrap_or_default()
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            if !(digits.len() == 11 && digits.starts_with("03")) {
                return Some((
                    "phone",
                    t(
                        "A mobile number has 11 digits and starts with 03.",
                        "موبائل نمبر 11 ہندسوں کا ہوتا ہے اور 03 سے شروع ہوتا ہے۔",
                    ),
                ));
            }
        }
        _ => {}
    }
    None
}

/// Issues of one scope: required answers missing and values failing their checks.
pub fn scope_issues(
    questions: &[Question],
    scope: &BTreeMap<String, Value>,
    member_id: Option<&str>,
    out: &mut Vec<Issue>,
) {
    for q in questions {
        if !relevant(q, scope) {
            continue;
        }
        let v = scope.get(q.name);
        let problem = if !answered(v) {
            q.required.then(|| {
                (
                    "required",
                    t("This answer is required.", "یہ جواب ضروری ہے۔"),
                )
            })
        } else {
            v.and_then(|v| check_value(q, v))
        };
        if let Some((code, message)) = problem {
            out.push(Issue {
                field: q.name.to_string(),
                member_id: member_id.map(str::to_string),
                code: code.to_string(),
                message,
            });
        }
    }
}

/// Provisional PMT: an illustrative, transparent points model (the official weights are not public).
/// Scores 0-100, lower is poorer; needs the dwelling answers and at least one member with an age.
pub fn pmt(
    answers: &BTreeMap<String, Value>,
    members: &[BTreeMap<String, Value>],
) -> Option<PmtResult> {
    let rooms = number(answers.get("rooms"))?;
    let ages: Vec<f64> = members
        .iter()
        .filter_map(|m| number(m.get("age")))
        .collect();
    if ages.is_empty() || rooms <= 0.0 {
        return None;
    }
    let size = members.len() as f64;
    let mut parts: Vec<PmtContribution> = Vec::new();
    let mut add = |en: &str, ur: &str, points: f64| {
        if points != 0.0 {
            parts.push(PmtContribution {
                label: t(en, ur),
                points: (points * 10.0).round() / 10.0,
            });
        }
    };
    add("Base", "بنیادی", 20.0);
    add(
        "Rooms per person",
        "فی فرد کمرے",
        (rooms / size * 12.0).min(15.0),
    );
    let dependants = ages.iter().filter(|a| **a < 15.0 || **a >= 65.0).count() as f64;
    add(
        "Children and elderly",
        "بچے اور بزرگ",
        -(dependants / size) * 12.0,
    );
    if size > 6.0 {
        add("Large household", "بڑا گھرانہ", -5.0);
    }
    let is = |k: &str, v: &str| answers.get(k).and_then(Value::as_str) == Some(v);
    if is("walls", "brick") {
        add("Brick walls", "پکی دیواریں", 5.0);
    }
    if is("toilet_type", "flush") {
        add("Flush toilet", "فلش بیت الخلا", 6.0);
    }
    if is("electricity", "yes") {
        add("Electricity", "بجلی", 4.0);
    }
    let owned: Vec<String> = match answers.get("assets") {
        Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    for (k, en, ur, p) in [
        ("tv", "Television", "ٹیلی ویژن", 3.0),
        ("fridge", "Refrigerator", "فریج", 6.0),
        ("motorcycle", "Motorcycle", "موٹر سائیکل", 6.0),
        ("car", "Car", "گاڑی", 18.0),
        ("ac", "Air conditioner", "ایئر کنڈیشنر", 10.0),
    ] {
        if owned.iter().any(|o| o == k) {
            add(en, ur, p);
        }
    }
    if let Some(acres) = number(answers.get("land_acres")).filter(|_| is("owns_land", "yes")) {
        add("Agricultural land", "زرعی زمین", (acres * 2.0).min(15.0));
    }
    if let Some(n) = number(answers.get("livestock")) {
        add(
            "Cattle and buffaloes",
            "گائے اور بھینسیں",
            (n * 1.5).min(8.0),
        );
    }
    let score = parts
        .iter()
        .map(|p| p.points)
        .sum::<f64>()
        .clamp(0.0, 100.0);
    let disabled = members
        .iter()
        .any(|m| m.get("disability").and_then(Value::as_str) == Some("yes"));
    let threshold = if disabled { 37.0 } else { 32.0 };
    Some(PmtResult {
        score: (score * 10.0).round() / 10.0,
        threshold,
        eligible: score <= threshold,
        contributions: parts,
    })
}

/// The question of a roster or household scope by name.
pub fn find<'a>(form: &'a FormDef, name: &str, member: bool) -> Option<&'a Question> {
    form.sections
        .iter()
        .filter(|s| s.repeat == member)
        .flat_map(|s| s.questions.iter())
        .find(|q| q.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn skip_logic_follows_the_answer() {
        let f = household_form();
        let tt = find(&f, "toilet_type", false).unwrap();
        assert!(!relevant(tt, &map(json!({"has_toilet": "no"}))));
        assert!(relevant(tt, &map(json!({"has_toilet": "yes"}))));
        let school = find(&f, "school", true).unwrap();
        assert!(!relevant(school, &map(json!({"age": 3}))));
        assert!(relevant(school, &map(json!({"age": 7}))));
    }

    #[test]
    fn cnic_and_range_checks() {
        let f = household_form();
        let cnic = find(&f, "id_number", true).unwrap();
        assert_eq!(check_value(cnic, &json!("12345")).unwrap().0, "cnic");
        assert!(check_value(cnic, &json!("35202-1234567-1")).is_none());
        let rooms = find(&f, "rooms", false).unwrap();
        assert_eq!(check_value(rooms, &json!(0)).unwrap().0, "range");
        assert_eq!(check_value(rooms, &json!(2.5)).unwrap().0, "number");
    }

    #[test]
    fn pmt_explains_its_score() {
        let r = pmt(
            &map(json!({"rooms": 1, "walls": "mud", "electricity": "no"})),
            &[
                map(json!({"age": 30})),
                map(json!({"age": 4})),
                map(json!({"age": 2})),
            ],
        )
        .unwrap();
        let sum: f64 = r.contributions.iter().map(|c| c.points).sum();
        assert!((sum - r.score).abs() < 0.2);
        assert!(
            r.eligible,
            "a one-room mud house with two small children is poor: {}",
            r.score
        );
        assert!(pmt(&map(json!({})), &[]).is_none());
    }
}
