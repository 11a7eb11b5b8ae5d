//! `shumari form check FILE`: a questionnaire's problems, for its authors, from `shumari_forms`.

use serde_json::json;
use shumari_forms::check_form_source;
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
