//! The forms engine's answer about an interview, mapped onto the UI's DTOs, plus what belongs to the
//! domain rather than the form.
//!
//! One call to [`shumari_forms::Form::evaluate`] gives relevance of every question, note and group at
//! every place (a group's relevance applies to everything inside it), the choices each `choice_filter`
//! offers in each member's row, calculated values, and what is missing or invalid with messages in
//! every language of the form. This module only maps that onto [`Interview`](crate::dto::Interview)'s
//! fields: paths become the UI's keys, messages become [`Text`].
//!
//! Beyond the form, the app adds what belongs to the domain: CNIC shape errors and warnings (province
//! digit, sex parity), the same ID number twice in one household, and the roster rules (at least one
//! member, one head), and the provisional PMT score.

use crate::answers::{key, path, split_path, to_stored, Answers};
use crate::dto::{Issue, MemberView, PmtContribution, PmtResult, Text};
use crate::questionnaire;
use chrono::NaiveDate;
use serde_json::Value;
use shumari_domain::{DomainError, IdNumber, Sex};
use shumari_forms::{pmt_model, Form, Instance, QuestionType};
use std::collections::BTreeMap;

/// What the forms engine and the domain say about an interview.
#[derive(Debug, Default)]
pub(crate) struct FormView {
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

fn issue(path: &str, code: &str, message: Text) -> Issue {
    let (field, member_id) = split_path(path);
    Issue {
        field,
        member_id,
        code: code.into(),
        message,
    }
}

/// Evaluates `inst` (built from `answers` and `members` by [`crate::answers::instance`]); `lang` is the
/// surveyor's language (what a choice's label reads as in a `choice_filter`).
pub(crate) fn evaluate(
    form: &Form,
    inst: &Instance,
    answers: &Answers,
    members: &[MemberView],
    lang: &str,
    today: NaiveDate,
) -> FormView {
    let e = form.evaluate(inst, lang, today);
    let text =
        |t: &shumari_forms::Text| questionnaire::text(form, t).unwrap_or_else(|| Text::new("", ""));
    let mut out = FormView::default();
    for f in &e.missing {
        out.issues
            .push(issue(&f.path, "required", text(&f.message)));
    }
    for f in &e.invalid {
        out.issues
            .push(issue(&f.path, "constraint", text(&f.message)));
    }
    for item in &e.items {
        let k = key(&item.question, item.row.as_ref().map(|r| r.key.as_str()));
        let shown = form
            .question(&item.question)
            .is_some_and(|q| q.kind.is_input() || q.kind == QuestionType::Note);
        if item.relevant && shown {
            out.visible.push(k.clone());
        }
        if let Some(offered) = &item.choices {
            out.choices.insert(k, offered.clone());
        }
    }
    for (p, v) in &e.calculated {
        let (f, m) = split_path(p);
        out.calculated.insert(key(&f, m.as_deref()), v.clone());
    }
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
fn domain_checks(members: &[MemberView], out: &mut FormView) {
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
                    Text::new(
                        &en,
                        "شناختی کارڈ یا ب فارم نمبر 13 ہندسوں کا ہوتا ہے: 12345-1234567-1۔",
                    ),
                ));
            }
            Ok(id) => {
                if let Some(first) = seen.get(id.digits()) {
                    out.issues.push(issue(
                        &p,
                        "duplicate",
                        Text {
                            en: format!(
                                "The same CNIC or B-form number is already given to member {}.",
                                first + 1
                            ),
                            ur: format!(
                                "یہی شناختی کارڈ یا ب فارم نمبر فرد {} کو دیا جا چکا ہے۔",
                                first + 1
                            ),
                        },
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
                    out.warnings
                        .push(issue(&p, "cnic_warning", Text::new(&en, ur)));
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

    fn run(answers: Value, members: &[MemberView]) -> FormView {
        let answers: Answers = serde_json::from_value(answers).unwrap();
        let inst = crate::answers::instance(&answers, members).unwrap();
        evaluate(
            crate::questionnaire::engine_form(),
            &inst,
            &answers,
            members,
            "en",
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
