//! A dataset's columns: name, type, label in English and Urdu, the choice list of a select question,
//! and whether the column is personal ([`crate::personal`]). The codebook is these, written out;
//! the Parquet schema and the CSV header are their names and types.

use crate::personal::is_personal;
use crate::value::ColumnType;
use serde::Serialize;
use shumari_forms::{Form, Question};

/// A text in the console's two languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// English.
    pub en: String,
    /// Urdu.
    pub ur: String,
}

impl Label {
    /// A label from its two texts.
    pub fn new(en: &str, ur: &str) -> Label {
        Label {
            en: en.to_string(),
            ur: ur.to_string(),
        }
    }
}

/// One choice of a select question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChoiceEntry {
    /// The value written in the data.
    pub name: String,
    /// What it means.
    pub label: Label,
}

/// One column of a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// The header (a questionnaire column is named after its question).
    pub name: String,
    /// The type of its values.
    #[serde(rename = "type", serialize_with = "type_name")]
    pub kind: ColumnType,
    /// What it holds.
    pub label: Label,
    /// For a select question, its choices (the data holds their names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<ChoiceEntry>,
    /// Whether it holds personal data (left out without the right to export it).
    pub personal: bool,
}

fn type_name<S: serde::Serializer>(t: &ColumnType, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.as_str())
}

impl Column {
    /// A column the export writes itself (not a question), labelled in both languages.
    pub fn fixed(name: &str, kind: ColumnType, en: &str, ur: &str) -> Column {
        Column {
            name: name.to_string(),
            kind,
            label: Label::new(en, ur),
            choices: Vec::new(),
            personal: is_personal(name),
        }
    }

    /// The same with a choice list: `(name, English, Urdu)`.
    pub fn with_choices(mut self, choices: &[(&str, &str, &str)]) -> Column {
        self.choices = choices
            .iter()
            .map(|(n, en, ur)| ChoiceEntry {
                name: n.to_string(),
                label: Label::new(en, ur),
            })
            .collect();
        self
    }

    /// The column of question `q` of `form`: its name, the type of its answers, its label and its
    /// choices in English and Urdu.
    pub fn question(form: &Form, q: &Question) -> Column {
        let text = |t: &shumari_forms::Text, lang: &str| {
            form.text(t, lang).unwrap_or(q.name.as_str()).to_string()
        };
        let choices = if q.kind.is_select() {
            form.choices_for(q)
                .map(|c| ChoiceEntry {
                    name: c.name.clone(),
                    label: Label {
                        en: form.text(&c.label, "en").unwrap_or(&c.name).to_string(),
                        ur: form.text(&c.label, "ur").unwrap_or(&c.name).to_string(),
                    },
                })
                .collect()
        } else {
            Vec::new()
        };
        Column {
            name: q.name.clone(),
            kind: ColumnType::of_question(&q.kind),
            label: Label {
                en: text(&q.label, "en"),
                ur: text(&q.label, "ur"),
            },
            choices,
            personal: is_personal(&q.name),
        }
    }
}

/// The questions of `form` that hold a recorded answer, in the repeat `repeat` (`None`: at household
/// level), leaving out names in `skip` (what the dataset writes as a column of its own). Groups,
/// notes and calculations hold no stored answer and have no column.
pub fn question_columns<'a>(
    form: &'a Form,
    repeat: Option<&'a str>,
    skip: &'a [&'a str],
) -> impl Iterator<Item = Column> + 'a {
    form.survey
        .iter()
        .filter(move |q| {
            q.kind.is_recorded()
                && form.repeat_of(&q.name) == repeat
                && !skip.contains(&q.name.as_str())
        })
        .map(move |q| Column::question(form, q))
}
