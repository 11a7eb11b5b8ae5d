//! `submissions`: one row per report filled with a published form (a service point's daily report,
//! `--form ID`), in the exporter's areas, read through the submissions feature's own read
//! (`Registry::submission_export_page`): which form version, area, site and day, who sent it and
//! when, then one column per question of the form, named after it, typed by its question type, with
//! its choices in the codebook. The questions are every version's (the newest's in its order, then
//! those only older versions ask), so reports of every version share one file. A question is
//! personal by its name ([`crate::personal`]), as in the household datasets.

use super::{Dataset, Row};
use crate::column::{question_columns, Column};
use crate::error::ExportError;
use crate::value::{ColumnType, Value};
use chrono::{DateTime, NaiveDate, Utc};
use shumari_registry::service::{ExportGrant, Submission, SubmissionPosition};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Registry, Storage};

/// Reports read per page.
const PAGE: usize = 500;

/// The answers written as columns of their own.
const OWN: [&str; 2] = ["site", "date"];

/// The columns every form's export has, before its questions.
pub(super) fn columns() -> Vec<Column> {
    use ColumnType::*;
    vec![
        Column::fixed("submission_id", Text, "Report id", "رپورٹ کی آئی ڈی"),
        Column::fixed("form_id", Text, "Form", "فارم"),
        Column::fixed("form_version", Text, "Form version", "فارم کا ورژن"),
        Column::fixed("area", Text, "Area code", "علاقے کا کوڈ"),
        Column::fixed("site", Text, "Site", "مرکز"),
        Column::fixed("day", Date, "Day reported on", "رپورٹ کا دن"),
        Column::fixed("status", Text, "Status", "حیثیت"),
        Column::fixed(
            "submitted_by",
            Text,
            "Sent by (user id)",
            "بھیجنے والا (صارف آئی ڈی)",
        ),
        Column::fixed(
            "filled_at",
            Timestamp,
            "Filled at (UTC)",
            "پُر کرنے کا وقت (UTC)",
        ),
        Column::fixed(
            "received_at",
            Timestamp,
            "Received at (UTC)",
            "موصولی کا وقت (UTC)",
        ),
    ]
}

fn at(ms: i64) -> Value {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or(Value::Null, Value::Timestamp)
}

/// The export of one form's reports.
#[derive(Debug)]
pub struct Submissions {
    form_id: String,
    columns: Vec<Column>,
    /// How many of `columns` are [`columns`]'s.
    fixed: usize,
    grant: ExportGrant,
    from_day: String,
    after: Option<SubmissionPosition>,
    done: bool,
}

impl Submissions {
    /// The reports of `form_id` in `grant`'s areas about days from `since` on when given; the
    /// columns from every published version of the form (none published: refused).
    pub async fn new<S: Storage + ConsoleStorage>(
        reg: &Registry<S>,
        form_id: &str,
        grant: ExportGrant,
        since: Option<NaiveDate>,
    ) -> Result<Submissions, ExportError> {
        let versions = reg.form_versions(form_id).await?;
        if versions.is_empty() {
            return Err(ExportError::BadRequest(format!(
                "no form `{form_id}` is published"
            )));
        }
        let mut columns = columns();
        let fixed = columns.len();
        for form in versions.iter().rev() {
            for c in question_columns(form, None, &OWN) {
                if !columns.iter().any(|k| k.name == c.name) {
                    columns.push(c);
                }
            }
        }
        Ok(Submissions {
            form_id: form_id.to_string(),
            columns,
            fixed,
            grant,
            from_day: since.map(|d| d.to_string()).unwrap_or_default(),
            after: None,
            done: false,
        })
    }

    fn row(&self, s: Submission) -> Row {
        let mut row = vec![
            Value::Text(s.id),
            Value::text(s.form_id),
            Value::text(s.version),
            Value::text(s.area),
            Value::text(s.site),
            NaiveDate::parse_from_str(&s.day, "%Y-%m-%d").map_or(Value::Null, Value::Date),
            Value::text(s.status),
            Value::text(s.user_id),
            at(s.filled_at),
            at(s.received_at),
        ];
        for c in &self.columns[self.fixed..] {
            row.push(Value::from_answer(c.kind, s.answers.get(&c.name)));
        }
        row
    }
}

impl<S: Storage + ConsoleStorage> Dataset<S> for Submissions {
    fn columns(&self) -> &[Column] {
        &self.columns
    }

    async fn next_page(&mut self, reg: &Registry<S>) -> Result<Option<Vec<Row>>, ExportError> {
        if self.done {
            return Ok(None);
        }
        let page = reg
            .submission_export_page(
                &self.grant,
                &self.form_id,
                &self.from_day,
                self.after.take(),
                PAGE,
            )
            .await?;
        self.done = page.next.is_none();
        self.after = page.next;
        Ok(Some(page.rows.into_iter().map(|s| self.row(s)).collect()))
    }
}
