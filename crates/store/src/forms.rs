//! Questionnaires besides the household one on the device (migration V5): every version of a form
//! the registry sent, and the reports filled with them.
//!
//! - **Versions are kept**: [`Store::keep_forms`] adds the versions it does not hold and never
//!   replaces or deletes one, so a report is always opened with the version it was started with
//!   ([`Report::version`]), whatever was published since.
//! - **A report's life**: `draft` (being filled; [`Store::save_report`]), `queued` (submitted here,
//!   [`Store::submit_report`]; waiting for a sync), `sent` (the registry stored it; final) or
//!   `refused` (the registry said why; editable and submitted again). The sync engine takes the
//!   queued ones ([`Store::queued_reports`]) and records the registry's answer
//!   ([`Store::mark_reports`]).
//! - **Review** (migration V7): a sent report follows the reviewer's decision the pull brings
//!   ([`Store::apply_reviews`]): `approved`, `returned` or `rejected`, with the note, who and when.
//!   A returned report is corrected as a new draft with its answers that names it
//!   ([`Store::correct_report`], once per returned report); the sync sends the correction naming
//!   the report it replaces.
//!
//! What a form means (its questions and checks) is the forms crate's, applied by the app; the store
//! keeps sources and answers.

use crate::{Result, Store, StoreError};
use rusqlite::{params, OptionalExtension};
use shumari_domain::review::Decision;
use uuid::Uuid;

/// One version of a form, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredForm {
    /// The form's id.
    pub form_id: String,
    /// The version.
    pub version: String,
    /// Its title.
    pub title: String,
    /// The file name it was published as (tells the TOML text format from a workbook).
    pub file_name: String,
    /// The source.
    pub source: Vec<u8>,
}

/// A report filled (or being filled) on this device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Its id.
    pub id: Uuid,
    /// The form.
    pub form_id: String,
    /// The version it was started with (and is always opened with).
    pub version: String,
    /// The area it reports from.
    pub area: String,
    /// The answers: a JSON object by question name, as text.
    pub answers: String,
    /// `draft`, `queued`, `sent`, `refused`, or a reviewer's `approved`, `returned`, `rejected`.
    pub state: String,
    /// Why the registry refused it (`refused` only).
    pub refusal: Option<String>,
    /// Created (ms since epoch).
    pub created_at: i64,
    /// Last saved (ms since epoch).
    pub updated_at: i64,
    /// Submitted here (ms since epoch).
    pub filled_at: Option<i64>,
    /// The reviewer's note (`approved`, `returned` or `rejected` only).
    pub review_note: Option<String>,
    /// The reviewer's name.
    pub reviewed_by: Option<String>,
    /// When the reviewer decided (ms since epoch).
    pub reviewed_at: Option<i64>,
    /// The returned report this one corrects.
    pub replaces: Option<Uuid>,
    /// The report correcting this returned one.
    pub replaced_by: Option<Uuid>,
}

/// A reviewer's decision on a report this device sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDecision {
    /// The report.
    pub id: Uuid,
    /// `approved`, `returned` or `rejected`.
    pub decision: String,
    /// The note.
    pub note: String,
    /// The reviewer's name.
    pub by: String,
    /// When (ms since epoch).
    pub at: i64,
    /// The decision's number at the registry that made it.
    pub seq: u64,
}

impl Report {
    /// Whether the surveyor may still change it.
    pub fn editable(&self) -> bool {
        matches!(self.state.as_str(), "draft" | "refused")
    }
}

const REPORT_COLUMNS: &str = "SELECT id, form_id, version, area, answers, state, refusal,
        created_at, updated_at, filled_at, review_note, reviewed_by, reviewed_at, replaces,
        replaced_by FROM form_reports";

/// The states a reviewer's decision can move a report from (the registry stored it).
const DECIDED_FROM: &str = "('sent', 'approved', 'returned', 'rejected')";

fn uuid_of(s: Option<String>) -> Option<Uuid> {
    s.and_then(|s| Uuid::parse_str(&s).ok())
}

fn report(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, Report)> {
    let id: String = r.get(0)?;
    Ok((
        id,
        Report {
            id: Uuid::nil(),
            form_id: r.get(1)?,
            version: r.get(2)?,
            area: r.get(3)?,
            answers: r.get(4)?,
            state: r.get(5)?,
            refusal: r.get(6)?,
            created_at: r.get(7)?,
            updated_at: r.get(8)?,
            filled_at: r.get(9)?,
            review_note: r.get(10)?,
            reviewed_by: r.get(11)?,
            reviewed_at: r.get(12)?,
            replaces: uuid_of(r.get(13)?),
            replaced_by: uuid_of(r.get(14)?),
        },
    ))
}

fn with_id((id, mut r): (String, Report)) -> Result<Report> {
    r.id = Uuid::parse_str(&id).map_err(|e| StoreError::Document {
        id: format!("report {id}"),
        message: e.to_string(),
    })?;
    Ok(r)
}

fn not_editable(id: Uuid) -> StoreError {
    StoreError::Report(format!(
        "report {id} was submitted; it can no longer be changed"
    ))
}

impl Store {
    /// Keeps the versions in `forms` this device does not hold yet; returns how many were new.
    pub fn keep_forms(&mut self, forms: &[StoredForm], now: i64) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let mut new = 0;
        {
            let mut put = tx.prepare_cached(
                "INSERT INTO forms (form_id, version, title, file_name, source, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            )?;
            for f in forms {
                new += put.execute(params![
                    f.form_id,
                    f.version,
                    f.title,
                    f.file_name,
                    f.source,
                    now
                ])? as u64;
            }
        }
        tx.commit()?;
        Ok(new)
    }

    /// Every version of every form held, by form id and the order received.
    pub fn forms(&self) -> Result<Vec<StoredForm>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT form_id, version, title, file_name, source FROM forms
              ORDER BY form_id, received_at, version",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredForm {
                    form_id: r.get(0)?,
                    version: r.get(1)?,
                    title: r.get(2)?,
                    file_name: r.get(3)?,
                    source: r.get(4)?,
                })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The (form id, version) of every version held, without sources: what a pull names so the
    /// registry sends only the others.
    pub fn form_versions(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT form_id, version FROM forms ORDER BY form_id, version")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// One version of a form.
    pub fn form(&self, form_id: &str, version: &str) -> Result<Option<StoredForm>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT form_id, version, title, file_name, source FROM forms
                  WHERE form_id = ?1 AND version = ?2",
            )?
            .query_row(params![form_id, version], |r| {
                Ok(StoredForm {
                    form_id: r.get(0)?,
                    version: r.get(1)?,
                    title: r.get(2)?,
                    file_name: r.get(3)?,
                    source: r.get(4)?,
                })
            })
            .optional()?)
    }

    /// Starts a report with a version this device holds; returns it (an empty draft).
    pub fn start_report(
        &mut self,
        form_id: &str,
        version: &str,
        area: &str,
        now: i64,
    ) -> Result<Report> {
        if self.form(form_id, version)?.is_none() {
            return Err(StoreError::Report(format!(
                "form {form_id} version {version} is not on this device"
            )));
        }
        let id = Uuid::now_v7();
        self.conn.execute(
            "INSERT INTO form_reports (id, form_id, version, area, answers, state, created_at,
                    updated_at)
             VALUES (?1, ?2, ?3, ?4, '{}', 'draft', ?5, ?5)",
            params![id.to_string(), form_id, version, area, now],
        )?;
        self.report(id)?
            .ok_or_else(|| StoreError::Report(format!("no report {id}")))
    }

    /// One report.
    pub fn report(&self, id: Uuid) -> Result<Option<Report>> {
        self.conn
            .prepare_cached(&format!("{REPORT_COLUMNS} WHERE id = ?1"))?
            .query_row([id.to_string()], report)
            .optional()?
            .map(with_id)
            .transpose()
    }

    /// Every report, newest first (of one form with `Some`).
    pub fn reports(&self, form_id: Option<&str>) -> Result<Vec<Report>> {
        let rows = self
            .conn
            .prepare_cached(&format!(
                "{REPORT_COLUMNS} WHERE ?1 IS NULL OR form_id = ?1 ORDER BY created_at DESC, id DESC"
            ))?
            .query_map([form_id], report)?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        rows.into_iter().map(with_id).collect()
    }

    /// Saves a report's answers (a JSON object, as text) while it is editable.
    pub fn save_report(&mut self, id: Uuid, answers: &str, now: i64) -> Result<Report> {
        let r = self
            .report(id)?
            .ok_or_else(|| StoreError::Report(format!("no report {id}")))?;
        if !r.editable() {
            return Err(not_editable(id));
        }
        self.conn.execute(
            "UPDATE form_reports SET answers = ?2, updated_at = ?3 WHERE id = ?1",
            params![id.to_string(), answers, now],
        )?;
        self.report(id)?
            .ok_or_else(|| StoreError::Report(format!("no report {id}")))
    }

    /// Queues an editable report for the next sync (the caller checked it is complete).
    pub fn submit_report(&mut self, id: Uuid, now: i64) -> Result<Report> {
        let r = self
            .report(id)?
            .ok_or_else(|| StoreError::Report(format!("no report {id}")))?;
        if !r.editable() {
            return Err(not_editable(id));
        }
        self.conn.execute(
            "UPDATE form_reports SET state = 'queued', refusal = NULL, filled_at = ?2,
                    updated_at = ?2 WHERE id = ?1",
            params![id.to_string(), now],
        )?;
        self.report(id)?
            .ok_or_else(|| StoreError::Report(format!("no report {id}")))
    }

    /// The reports waiting for a sync, oldest first.
    pub fn queued_reports(&self) -> Result<Vec<Report>> {
        let rows = self
            .conn
            .prepare_cached(&format!(
                "{REPORT_COLUMNS} WHERE state = 'queued' ORDER BY filled_at, id"
            ))?
            .query_map([], report)?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        rows.into_iter().map(with_id).collect()
    }

    /// Records the registry's answer for queued reports: `None` stored (now `sent`), `Some`
    /// refused with the reason (editable again). A report no longer queued is left alone.
    pub fn mark_reports(&mut self, outcomes: &[(Uuid, Option<String>)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut set = tx.prepare_cached(
                "UPDATE form_reports SET state = ?2, refusal = ?3
                  WHERE id = ?1 AND state = 'queued'",
            )?;
            for (id, refused) in outcomes {
                let state = if refused.is_some() { "refused" } else { "sent" };
                set.execute(params![id.to_string(), state, refused])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records reviewers' decisions on reports this device sent, from the registry keyed
    /// `registry`: each report the registry stored takes the decision's state with its note; a
    /// report not held, or not sent yet, is left alone. In the same transaction the number of the
    /// last decision held from that registry moves up to the highest of these
    /// ([`Store::reviews_after`]), so a decision is never counted as held before it is.
    /// Returns how many reports changed.
    pub fn apply_reviews(&mut self, registry: &str, reviews: &[ReportDecision]) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        if let Some(upto) = reviews.iter().map(|d| d.seq).max() {
            tx.prepare_cached(
                "INSERT INTO review_positions (registry, upto) VALUES (?1, ?2)
                 ON CONFLICT (registry) DO UPDATE SET upto = max(upto, excluded.upto)",
            )?
            .execute(params![registry, i64::try_from(upto).unwrap_or(i64::MAX)])?;
        }
        {
            let mut set = tx.prepare_cached(&format!(
                "UPDATE form_reports SET state = ?2, review_note = ?3, reviewed_by = ?4,
                        reviewed_at = ?5
                  WHERE id = ?1 AND state IN {DECIDED_FROM}"
            ))?;
            for d in reviews {
                if d.decision.parse::<Decision>().is_err() {
                    continue;
                }
                changed +=
                    set.execute(params![d.id.to_string(), d.decision, d.note, d.by, d.at])? as u64;
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// The number of the last reviewer's decision this device holds from the registry keyed
    /// `registry` (0 before any): its pull asks for those after it.
    pub fn reviews_after(&self, registry: &str) -> Result<u64> {
        let upto: Option<i64> = self
            .conn
            .query_row(
                "SELECT upto FROM review_positions WHERE registry = ?1",
                [registry],
                |r| r.get(0),
            )
            .optional()?;
        Ok(upto.and_then(|u| u64::try_from(u).ok()).unwrap_or(0))
    }

    /// Starts the correction of a returned report: a new draft with its form version, area and
    /// answers that names it. A report already being corrected gives its correction back.
    pub fn correct_report(&mut self, id: Uuid, now: i64) -> Result<Report> {
        let r = self
            .report(id)?
            .ok_or_else(|| StoreError::Report(format!("no report {id}")))?;
        if let Some(c) = r.replaced_by {
            return self
                .report(c)?
                .ok_or_else(|| StoreError::Report(format!("no report {c}")));
        }
        if r.state != "returned" {
            return Err(StoreError::Report(format!(
                "report {id} is {}; only a returned report is corrected",
                r.state
            )));
        }
        let new = Uuid::now_v7();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO form_reports (id, form_id, version, area, answers, state, created_at,
                    updated_at, replaces)
             VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?6, ?7)",
            params![
                new.to_string(),
                r.form_id,
                r.version,
                r.area,
                r.answers,
                now,
                id.to_string()
            ],
        )?;
        tx.execute(
            "UPDATE form_reports SET replaced_by = ?2 WHERE id = ?1",
            params![id.to_string(), new.to_string()],
        )?;
        tx.commit()?;
        self.report(new)?
            .ok_or_else(|| StoreError::Report(format!("no report {new}")))
    }
}
