//! From sheet rows to a validated [`Form`] and back.
//!
//! Every rule about columns and rows lives here, for both source formats: unknown columns and types are
//! errors naming the sheet, row and column (nothing is silently skipped); every expression is parsed and
//! its `${references}` checked (they exist; a question inside a repeat is read from outside it only
//! through `count()`/`sum()`/`min()`/`max()`; `.` only in constraints; `position(..)` only inside a
//! repeat); calculations may not depend on themselves.

use crate::error::FormIssue;
use crate::expr::{Expr, Expression, Func};
use crate::model::{Choice, Flag, Form, Layout, Question, QuestionType, Settings, Text};
use crate::raw::{RawForm, RawRow, CHOICES_ORDER, SETTINGS_ORDER, SURVEY_ORDER};
use std::collections::{BTreeMap, HashMap, HashSet};

const TRANSLATABLE: &[&str] = &["label", "hint", "required_message", "constraint_message"];

/// Appearances the engine knows (others are refused so that a typo is not silently ignored).
pub(crate) const APPEARANCES: &[&str] = &[
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

fn valid_name(s: &str) -> bool {
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

struct Issues(Vec<FormIssue>);

impl Issues {
    fn push(&mut self, sheet: &str, row: usize, col: &str, msg: impl Into<String>) {
        self.0.push(FormIssue::new(sheet, row, col, msg));
    }
}

fn set_text(t: &mut Text, lang: Option<&str>, v: &str) {
    t.insert(lang.unwrap_or("").to_string(), v.to_string());
}

fn survey_row(r: &RawRow, issues: &mut Issues) -> Option<Question> {
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

fn choice_row(r: &RawRow, issues: &mut Issues) -> Option<Choice> {
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

fn settings_row(r: Option<&RawRow>, issues: &mut Issues) -> Settings {
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
fn expressions(q: &Question) -> Vec<(&'static str, &Expression)> {
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

/// Builds a form from sheet rows, or lists every problem.
pub(crate) fn build(raw: &RawForm) -> Result<Form, Vec<FormIssue>> {
    let mut issues = Issues(Vec::new());
    let settings = settings_row(raw.settings.as_ref(), &mut issues);
    let survey: Vec<Question> = raw
        .survey
        .iter()
        .filter_map(|r| survey_row(r, &mut issues))
        .collect();
    let choices: Vec<Choice> = raw
        .choices
        .iter()
        .filter_map(|r| choice_row(r, &mut issues))
        .collect();
    if survey.is_empty() && raw.survey.is_empty() {
        issues.push("survey", 0, "", "the survey has no rows");
    }

    // Choice lists.
    let mut lists: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, c) in choices.iter().enumerate() {
        let list = lists.entry(c.list_name.clone()).or_default();
        if list.iter().any(|&j| choices[j].name == c.name) {
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
            layout.index.insert(q.name.clone(), i);
        }
        let is_input = q.kind.is_input();
        if (is_input || q.kind == QuestionType::Note) && q.label.is_empty() {
            issues.push(s, q.row, "label", format!("`{}` has no label", q.name));
        }
        if q.kind == QuestionType::Calculate && q.calculation.is_none() {
            issues.push(s, q.row, "calculation", "a calculate needs a calculation");
        }
        if q.kind != QuestionType::Calculate && q.calculation.is_some() {
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
                ("default", q.default.is_some()),
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
        if q.kind.list().is_none() && q.choice_filter.is_some() {
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
            check_expression(&survey, &choices, &layout, i, col, e, &mut issues);
        }
    }

    // Default language must be one the form uses.
    let form = Form {
        settings,
        survey,
        choices,
        layout,
    };
    if let Some(d) = &form.settings.default_language {
        let langs = form.languages();
        // A plain `label` column is in the default language, as in pyxform.
        if !langs.iter().any(|l| l == d || l.is_empty()) {
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
    let mut form = form;
    if issues.0.is_empty() {
        if let Some(msg) = calculation_cycle(&form) {
            issues.push("survey", msg.0, "calculation", msg.1);
        }
        form.layout.forward_refs = has_forward_refs(&form);
    }
    if issues.0.is_empty() {
        Ok(form)
    } else {
        Err(issues.0)
    }
}

#[allow(clippy::too_many_arguments)]
fn check_expression(
    survey: &[Question],
    choices: &[Choice],
    layout: &Layout,
    at: usize,
    col: &str,
    e: &Expression,
    issues: &mut Issues,
) {
    let q = &survey[at];
    let row = q.row;
    // The context an expression is evaluated in: a repeat's own relevance and count are evaluated
    // outside it.
    let scope = layout.scope[at];
    for (name, in_agg) in e.references() {
        let Some(&j) = layout.index.get(name) else {
            issues.push(
                "survey",
                row,
                col,
                format!("`${{{name}}}` refers to no question of this form"),
            );
            continue;
        };
        let target = &survey[j];
        let target_scope = if target.kind == QuestionType::BeginRepeat {
            layout.repeats.iter().position(|r| r.0 == j)
        } else {
            layout.scope[j]
        };
        if target.kind == QuestionType::BeginGroup {
            issues.push(
                "survey",
                row,
                col,
                format!("`${{{name}}}` is a group, which has no value"),
            );
            continue;
        }
        if target.kind == QuestionType::BeginRepeat && !in_agg {
            issues.push(
                "survey",
                row,
                col,
                format!("`${{{name}}}` is a repeat; use count(${{{name}}})"),
            );
            continue;
        }
        if target_scope.is_some() && target_scope != scope && !in_agg {
            issues.push(
                "survey",
                row,
                col,
                format!("`${{{name}}}` is inside repeat `{}`; from outside it use count(), sum(), min() or max()", survey[layout.repeats[target_scope.unwrap_or(0)].0].name),
            );
        }
    }
    let mut problems: Vec<String> = Vec::new();
    e.ast.any(&mut |x| {
        match x {
            Expr::Current if col != "constraint" => {
                problems.push("`.` (this question's value) is only available in constraint".into())
            }
            Expr::Call(Func::Position, _) if scope.is_none() => {
                problems.push("position(..) is only available inside a repeat".into())
            }
            Expr::ChoiceColumn(c) => {
                if col != "choice_filter" {
                    problems.push(format!("bare name `{c}`: refer to questions as ${{{c}}}"));
                } else if let Some(list) = q.kind.list() {
                    let known = c == "name"
                        || c == "label"
                        || choices
                            .iter()
                            .any(|ch| ch.list_name == list && ch.extra.contains_key(c.as_str()));
                    if !known {
                        problems.push(format!("`{c}` is not a column of choice list `{list}`"));
                    }
                }
            }
            _ => {}
        }
        false
    });
    for p in problems {
        issues.push("survey", row, col, format!("`{}`: {p}", e.source));
    }
}

fn all_refs(q: &Question) -> Vec<&str> {
    expressions(q)
        .into_iter()
        .flat_map(|(_, e)| e.references().into_iter().map(|(n, _)| n))
        .collect()
}

fn has_forward_refs(form: &Form) -> bool {
    form.survey.iter().enumerate().any(|(i, q)| {
        all_refs(q)
            .iter()
            .any(|n| form.layout.index.get(*n).is_some_and(|&j| j > i))
    })
}

/// A calculation that depends on itself, as (row, message).
fn calculation_cycle(form: &Form) -> Option<(usize, String)> {
    let calcs: HashMap<&str, Vec<&str>> = form
        .survey
        .iter()
        .filter_map(|q| {
            let c = q.calculation.as_ref()?;
            Some((
                q.name.as_str(),
                c.references().into_iter().map(|(n, _)| n).collect(),
            ))
        })
        .collect();
    fn visit<'a>(
        n: &'a str,
        calcs: &HashMap<&'a str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut HashSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(p) = path.iter().position(|x| *x == n) {
            let mut cycle = path[p..].to_vec();
            cycle.push(n);
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n);
        for d in calcs.get(n).into_iter().flatten() {
            if calcs.contains_key(d) {
                if let Some(c) = visit(d, calcs, path, done) {
                    return Some(c);
                }
            }
        }
        path.pop();
        done.insert(n);
        None
    }
    let mut done = HashSet::new();
    for q in &form.survey {
        if calcs.contains_key(q.name.as_str()) {
            if let Some(c) = visit(q.name.as_str(), &calcs, &mut Vec::new(), &mut done) {
                return Some((
                    q.row,
                    format!(
                        "calculations depend on each other in a circle: {}",
                        c.join(" → ")
                    ),
                ));
            }
        }
    }
    None
}

fn put_text(cells: &mut Vec<(String, String)>, base: &str, t: &Text) {
    for (lang, v) in t {
        let col = if lang.is_empty() {
            base.to_string()
        } else {
            format!("{base}::{lang}")
        };
        cells.push((col, v.clone()));
    }
}

fn put_flag(cells: &mut Vec<(String, String)>, col: &str, f: &Flag) {
    match f {
        Flag::No => {}
        Flag::Yes => cells.push((col.into(), "yes".into())),
        Flag::If(e) => cells.push((col.into(), e.source.clone())),
    }
}

/// The form as sheet rows, for the writers.
pub(crate) fn unbuild(form: &Form) -> RawForm {
    let survey = form
        .survey
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let mut cells = vec![("type".to_string(), q.kind.as_cell())];
            if !q.name.is_empty() {
                cells.push(("name".into(), q.name.clone()));
            }
            put_text(&mut cells, "label", &q.label);
            put_text(&mut cells, "hint", &q.hint);
            put_flag(&mut cells, "required", &q.required);
            put_text(&mut cells, "required_message", &q.required_message);
            for (col, e) in [("relevant", &q.relevant), ("constraint", &q.constraint)] {
                if let Some(e) = e {
                    cells.push((col.into(), e.source.clone()));
                }
            }
            put_text(&mut cells, "constraint_message", &q.constraint_message);
            if let Some(e) = &q.calculation {
                cells.push(("calculation".into(), e.source.clone()));
            }
            if let Some(d) = &q.default {
                cells.push(("default".into(), d.clone()));
            }
            if let Some(e) = &q.choice_filter {
                cells.push(("choice_filter".into(), e.source.clone()));
            }
            put_flag(&mut cells, "read_only", &q.read_only);
            if let Some(e) = &q.repeat_count {
                cells.push(("repeat_count".into(), e.source.clone()));
            }
            if let Some(a) = &q.appearance {
                cells.push(("appearance".into(), a.clone()));
            }
            debug_assert!(cells
                .iter()
                .all(|(c, _)| SURVEY_ORDER.contains(&c.split("::").next().unwrap_or(c))));
            RawRow { row: i + 2, cells }
        })
        .collect();
    let choices = form
        .choices
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut cells = vec![
                ("list_name".to_string(), c.list_name.clone()),
                ("name".to_string(), c.name.clone()),
            ];
            put_text(&mut cells, "label", &c.label);
            for (k, v) in &c.extra {
                cells.push((k.clone(), v.clone()));
            }
            debug_assert!(CHOICES_ORDER.len() == 3);
            RawRow { row: i + 2, cells }
        })
        .collect();
    let s = &form.settings;
    let mut cells = vec![
        ("form_id".to_string(), s.form_id.clone()),
        ("version".to_string(), s.version.clone()),
    ];
    if let Some(d) = &s.default_language {
        cells.push(("default_language".into(), d.clone()));
    }
    if let Some(t) = &s.form_title {
        cells.push(("form_title".into(), t.clone()));
    }
    debug_assert!(cells
        .iter()
        .all(|(c, _)| SETTINGS_ORDER.contains(&c.as_str())));
    RawForm {
        survey,
        choices,
        settings: Some(RawRow { row: 2, cells }),
    }
}
