//! Validation of a whole household, and the check of one write.
//!
//! Missing answers never block saving: an incomplete household is a draft and [`Validation::missing`]
//! lists what is left. A value that breaks its question's type or constraint is refused when written
//! ([`Form::check_value`]). Marking a household complete requires [`Validation::is_complete`].

use crate::error::FormError;
use crate::expr::{eval, XValue};
use crate::instance::{Instance, MEMBER_CORE};
use crate::messages;
use crate::model::{Flag, Form, Question, QuestionType};
use crate::state::{evaluate, instance_rows, Ctx, State};
use crate::typing::{is_blank, typed, TypeProblem};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One finding about one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// `answers.rooms`, `area`, `members.<member id>.id_number`.
    pub path: String,
    /// The question name.
    pub question: String,
    /// The message, in the requested language.
    pub message: String,
}

/// The result of validating a household.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validation {
    /// The form id validated against.
    pub form_id: String,
    /// The form version validated against.
    pub form_version: String,
    /// The version the household was filled with, when recorded.
    pub recorded_version: Option<String>,
    /// Required, relevant and empty.
    pub missing: Vec<Issue>,
    /// Constraint failures and type errors.
    pub invalid: Vec<Issue>,
    /// Answers to questions this form version does not have (kept, not dropped).
    pub unknown: Vec<Issue>,
    /// Calculated values by path.
    pub calculated: BTreeMap<String, Value>,
    /// Paths of the questions that are relevant (asked) for this household.
    pub relevant: Vec<String>,
}

impl Validation {
    /// Whether the household may be marked complete: nothing missing, nothing invalid.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.invalid.is_empty()
    }
}

fn calc_json(v: &XValue) -> Value {
    match v {
        XValue::Str(s) => {
            let n = crate::expr::XValue::Str(s.clone()).to_num();
            if !s.is_empty()
                && n.is_finite()
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.')
            {
                XValue::Num(n).to_json()
            } else {
                Value::String(s.clone())
            }
        }
        other => other.to_json(),
    }
}

fn version_key(v: &str) -> Vec<u64> {
    v.split(['.', '-', '_'])
        .map(|p| p.parse::<u64>().unwrap_or(0))
        .collect()
}

/// Compares form versions: numerically part by part when they are numbers (`2` < `10`, `1.2` < `1.10`),
/// as text otherwise.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let numeric = |s: &str| s.split(['.', '-', '_']).all(|p| p.parse::<u64>().is_ok());
    if numeric(a) && numeric(b) {
        version_key(a).cmp(&version_key(b))
    } else {
        a.cmp(b)
    }
}

struct Checker<'a> {
    form: &'a Form,
    inst: &'a Instance,
    state: &'a State,
    today: NaiveDate,
    lang: &'a str,
}

impl<'a> Checker<'a> {
    fn ctx(&self, row: Option<(usize, usize)>, current: Option<&'a XValue>) -> Ctx<'a> {
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

    fn flag(&self, f: &Flag, row: Option<(usize, usize)>) -> bool {
        match f {
            Flag::No => false,
            Flag::Yes => true,
            Flag::If(e) => eval(&e.ast, &self.ctx(row, None)).to_bool(),
        }
    }

    fn message(&self, t: &crate::model::Text, fallback: String) -> String {
        self.form
            .text(t, self.lang)
            .map_or(fallback, str::to_string)
    }

    /// Checks a non-blank answer: type, choice membership, constraint.
    fn check_answer(&self, i: usize, row: Option<(usize, usize)>, v: &Value) -> Option<String> {
        let q = &self.form.survey[i];
        let typed_v = match typed(&q.kind, v) {
            Ok(t) => t,
            Err(p) => return Some(messages::type_problem(&p, self.lang)),
        };
        if let Some(list) = q.kind.list() {
            let text = typed_v.as_text();
            for item in text.split_whitespace() {
                if !self.choice_allowed(q, list, item, row) {
                    return Some(messages::type_problem(
                        &TypeProblem::NotChoice(item.to_string()),
                        self.lang,
                    ));
                }
            }
        }
        if let Some(c) = &q.constraint {
            let ctx = self.ctx(row, Some(&typed_v));
            if !eval(&c.ast, &ctx).to_bool() {
                return Some(self.message(&q.constraint_message, messages::constraint(self.lang)));
            }
        }
        None
    }

    fn choice_allowed(
        &self,
        q: &Question,
        list: &str,
        item: &str,
        row: Option<(usize, usize)>,
    ) -> bool {
        let Some(choice) = self.form.choices_of(list).find(|c| c.name == item) else {
            return false;
        };
        match &q.choice_filter {
            None => true,
            Some(f) => {
                let mut ctx = self.ctx(row, None);
                ctx.choice = Some(choice);
                eval(&f.ast, &ctx).to_bool()
            }
        }
    }

    fn path(&self, i: usize, row: Option<(usize, usize)>) -> String {
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

    fn answer(&self, i: usize, row: Option<(usize, usize)>) -> Option<&'a Value> {
        let name = &self.form.survey[i].name;
        match row {
            None => self.inst.answers.get(name),
            Some((r, k)) => instance_rows(self.form, self.inst, r)
                .get(k)?
                .answers
                .get(name),
        }
    }

    fn frame_rel(&self, i: usize, row: Option<(usize, usize)>) -> bool {
        match row {
            None => self.state.hh.rel[i],
            Some((r, k)) => self.state.rows[r][k].rel[i],
        }
    }

    fn item(&self, i: usize, row: Option<(usize, usize)>, out: &mut Validation) {
        let q = &self.form.survey[i];
        if !self.frame_rel(i, row) {
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
                let r = self
                    .form
                    .layout
                    .repeats
                    .iter()
                    .position(|x| x.0 == i)
                    .unwrap_or(0);
                let got = self.state.rows[r].len();
                if want.is_finite() && want != got as f64 {
                    out.invalid.push(Issue {
                        path: q.name.clone(),
                        question: q.name.clone(),
                        message: messages::repeat_count(want, got, self.lang),
                    });
                }
            }
            return;
        }
        if !q.kind.is_input() {
            return;
        }
        let path = self.path(i, row);
        let answer = self.answer(i, row).filter(|v| !is_blank(v));
        match answer {
            None => {
                if self.flag(&q.required, row) && !self.flag(&q.read_only, row) {
                    out.missing.push(Issue {
                        path: path.clone(),
                        question: q.name.clone(),
                        message: self.message(&q.required_message, messages::required(self.lang)),
                    });
                }
            }
            Some(v) => {
                if let Some(message) = self.check_answer(i, row, v) {
                    out.invalid.push(Issue {
                        path: path.clone(),
                        question: q.name.clone(),
                        message,
                    });
                }
            }
        }
        out.relevant.push(path);
    }

    fn unknown(&self, out: &mut Validation) {
        let known = |name: &str, scope: Option<usize>| {
            self.form.layout.index.get(name).is_some_and(|&i| {
                self.form.layout.scope[i] == scope && self.form.survey[i].kind.has_value()
            })
        };
        for name in self.inst.answers.keys() {
            if !known(name, None) && !self.inst.top_level.contains(name) {
                out.unknown.push(Issue {
                    path: self.inst.household_path(name),
                    question: name.clone(),
                    message: messages::unknown_question(self.lang),
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
                        out.unknown.push(Issue {
                            path: Instance::row_path(repeat, row, name),
                            question: name.clone(),
                            message: messages::unknown_question(self.lang),
                        });
                    }
                }
            }
        }
    }
}

impl Form {
    /// Checks that a household filled with `instance.form_id`/`form_version` can be opened with this
    /// form: same form id (when recorded) and a version not newer than this one. Answers to questions
    /// this version no longer has are kept and reported by [`Form::validate`] as `unknown`.
    pub fn open(&self, instance: &Instance) -> Result<(), FormError> {
        if let Some(id) = &instance.form_id {
            if *id != self.settings.form_id {
                return Err(FormError::Version(format!(
                    "the household was filled with form `{id}`, not `{}`",
                    self.settings.form_id
                )));
            }
        }
        if let Some(v) = &instance.form_version {
            if compare_versions(v, &self.settings.version) == std::cmp::Ordering::Greater {
                return Err(FormError::Version(format!(
                    "the household was filled with version {v} of `{}`, newer than this version ({})",
                    self.settings.form_id, self.settings.version
                )));
            }
        }
        Ok(())
    }

    /// Validates a household: relevance, required answers, types, constraints, calculations.
    pub fn validate(&self, instance: &Instance, lang: &str, today: NaiveDate) -> Validation {
        let state = evaluate(self, instance, today, lang);
        let checker = Checker {
            form: self,
            inst: instance,
            state: &state,
            today,
            lang,
        };
        let mut out = Validation {
            form_id: self.settings.form_id.clone(),
            form_version: self.settings.version.clone(),
            recorded_version: instance.form_version.clone(),
            missing: Vec::new(),
            invalid: Vec::new(),
            unknown: Vec::new(),
            calculated: BTreeMap::new(),
            relevant: Vec::new(),
        };
        let mut i = 0;
        while i < self.survey.len() {
            checker.item(i, None, &mut out);
            if self.survey[i].kind == QuestionType::BeginRepeat {
                let r = self
                    .layout
                    .repeats
                    .iter()
                    .position(|x| x.0 == i)
                    .unwrap_or(0);
                let end = self.layout.repeats[r].1;
                for k in 0..state.rows[r].len() {
                    for j in i + 1..end {
                        checker.item(j, Some((r, k)), &mut out);
                    }
                }
                i = end;
            }
            i += 1;
        }
        checker.unknown(&mut out);
        out
    }

    /// Checks one value about to be written at `path` (`answers.rooms`, `members.<id>.id_number`):
    /// the question exists, may be written, and the value fits its type, choices and constraint (in the
    /// context of the rest of the household). An empty value is always accepted (drafts may be
    /// incomplete).
    pub fn check_value(
        &self,
        instance: &Instance,
        path: &str,
        value: &Value,
        lang: &str,
        today: NaiveDate,
    ) -> Result<(), Vec<Issue>> {
        let fail = |question: &str, message: String| {
            Err(vec![Issue {
                path: path.to_string(),
                question: question.to_string(),
                message,
            }])
        };
        let (at, name) = match instance.locate(path) {
            Ok(x) => x,
            Err(e) => return fail("", e.to_string()),
        };
        let Some(&i) = self.layout.index.get(&name) else {
            return fail(
                &name,
                messages::unknown_question(lang).replace("; the answer is kept", ""),
            );
        };
        let q = &self.survey[i];
        let row = match (&at, self.layout.scope[i]) {
            (None, None) => None,
            (Some((repeat, k)), Some(r))
                if self.survey[self.layout.repeats[r].0].name == *repeat =>
            {
                Some((r, *k))
            }
            _ => {
                return fail(
                    &name,
                    format!("`{name}` is not asked at this level of the form"),
                )
            }
        };
        if !q.kind.is_input() {
            return fail(&name, messages::not_writable(&q.kind.as_cell(), lang));
        }
        if q.read_only == Flag::Yes {
            return fail(&name, messages::not_writable("read_only question", lang));
        }
        if is_blank(value) {
            return Ok(());
        }
        if let Err(p) = typed(&q.kind, value) {
            return fail(&name, messages::type_problem(&p, lang));
        }
        let mut after = instance.clone();
        if let Err(e) = after.set(path, value.clone()) {
            return fail(&name, e.to_string());
        }
        let state = evaluate(self, &after, today, lang);
        let checker = Checker {
            form: self,
            inst: &after,
            state: &state,
            today,
            lang,
        };
        match checker.check_answer(i, row, value) {
            Some(message) => fail(&name, message),
            None => Ok(()),
        }
    }
}
