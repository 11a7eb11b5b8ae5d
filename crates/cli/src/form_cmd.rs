//! `shumari form check FILE` and the validation report of a household, on top of `shumari_forms`.

use serde_json::{json, Value};
use shumari_forms::{check_form_source, household_form, pmt_model, Instance};
use std::path::Path;

/// Checks a form source (.toml or .xlsx). Prints every problem (with `json`, one object
/// `{"ok", "errors": [{"sheet", "row", "column", "message"}]}`); returns 0 when valid, 2 when not.
pub fn check(path: &Path, json: bool) -> anyhow::Result<i32> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let issues = check_form_source(name, &bytes);
    if json {
        println!("{}", json!({"ok": issues.is_empty(), "errors": issues}));
    } else if issues.is_empty() {
        println!("{}: the form is valid", path.display());
    } else {
        for i in &issues {
            println!("{i}");
        }
        println!("{}: {} problem(s)", path.display(), issues.len());
    }
    Ok(if issues.is_empty() { 0 } else { 2 })
}

/// The validation report of a household (the JSON contract) against the shipped questionnaire:
/// `{"form_id", "form_version", "complete", "missing", "invalid", "unknown", "calculated", "pmt"}`.
pub fn validation_report(household_json: &Value, lang: &str) -> anyhow::Result<Value> {
    let form = household_form();
    let instance = Instance::from_household_json(household_json)?;
    form.open(&instance)?;
    let today = chrono::Utc::now().date_naive();
    let v = form.validate(&instance, lang, today);
    let pmt = pmt_model().score_on(&instance, today);
    Ok(json!({
        "form_id": v.form_id,
        "form_version": v.form_version,
        "complete": v.is_complete(),
        "missing": v.missing,
        "invalid": v.invalid,
        "unknown": v.unknown,
        "calculated": v.calculated,
        "pmt": {
            "model_version": pmt.model_version,
            "score": pmt.score,
            "contributions": pmt.contributions,
            "programmes": pmt.programmes,
        },
    }))
}
