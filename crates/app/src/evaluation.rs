//! An interview evaluated by the forms engine (`shumari_forms`): which questions are asked, what blocks
//! completion, the calculated values and the provisional PMT score.
//!
//! The engine works on the household JSON contract ([`Instance::from_household_json`]); the app builds
//! that JSON from what the UI sees (document and draft overlay merged), so half-typed values are judged
//! by the same rules as saved ones. Messages come from the engine (the form's own constraint and
//! required messages, or the engine's defaults) in English and Urdu: the form is validated once per
//! language and the two reports are paired by position.
//!
//! Beyond the form, the app adds what belongs to the domain: CNIC shape errors and warnings (province
//! digit, sex parity), the same ID number twice in one household, and the roster rules (at least one
//! member, one head).
//!
//! Two things the engine does not expose are done here over its public expression evaluator
//! ([`shumari_forms::expr::eval`]): the relevance of notes (the engine's `relevant` list holds inputs
//! only) and `choice_filter`s (the engine applies them when checking a value, but has no call listing
//! the choices offered). Both read answers and calculated values, not the engine's internal state, so an
//! enclosing group's relevance is not applied to them.

use crate::dto::{Issue, MemberView, PmtContribution, PmtResult, Text};
use crate::error::{AppError, Result};
use chrono::NaiveDate;
use serde_json::{Map, Value};
use shumari_domain::{DomainError, IdNumber, Sex};
use shumari_forms::expr::{eval, Env, XValue};
use shumari_forms::{pmt_model, Form, Instance, QuestionType, Row, Validation};
use std::collections::BTreeMap;

/// Answers by question name.
pub(crate) type Answers = BTreeMap<String, Value>;

/// Member fields the domain keeps beside `answers` (the engine's `MEMBER_CORE`).
pub(crate) const MEMBER_CORE: &[&str] = shumari_forms::instance::MEMBER_CORE;

/// The UI's key of a question: `name`, or `member:<id>:<name>` for a roster question.
pub(crate) fn key(field: &str, member: Option<&str>) -> String {
    member.map_or_else(|| field.to_string(), |m| format!("member:{m}:{field}"))
}

/// The engine's path of a question: `answers.rooms`, `area`, `gps`, `members.<id>.<name>`.
pub(crate) fn path(field: &str, member: Option<&str>) -> String {
    match (member, field) {
        (None, "area" | "gps") => field.to_string(),
        (None, f) => format!("answers.{f}"),
        (Some(m), f) => format!("members.{m}.{f}"),
    }
}

/// `(field, member id)` of a document path: `answers.rooms`, `members.<id>.name`, `status`, ... (the
/// paths of the forms engine's issues and of conflicts alike).
pub(crate) fn split_path(p: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = p.split('.').collect();
    match parts.as_slice() {
        ["answers", f] => ((*f).to_string(), None),
        ["members", m, .., f] => ((*f).to_string(), Some((*m).to_string())),
        _ => (p.to_string(), None),
    }
}

/// A UI value as the document stores it: a multiple choice is ODK's space-separated list, blank is null.
pub(crate) fn to_stored(v: &Value) -> Value {
    match v {
        Value::Array(a) => {
            let words: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
            if words.is_empty() {
                Value::Null
            } else {
                Value::String(words.join(" "))
            }
        }
        Value::String(s) if s.trim().is_empty() => Value::Null,
        other => other.clone(),
    }
}

/// A UI value as the engine checks it: stored form, and a GPS object as ODK's geopoint text.
pub(crate) fn to_engine(v: &Value) -> Value {
    match v {
        Value::Object(m) => match (
            m.get("lat").and_then(Value::as_f64),
            m.get("lon").and_then(Value::as_f64),
        ) {
            (Some(lat), Some(lon)) => {
                let acc = m.get("accuracy").and_then(Value::as_f64).unwrap_or(0.0);
                Value::String(format!("{lat} {lon} 0 {acc}"))
            }
            _ => Value::String(v.to_string()),
        },
        other => to_stored(other),
    }
}

/// The household JSON contract the engine reads, from the answers the UI sees.
pub(crate) fn household_json(answers: &Answers, members: &[MemberView]) -> Value {
    let mut top = Map::new();
    top.insert(
        "form_id".into(),
        Value::from(crate::questionnaire::form_id()),
    );
    top.insert(
        "form_version".into(),
        Value::from(crate::questionnaire::form_version()),
    );
    let mut ans = Map::new();
    for (k, v) in answers {
        let v = to_engine(v);
        if v.is_null() {
            continue;
        }
        if k == "area" || k == "gps" {
            top.insert(k.clone(), v);
        } else {
            ans.insert(k.clone(), v);
        }
    }
    top.insert("answers".into(), Value::Object(ans));
    let rows: Vec<Value> = members
        .iter()
        .map(|m| {
            let mut row = Map::new();
            let mut ans = Map::new();
            row.insert("id".into(), Value::from(m.id.clone()));
            for (k, v) in &m.answers {
                let v = to_engine(v);
                if v.is_null() {
                    continue;
                }
                if MEMBER_CORE.contains(&k.as_str()) {
                    row.insert(k.clone(), v);
                } else {
                    ans.insert(k.clone(), v);
                }
            }
            row.insert("answers".into(), Value::Object(ans));
            Value::Object(row)
        })
        .collect();
    top.insert("members".into(), Value::Array(rows));
    Value::Object(top)
}

/// The engine's instance of what the UI sees.
pub(crate) fn instance(answers: &Answers, members: &[MemberView]) -> Result<Instance> {
    Instance::from_household_json(&household_json(answers, members))
        .map_err(|e| AppError::Internal(format!("household as a form instance: {e}")))
}

/// What the forms engine and the domain say about an interview.
#[derive(Debug, Default)]
pub(crate) struct Evaluation {
    /// Keys of the questions asked (inputs and notes).
    pub visible: Vec<String>,
    /// What blocks completion.
    pub issues: Vec<Issue>,
    /// What looks odd but does not block completion.
    pub warnings: Vec<Issue>,
    /// Calculated values by key.
    pub calculated: BTreeMap<String, Value>,
    /// Choices offered by key, for questions with a `choice_filter`.
    pub choices: BTreeMap<String, Vec<String>>,
    /// Provisional score.
    pub pmt: Option<PmtResult>,
}

fn issue(path: &str, code: &str, en: &str, ur: &str) -> Issue {
    let (field, member_id) = split_path(path);
    Issue {
        field,
        member_id,
        code: code.into(),
        message: Text::new(en, ur),
    }
}

fn paired(
    en: &[shumari_forms::Issue],
    ur: &[shumari_forms::Issue],
    code: &str,
    out: &mut Vec<Issue>,
) {
    for (i, e) in en.iter().enumerate() {
        let u = ur
            .get(i)
            .filter(|u| u.path == e.path)
            .map_or(e.message.as_str(), |u| u.message.as_str());
        out.push(issue(&e.path, code, &e.message, u));
    }
}

/// Evaluates `inst` (built from `answers` and `members` by [`instance`]).
pub(crate) fn evaluate(
    form: &Form,
    inst: &Instance,
    answers: &Answers,
    members: &[MemberView],
    today: NaiveDate,
) -> Evaluation {
    let en = form.validate(inst, "en", today);
    let ur = form.validate(inst, "ur", today);
    let mut out = Evaluation::default();
    paired(&en.missing, &ur.missing, "required", &mut out.issues);
    paired(&en.invalid, &ur.invalid, "constraint", &mut out.issues);
    for p in &en.relevant {
        let (f, m) = split_path(p);
        out.visible.push(key(&f, m.as_deref()));
    }
    for (p, v) in &en.calculated {
        let (f, m) = split_path(p);
        out.calculated.insert(key(&f, m.as_deref()), v.clone());
    }
    notes_and_filters(form, inst, &en, today, &mut out);
    domain_checks(members, &mut out);
    roster_rules(members, &mut out.issues);
    out.pmt = pmt(inst, answers, members, today);
    out
}

fn has_issue(issues: &[Issue], field: &str, member: Option<&str>) -> bool {
    issues
        .iter()
        .any(|i| i.field == field && i.member_id.as_deref() == member)
}

/// CNIC errors the form's pattern lets through, the same ID number twice, and the soft warnings.
fn domain_checks(members: &[MemberView], out: &mut Evaluation) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (n, m) in members.iter().enumerate() {
        let Some(raw) = m
            .answers
            .get("id_number")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
        else {
            continue;
        };
        if has_issue(&out.issues, "id_number", Some(&m.id)) {
            continue;
        }
        let p = path("id_number", Some(&m.id));
        match IdNumber::parse("id_number", raw) {
            Err(e) => {
                let en = match &e {
                    DomainError::InvalidField { problem, .. } => problem.clone(),
                    other => other.to_string(),
                };
                out.issues.push(issue(
                    &p,
                    "cnic",
                    &en,
                    "شناختی کارڈ یا ب فارم نمبر 13 ہندسوں کا ہوتا ہے: 12345-1234567-1۔",
                ));
            }
            Ok(id) => {
                if let Some(first) = seen.get(id.digits()) {
                    out.issues.push(issue(
                        &p,
                        "duplicate",
                        &format!(
                            "The same CNIC or B-form number is already given to member {}.",
                            first + 1
                        ),
                        &format!(
                            "یہی شناختی کارڈ یا ب فارم نمبر فرد {} کو دیا جا چکا ہے۔",
                            first + 1
                        ),
                    ));
                    continue;
                }
                seen.insert(id.digits().to_string(), n);
                let sex: Option<Sex> = m
                    .answers
                    .get("sex")
                    .and_then(|s| serde_json::from_value(s.clone()).ok());
                for w in id.warnings("id_number", sex) {
                    let ur = if w.message.starts_with("first digit") {
                        "پہلا ہندسہ کسی صوبے کا معروف ہندسہ (1 تا 7) نہیں۔"
                    } else {
                        "آخری ہندسہ عموماً دوسری جنس کو دیا جاتا ہے؛ نمبر اور جنس دوبارہ دیکھ لیں۔"
                    };
                    let mut en = w.message;
                    if let Some(c) = en.get(..1) {
                        en = c.to_uppercase() + &en[1..];
                    }
                    out.warnings.push(issue(&p, "cnic_warning", &en, ur));
                }
            }
        }
    }
}

fn roster_rules(members: &[MemberView], issues: &mut Vec<Issue>) {
    if members.is_empty() {
        issues.push(Issue {
            field: "members".into(),
            member_id: None,
            code: "no_members".into(),
            message: Text::new("Add at least one member.", "کم از کم ایک فرد شامل کریں۔"),
        });
    } else if !members
        .iter()
        .any(|m| m.answers.get("relation").and_then(Value::as_str) == Some("head"))
    {
        issues.push(Issue {
            field: "relation".into(),
            member_id: members.first().map(|m| m.id.clone()),
            code: "no_head".into(),
            message: Text::new(
                "One member must be the head of household.",
                "ایک فرد کا سربراہِ خانہ ہونا ضروری ہے۔",
            ),
        });
    }
}

/// The provisional PMT score, once there are rooms and members to score.
fn pmt(
    inst: &Instance,
    answers: &Answers,
    members: &[MemberView],
    today: NaiveDate,
) -> Option<PmtResult> {
    if members.is_empty() || to_stored(answers.get("rooms")?).is_null() {
        return None;
    }
    let r = pmt_model().score_on(inst, today);
    let programme = r.programmes.first();
    Some(PmtResult {
        score: r.score,
        threshold: programme.map_or(0.0, |p| p.threshold),
        eligible: programme.is_some_and(|p| p.eligible),
        model_version: r.model_version,
        contributions: r
            .contributions
            .into_iter()
            .map(|c| PmtContribution {
                label: Text {
                    en: c.label_en,
                    ur: c.label_ur,
                },
                value: c.value,
                points: c.points,
            })
            .collect(),
    })
}

/// Reads answers and calculated values for the expressions the app evaluates itself.
struct AppEnv<'a> {
    form: &'a Form,
    inst: &'a Instance,
    calculated: &'a BTreeMap<String, Value>,
    row: Option<&'a Row>,
    today: NaiveDate,
    choice: Option<&'a shumari_forms::Choice>,
}

fn xvalue(v: Option<&Value>) -> XValue {
    match v {
        None | Some(Value::Null) => XValue::empty(),
        Some(Value::Number(n)) => XValue::Num(n.as_f64().unwrap_or(f64::NAN)),
        Some(Value::String(s)) => XValue::Str(s.clone()),
        Some(Value::Bool(b)) => XValue::Bool(*b),
        Some(other) => XValue::Str(other.to_string()),
    }
}

impl AppEnv<'_> {
    fn rows(&self) -> &[Row] {
        self.inst.repeats.get("members").map_or(&[], Vec::as_slice)
    }

    fn row_value(&self, row: &Row, name: &str) -> XValue {
        match row.answers.get(name) {
            Some(v) => xvalue(Some(v)),
            None => xvalue(
                self.calculated
                    .get(&Instance::row_path("members", row, name)),
            ),
        }
    }
}

impl Env for AppEnv<'_> {
    fn value(&self, name: &str) -> XValue {
        if self.form.repeat_of(name).is_some() {
            return self
                .row
                .map_or_else(XValue::empty, |r| self.row_value(r, name));
        }
        match self.inst.answers.get(name) {
            Some(v) => xvalue(Some(v)),
            None => xvalue(self.calculated.get(&self.inst.household_path(name))),
        }
    }

    fn nodes(&self, name: &str) -> Vec<XValue> {
        let is_repeat = self
            .form
            .question(name)
            .is_some_and(|q| q.kind == QuestionType::BeginRepeat);
        if is_repeat {
            return vec![XValue::empty(); self.rows().len()];
        }
        match (self.form.repeat_of(name), self.row) {
            (Some(_), None) => self
                .rows()
                .iter()
                .map(|r| self.row_value(r, name))
                .collect(),
            _ => vec![self.value(name)],
        }
    }

    fn current(&self) -> XValue {
        XValue::empty()
    }

    fn position(&self) -> f64 {
        self.row
            .and_then(|r| self.rows().iter().position(|x| x.key == r.key))
            .map_or(f64::NAN, |i| (i + 1) as f64)
    }

    fn today(&self) -> NaiveDate {
        self.today
    }

    fn choice_column(&self, name: &str) -> XValue {
        let Some(c) = self.choice else {
            return XValue::empty();
        };
        match name {
            "name" => XValue::Str(c.name.clone()),
            "label" => XValue::Str(self.form.text(&c.label, "en").unwrap_or_default().into()),
            other => xvalue(
                c.extra
                    .get(other)
                    .map(|s| Value::String(s.clone()))
                    .as_ref(),
            ),
        }
    }
}

/// Notes' relevance and the choices offered by `choice_filter`s.
fn notes_and_filters(
    form: &Form,
    inst: &Instance,
    v: &Validation,
    today: NaiveDate,
    out: &mut Evaluation,
) {
    let rows: Vec<&Row> = inst
        .repeats
        .get("members")
        .map(|r| r.iter().collect())
        .unwrap_or_default();
    for q in &form.survey {
        let is_note = q.kind == QuestionType::Note;
        let list = q.kind.list().filter(|_| q.choice_filter.is_some());
        if !is_note && list.is_none() {
            continue;
        }
        let scopes: Vec<Option<&Row>> = if form.repeat_of(&q.name).is_some() {
            rows.iter().map(|r| Some(*r)).collect()
        } else {
            vec![None]
        };
        for row in scopes {
            let member = row.map(|r| r.key.as_str());
            let k = key(&q.name, member);
            let mut env = AppEnv {
                form,
                inst,
                calculated: &v.calculated,
                row,
                today,
                choice: None,
            };
            if is_note {
                let relevant = q
                    .relevant
                    .as_ref()
                    .is_none_or(|e| eval(&e.ast, &env).to_bool());
                if relevant {
                    out.visible.push(k);
                }
            } else if let (Some(list), Some(filter)) = (list, &q.choice_filter) {
                let mut offered = Vec::new();
                for c in form.choices_of(list) {
                    env.choice = Some(c);
                    if eval(&filter.ast, &env).to_bool() {
                        offered.push(c.name.clone());
                    }
                }
                out.choices.insert(k, offered);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn member(id: &str, a: Value) -> MemberView {
        MemberView {
            id: id.into(),
            answers: serde_json::from_value(a).unwrap(),
        }
    }

    fn run(answers: Value, members: &[MemberView]) -> Evaluation {
        let answers: Answers = serde_json::from_value(answers).unwrap();
        let inst = instance(&answers, members).unwrap();
        evaluate(
            crate::questionnaire::engine_form(),
            &inst,
            &answers,
            members,
            today(),
        )
    }

    #[test]
    fn skip_logic_comes_from_the_form() {
        let m = [
            member(
                "a",
                json!({"name": "A", "relation": "head", "sex": "female", "age": 34}),
            ),
            member(
                "b",
                json!({"name": "B", "relation": "daughter", "sex": "female", "age": 4}),
            ),
        ];
        let e = run(json!({"electricity": "no", "rooms": 2}), &m);
        assert!(!e.visible.contains(&"electricity_bill".to_string()));
        assert!(e.visible.contains(&"member:a:literate".to_string()));
        assert!(!e.visible.contains(&"member:b:literate".to_string()));
        assert_eq!(e.calculated["member:b:age_years"], json!(4));
        assert_eq!(e.calculated["household_size"], json!(2));
        // The roster note shows only while there is nobody on the roster.
        assert!(!e.visible.contains(&"roster_note".to_string()));
        assert!(run(json!({}), &[])
            .visible
            .contains(&"roster_note".to_string()));
        let e = run(json!({"electricity": "yes"}), &m);
        assert!(e.visible.contains(&"electricity_bill".to_string()));
    }

    #[test]
    fn issues_carry_the_forms_messages_in_both_languages() {
        let m = [member(
            "a",
            json!({"name": "A", "relation": "head", "sex": "female", "age": 34, "id_number": "12345"}),
        )];
        let e = run(json!({"rooms": 0}), &m);
        let rooms = e.issues.iter().find(|i| i.field == "rooms").unwrap();
        assert_eq!(rooms.code, "constraint");
        assert_eq!(rooms.message.en, "A dwelling has between 1 and 50 rooms.");
        assert!(rooms.message.ur.contains("کمروں"));
        let cnic = e
            .issues
            .iter()
            .find(|i| i.field == "id_number" && i.member_id.as_deref() == Some("a"))
            .unwrap();
        assert!(cnic.message.en.contains("13 digits"));
        assert!(e
            .issues
            .iter()
            .any(|i| i.field == "tenure" && i.code == "required"));
    }

    #[test]
    fn domain_checks_duplicates_and_warnings() {
        let m = [
            member(
                "a",
                json!({"name": "A", "relation": "head", "sex": "male", "age": 34, "id_number": "35202-1234567-2"}),
            ),
            member(
                "b",
                json!({"name": "B", "relation": "spouse", "sex": "female", "age": 30, "id_number": "3520212345672"}),
            ),
        ];
        let e = run(json!({}), &m);
        assert!(e
            .issues
            .iter()
            .any(|i| i.code == "duplicate" && i.member_id.as_deref() == Some("b")));
        assert!(e
            .warnings
            .iter()
            .any(|w| w.code == "cnic_warning" && w.member_id.as_deref() == Some("a")));
        let e = run(json!({}), &[]);
        assert!(e.issues.iter().any(|i| i.code == "no_members"));
    }

    #[test]
    fn pmt_comes_from_the_model_and_explains_itself() {
        let m = [
            member(
                "a",
                json!({"name": "A", "relation": "head", "sex": "female", "age": 30}),
            ),
            member(
                "b",
                json!({"name": "B", "relation": "son", "sex": "male", "age": 4}),
            ),
        ];
        let e = run(json!({"rooms": 1, "walls": "mud", "assets": ["tv"]}), &m);
        let p = e.pmt.unwrap();
        let sum: f64 = p.contributions.iter().map(|c| c.points).sum();
        assert!((sum - p.score).abs() < 1e-9);
        assert_eq!(p.model_version, "illustrative-v1");
        assert!(p
            .contributions
            .iter()
            .any(|c| c.label.en == "Wall material"));
        assert!(run(json!({}), &m).pmt.is_none());
    }
}
