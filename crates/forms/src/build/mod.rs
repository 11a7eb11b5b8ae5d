//! From sheet rows to a validated [`Form`] and back.
//!
//! Every rule about columns and rows lives here, for every source format: unknown types are errors
//! naming the sheet, row and column; columns and settings the engine does not use are warnings (kept on
//! the form, written back on export), so nothing is silently skipped; every expression is parsed and
//! its `${references}` checked (they exist; a question inside a repeat is read from outside it only
//! through `count()`/`sum()`/`min()`/`max()`; `.` only in constraints; `position(..)` only inside a
//! repeat); calculations may not depend on themselves.
//!
//! - [`rows`]: one sheet row at a time (columns, types, appearances, translations, settings and
//!   their defaults).
//! - this module: the form as a whole (names, nesting of groups and repeats, per-type column rules,
//!   choice lists, the default language) and the derived [`Layout`].
//! - [`references`]: what expressions refer to, and calculation cycles.
//! - [`unbuild`]: the form back to sheet rows, for the writers.

mod nested;
mod or_other;
mod references;
mod rows;
mod unbuild;

pub(crate) use unbuild::unbuild;

use crate::error::Issues;
use crate::model::{Choice, Flag, Form, Layout, Question, QuestionType};
use crate::raw::RawForm;
use crate::source::Defaults;
use references::{calculation_cycle, check_expression, check_text_references, has_forward_refs};
pub(crate) use rows::expressions;
use rows::{choice_row, settings_row, survey_row, valid_name, Unknown};
use std::collections::HashMap;

/// Builds a form from sheet rows; `None` when there are errors (all of them are in `issues`, with
/// the warnings).
pub(crate) fn build(raw: &RawForm, defaults: &Defaults, issues: &mut Issues) -> Option<Form> {
    let settings = settings_row(raw.settings.as_ref(), defaults, issues);
    let mut unknown = Unknown::default();
    let mut survey: Vec<Question> = raw
        .survey
        .iter()
        .filter_map(|r| survey_row(r, issues, &mut unknown))
        .collect();
    let mut choices: Vec<Choice> = raw
        .choices
        .iter()
        .filter_map(|r| choice_row(r, issues, &mut unknown))
        .collect();
    or_other::expand(&mut survey, &mut choices);
    nested::flatten(&mut survey, issues);
    let duplicates_allowed = settings
        .extra
        .get("allow_choice_duplicates")
        .is_some_and(|v| rows::is_yes(v));
    if survey.is_empty() && raw.survey.is_empty() {
        issues.push("survey", 0, "", "the survey has no rows");
    }

    // Choice lists.
    let mut lists: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, c) in choices.iter().enumerate() {
        let list = lists.entry(c.list_name.clone()).or_default();
        if !duplicates_allowed && list.iter().any(|&j| choices[j].name == c.name) {
            issues.push(
                "choices",
                c.row,
                "name",
                format!(
                    "choice `{}` appears twice in list `{}`",
                    c.name, c.list_name
                ),
            );
        }
        list.push(i);
    }

    // Structure: names, nesting, per-type column rules.
    let mut layout = Layout {
        lists,
        ..Layout::default()
    };
    let mut stack: Vec<usize> = Vec::new();
    // Names in lower case: pyxform warns when two differ only in case (they clash in exports to
    // case-insensitive tools).
    let mut lower_names: HashMap<String, usize> = HashMap::new();
    for (i, q) in survey.iter().enumerate() {
        let s = "survey";
        let parent = stack.last().copied();
        let current_repeat = stack
            .iter()
            .rev()
            .find(|&&j| survey[j].kind == QuestionType::BeginRepeat)
            .copied();
        let scope = current_repeat.and_then(|j| layout.repeats.iter().position(|r| r.0 == j));
        layout.parent.push(parent);
        layout.scope.push(scope);
        match q.kind {
            QuestionType::EndGroup | QuestionType::EndRepeat => {
                let want = if q.kind == QuestionType::EndGroup {
                    QuestionType::BeginGroup
                } else {
                    QuestionType::BeginRepeat
                };
                match stack.pop() {
                    Some(j) if survey[j].kind == want => {
                        if q.kind == QuestionType::EndRepeat {
                            if let Some(r) = layout.repeats.iter_mut().find(|r| r.0 == j) {
                                r.1 = i;
                            }
                        }
                    }
                    Some(j) => {
                        issues.push(
                            s,
                            q.row,
                            "type",
                            format!(
                                "`{}` closes `{}` (row {}), which is not a {}",
                                q.kind.as_cell(),
                                survey[j].name,
                                survey[j].row,
                                if want == QuestionType::BeginGroup {
                                    "group"
                                } else {
                                    "repeat"
                                }
                            ),
                        );
                    }
                    None => issues.push(
                        s,
                        q.row,
                        "type",
                        format!("`{}` without a begin", q.kind.as_cell()),
                    ),
                }
                continue;
            }
            QuestionType::BeginRepeat => {
                if current_repeat.is_some() {
                    issues.push(s, q.row, "type", "nested repeats are not supported");
                }
                layout.repeats.push((i, i));
                stack.push(i);
            }
            QuestionType::BeginGroup => stack.push(i),
            _ => {}
        }
        if q.name.is_empty() {
            issues.push(s, q.row, "name", "the name is missing");
        } else if !valid_name(&q.name) {
            issues.push(
                s,
                q.row,
                "name",
                format!(
                    "`{}` is not a valid name (letters, digits, _ - .; not starting with a digit)",
                    q.name
                ),
            );
        } else if let Some(&j) = layout.index.get(&q.name) {
            issues.push(
                s,
                q.row,
                "name",
                format!("`{}` is already used on row {}", q.name, survey[j].row),
            );
        } else {
            if let Some(&j) = lower_names.get(&q.name.to_lowercase()) {
                issues.warn(
                    s,
                    q.row,
                    "name",
                    format!(
                        "`{}` differs only in case from `{}` on row {}",
                        q.name, survey[j].name, survey[j].row
                    ),
                );
            }
            lower_names.entry(q.name.to_lowercase()).or_insert(i);
            layout.index.insert(q.name.clone(), i);
        }
        let is_input = q.kind.is_input();
        if (is_input || q.kind == QuestionType::Note) && q.label.is_empty() {
            issues.push(s, q.row, "label", format!("`{}` has no label", q.name));
        }
        // A calculation that did not parse is already reported; it is not missing too.
        let unparsed = issues
            .errors
            .iter()
            .any(|e| e.row == q.row && e.column == "calculation");
        if q.kind == QuestionType::Calculate && q.calculation.is_none() && !unparsed {
            issues.push(s, q.row, "calculation", "a calculate needs a calculation");
        }
        // A `hidden` value may be computed (as ODK allows) or given as a `default`.
        let hidden = q.kind == QuestionType::Hidden;
        if q.kind != QuestionType::Calculate && !hidden && q.calculation.is_some() {
            issues.push(
                s,
                q.row,
                "calculation",
                "only calculate rows take a calculation",
            );
        }
        if !is_input {
            for (col, set) in [
                ("required", q.required != Flag::No),
                ("constraint", q.constraint.is_some()),
                ("default", q.default.is_some() && !hidden),
            ] {
                if set {
                    issues.push(
                        s,
                        q.row,
                        col,
                        format!("`{col}` does not apply to `{}`", q.kind.as_cell()),
                    );
                }
            }
        }
        if !q.kind.is_select() && q.choice_filter.is_some() {
            issues.push(
                s,
                q.row,
                "choice_filter",
                "choice_filter only applies to select questions",
            );
        }
        if q.kind != QuestionType::BeginRepeat && q.repeat_count.is_some() {
            issues.push(
                s,
                q.row,
                "repeat_count",
                "repeat_count only applies to begin_repeat",
            );
        }
        if let Some(list) = q.kind.list() {
            if !layout.lists.contains_key(list) {
                issues.push(
                    s,
                    q.row,
                    "type",
                    format!("choice list `{list}` is not in the choices sheet"),
                );
            }
        }
        if let Some(d) = &q.default {
            if d.contains("${") || d.contains('(') {
                issues.push(
                    s,
                    q.row,
                    "default",
                    "dynamic defaults (expressions) are not supported; give a literal value",
                );
            } else if let Err(e) = crate::typing::check_literal(&q.kind, d) {
                issues.push(s, q.row, "default", e);
            }
        }
    }
    for &j in stack.iter().rev() {
        issues.push(
            "survey",
            survey[j].row,
            "type",
            format!("`{}` is never closed", survey[j].name),
        );
    }

    // Expressions: references and contexts.
    for (i, q) in survey.iter().enumerate() {
        for (col, e) in expressions(q) {
            check_expression(&survey, &choices, &layout, i, col, e, issues);
        }
    }
    check_text_references(&survey, &layout, issues);

    // Default language must be one the form uses.
    let form = Form {
        settings,
        survey,
        choices,
        other_sheets: raw.other_sheets.clone(),
        attachments: Default::default(),
        layout,
    };
    if let Some(d) = &form.settings.default_language {
        let langs = form.languages();
        // A plain `label` column is in the default language, as in pyxform.
        if !langs
            .iter()
            .any(|l| l == d || l.is_empty() || crate::model::lang_matches(l, d))
        {
            issues.push(
                "settings",
                raw.settings.as_ref().map_or(2, |r| r.row),
                "default_language",
                format!(
                    "`{d}` is not a language of this form (columns use: {})",
                    langs
                        .iter()
                        .filter(|l| !l.is_empty())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    crate::languages::warn_other_languages(&form, issues);
    let mut form = form;
    if issues.errors.is_empty() {
        if let Some(msg) = calculation_cycle(&form) {
            issues.push("survey", msg.0, "calculation", msg.1);
        }
        form.layout.forward_refs = has_forward_refs(&form);
        form.layout.file_choices = crate::attachments::file_choices(&form);
    }
    issues.errors.is_empty().then_some(form)
}
