//! Evaluating a form against an instance: relevance and calculated values for every question in every
//! repeat row.
//!
//! Questions are visited in document order (a repeat's body once per row). A question that is not
//! relevant (itself, or an enclosing group/repeat) reads as empty in every expression, as in ODK, but
//! its stored answer is untouched. When some expression refers to a question further down, the pass is
//! repeated until nothing changes (bounded; calculation cycles are refused when the form loads).

use crate::expr::{eval, Env, XValue};
use crate::instance::{Instance, Row};
use crate::model::{Choice, Form, Meta, QuestionType};
use crate::typing::{is_blank, typed};
use chrono::NaiveDate;

/// Values and relevance for one context (the household, or one repeat row); indexed like `survey`.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// The typed answers as given (empty when absent; raw text when the type is wrong).
    pub raw: Vec<XValue>,
    /// What expressions see: empty when not relevant, the result for calculates.
    pub vals: Vec<XValue>,
    /// Whether each row is relevant.
    pub rel: Vec<bool>,
}

#[derive(Debug, Clone)]
pub(crate) struct State {
    /// What `uuid()` and `random()` derive from: the household's id hashed (0 without one).
    pub seed: u64,
    pub hh: Frame,
    /// Per repeat ordinal, the frames of its rows.
    pub rows: Vec<Vec<Frame>>,
}

pub(crate) struct Ctx<'a> {
    pub form: &'a Form,
    pub state: &'a State,
    pub row: Option<(usize, usize)>,
    pub current: Option<&'a XValue>,
    pub choice: Option<&'a Choice>,
    pub today: NaiveDate,
    pub lang: &'a str,
}

impl Ctx<'_> {
    fn frame(&self, scope: Option<usize>) -> Option<&Frame> {
        match (scope, self.row) {
            (None, _) => Some(&self.state.hh),
            (Some(r), Some((r2, k))) if r == r2 => self.state.rows.get(r)?.get(k),
            _ => None,
        }
    }
}

impl Env for Ctx<'_> {
    fn seed(&self) -> u64 {
        self.state.seed
    }

    fn value(&self, name: &str) -> XValue {
        let Some(&i) = self.form.layout.index.get(name) else {
            return XValue::empty();
        };
        self.frame(self.form.layout.scope[i])
            .map_or_else(XValue::empty, |f| f.vals[i].clone())
    }

    fn nodes(&self, name: &str) -> Vec<XValue> {
        let Some(&i) = self.form.layout.index.get(name) else {
            return Vec::new();
        };
        let l = &self.form.layout;
        if self.form.survey[i].kind == QuestionType::BeginRepeat {
            let r = self.form.repeat_ordinal(i);
            let n = self.state.rows.get(r).map_or(0, Vec::len);
            return vec![XValue::empty(); n];
        }
        match l.scope[i] {
            None => vec![self.state.hh.vals[i].clone()],
            Some(r) if self.row.is_some_and(|(r2, _)| r2 == r) => self
                .frame(Some(r))
                .map(|f| vec![f.vals[i].clone()])
                .unwrap_or_default(),
            Some(r) => self
                .state
                .rows
                .get(r)
                .map(|rows| rows.iter().map(|f| f.vals[i].clone()).collect())
                .unwrap_or_default(),
        }
    }

    fn current(&self) -> XValue {
        self.current.cloned().unwrap_or_else(XValue::empty)
    }

    fn position(&self) -> f64 {
        self.row.map_or(f64::NAN, |(_, k)| (k + 1) as f64)
    }

    fn today(&self) -> NaiveDate {
        self.today
    }

    fn choice_label(&self, question: &str, value: &str) -> XValue {
        let Some(&i) = self.form.layout.index.get(question) else {
            return XValue::empty();
        };
        let q = &self.form.survey[i];
        let found = self.form.choices_for(q).find(|c| c.name == value);
        found.map_or_else(XValue::empty, |c| {
            XValue::Str(
                self.form
                    .text(&c.label, self.lang)
                    .unwrap_or(&c.name)
                    .to_string(),
            )
        })
    }

    fn pulldata(&self, file: &str, column: &str, key_column: &str, key: &str) -> XValue {
        XValue::Str(
            self.form
                .pulldata(file, column, key_column, key)
                .to_string(),
        )
    }

    fn row_value(&self, name: &str, row: usize) -> XValue {
        let Some(&i) = self.form.layout.index.get(name) else {
            return XValue::empty();
        };
        let frame = match self.form.layout.scope[i] {
            None => (row == 1).then_some(&self.state.hh),
            Some(r) => self
                .state
                .rows
                .get(r)
                .and_then(|rows| rows.get(row.checked_sub(1)?)),
        };
        frame.map_or_else(XValue::empty, |f| f.vals[i].clone())
    }

    fn choice_column(&self, name: &str) -> XValue {
        let Some(c) = self.choice else {
            return XValue::empty();
        };
        match name {
            "name" => XValue::Str(c.name.clone()),
            "label" => XValue::Str(
                self.form
                    .text(&c.label, self.lang)
                    .unwrap_or("")
                    .to_string(),
            ),
            other => XValue::Str(c.extra.get(other).cloned().unwrap_or_default()),
        }
    }
}

fn frame_for(
    form: &Form,
    scope: Option<usize>,
    answers: &std::collections::BTreeMap<String, serde_json::Value>,
) -> Frame {
    let n = form.survey.len();
    let mut raw = vec![XValue::empty(); n];
    for (i, q) in form.survey.iter().enumerate() {
        if form.layout.scope[i] != scope || !q.kind.is_recorded() {
            continue;
        }
        if let Some(v) = answers.get(&q.name) {
            if !is_blank(v) {
                raw[i] =
                    typed(&q.kind, v).unwrap_or_else(|_| XValue::Str(crate::typing::json_text(v)));
            }
        }
    }
    Frame {
        vals: raw.clone(),
        raw,
        rel: vec![true; n],
    }
}

/// The rows of repeat ordinal `r` in the instance.
pub(crate) fn instance_rows<'a>(form: &Form, inst: &'a Instance, r: usize) -> &'a [Row] {
    let name = &form.survey[form.layout.repeats[r].0].name;
    inst.repeats.get(name).map_or(&[], Vec::as_slice)
}

/// A household id as the seed of its `uuid()` and `random()` values.
fn seed_of(id: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(id.as_bytes());
    u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// Evaluates relevance and calculations.
pub(crate) fn evaluate(form: &Form, inst: &Instance, today: NaiveDate) -> State {
    let mut state = State {
        seed: inst.id.as_deref().map_or(0, seed_of),
        hh: frame_for(form, None, &inst.answers),
        rows: (0..form.layout.repeats.len())
            .map(|r| {
                instance_rows(form, inst, r)
                    .iter()
                    .map(|row| frame_for(form, Some(r), &row.answers))
                    .collect()
            })
            .collect(),
    };
    let passes = if form.layout.forward_refs { 8 } else { 1 };
    for _ in 0..passes {
        if !pass(form, &mut state, today) {
            break;
        }
    }
    state
}

/// One pass in document order; returns whether anything changed.
fn pass(form: &Form, state: &mut State, today: NaiveDate) -> bool {
    let mut changed = false;
    let mut i = 0;
    while i < form.survey.len() {
        changed |= visit(form, state, i, None, today);
        if form.survey[i].kind == QuestionType::BeginRepeat {
            let r = form.repeat_ordinal(i);
            let end = form.layout.repeats[r].1;
            for k in 0..state.rows[r].len() {
                for j in i + 1..end {
                    changed |= visit(form, state, j, Some((r, k)), today);
                }
            }
            i = end;
        }
        i += 1;
    }
    changed
}

fn visit(
    form: &Form,
    state: &mut State,
    i: usize,
    row: Option<(usize, usize)>,
    today: NaiveDate,
) -> bool {
    let q = &form.survey[i];
    if matches!(q.kind, QuestionType::EndGroup | QuestionType::EndRepeat) {
        return false;
    }
    let (rel, val) = {
        let ctx = Ctx {
            form,
            state,
            row,
            current: None,
            choice: None,
            today,
            // No choice is in context while relevance and calculations are evaluated.
            lang: "",
        };
        let parent_rel = form.layout.parent[i]
            .is_none_or(|p| ctx.frame(form.layout.scope[p]).is_some_and(|f| f.rel[p]));
        let rel = parent_rel
            && q.relevant
                .as_ref()
                .is_none_or(|e| eval(&e.ast, &ctx).to_bool());
        let val = if !q.kind.has_value() {
            None
        } else if !rel {
            Some(XValue::empty())
        } else if let Some(c) = &q.calculation {
            // ODK stores a calculation's result as text in the instance.
            Some(XValue::Str(eval(&c.ast, &ctx).to_text()))
        } else {
            let f = ctx.frame(form.layout.scope[i]);
            f.map(|f| f.raw[i].clone()).map(|v| match q.kind {
                // The metadata dates the engine can fill: the date it is given.
                // Recorded metadata is text in the instance, so the filled value is too.
                QuestionType::Meta(Meta::Start | Meta::End | Meta::Today) if v.is_empty() => {
                    XValue::Str(today.format("%Y-%m-%d").to_string())
                }
                QuestionType::Hidden if v.is_empty() => {
                    XValue::Str(q.default.clone().unwrap_or_default())
                }
                _ => v,
            })
        };
        (rel, val)
    };
    let frame = match row {
        None => &mut state.hh,
        Some((r, k)) => &mut state.rows[r][k],
    };
    let mut changed = frame.rel[i] != rel;
    frame.rel[i] = rel;
    if let Some(v) = val {
        if frame.vals[i] != v {
            changed = true;
            frame.vals[i] = v;
        }
    }
    changed
}
