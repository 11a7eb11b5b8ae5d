//! Judging one evaluated household, row by row: what is missing, what breaks its question's type,
//! choices or constraint, what the form calculates, and answers the form does not know.
//!
//! Both [`Form::validate`] (one language) and [`Form::evaluate`] (every language of the form) walk the
//! form with the same [`Checker`], so a household is judged by one set of rules whatever asks. Each
//! message is rendered once per requested language as a [`Text`] (language key to message): the form's
//! own `required_message`/`constraint_message` in that language when it has one, the engine's default
//! ([`crate::messages`]) otherwise.

use crate::expr::{eval, XValue};
use crate::instance::{Instance, MEMBER_CORE};
use crate::messages;
use crate::model::{Flag, Form, Question, QuestionType, Text};
use crate::state::{instance_rows, Ctx, State};
use crate::typing::{is_blank, typed, TypeProblem};
use chrono::NaiveDate;
use serde_json::Value;
use std::collections::BTreeMap;

/// A place in the form: a household-level row, or `(repeat ordinal, row index)` inside a repeat.
pub(crate) type At = Option<(usize, usize)>;

/// One finding before it is shaped for a caller.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub path: String,
    pub question: String,
    pub message: Text,
}

/// What a walk over the form found.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub missing: Vec<Found>,
    pub invalid: Vec<Found>,
    pub unknown: Vec<Found>,
    pub calculated: BTreeMap<String, Value>,
    /// Paths of the relevant inputs, in document order.
    pub relevant: Vec<String>,
}

/// A calculation's result as JSON: numbers for numeric text, text otherwise. Only text that reads
/// as a plain number is a number: a date such as `2024-06-01` (digits and dashes too) stays text,
/// where XPath's `number()` would have made it a count of days.
fn calc_json(v: &XValue) -> Value {
    match v {
        XValue::Str(s) => {
            let numeric = s
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.');
            match s.parse::<f64>() {
                Ok(n) if numeric && n.is_finite() => XValue::Num(n).to_json(),
                _ => Value::String(s.clone()),
            }
        }
        other => other.to_json(),
    }
}

/// Calls `f` for every survey row at every place it is asked, in document order (a repeat's body once
/// per row of that repeat).
pub(crate) fn walk(form: &Form, state: &State, mut f: impl FnMut(usize, At)) {
    let mut i = 0;
    while i < form.survey.len() {
        f(i, None);
        if form.survey[i].kind == QuestionType::BeginRepeat {
            let r = form.repeat_ordinal(i);
            let end = form.layout.repeats[r].1;
            for k in 0..state.rows[r].len() {
                for j in i + 1..end {
                    f(j, Some((r, k)));
                }
            }
            i = end;
        }
        i += 1;
    }
}

pub(crate) struct Checker<'a> {
    pub form: &'a Form,
    pub inst: &'a Instance,
    pub state: &'a State,
    pub today: NaiveDate,
    /// The language expressions see (what a choice's `label` reads as in a `choice_filter`).
    pub lang: &'a str,
    /// The languages messages are rendered in.
    pub langs: &'a [String],
}

impl<'a> Checker<'a> {
    pub fn ctx(&self, row: At, current: Option<&'a XValue>) -> Ctx<'a> {
        Ctx {
            form: self.form,
            state: self.state,
            row,
            current,
            choice: None,
            today: self.today,
            lang: self.lang,
        }
    }

    /// A `required`/`read_only` flag in context.
    pub fn flag(&self, f: &Flag, row: At) -> bool {
        match f {
            Flag::No => false,
            Flag::Yes => true,
            Flag::If(e) => eval(&e.ast, &self.ctx(row, None)).to_bool(),
        }
    }

    /// A message in every requested language.
    fn render(&self, message: impl Fn(&str) -> String) -> Text {
        self.langs.iter().map(|l| (l.clone(), message(l))).collect()
    }

    /// The form's text `t` where it has one, else the engine's default, in every requested language.
    fn form_message(&self, t: &Text, default: fn(&str) -> String) -> Text {
        self.render(|l| {
            self.form
                .text(t, l)
                .map_or_else(|| default(l), str::to_string)
        })
    }

    /// Checks a non-blank answer: type, choice membership, constraint.
    pub fn check_answer(&self, i: usize, row: At, v: &Value) -> Option<Text> {
        let q = &self.form.survey[i];
        let typed_v = match typed(&q.kind, v) {
            Ok(t) => t,
            Err(p) => return Some(self.render(|l| messages::type_problem(&p, l))),
        };
        if self.form.has_choice_list(q) {
            let text = typed_v.as_text();
            for item in text.split_whitespace() {
                if !self.choice_allowed(q, item, row) {
                    let p = TypeProblem::NotChoice(item.to_string());
                    return Some(self.render(|l| messages::type_problem(&p, l)));
                }
            }
        }
        if let Some(p) = q.preset {
            let ctx = self.ctx(row, Some(&typed_v));
            if !eval(&p.expression().ast, &ctx).to_bool() {
                return Some(self.render(|l| {
                    self.form
                        .text(&q.constraint_message, l)
                        .map_or_else(|| crate::messages::preset(p, l), str::to_string)
                }));
            }
        }
        if let Some(c) = &q.constraint {
            let ctx = self.ctx(row, Some(&typed_v));
            if !eval(&c.ast, &ctx).to_bool() {
                return Some(self.form_message(&q.constraint_message, messages::constraint));
            }
        }
        None
    }

    fn choice_allowed(&self, q: &Question, item: &str, row: At) -> bool {
        self.form
            .choices_for(q)
            .find(|c| c.name == item)
            .is_some_and(|c| self.offers(q, c, row))
    }

    /// Whether the question's `choice_filter` (if any) keeps `choice` at this place.
    pub fn offers(&self, q: &Question, choice: &crate::model::Choice, row: At) -> bool {
        match &q.choice_filter {
            None => true,
            Some(f) => {
                let mut ctx = self.ctx(row, None);
                ctx.choice = Some(choice);
                eval(&f.ast, &ctx).to_bool()
            }
        }
    }

    pub fn path(&self, i: usize, row: At) -> String {
        let name = &self.form.survey[i].name;
        match row {
            None => self.inst.household_path(name),
            Some((r, k)) => {
                let rows = instance_rows(self.form, self.inst, r);
                let repeat = &self.form.survey[self.form.layout.repeats[r].0].name;
                Instance::row_path(repeat, &rows[k], name)
            }
        }
    }

    fn answer(&self, i: usize, row: At) -> Option<&'a Value> {
        let name = &self.form.survey[i].name;
        match row {
            None => self.inst.answers.get(name),
            Some((r, k)) => instance_rows(self.form, self.inst, r)
                .get(k)?
                .answers
                .get(name),
        }
    }

    /// Whether the row is relevant at this place (itself and every enclosing group or repeat).
    pub fn relevant(&self, i: usize, row: At) -> bool {
        match row {
            None => self.state.hh.rel[i],
            Some((r, k)) => self.state.rows[r][k].rel[i],
        }
    }

    /// Judges one row at one place.
    pub fn item(&self, i: usize, row: At, out: &mut Findings) {
        let q = &self.form.survey[i];
        if !self.relevant(i, row) {
            return;
        }
        if q.kind == QuestionType::Calculate {
            let v = match row {
                None => &self.state.hh.vals[i],
                Some((r, k)) => &self.state.rows[r][k].vals[i],
            };
            out.calculated.insert(self.path(i, row), calc_json(v));
            return;
        }
        if q.kind == QuestionType::BeginRepeat {
            if let Some(rc) = &q.repeat_count {
                let want = eval(&rc.ast, &self.ctx(row, None)).to_num();
                let got = self.state.rows[self.form.repeat_ordinal(i)].len();
                if want.is_finite() && want != got as f64 {
                    out.invalid.push(Found {
                        path: q.name.clone(),
                        question: q.name.clone(),
                        message: self.render(|l| messages::repeat_count(want, got, l)),
                    });
                }
            }
            return;
        }
        if !q.kind.is_input() {
            return;
        }
        let path = self.path(i, row);
        match self.answer(i, row).filter(|v| !is_blank(v)) {
            None => {
                if self.flag(&q.required, row) && !self.flag(&q.read_only, row) {
                    out.missing.push(Found {
                        path: path.clone(),
                        question: q.name.clone(),
                        message: self.form_message(&q.required_message, messages::required),
                    });
                }
            }
            Some(v) => {
                if let Some(message) = self.check_answer(i, row, v) {
                    out.invalid.push(Found {
                        path: path.clone(),
                        question: q.name.clone(),
                        message,
                    });
                }
            }
        }
        out.relevant.push(path);
    }

    /// Answers to questions this form version does not have (kept, reported).
    pub fn unknown(&self, out: &mut Findings) {
        let known = |name: &str, scope: Option<usize>| {
            self.form.layout.index.get(name).is_some_and(|&i| {
                self.form.layout.scope[i] == scope && self.form.survey[i].kind.has_value()
            })
        };
        let message = self.render(messages::unknown_question);
        for name in self.inst.answers.keys() {
            if !known(name, None) && !self.inst.top_level.contains(name) {
                out.unknown.push(Found {
                    path: self.inst.household_path(name),
                    question: name.clone(),
                    message: message.clone(),
                });
            }
        }
        for (repeat, rows) in &self.inst.repeats {
            let r = self
                .form
                .layout
                .repeats
                .iter()
                .position(|x| self.form.survey[x.0].name == *repeat);
            for row in rows {
                for name in row.answers.keys() {
                    let core = repeat == "members" && MEMBER_CORE.contains(&name.as_str());
                    if r.is_none() || !(known(name, r) || core) {
                        out.unknown.push(Found {
                            path: Instance::row_path(repeat, row, name),
                            question: name.clone(),
                            message: message.clone(),
                        });
                    }
                }
            }
        }
    }

    /// Walks the whole form.
    pub fn run(&self) -> Findings {
        let mut out = Findings::default();
        walk(self.form, self.state, |i, row| self.item(i, row, &mut out));
        self.unknown(&mut out);
        out
    }
}
