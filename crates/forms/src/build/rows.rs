//! One sheet row at a time: a `survey` row to a [`Question`], a `choices` row to a [`Choice`], the
//! `settings` row to [`Settings`]. Unknown columns, types and appearances are refused by name.

use super::Issues;
use crate::expr::Expression;
use crate::model::{Choice, Flag, Question, QuestionType, Settings, Text};
use crate::raw::{RawRow, SURVEY_ORDER};
use std::collections::BTreeMap;

const TRANSLATABLE: &[&str] = &["label", "hint", "required_message", "constraint_message"];

/// Appearances the engine knows (others are refused so that a typo is not silently ignored).
const APPEARANCES: &[&str] = &[
    "minimal",
    "field-list",
    "table-list",
    "multiline",
    "numbers",
    "horizontal",
    "horizontal-compact",
    "compact",
    "likert",
    "label",
    "list-nolabel",
    "quick",
    "no-calendar",
    "month-year",
    "year",
    "maps",
    "placement-map",
    "autocomplete",
    "search",
];

/// A name XLSForm accepts: a letter or `_`, then letters, digits, `_ - .`.
pub(super) fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

fn parse_flag(v: &str) -> Result<Flag, crate::expr::ParseError> {
    match v.trim() {
        "" | "no" | "false" | "FALSE" | "false()" => Ok(Flag::No),
        "yes" | "true" | "TRUE" | "true()" => Ok(Flag::Yes),
        other => Expression::parse(other).map(Flag::If),
    }
}

fn set_text(t: &mut Text, lang: Option<&str>, v: &str) {
    t.insert(lang.unwrap_or("").to_string(), v.to_string());
}

pub(super) fn survey_row(r: &RawRow, issues: &mut Issues) -> Option<Question> {
    let sheet = "survey";
    let Some(ty) = r.get("type") else {
        issues.push(sheet, r.row, "type", "the type is missing");
        return None;
    };
    let kind = match QuestionType::parse(ty) {
        Ok(k) => k,
        Err(e) => {
            issues.push(sheet, r.row, "type", e);
            return None;
        }
    };
    let mut q = Question::new(r.row, kind, r.get("name").unwrap_or("").trim());
    for (col, v) in &r.cells {
        let (base, lang) = match col.split_once("::") {
            Some((b, l)) => (b, Some(l.trim())),
            None => (col.as_str(), None),
        };
        if lang.is_some() && !TRANSLATABLE.contains(&base) {
            if SURVEY_ORDER.contains(&base) {
                issues.push(
                    sheet,
                    r.row,
                    col,
                    format!("column `{base}` cannot be translated"),
                );
            } else {
                issues.push(sheet, r.row, col, format!("unsupported column `{col}`"));
            }
            continue;
        }
        let expr = |issues: &mut Issues| match Expression::parse(v) {
            Ok(e) => Some(e),
            Err(e) => {
                issues.push(sheet, r.row, col, format!("`{v}`: {e}"));
                None
            }
        };
        match base {
            "type" | "name" => {}
            "label" => set_text(&mut q.label, lang, v),
            "hint" => set_text(&mut q.hint, lang, v),
            "required_message" => set_text(&mut q.required_message, lang, v),
            "constraint_message" => set_text(&mut q.constraint_message, lang, v),
            "required" | "read_only" => match parse_flag(v) {
                Ok(f) if base == "required" => q.required = f,
                Ok(f) => q.read_only = f,
                Err(e) => issues.push(sheet, r.row, col, format!("`{v}`: {e}")),
            },
            "relevant" => q.relevant = expr(issues),
            "constraint" => q.constraint = expr(issues),
            "calculation" => q.calculation = expr(issues),
            "choice_filter" => q.choice_filter = expr(issues),
            "repeat_count" => q.repeat_count = expr(issues),
            "default" => q.default = Some(v.clone()),
            "appearance" => {
                for a in v.split_whitespace() {
                    if !APPEARANCES.contains(&a) {
                        issues.push(sheet, r.row, col, format!("unsupported appearance `{a}`"));
                    }
                }
                q.appearance = Some(v.trim().to_string());
            }
            _ => issues.push(sheet, r.row, col, format!("unsupported column `{col}`")),
        }
    }
    Some(q)
}

pub(super) fn choice_row(r: &RawRow, issues: &mut Issues) -> Option<Choice> {
    let sheet = "choices";
    let mut c = Choice {
        row: r.row,
        list_name: r.get("list_name").unwrap_or("").trim().to_string(),
        name: r.get("name").unwrap_or("").trim().to_string(),
        label: Text::new(),
        extra: BTreeMap::new(),
    };
    for (col, v) in &r.cells {
        match col.split_once("::") {
            Some(("label", lang)) => set_text(&mut c.label, Some(lang.trim()), v),
            Some(_) => issues.push(sheet, r.row, col, format!("unsupported column `{col}`")),
            None if col == "label" => set_text(&mut c.label, None, v),
            None if col == "list_name" || col == "name" => {}
            None if valid_name(col) => {
                c.extra.insert(col.clone(), v.clone());
            }
            None => issues.push(sheet, r.row, col, format!("unsupported column `{col}`")),
        }
    }
    if c.list_name.is_empty() {
        issues.push(sheet, r.row, "list_name", "the list name is missing");
        return None;
    }
    if c.name.is_empty() {
        issues.push(sheet, r.row, "name", "the choice name is missing");
        return None;
    }
    if c.name.chars().any(char::is_whitespace) {
        issues.push(
            sheet,
            r.row,
            "name",
            format!(
                "choice name `{}` contains a space (select_multiple values are space-separated)",
                c.name
            ),
        );
    }
    if c.label.is_empty() {
        issues.push(
            sheet,
            r.row,
            "label",
            format!("choice `{}` has no label", c.name),
        );
    }
    Some(c)
}

pub(super) fn settings_row(r: Option<&RawRow>, issues: &mut Issues) -> Settings {
    let sheet = "settings";
    let mut s = Settings {
        form_id: String::new(),
        version: String::new(),
        default_language: None,
        form_title: None,
    };
    let row = r.map_or(2, |r| r.row);
    if let Some(r) = r {
        for (col, v) in &r.cells {
            let v = v.trim().to_string();
            match col.as_str() {
                "form_id" => s.form_id = v,
                "version" => s.version = v,
                "default_language" => s.default_language = Some(v),
                "form_title" => s.form_title = Some(v),
                _ => issues.push(sheet, r.row, col, format!("unsupported column `{col}`")),
            }
        }
    }
    if s.form_id.is_empty() {
        issues.push(sheet, row, "form_id", "form_id is missing");
    }
    if s.version.is_empty() {
        issues.push(sheet, row, "version", "version is missing");
    }
    s
}

/// Which columns hold expressions, for checking.
pub(super) fn expressions(q: &Question) -> Vec<(&'static str, &Expression)> {
    let mut v = Vec::new();
    if let Flag::If(e) = &q.required {
        v.push(("required", e));
    }
    if let Flag::If(e) = &q.read_only {
        v.push(("read_only", e));
    }
    for (col, e) in [
        ("relevant", &q.relevant),
        ("constraint", &q.constraint),
        ("calculation", &q.calculation),
        ("choice_filter", &q.choice_filter),
        ("repeat_count", &q.repeat_count),
    ] {
        if let Some(e) = e {
            v.push((col, e));
        }
    }
    v
}
