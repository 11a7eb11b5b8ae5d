//! "Try a form": any XLSForm opened on the device, shown as the forms engine reads it and filled in
//! memory only.
//!
//! A surveyor or a form author picks a form file (`.xlsx`, `.xls`, `.ods` or the TOML text form).
//! [`App::open_preview`] reads it with `shumari_forms::check_source`, the same check
//! `shumari form check` prints: the form's id, version, languages, question counts by type and its
//! load warnings, or, when the form does not load, every error located by sheet, row and column. A
//! form that loads becomes the **preview**: its UI definition ([`crate::questionnaire::form_def`], the
//! same shape the interview renders) and answers kept in the [`App`]'s memory, never in the store and
//! never as a household. After each answer ([`App::preview_answer`]) or new repeat row
//! ([`App::preview_add_row`]) the engine evaluates the whole form ([`shumari_forms::Form::evaluate`]),
//! so relevance, required answers, constraint messages and calculations behave as they will in the
//! field.
//!
//! The answers follow the interview's conventions (`answers.rs`): a question is keyed by its
//! name, or `member:<row>:<name>` inside a row of a repeat (rows are named `r1`, `r2`, ..., unique
//! across repeats; a repeat inside another repeat is not asked yet); a multiple choice or a rank is
//! a list in the UI and ODK's space-separated names for the engine; a GPS point is an object in the
//! UI.
//!
//! The files that travel with a form (the CSVs `pulldata()` and `_from_file` selects read, media)
//! come with it: picked together with the form in the UI, or read from its `-media/` folder by
//! [`read_form_file`] ([`crate::form_files`], the same reader as `shumari form check`).

use crate::answers::{key, to_engine, Answers};
use crate::dto::{Issue, MemberView, Text};
use crate::error::{AppError, Result};
use crate::questionnaire::{self, FormDef};
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shumari_forms::{check_source_with, Form, FormIssue, Instance, QuestionType, Row};
use std::collections::BTreeMap;
use std::path::Path;

/// A form file as picked: its name (which gives the form id when the settings have none), bytes,
/// and the files picked with it (the CSVs `pulldata()` and `_from_file` selects read, media).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormFile {
    /// The file's name, with its extension.
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
    /// Its attachments, each a name and content.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// A file that travels with a form.
#[derive(Debug, Clone, Deserialize)]
pub struct Attachment {
    /// The file's name, as the form names it (`prices.csv`).
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// Reads a form file from disk with its attachments (its `-media/` folder or beside it, see
/// [`crate::form_files`]).
pub fn read_form_file(path: &Path) -> Result<FormFile> {
    let files = crate::form_files::read(path)
        .map_err(|e| AppError::Invalid(format!("cannot read {}: {e}", path.display())))?;
    Ok(FormFile {
        name: files.name,
        bytes: files.bytes,
        attachments: files
            .attachments
            .into_iter()
            .map(|(name, bytes)| Attachment { name, bytes })
            .collect(),
    })
}

/// One error or warning of a form source, located for its author.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct FormProblem {
    /// `survey`, `choices`, `settings`, `file`, or another sheet's name.
    pub sheet: String,
    /// Spreadsheet row (1 = header); 0 when it is not about one row.
    pub row: u32,
    /// Column name; empty when it is not about one column.
    pub column: String,
    /// What is wrong (in English, the engine's words).
    pub message: String,
}

impl From<&FormIssue> for FormProblem {
    fn from(i: &FormIssue) -> Self {
        FormProblem {
            sheet: i.sheet.clone(),
            row: u32::try_from(i.row).unwrap_or(u32::MAX),
            column: i.column.clone(),
            message: i.message.clone(),
        }
    }
}

/// How many survey rows have one type.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct TypeCount {
    /// The type (`select_one LIST` counts as `select_one`).
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub kind: String,
    /// How many.
    pub count: u32,
}

/// What the engine says about a form file, loaded or not.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FormCheck {
    /// The picked file's name.
    pub file_name: String,
    /// `.xlsx`, `.xls`, `.ods` or `.toml`: how the bytes were read.
    pub format: String,
    /// The form loaded (no errors).
    pub loaded: bool,
    /// Form id (from the settings, else the file's name).
    pub id: Option<String>,
    /// Form version (from the settings, else derived from the content).
    pub version: Option<String>,
    /// Language keys of the form's texts (`default` for the plain columns).
    pub languages: Vec<String>,
    /// Survey rows by type (`end_group`/`end_repeat` not counted).
    pub questions: Vec<TypeCount>,
    /// Why the form does not load.
    pub errors: Vec<FormProblem>,
    /// What was read past or derived; the form still loads.
    pub warnings: Vec<FormProblem>,
}

/// The preview's answers as the engine judged them.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PreviewState {
    /// Answers outside repeats, by question name.
    #[ts(type = "Record<string, AnswerValue>")]
    pub answers: BTreeMap<String, Value>,
    /// The rows of each repeat (not inside another repeat), by the repeat's name.
    pub rows: BTreeMap<String, Vec<MemberView>>,
    /// Relevant questions and notes: `name`, or `member:<row>:<name>`.
    pub visible: Vec<String>,
    /// Required answers missing and answers the form refuses (constraints, types, choices).
    pub issues: Vec<Issue>,
    /// Values the form calculates, by the same keys as `visible`.
    #[ts(type = "Record<string, AnswerValue | boolean>")]
    pub calculated: BTreeMap<String, Value>,
    /// For questions whose choices depend on other answers: the choices offered, by key.
    pub choices: BTreeMap<String, Vec<String>>,
    /// Nothing missing, nothing refused.
    pub complete: bool,
}

/// A form file opened for preview: its check, and when it loaded, the form and its first evaluation.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PreviewOpened {
    /// What the engine says about the file.
    pub check: FormCheck,
    /// The form as the UI renders it (none when it did not load).
    pub form: Option<FormDef>,
    /// The empty form evaluated (none when it did not load).
    pub state: Option<PreviewState>,
}

/// The form being tried and its answers (in memory only).
#[derive(Debug)]
pub(crate) struct Preview {
    form: Form,
    answers: Answers,
    /// Each repeat's name (repeats inside another repeat left out) to its rows (row name, answers).
    rows: BTreeMap<String, Vec<(String, Answers)>>,
    next_row: u32,
}

/// Survey rows by their type's first word.
fn counts(form: &Form) -> Vec<TypeCount> {
    form.question_counts()
        .into_iter()
        .map(|(kind, count)| TypeCount {
            kind,
            count: u32::try_from(count).unwrap_or(u32::MAX),
        })
        .collect()
}

/// The check of a source, and the form when it loaded.
pub(crate) fn check(file: &FormFile) -> (FormCheck, Option<Form>) {
    let attached: Vec<shumari_forms::Attachment<'_>> = file
        .attachments
        .iter()
        .map(|a| (a.name.as_str(), a.bytes.as_slice()))
        .collect();
    let c = check_source_with(&file.name, &file.bytes, &attached);
    let form = c.form;
    let check = FormCheck {
        file_name: file.name.clone(),
        format: c.format.extension().to_string(),
        loaded: form.is_some(),
        id: form.as_ref().map(|f| f.settings.form_id.clone()),
        version: form.as_ref().map(|f| f.settings.version.clone()),
        languages: form.as_ref().map_or_else(Vec::new, Form::language_names),
        questions: form.as_ref().map_or_else(Vec::new, counts),
        errors: c.errors.iter().map(FormProblem::from).collect(),
        warnings: c.warnings.iter().map(FormProblem::from).collect(),
    };
    (check, form)
}

/// `(question, row)` of an engine path: `answers.q` or `q` at top level, `<repeat>.<row>.q` in a row.
fn split(path: &str) -> (String, Option<String>) {
    if let Some(name) = path.strip_prefix("answers.") {
        return (name.to_string(), None);
    }
    match path.split('.').collect::<Vec<_>>().as_slice() {
        [_, row, name] => ((*name).to_string(), Some((*row).to_string())),
        _ => (path.to_string(), None),
    }
}

impl Preview {
    /// A form with answers already given (a report reopened, `reports.rs`).
    pub(crate) fn with_answers(form: Form, answers: Answers) -> Preview {
        let mut p = Preview::new(form);
        p.answers = answers;
        p
    }

    /// The answers evaluated; `lang` is the UI's language.
    pub(crate) fn evaluate(&self, lang: &str, today: chrono::NaiveDate) -> PreviewState {
        self.state(lang, today)
    }

    fn new(form: Form) -> Preview {
        let rows = form
            .survey
            .iter()
            .enumerate()
            .filter(|(i, q)| q.kind == QuestionType::BeginRepeat && repeats_around(&form, *i) == 0)
            .map(|(_, q)| (q.name.clone(), Vec::new()))
            .collect();
        Preview {
            form,
            answers: Answers::new(),
            rows,
            next_row: 1,
        }
    }

    /// The engine's instance of the answers.
    fn instance(&self) -> Instance {
        let engine = |a: &Answers| -> BTreeMap<String, Value> {
            a.iter()
                .map(|(k, v)| (k.clone(), to_engine(v)))
                .filter(|(_, v)| !v.is_null())
                .collect()
        };
        Instance {
            id: Some("preview".into()),
            form_id: Some(self.form.settings.form_id.clone()),
            form_version: Some(self.form.settings.version.clone()),
            answers: engine(&self.answers),
            repeats: self
                .rows
                .iter()
                .map(|(repeat, rows)| {
                    let rows = rows
                        .iter()
                        .map(|(key, a)| Row {
                            key: key.clone(),
                            answers: engine(a),
                        })
                        .collect();
                    (repeat.clone(), rows)
                })
                .collect(),
            ..Instance::default()
        }
    }

    /// Evaluates the answers; `lang` is the UI's language.
    fn state(&self, lang: &str, today: chrono::NaiveDate) -> PreviewState {
        let form = &self.form;
        let e = form.evaluate(&self.instance(), lang, today);
        let text = |t: &shumari_forms::Text| {
            questionnaire::text(form, t).unwrap_or_else(|| Text::new("", ""))
        };
        let issue = |path: &str, code: &str, message: Text| {
            let (field, member_id) = split(path);
            Issue {
                field,
                member_id,
                code: code.into(),
                message,
            }
        };
        let mut issues: Vec<Issue> = e
            .missing
            .iter()
            .map(|f| issue(&f.path, "required", text(&f.message)))
            .collect();
        issues.extend(
            e.invalid
                .iter()
                .map(|f| issue(&f.path, "constraint", text(&f.message))),
        );
        let mut visible = Vec::new();
        let mut choices = BTreeMap::new();
        for item in &e.items {
            let k = key(&item.question, item.row.as_ref().map(|r| r.key.as_str()));
            let shown = form.question(&item.question).is_some_and(|q| {
                q.kind.is_input()
                    || matches!(q.kind, QuestionType::Note | QuestionType::BeginRepeat)
            });
            if item.relevant && shown {
                visible.push(k.clone());
            }
            if let Some(offered) = &item.choices {
                choices.insert(k, offered.clone());
            }
        }
        let calculated = e
            .calculated
            .iter()
            .map(|(p, v)| {
                let (f, m) = split(p);
                (key(&f, m.as_deref()), v.clone())
            })
            .collect();
        PreviewState {
            answers: self.answers.clone(),
            rows: self
                .rows
                .iter()
                .map(|(r, rows)| {
                    let rows = rows
                        .iter()
                        .map(|(id, a)| MemberView {
                            id: id.clone(),
                            answers: a.clone(),
                        })
                        .collect();
                    (r.clone(), rows)
                })
                .collect(),
            visible,
            complete: e.is_complete(),
            issues,
            calculated,
            choices,
        }
    }
}

/// How many repeats enclose survey row `i` (groups do not count).
fn repeats_around(form: &Form, i: usize) -> usize {
    let mut d: usize = 0;
    for q in &form.survey[..i] {
        match q.kind {
            QuestionType::BeginRepeat => d += 1,
            QuestionType::EndRepeat => d = d.saturating_sub(1),
            _ => {}
        }
    }
    d
}

impl App {
    fn lock_preview(&self) -> std::sync::MutexGuard<'_, Option<Preview>> {
        // The preview is plain data replaced whole; a panic elsewhere cannot leave it half-made.
        self.preview.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn preview_today(&self) -> chrono::NaiveDate {
        chrono::DateTime::<chrono::Utc>::from(self.clock.now()).date_naive()
    }

    /// Opens a form file for preview, replacing any form being tried. A form that does not load is
    /// not an error of the call: its check lists the errors (and no form is open afterwards).
    pub fn open_preview(&self, file: &FormFile) -> Result<PreviewOpened> {
        let (check, form) = check(file);
        let mut slot = self.lock_preview();
        *slot = form.map(Preview::new);
        let lang = self.settings().language;
        Ok(PreviewOpened {
            check,
            form: slot.as_ref().map(|p| questionnaire::form_def(&p.form)),
            state: slot.as_ref().map(|p| p.state(&lang, self.preview_today())),
        })
    }

    /// Opens the form file at `path` for preview ([`read_form_file`], then [`App::open_preview`]).
    pub fn open_preview_file(&self, path: &Path) -> Result<PreviewOpened> {
        self.open_preview(&read_form_file(path)?)
    }

    /// Runs `f` on the open preview, then evaluates it.
    fn with_preview(&self, f: impl FnOnce(&mut Preview) -> Result<()>) -> Result<PreviewState> {
        let mut slot = self.lock_preview();
        let p = slot
            .as_mut()
            .ok_or_else(|| AppError::NotFound("no form is open for preview".into()))?;
        f(p)?;
        Ok(p.state(&self.settings().language, self.preview_today()))
    }

    /// Sets one answer of the preview (`row`: the repeat row, for a question inside a repeat) and
    /// evaluates the form. A blank value clears the answer.
    pub fn preview_answer(
        &self,
        field: &str,
        row: Option<&str>,
        value: Value,
    ) -> Result<PreviewState> {
        self.with_preview(|p| {
            let q = p
                .form
                .question(field)
                .filter(|q| q.kind.is_input())
                .ok_or_else(|| AppError::Invalid(format!("`{field}` is not a question")))?;
            let repeat = p.form.repeat_of(&q.name).map(str::to_string);
            let answers = match (row, repeat) {
                (None, None) => &mut p.answers,
                (Some(row), Some(repeat)) => p
                    .rows
                    .get_mut(&repeat)
                    .and_then(|rows| rows.iter_mut().find(|(id, _)| id == row))
                    .map(|(_, a)| a)
                    .ok_or_else(|| AppError::NotFound(format!("row {row} of {repeat}")))?,
                _ => {
                    return Err(AppError::Invalid(format!(
                        "`{field}` is asked in each row of its repeat, not once"
                    )))
                }
            };
            if to_engine(&value).is_null() {
                answers.remove(field);
            } else {
                answers.insert(field.to_string(), value);
            }
            Ok(())
        })
    }

    /// Adds a row to a repeat (not one inside another repeat) of the preview and evaluates the form.
    pub fn preview_add_row(&self, repeat: &str) -> Result<PreviewState> {
        self.with_preview(|p| {
            let id = format!("r{}", p.next_row);
            let rows = p
                .rows
                .get_mut(repeat)
                .ok_or_else(|| AppError::NotFound(format!("repeat `{repeat}` in this form")))?;
            rows.push((id, Answers::new()));
            p.next_row += 1;
            Ok(())
        })
    }

    /// Removes a row of a repeat of the preview and evaluates the form.
    pub fn preview_remove_row(&self, repeat: &str, row: &str) -> Result<PreviewState> {
        self.with_preview(|p| {
            let rows = p
                .rows
                .get_mut(repeat)
                .ok_or_else(|| AppError::NotFound(format!("repeat `{repeat}`")))?;
            let before = rows.len();
            rows.retain(|(id, _)| id != row);
            if rows.len() == before {
                return Err(AppError::NotFound(format!("row {row} of {repeat}")));
            }
            Ok(())
        })
    }

    /// Closes the preview; its answers are gone.
    pub fn close_preview(&self) {
        *self.lock_preview() = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_paths_split_into_question_and_row() {
        assert_eq!(split("answers.q"), ("q".to_string(), None));
        assert_eq!(split("gps"), ("gps".to_string(), None));
        assert_eq!(
            split("plots.r2.size"),
            ("size".to_string(), Some("r2".to_string()))
        );
    }
}
