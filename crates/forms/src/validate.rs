//! Validation of a whole household, and the check of one write.
//!
//! Missing answers never block saving: an incomplete household is a draft and [`Validation::missing`]
//! lists what is left. A value that breaks its question's type or constraint is refused when written
//! ([`Form::check_value`]). Marking a household complete requires [`Validation::is_complete`].

use crate::check::{Checker, Found};
use crate::error::FormError;
use crate::instance::Instance;
use crate::messages;
use crate::model::{Flag, Form, Text};
use crate::state::evaluate;
use crate::typing::{is_blank, typed};
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

/// A message rendered in one language, as text.
fn one_language(mut t: Text, lang: &str) -> String {
    t.remove(lang).unwrap_or_default()
}

fn issue(f: Found, lang: &str) -> Issue {
    Issue {
        path: f.path,
        question: f.question,
        message: one_language(f.message, lang),
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

    /// Validates a household: relevance, required answers, types, constraints, calculations, with
    /// messages in `lang`. [`Form::evaluate`] says the same and more (notes, groups, choices offered) in
    /// every language of the form.
    pub fn validate(&self, instance: &Instance, lang: &str, today: NaiveDate) -> Validation {
        let state = evaluate(self, instance, today);
        let langs = [lang.to_string()];
        let checker = Checker {
            form: self,
            inst: instance,
            state: &state,
            today,
            lang,
            langs: &langs,
        };
        let found = checker.run();
        let issues = |v: Vec<Found>| v.into_iter().map(|f| issue(f, lang)).collect();
        Validation {
            form_id: self.settings.form_id.clone(),
            form_version: self.settings.version.clone(),
            recorded_version: instance.form_version.clone(),
            missing: issues(found.missing),
            invalid: issues(found.invalid),
            unknown: issues(found.unknown),
            calculated: found.calculated,
            relevant: found.relevant,
        }
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
        self.check_values(instance, &[(path.to_string(), value.clone())], lang, today)
    }

    /// Checks values about to be written together, as [`Form::check_value`] checks one, each in the
    /// context of the household with all of them written; the issues come in the order of `values`.
    ///
    /// The form is evaluated once for the whole write, not once per value: a household imported whole
    /// (about 150 answers with its members) used to cost 150 evaluations of the form.
    pub fn check_values(
        &self,
        instance: &Instance,
        values: &[(String, Value)],
        lang: &str,
        today: NaiveDate,
    ) -> Result<(), Vec<Issue>> {
        let mut issues = Vec::new();
        let mut after = instance.clone();
        // What is left to check against the evaluated form: (question, repeat row, path, value).
        let mut pending = Vec::new();
        for (path, value) in values {
            match self.writable(&mut after, path, value, lang) {
                Ok(Some((i, row))) => pending.push((i, row, path, value)),
                Ok(None) => {}
                Err(issue) => issues.push(issue),
            }
        }
        if !pending.is_empty() {
            let state = evaluate(self, &after, today);
            let langs = [lang.to_string()];
            let checker = Checker {
                form: self,
                inst: &after,
                state: &state,
                today,
                lang,
                langs: &langs,
            };
            for (i, row, path, value) in pending {
                if let Some(message) = checker.check_answer(i, row, value) {
                    issues.push(Issue {
                        path: path.clone(),
                        question: self.survey[i].name.clone(),
                        message: one_language(message, lang),
                    });
                }
            }
        }
        // Back in the order of `values`.
        let order = |p: &str| values.iter().position(|(q, _)| q == p);
        issues.sort_by_key(|issue| order(&issue.path));
        if issues.is_empty() {
            Ok(())
        } else {
            Err(issues)
        }
    }

    /// The checks of one value that need no evaluation: the question exists at this level, may be
    /// written, and the value has its type. A value passing them is written into `after` and its
    /// question and repeat row returned for the checks in context; an empty one needs none.
    fn writable(
        &self,
        after: &mut Instance,
        path: &str,
        value: &Value,
        lang: &str,
    ) -> Result<Option<Place>, Issue> {
        let fail = |question: &str, message: String| Issue {
            path: path.to_string(),
            question: question.to_string(),
            message,
        };
        let (at, name) = after.locate(path).map_err(|e| fail("", e.to_string()))?;
        let Some(&i) = self.layout.index.get(&name) else {
            return Err(fail(
                &name,
                messages::unknown_question(lang).replace("; the answer is kept", ""),
            ));
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
                return Err(fail(
                    &name,
                    format!("`{name}` is not asked at this level of the form"),
                ))
            }
        };
        // Metadata and `hidden` values are written by the app, never asked.
        if !q.kind.is_recorded() {
            return Err(fail(&name, messages::not_writable(&q.kind.as_cell(), lang)));
        }
        if q.read_only == Flag::Yes {
            return Err(fail(
                &name,
                messages::not_writable("read_only question", lang),
            ));
        }
        if is_blank(value) {
            return Ok(None);
        }
        if let Err(p) = typed(&q.kind, value) {
            return Err(fail(&name, messages::type_problem(&p, lang)));
        }
        if let Err(e) = after.set(path, value.clone()) {
            return Err(fail(&name, e.to_string()));
        }
        Ok(Some((i, row)))
    }
}

/// Where a written value is asked: its question's index in the survey, and its repeat and row when
/// it is inside a repeat.
type Place = (usize, Option<(usize, usize)>);
