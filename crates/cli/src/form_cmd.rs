//! `shumari form check FILE`: what a questionnaire is and what is wrong with it, for its authors,
//! from `shumari_forms::check_source`.

use serde_json::{json, Value};
use shumari_app::form_files;
use shumari_forms::languages::app_language;
use shumari_forms::{check_source_with, Form, FormIssue, SourceFormat};
use std::collections::BTreeMap;
use std::path::Path;

/// Which app language each of the form's language keys is (`None`: a language the app does not
/// have, shown in the default language); the plain column is not listed.
fn app_languages(form: &Form) -> BTreeMap<String, Option<&'static str>> {
    form.languages()
        .into_iter()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let code = app_language(&l);
            (l, code)
        })
        .collect()
}

/// The languages line: each key with the app language it is, `[not in the app]` for another.
fn languages_line(form: &Form) -> String {
    let codes = app_languages(form);
    form.language_names()
        .into_iter()
        .map(|l| match codes.get(&l) {
            Some(Some(code)) => format!("{l} [{code}]"),
            Some(None) => format!("{l} [not in the app]"),
            None => l,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn format_name(f: SourceFormat) -> &'static str {
    f.extension().trim_start_matches('.')
}

fn summary(form: &Form) -> Value {
    let s = &form.settings;
    json!({
        "id": s.form_id,
        "version": s.version,
        "title": s.form_title,
        "languages": form.language_names(),
        "app_languages": app_languages(form),
        "questions": form.question_counts(),
    })
}

fn print_text(
    path: &Path,
    form: Option<&Form>,
    attached: &[&str],
    errors: &[FormIssue],
    warnings: &[FormIssue],
) {
    if let Some(form) = form {
        let s = &form.settings;
        println!("form: {}", s.form_id);
        println!("version: {}", s.version);
        if let Some(t) = &s.form_title {
            println!("title: {t}");
        }
        println!("languages: {}", languages_line(form));
        let list: Vec<String> = form
            .question_counts()
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        println!("questions by type: {}", list.join(", "));
    }
    if !attached.is_empty() {
        println!("attachments: {}", attached.join(", "));
    }
    for w in warnings {
        println!("warning: {w}");
    }
    for e in errors {
        println!("{e}");
    }
    match (errors.len(), warnings.len()) {
        (0, 0) => println!("{}: the form is valid", path.display()),
        (0, w) => println!("{}: the form is valid, {w} warning(s)", path.display()),
        (e, w) => println!("{}: {e} problem(s), {w} warning(s)", path.display()),
    }
}

/// Checks a form source (.toml, .xlsx, .xls or .ods, told apart by content and extension) with the
/// files attached to it (from its `<name>-media/` folder or beside it, see
/// `shumari_app::form_files`). Prints
/// the form's id, version, languages (each with the app language it is), question counts by type, then every warning and error
/// (with `json`, one object `{"ok", "format", "form": {"id", "version", "title", "languages",
/// "app_languages", "questions"} or null, "attachments": [names], "errors": [...], "warnings": [...]}`, each issue `{"sheet", "row",
/// "column", "message"}`); returns 0 when the form loads (warnings or not), 2 when it does not.
pub fn check(path: &Path, json: bool) -> anyhow::Result<i32> {
    let files = form_files::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let checked = check_source_with(&files.name, &files.bytes, &files.attachment_refs());
    let attached: Vec<&str> = files.attachments.iter().map(|(n, _)| n.as_str()).collect();
    let ok = checked.errors.is_empty();
    if json {
        println!(
            "{}",
            json!({
                "ok": ok,
                "format": format_name(checked.format),
                "form": checked.form.as_ref().map(summary),
                "attachments": attached,
                "errors": checked.errors,
                "warnings": checked.warnings,
            })
        );
    } else {
        print_text(
            path,
            checked.form.as_ref(),
            &attached,
            &checked.errors,
            &checked.warnings,
        );
    }
    Ok(if ok { 0 } else { 2 })
}
