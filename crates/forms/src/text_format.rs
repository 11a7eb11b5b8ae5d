//! The text form format: a TOML file that mirrors the XLSForm sheets, for review in git.
//!
//! ```toml
//! [settings]
//! form_id = "nser-household"
//! version = "1"
//! default_language = "English (en)"
//!
//! [[survey]]
//! type = "integer"
//! name = "rooms"
//! "label::English (en)" = "How many rooms?"
//! "label::Urdu (ur)" = "کتنے کمرے ہیں؟"
//! required = "yes"
//! constraint = ". >= 1 and . <= 50"
//!
//! [[choices]]
//! list_name = "yes_no"
//! name = "yes"
//! "label::English (en)" = "Yes"
//! ```
//!
//! Why TOML: each `[[survey]]` table is one spreadsheet row with the very same column names, so anyone
//! who knows XLSForm reads it as is, and a change to one question is a small, reviewable diff. TOML has
//! comments (JSON has none), writes Urdu as plain UTF-8, needs no quoting rules for commas (CSV), and
//! has no implicit typing: in YAML `required: no` silently becomes a boolean. Cells are strings;
//! numbers and booleans are accepted and read as their text. Row numbers in errors are the spreadsheet
//! rows the entries become on export: the first `[[survey]]` entry is row 2. As in a workbook, table
//! and column names are matched in any case (`[[SURVEY]]`, `TYPE`); another top-level table is
//! ignored with a warning (unlike a workbook's other sheets, it is not kept).

use crate::error::{FormIssue, Issues};
use crate::model::OtherSheet;
use crate::raw::{
    canonical_column, canonical_sheet, columns, RawForm, RawRow, CHOICES_ORDER, SETTINGS_ORDER,
    SURVEY_ORDER,
};
use std::fmt::Write as _;

fn cell(
    sheet: &str,
    row: usize,
    col: &str,
    v: &toml::Value,
    issues: &mut Issues,
) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(crate::expr::XValue::Num(*f).to_text()),
        toml::Value::Boolean(b) => Some(if *b { "yes" } else { "no" }.to_string()),
        _ => {
            issues.push(
                sheet,
                row,
                col,
                "a cell must be text, a number or true/false",
            );
            None
        }
    }
}

/// One table's cells, keys spelled as the builder expects them.
fn table_cells(
    sheet: &str,
    row: usize,
    t: &toml::Table,
    issues: &mut Issues,
) -> Vec<(String, String)> {
    let mut cells: Vec<(String, String)> = Vec::new();
    for (k, v) in t {
        let col = canonical_column(sheet, k);
        if cells.iter().any(|(c, _)| *c == col) {
            issues.push(sheet, row, &col, format!("column `{col}` appears twice"));
            continue;
        }
        if let Some(s) = cell(sheet, row, k, v, issues) {
            if !s.trim().is_empty() {
                cells.push((col, s));
            }
        }
    }
    cells
}

fn rows(sheet: &str, v: Option<&toml::Value>, issues: &mut Issues) -> Vec<RawRow> {
    let Some(v) = v else { return Vec::new() };
    let Some(arr) = v.as_array() else {
        issues.push(
            sheet,
            0,
            "",
            format!("`{sheet}` must be a list of [[{sheet}]] tables"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, t) in arr.iter().enumerate() {
        let row = i + 2;
        let Some(t) = t.as_table() else {
            issues.push(sheet, row, "", "each entry must be a table");
            continue;
        };
        let cells = table_cells(sheet, row, t, issues);
        out.push(RawRow { row, cells });
    }
    out
}

/// Reads the TOML text into sheet rows; `None` when it is not valid TOML. Other top-level keys
/// (sheets) are ignored with a warning and not kept.
pub(crate) fn read(src: &str, issues: &mut Issues) -> Option<RawForm> {
    let doc: toml::Table = match toml::from_str(src) {
        Ok(doc) => doc,
        Err(e) => {
            let msg = e.message().to_string();
            let at = e.span().map(|s| {
                let line = src[..s.start.min(src.len())].matches('\n').count() + 1;
                format!(" (line {line})")
            });
            issues.errors.push(FormIssue::file(format!(
                "not valid TOML{}: {msg}",
                at.unwrap_or_default()
            )));
            return None;
        }
    };
    let mut raw = RawForm::default();
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (k, v) in &doc {
        if k.eq_ignore_ascii_case(EXTERNAL_CHOICES) {
            let rows = rows("choices", Some(v), issues);
            raw.other_sheets.push(external_sheet(&rows));
            continue;
        }
        let Some(sheet) = canonical_sheet(k) else {
            issues.warn(
                k,
                0,
                "",
                format!(
                    "sheet `{k}` is not an XLSForm sheet (settings, survey, choices); it is ignored"
                ),
            );
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == sheet) {
            issues.push(
                k,
                0,
                "",
                format!("the form has two `{sheet}` sheets (`{first}` and `{k}`)"),
            );
            continue;
        }
        seen.push((sheet, k));
        match (sheet, v) {
            ("settings", toml::Value::Table(t)) => {
                let cells = table_cells("settings", 2, t, issues);
                raw.settings = Some(RawRow { row: 2, cells });
            }
            ("settings", _) => issues.push("settings", 0, "", "[settings] must be a table"),
            ("survey", v) => raw.survey = rows("survey", Some(v), issues),
            (_, v) => raw.choices = rows("choices", Some(v), issues),
        }
    }
    Some(raw)
}

fn key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_string()
    } else {
        toml::Value::String(k.to_string()).to_string()
    }
}

fn value(v: &str) -> String {
    toml::Value::String(v.to_string()).to_string()
}

fn write_rows(out: &mut String, sheet: &str, rows: &[RawRow], order: &[&str]) {
    let cols = columns(rows, order);
    for r in rows {
        let _ = writeln!(out, "\n[[{sheet}]]");
        for c in &cols {
            if let Some(v) = r.get(c) {
                let _ = writeln!(out, "{} = {}", key(c), value(v));
            }
        }
    }
}

/// Writes sheet rows as TOML.
pub(crate) fn write(raw: &RawForm) -> String {
    let mut out = String::from(
        "# XLSForm as TOML: one [[survey]] / [[choices]] table per spreadsheet row, same column names.\n\
         # Check with `shumari form check FILE`.\n\n[settings]\n",
    );
    if let Some(s) = &raw.settings {
        for c in columns(std::slice::from_ref(s), SETTINGS_ORDER) {
            if let Some(v) = s.get(&c) {
                let _ = writeln!(out, "{} = {}", key(&c), value(v));
            }
        }
    }
    write_rows(&mut out, "survey", &raw.survey, SURVEY_ORDER);
    write_rows(&mut out, "choices", &raw.choices, CHOICES_ORDER);
    if let Some(sheet) = raw
        .other_sheets
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(EXTERNAL_CHOICES))
    {
        let rows: Vec<RawRow> = sheet
            .rows
            .iter()
            .skip(1)
            .enumerate()
            .map(|(i, r)| RawRow {
                row: i + 2,
                cells: sheet.rows[0]
                    .iter()
                    .zip(r)
                    .filter(|(h, v)| !h.trim().is_empty() && !v.trim().is_empty())
                    .map(|(h, v)| (h.trim().to_string(), v.clone()))
                    .collect(),
            })
            .collect();
        write_rows(&mut out, EXTERNAL_CHOICES, &rows, CHOICES_ORDER);
    }
    out
}

/// The one other sheet the TOML format keeps: the choices `select_one_external` questions read
/// (same columns as `choices`).
const EXTERNAL_CHOICES: &str = "external_choices";

/// `[[external_choices]]` tables as the workbook sheet they stand for (header row first).
fn external_sheet(rows: &[RawRow]) -> OtherSheet {
    let header = columns(rows, CHOICES_ORDER);
    let mut out = vec![header.clone()];
    for r in rows {
        out.push(
            header
                .iter()
                .map(|h| r.get(h).unwrap_or("").to_string())
                .collect(),
        );
    }
    OtherSheet {
        name: EXTERNAL_CHOICES.to_string(),
        rows: out,
    }
}
