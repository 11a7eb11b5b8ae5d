//! What expressions refer to: every `${name}` exists and is readable from where the expression is
//! evaluated, and no calculation depends on itself.

use super::rows::expressions;
use super::Issues;
use crate::expr::{Expr, Expression, Func};
use crate::model::{Choice, Form, Layout, Question, QuestionType};
use std::collections::{HashMap, HashSet};

/// Checks the expression in column `col` of survey row `at`: its references and the contexts its
/// functions need.
#[allow(clippy::too_many_arguments)]
pub(super) fn check_expression(
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
        // A repeat inside a repeat loads as a group (see `build::nested`); in `count()` or
        // `indexed-repeat()` it counts as one row.
        if target.nested_repeat && in_agg {
            continue;
        }
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

/// Whether some expression refers to a question further down (evaluation then repeats until values
/// settle).
pub(super) fn has_forward_refs(form: &Form) -> bool {
    form.survey.iter().enumerate().any(|(i, q)| {
        all_refs(q)
            .iter()
            .any(|n| form.layout.index.get(*n).is_some_and(|&j| j > i))
    })
}

/// A calculation that depends on itself, as (row, message).
pub(super) fn calculation_cycle(form: &Form) -> Option<(usize, String)> {
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

/// Checks the `${name}`s written in texts (labels, hints and messages, in every language): each
/// names a question, as pyxform requires of the references it turns into `<output>`s.
pub(super) fn check_text_references(survey: &[Question], layout: &Layout, issues: &mut Issues) {
    for q in survey {
        let texts = [
            ("label", &q.label),
            ("hint", &q.hint),
            ("constraint_message", &q.constraint_message),
            ("required_message", &q.required_message),
        ];
        for (base, text) in texts {
            for (lang, t) in text {
                let col = if lang.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}::{lang}")
                };
                let mut rest = t.as_str();
                while let Some(start) = rest.find("${") {
                    let after = &rest[start + 2..];
                    let Some(end) = after.find('}') else { break };
                    let name = after[..end].trim();
                    if !layout.index.contains_key(name) {
                        issues.push(
                            "survey",
                            q.row,
                            &col,
                            format!("`${{{name}}}` refers to no question of this form"),
                        );
                    }
                    rest = &after[end + 1..];
                }
            }
        }
    }
}
