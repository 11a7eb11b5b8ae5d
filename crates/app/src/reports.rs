//! Questionnaires besides the household one on the tablet (a service point's daily report): the
//! forms the registry sent with sync, and the reports filled with them.
//!
//! A report is started with the newest version of its form this tablet holds and is always opened
//! with that version ([`shumari_store::Report::version`]), even after a newer one arrives, so a draft
//! is never lost to a publication. It is filled with the same renderer and engine as "try a form"
//! (`form_preview.rs`): after each answer the whole form is evaluated, so relevance, required
//! answers and constraint messages behave as in the interview. Each answer is saved at once. A
//! report is submitted only when the engine finds nothing missing or refused; the next sync sends
//! it, and the registry's refusal (with its reason) makes it editable again.
//!
//! Answers are kept as the engine reads them (a multiple choice as ODK's space-separated names, a
//! GPS point as its text), which is what the registry checks; the UI gets a multiple choice back as
//! a list. Repeats are not asked in reports yet.
//!
//! A reviewer's decision comes back with sync: a report reads `approved`, `returned` (with the
//! reviewer's note) or `rejected`. A returned report is corrected as a new report started from
//! its answers that names it ([`App::correct_report`]); the registry then counts the correction in
//! its place.

use crate::answers::{to_engine, Answers};
use crate::error::{AppError, Result};
use crate::form_preview::{Preview, PreviewState};
use crate::questionnaire::{self, FormDef};
use crate::session::read_enrollment;
use crate::App;
use serde::Serialize;
use serde_json::Value;
use shumari_forms::{compare_versions, Form, QuestionType};
use shumari_store::{Report, StoredForm};
use uuid::Uuid;

/// A form this tablet holds, with its reports counted.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceForm {
    /// The form's id.
    pub form_id: String,
    /// The newest version's title.
    pub title: String,
    /// The version new reports are started with (the newest held).
    pub version: String,
    /// Every version held, oldest first.
    pub versions: Vec<String>,
    /// Reports being filled (drafts, and those the registry refused).
    pub drafts: u32,
    /// Reports waiting for a sync.
    pub queued: u32,
    /// Reports the registry stored (approved ones included).
    pub sent: u32,
    /// Reports a reviewer returned that are not corrected yet.
    pub returned: u32,
}

/// A report as listed.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportView {
    /// Its id.
    pub id: String,
    /// The form.
    pub form_id: String,
    /// The version it was started with.
    pub version: String,
    /// The area it reports from.
    pub area: String,
    /// `draft`, `queued`, `sent` or `refused`, or a reviewer's `approved`, `returned`,
    /// `rejected`.
    pub state: String,
    /// Why the registry refused it.
    pub refusal: Option<String>,
    /// The reviewer's note (`approved`, `returned`, `rejected`).
    pub review_note: Option<String>,
    /// The reviewer's name.
    pub reviewed_by: Option<String>,
    /// The returned report this one corrects.
    pub replaces: Option<String>,
    /// The report correcting this returned one.
    pub replaced_by: Option<String>,
    /// The site it reports on, as answered ("" until answered).
    pub site: String,
    /// The day it reports on, as answered ("" until answered).
    pub day: String,
    /// Last saved (ms since epoch).
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// A report opened: the report, its form as the UI renders it, and the form evaluated.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportOpened {
    /// The report.
    pub report: ReportView,
    /// Its form, in the version it was started with.
    pub form: FormDef,
    /// Its answers as the engine judged them.
    pub state: PreviewState,
    /// Whether it may still be changed.
    pub editable: bool,
}

fn view(r: &Report) -> ReportView {
    let answers: Value = serde_json::from_str(&r.answers).unwrap_or(Value::Null);
    let text = |k: &str| {
        answers
            .get(k)
            .map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            })
            .unwrap_or_default()
    };
    ReportView {
        id: r.id.to_string(),
        form_id: r.form_id.clone(),
        version: r.version.clone(),
        area: r.area.clone(),
        state: r.state.clone(),
        refusal: r.refusal.clone(),
        review_note: r.review_note.clone(),
        reviewed_by: r.reviewed_by.clone(),
        replaces: r.replaces.map(|u| u.to_string()),
        replaced_by: r.replaced_by.map(|u| u.to_string()),
        site: text("site"),
        day: text("date"),
        updated_at: r.updated_at,
    }
}

fn load(f: &StoredForm) -> Result<Form> {
    Form::load(&f.file_name, &f.source)
        .map(|l| l.form)
        .map_err(|e| AppError::Invalid(format!("form {} {}: {e}", f.form_id, f.version)))
}

/// The stored (engine) answers as the UI shows them: a multiple choice as a list.
fn from_engine(form: &Form, answers: &Value) -> Answers {
    let mut out = Answers::new();
    if let Value::Object(m) = answers {
        for (k, v) in m {
            let multiple = form
                .question(k)
                .is_some_and(|q| matches!(q.kind, QuestionType::SelectMultiple(_)));
            let v = match (v, multiple) {
                (Value::String(s), true) => {
                    Value::Array(s.split_whitespace().map(Value::from).collect())
                }
                (other, _) => other.clone(),
            };
            out.insert(k.clone(), v);
        }
    }
    out
}

impl App {
    fn now_ms(&self) -> i64 {
        chrono::DateTime::<chrono::Utc>::from(self.clock.now()).timestamp_millis()
    }

    fn report_today(&self) -> chrono::NaiveDate {
        chrono::DateTime::<chrono::Utc>::from(self.clock.now()).date_naive()
    }

    /// The forms this tablet holds, by id, each with its newest version and its reports counted.
    pub fn device_forms(&self) -> Result<Vec<DeviceForm>> {
        self.with_store(|s| {
            let reports = s.reports(None)?;
            let mut out: Vec<DeviceForm> = Vec::new();
            for f in s.forms()? {
                match out.iter_mut().find(|d| d.form_id == f.form_id) {
                    Some(d) => {
                        d.versions.push(f.version.clone());
                        if compare_versions(&f.version, &d.version).is_gt() {
                            d.version = f.version.clone();
                            d.title = f.title.clone();
                        }
                    }
                    None => out.push(DeviceForm {
                        form_id: f.form_id.clone(),
                        title: f.title.clone(),
                        version: f.version.clone(),
                        versions: vec![f.version.clone()],
                        drafts: 0,
                        queued: 0,
                        sent: 0,
                        returned: 0,
                    }),
                }
            }
            for d in &mut out {
                d.versions.sort_by(|a, b| compare_versions(a, b));
                for r in reports.iter().filter(|r| r.form_id == d.form_id) {
                    match r.state.as_str() {
                        "queued" => d.queued += 1,
                        "sent" | "approved" => d.sent += 1,
                        "returned" if r.replaced_by.is_none() => d.returned += 1,
                        "draft" | "refused" => d.drafts += 1,
                        _ => {}
                    }
                }
            }
            Ok(out)
        })
    }

    /// The reports on this tablet, newest first (of one form with `Some`).
    pub fn list_reports(&self, form_id: Option<&str>) -> Result<Vec<ReportView>> {
        self.with_store(|s| Ok(s.reports(form_id)?.iter().map(view).collect()))
    }

    /// Starts a report of `form_id` with the newest version held, in `area` (one of the tablet's;
    /// `None`: its first).
    pub fn start_report(&self, form_id: &str, area: Option<&str>) -> Result<ReportOpened> {
        let areas = read_enrollment(&self.dir)
            .map(|e| e.areas)
            .unwrap_or_default();
        let area = match area {
            Some(a)
                if areas
                    .iter()
                    .any(|mine| shumari_domain::area::contains(mine, a)) =>
            {
                a.to_string()
            }
            Some(a) => return Err(AppError::Invalid(format!("`{a}` is not one of your areas"))),
            None => areas
                .first()
                .cloned()
                .ok_or_else(|| AppError::Invalid("this tablet has no area".into()))?,
        };
        let now = self.now_ms();
        let id = self.with_store(|s| {
            let newest = s
                .forms()?
                .into_iter()
                .filter(|f| f.form_id == form_id)
                .max_by(|a, b| compare_versions(&a.version, &b.version))
                .ok_or_else(|| AppError::NotFound(format!("form `{form_id}` on this tablet")))?;
            Ok(s.start_report(form_id, &newest.version, &area, now)?.id)
        })?;
        self.open_report(&id.to_string())
    }

    fn report_and_form(&self, id: &str) -> Result<(Report, Form)> {
        let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound(format!("report {id}")))?;
        self.with_store(|s| {
            let r = s
                .report(id)?
                .ok_or_else(|| AppError::NotFound(format!("report {id}")))?;
            let f = s
                .form(&r.form_id, &r.version)?
                .ok_or_else(|| AppError::NotFound(format!("form {} {}", r.form_id, r.version)))?;
            Ok((r, load(&f)?))
        })
    }

    fn evaluated(&self, r: &Report, form: Form) -> (FormDef, PreviewState) {
        let answers: Value = serde_json::from_str(&r.answers).unwrap_or(Value::Null);
        let ui = from_engine(&form, &answers);
        let def = questionnaire::form_def(&form);
        let p = Preview::with_answers(form, ui);
        (
            def,
            p.evaluate(&self.settings().language, self.report_today()),
        )
    }

    /// Opens a report with the version of its form it was started with.
    pub fn open_report(&self, id: &str) -> Result<ReportOpened> {
        let (r, form) = self.report_and_form(id)?;
        let (def, state) = self.evaluated(&r, form);
        Ok(ReportOpened {
            report: view(&r),
            form: def,
            state,
            editable: r.editable(),
        })
    }

    /// Sets one answer of an editable report (saved at once) and evaluates the form. A blank value
    /// clears the answer.
    pub fn report_answer(&self, id: &str, field: &str, value: Value) -> Result<PreviewState> {
        let (r, form) = self.report_and_form(id)?;
        if !r.editable() {
            return Err(AppError::Invalid(
                "this report was submitted; it can no longer be changed".into(),
            ));
        }
        let q = form
            .question(field)
            .filter(|q| q.kind.is_input())
            .ok_or_else(|| AppError::Invalid(format!("`{field}` is not a question")))?;
        if form.repeat_of(&q.name).is_some() {
            return Err(AppError::Invalid(format!(
                "`{field}` is inside a repeat, which reports do not ask yet"
            )));
        }
        let mut answers = match serde_json::from_str::<Value>(&r.answers) {
            Ok(Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        let engine = to_engine(&value);
        if engine.is_null() {
            answers.remove(field);
        } else {
            answers.insert(field.to_string(), engine);
        }
        let now = self.now_ms();
        let saved = self
            .with_store(|s| Ok(s.save_report(r.id, &Value::Object(answers).to_string(), now)?))?;
        Ok(self.evaluated(&saved, form).1)
    }

    /// Submits a report for the next sync, when the engine finds nothing missing or refused.
    pub fn submit_report(&self, id: &str) -> Result<ReportView> {
        let (r, form) = self.report_and_form(id)?;
        let (_, state) = self.evaluated(&r, form);
        if !state.complete {
            let detail: Vec<String> = state
                .issues
                .iter()
                .take(5)
                .map(|i| format!("{}: {}", i.field, i.message.en))
                .collect();
            return Err(AppError::Incomplete {
                count: state.issues.len(),
                detail: detail.join("; "),
            });
        }
        let now = self.now_ms();
        self.with_store(|s| Ok(view(&s.submit_report(r.id, now)?)))
    }

    /// Starts the correction of a returned report (a new report with its answers, naming it) and
    /// opens it; a report already being corrected opens its correction.
    pub fn correct_report(&self, id: &str) -> Result<ReportOpened> {
        let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound(format!("report {id}")))?;
        let now = self.now_ms();
        let new = self.with_store(|s| Ok(s.correct_report(id, now)?.id))?;
        self.open_report(&new.to_string())
    }
}
