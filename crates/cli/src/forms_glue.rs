//! Where the CLI meets the questionnaire engine (`shumari_forms`): which form new households record,
//! write-time constraint checks, the "complete only when valid" rule, and validation reports.
//!
//! Missing answers never block saving (an incomplete household is a draft); a value that breaks its
//! question's type, choices or constraint is refused when written, naming the question and the message.

use crate::exit::bad;
use serde_json::Value;
use shumari_domain::{Household, HouseholdInput};
use shumari_forms::{household_form, Instance, Issue};

/// Language of messages printed by the CLI (`SHUMARI_LANG`, default English).
fn lang() -> String {
    std::env::var("SHUMARI_LANG").unwrap_or_else(|_| "en".to_string())
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The shipped questionnaire's id and version, recorded on every new household.
pub fn current_form() -> (String, String) {
    let s = &household_form().settings;
    (s.form_id.clone(), s.version.clone())
}

fn refuse(issues: Vec<Issue>) -> anyhow::Error {
    let lines: Vec<String> = issues
        .iter()
        .map(|i| format!("{} ({}): {}", i.path, i.question, i.message))
        .collect();
    bad(lines.join("; "))
}

/// Every answer given in `pairs` (path, value) is checked against the form in the context of `inst`.
fn check_paths(inst: &Instance, pairs: &[(String, Value)]) -> anyhow::Result<()> {
    let form = household_form();
    let (lang, today) = (lang(), today());
    let mut issues = Vec::new();
    for (path, value) in pairs {
        if let Err(mut e) = form.check_value(inst, path, value, &lang, today) {
            issues.append(&mut e);
        }
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(refuse(issues))
    }
}

/// Checks a new household's answers against the questionnaire (types, choices, constraints).
pub fn check_new(input: &HouseholdInput) -> anyhow::Result<()> {
    let json = serde_json::to_value(input)?;
    let inst = Instance::from_household_json(&json).map_err(|e| bad(e.to_string()))?;
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
    check_paths(&inst, &pairs)
}

/// Checks values about to be written (`answers.*`, `members.*`), and refuses `status=complete` unless
/// the household, with the new values, satisfies the whole form.
pub fn check_set(before: &Household, fields: &[(String, Value)]) -> anyhow::Result<()> {
    let mut inst = Instance::from_household_json(&serde_json::to_value(before)?)
        .map_err(|e| bad(e.to_string()))?;
    let answers: Vec<(String, Value)> = fields
        .iter()
        .filter(|(p, _)| p.starts_with("answers.") || p.starts_with("members."))
        .cloned()
        .collect();
    check_paths(&inst, &answers)?;
    let completing = fields
        .iter()
        .any(|(p, v)| p == "status" && v.as_str() == Some("complete"));
    if completing {
        for (p, v) in &answers {
            inst.set(p, v.clone()).map_err(|e| bad(e.to_string()))?;
        }
        let v = household_form().validate(&inst, &lang(), today());
        if !v.is_complete() {
            let mut issues = v.missing;
            issues.extend(v.invalid);
            let n = issues.len();
            let shown: Vec<Issue> = issues.into_iter().take(10).collect();
            return Err(bad(format!(
                "cannot mark complete: {n} answer(s) missing or invalid (`shumari household validate` lists them): {}",
                refuse(shown)
            )));
        }
    }
    Ok(())
}

/// The validation report of a household against its questionnaire, with its PMT score.
pub fn validation_report(h: &Household, lang: &str) -> anyhow::Result<Value> {
    crate::form_cmd::validation_report(&serde_json::to_value(h)?, lang)
}

/// Prints a validation report for people.
pub fn print_report(report: &Value) {
    let list = |key: &str, title: &str| {
        let items = report[key].as_array().cloned().unwrap_or_default();
        if !items.is_empty() {
            println!("{title} ({}):", items.len());
            for i in items {
                println!(
                    "  {}: {}",
                    i["path"].as_str().unwrap_or(""),
                    i["message"].as_str().unwrap_or("")
                );
            }
        }
    };
    let complete = report["complete"].as_bool().unwrap_or(false);
    println!(
        "form {} v{}: {}",
        report["form_id"].as_str().unwrap_or(""),
        report["form_version"].as_str().unwrap_or(""),
        if complete {
            "complete and valid"
        } else {
            "not complete"
        }
    );
    list("missing", "missing");
    list("invalid", "invalid");
    list(
        "unknown",
        "answers to questions this form version does not have (kept)",
    );
    let pmt = &report["pmt"];
    if let Some(score) = pmt["score"].as_f64() {
        println!(
            "provisional PMT score {score:.1} (model {})",
            pmt["model_version"].as_str().unwrap_or("")
        );
        for c in pmt["contributions"].as_array().into_iter().flatten() {
            println!(
                "  {:>6.1}  {}",
                c["points"].as_f64().unwrap_or(0.0),
                c["label_en"]
                    .as_str()
                    .or(c["variable"].as_str())
                    .unwrap_or("")
            );
        }
        for p in pmt["programmes"].as_array().into_iter().flatten() {
            println!(
                "  {}: threshold {} -> {}",
                p["programme"].as_str().unwrap_or(""),
                p["threshold"],
                if p["eligible"].as_bool().unwrap_or(false) {
                    "eligible"
                } else {
                    "not eligible"
                }
            );
        }
    }
}
