//! Everything a screen needs to know about a household, in one call: [`Form::evaluate`].
//!
//! [`Form::validate`] answers "may this household be marked complete?" in one language. A screen needs
//! more: which notes and groups to show (a group's relevance applies to everything inside it, notes
//! included), which choices a `choice_filter` leaves at each place (the same select can offer different
//! choices in different rows of a repeat), whether each question is required or read-only there, and
//! every message in every language of the form, so a bilingual screen does not validate twice.
//!
//! ```
//! use shumari_forms::{household_form, Instance};
//! let form = household_form();
//! let h = serde_json::json!({"area": "PK60301", "answers": {"rooms": 0}, "members": []});
//! let inst = Instance::from_household_json(&h).unwrap();
//! let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
//! let e = form.evaluate(&inst, "en", today);
//! // The roster note shows while the roster is empty.
//! assert!(e.item("roster_note", None).unwrap().relevant);
//! // One finding, its message in English and Urdu.
//! let rooms = e.invalid.iter().find(|f| f.path == "answers.rooms").unwrap();
//! assert_eq!(form.text(&rooms.message, "en"), Some("A dwelling has between 1 and 50 rooms."));
//! assert!(form.text(&rooms.message, "ur").unwrap().contains("کمروں"));
//! ```

use crate::check::{walk, At, Checker, Found};
use crate::instance::Instance;
use crate::model::{Form, QuestionType, Text};
use crate::state::{evaluate, instance_rows};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One finding about one answer, its message in every language of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `answers.rooms`, `area`, `members.<member id>.id_number`.
    pub path: String,
    /// The question name.
    pub question: String,
    /// The message by language key (`English (en)`, `Urdu (ur)`); read it with [`Form::text`].
    pub message: Text,
}

impl From<Found> for Finding {
    fn from(f: Found) -> Self {
        Finding {
            path: f.path,
            question: f.question,
            message: f.message,
        }
    }
}

/// The row of a repeat a survey row is asked in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowRef {
    /// The repeat's name (`members`).
    pub repeat: String,
    /// 0-based position of the row in the repeat (`position(..)` is this plus one).
    pub position: usize,
    /// The row's key in paths (the member id, or its position when it has none).
    pub key: String,
}

/// One survey row (question, note, group, repeat or calculate) at one place: at household level, or in
/// one row of a repeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// The row's name.
    pub question: String,
    /// Where it is: `answers.rooms`, `area`, `members.<member id>.literate` (groups and notes alike).
    pub path: String,
    /// The repeat row, for rows inside a repeat.
    pub row: Option<RowRef>,
    /// Asked here: its own `relevant` and that of every enclosing group or repeat hold.
    pub relevant: bool,
    /// An input that must be answered here when relevant (`required`, evaluated in context).
    pub required: bool,
    /// An input shown but not written here (`read_only`, evaluated in context).
    pub read_only: bool,
    /// For a select with a `choice_filter`: the names of the choices it offers here, in list order.
    /// `None` when every choice of the list is offered.
    pub choices: Option<Vec<String>>,
}

/// What the engine says about a household: [`Form::evaluate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The form id evaluated against.
    pub form_id: String,
    /// The form version evaluated against.
    pub form_version: String,
    /// The version the household was filled with, when recorded.
    pub recorded_version: Option<String>,
    /// Every survey row (except `end_group`/`end_repeat`) at every place it is asked, in document
    /// order: a repeat's rows once per row of the repeat.
    pub items: Vec<Item>,
    /// Required, relevant and empty.
    pub missing: Vec<Finding>,
    /// Constraint failures, type errors, choices not offered, a wrong number of repeat rows.
    pub invalid: Vec<Finding>,
    /// Answers to questions this form version does not have (kept, not dropped).
    pub unknown: Vec<Finding>,
    /// Calculated values of relevant `calculate` rows by path.
    pub calculated: BTreeMap<String, Value>,
}

impl Evaluation {
    /// Whether the household may be marked complete: nothing missing, nothing invalid.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.invalid.is_empty()
    }

    /// The item called `question` at household level (`position` `None`) or in row `position` of its
    /// repeat.
    pub fn item(&self, question: &str, position: Option<usize>) -> Option<&Item> {
        self.items
            .iter()
            .find(|i| i.question == question && i.row.as_ref().map(|r| r.position) == position)
    }
}

impl Form {
    /// The languages messages are rendered in: the form's translated columns (`English (en)`,
    /// `Urdu (ur)`), or the plain column alone for a form without translations.
    pub fn message_languages(&self) -> Vec<String> {
        let langs = self.languages();
        if langs.is_empty() {
            vec![String::new()]
        } else {
            langs
        }
    }

    /// `t` in every language of the form, each with [`Form::text`]'s fallbacks (a label missing in one
    /// language reads as in the default language).
    pub fn in_every_language(&self, t: &Text) -> Text {
        self.message_languages()
            .into_iter()
            .filter_map(|l| {
                let s = self.text(t, &l)?.to_string();
                Some((l, s))
            })
            .collect()
    }

    /// Evaluates a household for the screens: relevance of every question, note and group at every
    /// place, required and read-only flags, the choices each `choice_filter` offers there, calculated
    /// values, and what is missing, invalid or unknown with messages in every language of the form.
    ///
    /// `lang` is the surveyor's language: what a choice's `label` reads as inside a `choice_filter`.
    /// `today` is the date `today()` returns and ages are computed against.
    pub fn evaluate(&self, instance: &Instance, lang: &str, today: NaiveDate) -> Evaluation {
        let state = evaluate(self, instance, today);
        let langs = self.message_languages();
        let checker = Checker {
            form: self,
            inst: instance,
            state: &state,
            today,
            lang,
            langs: &langs,
        };
        let found = checker.run();
        let mut items = Vec::new();
        walk(self, &state, |i, at| {
            if let Some(item) = item(&checker, i, at) {
                items.push(item);
            }
        });
        let findings = |v: Vec<Found>| v.into_iter().map(Finding::from).collect();
        Evaluation {
            form_id: self.settings.form_id.clone(),
            form_version: self.settings.version.clone(),
            recorded_version: instance.form_version.clone(),
            items,
            missing: findings(found.missing),
            invalid: findings(found.invalid),
            unknown: findings(found.unknown),
            calculated: found.calculated,
        }
    }
}

/// The item of survey row `i` at `at`.
fn item(c: &Checker<'_>, i: usize, at: At) -> Option<Item> {
    let form = c.form;
    let q = &form.survey[i];
    if matches!(q.kind, QuestionType::EndGroup | QuestionType::EndRepeat) {
        return None;
    }
    let row = at.map(|(r, k)| {
        let repeat = form.survey[form.layout.repeats[r].0].name.clone();
        let key = instance_rows(form, c.inst, r)
            .get(k)
            .map_or_else(|| k.to_string(), |row| row.key.clone());
        RowRef {
            repeat,
            position: k,
            key,
        }
    });
    let input = q.kind.is_input();
    let choices = match (form.has_choice_list(q), &q.choice_filter) {
        (true, Some(_)) => Some(
            form.choices_for(q)
                .filter(|choice| c.offers(q, choice, at))
                .map(|choice| choice.name.clone())
                .collect(),
        ),
        _ => None,
    };
    Some(Item {
        question: q.name.clone(),
        path: c.path(i, at),
        row,
        relevant: c.relevant(i, at),
        required: input && c.flag(&q.required, at),
        read_only: input && c.flag(&q.read_only, at),
        choices,
    })
}
