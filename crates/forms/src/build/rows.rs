//! One sheet row at a time: a `survey` row to a [`Question`], a `choices` row to a [`Choice`], the
//! `settings` row to [`Settings`]. Unknown types and appearances are refused by name; columns and
//! settings the engine does not use are kept on the row with one warning per column.

use super::Issues;
use crate::expr::Expression;
use crate::model::{Choice, Flag, Question, QuestionType, Settings, Text};
use crate::raw::{RawRow, KNOWN_SETTINGS, SURVEY_ORDER};
use crate::source::Defaults;
use std::collections::BTreeMap;

/// Columns already warned about, so that a column unknown on 300 rows is one warning (at the first
/// row that fills it).
#[derive(Default)]
pub(super) struct Unknown(Vec<(&'static str, String)>);

impl Unknown {
    /// Warns about an ignored column the first time it is seen on `sheet`.
    fn warn(&mut self, issues: &mut Issues, sheet: &'static str, row: usize, col: &str) {
        if !self.0.iter().any(|(s, c)| *s == sheet && c == col) {
            self.0.push((sheet, col.to_string()));
            let why = match crate::aliases::not_acted_on(col) {
                Some(feature) => format!(
                    "column `{col}` ({feature}) is not acted on by this engine; it is kept for \
                     export"
                ),
                None => format!(
                    "column `{col}` is not used by this engine; it is ignored (kept on export)"
                ),
            };
            issues.warn(sheet, row, col, why);
        }
    }
}

/// XLSForm's yes values (pyxform's `yes_no` table).
pub(super) fn is_yes(v: &str) -> bool {
    matches!(
        v.trim(),
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "true()"
    )
}

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

pub(super) fn survey_row(
    r: &RawRow,
    issues: &mut Issues,
    unknown: &mut Unknown,
) -> Option<Question> {
    let sheet = "survey";
    let Some(ty) = r.get("type") else {
        issues.push(sheet, r.row, "type", "the type is missing");
        return None;
    };
    let parsed = match crate::question_types::parse_cell(ty) {
        Ok(k) => k,
        Err(e) => {
            issues.push(sheet, r.row, "type", e);
            return None;
        }
    };
    if let Some(why) = parsed.kind.limitation() {
        issues.warn(sheet, r.row, "type", format!("`{}`: {why}", ty.trim()));
    }
    if let Some(list) = parsed.loop_over.as_ref().filter(|l| !l.is_empty()) {
        issues.warn(
            sheet,
            r.row,
            "type",
            format!(
                "`{}`: the questions inside are asked once, as a group, not once for each choice \
                 of `{list}`",
                ty.trim()
            ),
        );
    }
    let mut q = Question::new(r.row, parsed.kind, r.get("name").unwrap_or("").trim());
    q.or_other = parsed.or_other;
    q.loop_over = parsed.loop_over;
    q.preset = parsed.preset;
    for (col, v) in &r.cells {
        let (base, lang) = crate::aliases::split(col);
        if lang.is_some() && !TRANSLATABLE.contains(&base) {
            if SURVEY_ORDER.contains(&base) {
                issues.push(
                    sheet,
                    r.row,
                    col,
                    format!("column `{base}` cannot be translated"),
                );
            } else {
                unknown.warn(issues, sheet, r.row, col);
                q.extra.insert(col.clone(), v.clone());
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
            // Read by a `range` question's type and by a `_from_file` select (its `value=` and
            // `label=` columns); on any other type the engine does not act on it. Kept as written
            // either way, so that an export writes it back.
            "parameters" => {
                let reads = matches!(
                    q.kind,
                    QuestionType::Range(_)
                        | QuestionType::SelectOneFromFile(_)
                        | QuestionType::SelectMultipleFromFile(_)
                );
                if !reads {
                    unknown.warn(issues, sheet, r.row, col);
                }
                q.extra.insert(col.clone(), v.clone());
            }
            "appearance" => {
                for a in v.split_whitespace() {
                    // pyxform passes any appearance on to the form (ODK Collect ignores one it
                    // does not know), so an unknown one is read past, not refused.
                    if !APPEARANCES.contains(&a) {
                        issues.warn(
                            sheet,
                            r.row,
                            col,
                            format!(
                                "appearance `{a}` is not honoured by the field app; the question \
                                 is shown without it (kept on export)"
                            ),
                        );
                    }
                }
                q.appearance = Some(v.trim().to_string());
            }
            _ => {
                unknown.warn(issues, sheet, r.row, col);
                q.extra.insert(col.clone(), v.clone());
            }
        }
    }
    range_parameters(&mut q, issues);
    Some(q)
}

/// Reads a `range` question's `parameters` into its type.
fn range_parameters(q: &mut Question, issues: &mut Issues) {
    let QuestionType::Range(p) = &mut q.kind else {
        return;
    };
    let cell = q.extra.get("parameters").map_or("", String::as_str);
    match crate::question_types::range_params(cell) {
        Ok((params, other)) => {
            *p = params;
            for k in other {
                issues.warn(
                    "survey",
                    q.row,
                    "parameters",
                    format!("range parameter `{k}` is not used by this engine; it is ignored"),
                );
            }
        }
        Err(e) => issues.push("survey", q.row, "parameters", e),
    }
}

pub(super) fn choice_row(r: &RawRow, issues: &mut Issues, unknown: &mut Unknown) -> Option<Choice> {
    let sheet = "choices";
    let mut c = Choice {
        row: r.row,
        list_name: r.get("list_name").unwrap_or("").trim().to_string(),
        name: r.get("name").unwrap_or("").trim().to_string(),
        label: Text::new(),
        extra: BTreeMap::new(),
    };
    for (col, v) in &r.cells {
        match crate::aliases::split(col) {
            ("label", lang) => set_text(&mut c.label, lang, v),
            (_, None) if col == "list_name" || col == "name" => {}
            (_, None) if valid_name(col) && crate::aliases::not_acted_on(col).is_none() => {
                c.extra.insert(col.clone(), v.clone());
            }
            // Not an attribute a `choice_filter` can name: kept for export only.
            _ => {
                unknown.warn(issues, sheet, r.row, col);
                c.extra.insert(col.clone(), v.clone());
            }
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

/// Settings this engine keeps but does not act on, and what that means for a form that sets them.
const NOT_HONOURED: &[(&str, &str)] = &[
    ("public_key", "households are not encrypted with this key"),
    (
        "submission_url",
        "households sync to the Shumari registry, not to this URL",
    ),
];

/// The settings row, with `form_id` and `version` from `defaults` when it has none.
pub(super) fn settings_row(
    r: Option<&RawRow>,
    defaults: &Defaults,
    issues: &mut Issues,
) -> Settings {
    let sheet = "settings";
    let mut s = Settings {
        form_id: String::new(),
        version: String::new(),
        default_language: None,
        form_title: None,
        extra: BTreeMap::new(),
    };
    let row = r.map_or(0, |r| r.row);
    for (col, v) in r.iter().flat_map(|r| r.cells.iter()) {
        let v = v.trim().to_string();
        match col.as_str() {
            "form_id" => s.form_id = v,
            "version" => s.version = v,
            "default_language" => s.default_language = Some(v),
            "form_title" => s.form_title = Some(v),
            known if KNOWN_SETTINGS.contains(&known) || known.starts_with("attribute::") => {
                if let Some((_, why)) = NOT_HONOURED.iter().find(|(k, _)| *k == known) {
                    issues.warn(
                        sheet,
                        row,
                        col,
                        format!("`{known}` is kept but not used: {why}"),
                    );
                }
                s.extra.insert(col.clone(), v);
            }
            _ => {
                issues.warn(
                    sheet,
                    row,
                    col,
                    format!("`{col}` is not an XLSForm setting; it is ignored (kept on export)"),
                );
                s.extra.insert(col.clone(), v);
            }
        }
    }
    if s.form_id.is_empty() {
        match &defaults.form_id {
            Some(id) => {
                s.form_id = id.clone();
                issues.warn(
                    sheet,
                    row,
                    "form_id",
                    format!("no form_id: the file's name gives `{id}`"),
                );
            }
            None => issues.push(sheet, row.max(2), "form_id", "form_id is missing"),
        }
    }
    if s.version.is_empty() {
        s.version = defaults.version.clone();
        issues.warn(
            sheet,
            row,
            "version",
            format!(
                "no version: `{}` is derived from the file's content (the first 8 hex digits of \
                 its SHA-256); set one that grows with each release so households from newer \
                 versions are told apart",
                s.version
            ),
        );
    }
    s
}

/// Which columns hold expressions, for checking.
pub(crate) fn expressions(q: &Question) -> Vec<(&'static str, &Expression)> {
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
