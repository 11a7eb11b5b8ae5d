//! The questionnaire's write-time rules, in one place for every surface (the interview screens and the
//! command line).
//!
//! Missing answers never block saving: an incomplete household is a draft. A value that breaks its
//! question's type, choices or constraint (in the context of the rest of the household) is refused when
//! written, naming the question and the form's message. A household is marked complete only when the
//! whole form validates. The forms engine judges; this module decides what to ask it and when, and
//! turns its findings into a refusal.

use crate::error::{AppError, Result};
use crate::questionnaire::engine_form;
use chrono::NaiveDate;
use serde_json::Value;
use shumari_domain::{Household, HouseholdInput};
use shumari_forms::{Instance, Issue};

/// How many findings a refusal spells out (the rest are counted).
const SHOWN: usize = 10;

/// The date the rules are judged on: the device's clock (the forms engine takes it as a parameter).
pub(crate) fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// `path (question): message`, joined with `; `.
pub(crate) fn describe(issues: &[Issue]) -> String {
    issues
        .iter()
        .map(|i| format!("{} ({}): {}", i.path, i.question, i.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The engine's instance of a household as stored (or about to be).
fn instance_of<T: serde::Serialize>(household: &T) -> Result<Instance> {
    Instance::from_household_json(&serde_json::to_value(household)?)
        .map_err(|e| AppError::Invalid(e.to_string()))
}

/// Checks each `(path, value)` about to be written against its question, in the context of `inst`.
pub(crate) fn check_values(
    inst: &Instance,
    pairs: &[(String, Value)],
    lang: &str,
    today: NaiveDate,
) -> std::result::Result<(), Vec<Issue>> {
    engine_form().check_values(inst, pairs, lang, today)
}

fn refuse(issues: Vec<Issue>) -> AppError {
    AppError::Invalid(describe(&issues))
}

/// What stops `inst` from being marked complete (missing, then invalid answers); empty when it may be.
pub(crate) fn completion_problems(inst: &Instance, lang: &str, today: NaiveDate) -> Vec<Issue> {
    let v = engine_form().validate(inst, lang, today);
    let mut issues = v.missing;
    issues.extend(v.invalid);
    issues
}

/// Refuses completion over `issues` (spelling out the first few).
fn incomplete(issues: Vec<Issue>) -> AppError {
    let count = issues.len();
    let shown: Vec<Issue> = issues.into_iter().take(SHOWN).collect();
    AppError::Incomplete {
        count,
        detail: describe(&shown),
    }
}

/// Checks a new household's answers against the questionnaire (types, choices, constraints).
pub(crate) fn check_new(input: &HouseholdInput, lang: &str, today: NaiveDate) -> Result<()> {
    let inst = instance_of(input)?;
    let mut pairs: Vec<(String, Value)> = input
        .answers
        .iter()
        .map(|(k, v)| (format!("answers.{k}"), v.clone()))
        .collect();
    for (i, m) in input.members.iter().enumerate() {
        // The domain checks the core fields (name, relation, sex, dob, ID number) with more specific
        // messages; the form adds the age range.
        if let Some(age) = &m.age {
            pairs.push((format!("members.{i}.age"), age.clone()));
        }
        pairs.extend(
            m.answers
                .iter()
                .map(|(k, v)| (format!("members.{i}.{k}"), v.clone())),
        );
    }
    check_values(&inst, &pairs, lang, today).map_err(refuse)
}

/// Checks fields about to be written to `before` (`answers.*`, `members.*`; other paths are the
/// domain's), and refuses `status=complete` unless the household, with the new values, satisfies the
/// whole form.
pub(crate) fn check_set(
    before: &Household,
    fields: &[(String, Value)],
    lang: &str,
    today: NaiveDate,
) -> Result<()> {
    let mut inst = instance_of(before)?;
    let answers: Vec<(String, Value)> = fields
        .iter()
        .filter(|(p, _)| p.starts_with("answers.") || p.starts_with("members."))
        .cloned()
        .collect();
    check_values(&inst, &answers, lang, today).map_err(refuse)?;
    let completing = fields
        .iter()
        .any(|(p, v)| p == "status" && v.as_str() == Some("complete"));
    if completing {
        for (p, v) in &answers {
            inst.set(p, v.clone())
                .map_err(|e| AppError::Invalid(e.to_string()))?;
        }
        check_complete(&inst, lang, today)?;
    }
    Ok(())
}

/// Refuses with [`AppError::Incomplete`] unless `inst` satisfies the whole form.
pub(crate) fn check_complete(inst: &Instance, lang: &str, today: NaiveDate) -> Result<()> {
    let problems = completion_problems(inst, lang, today);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(incomplete(problems))
    }
}

/// Refuses completion of a stored household unless it satisfies the whole form.
pub(crate) fn check_stored_complete(h: &Household, lang: &str, today: NaiveDate) -> Result<()> {
    check_complete(&instance_of(h)?, lang, today)
}
