//! The registry's rows of questionnaires other than the household one (migration V26): every
//! published version of a form with its source ([`FormRow`]), the areas each version is published
//! to, and the reports tablets submitted with them ([`SubmissionRow`]); since V31 the decisions of
//! their review ([`DecisionRow`]) and the last one each device was sent.
//!
//! What a form means (its questions, its checks, which version a tablet gets) is
//! `service/forms.rs`'s and `service/submissions.rs`'s; each backend only stores and reads, with
//! fixed statements and bound parameters. [`FormStore`] is a supertrait of [`super::Storage`], so
//! every backend has it.

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::Result;
use std::future::Future;

/// One published version of a form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FormRow {
    /// The form's `form_id`.
    pub form_id: String,
    /// Its `version`.
    pub version: String,
    /// Its title (the `form_title` setting, or the id).
    pub title: String,
    /// The file name it was published as (tells TOML from a workbook).
    pub file_name: String,
    /// The source, as published.
    pub source: Vec<u8>,
    /// SHA-256 of the source, hex.
    pub checksum: String,
    /// When (ms since epoch).
    pub published_at: i64,
    /// Who (a user id, or `cli`).
    pub published_by: String,
}

/// One submitted report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubmissionRow {
    /// The submission's id (a UUID the tablet gave it).
    pub id: String,
    /// The form.
    pub form_id: String,
    /// The version it was filled with.
    pub version: String,
    /// The area it reports from.
    pub area: String,
    /// The site it reports on (a meal centre, a shelter).
    pub site: String,
    /// The day it reports on (`YYYY-MM-DD`).
    pub day: String,
    /// The answers (a JSON object).
    pub answers: String,
    /// `submitted`, `approved`, `returned`, `rejected` or `replaced` (by a corrected report).
    pub status: String,
    /// When it was filled on the tablet (ms since epoch).
    pub filled_at: i64,
    /// When the registry stored it (ms since epoch).
    pub received_at: i64,
    /// The device that sent it.
    pub device_id: String,
    /// The user of that device.
    pub user_id: String,
    /// The returned report this one corrects (its id), if any.
    pub replaces: Option<String>,
}

/// One decision on a report, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecisionRow {
    /// Its place in the order decisions were made (set by the store).
    pub seq: i64,
    /// The report.
    pub submission_id: String,
    /// The device that sent the report.
    pub device_id: String,
    /// `approved`, `returned` or `rejected`.
    pub decision: String,
    /// The reviewer's note ("" for an approval without one).
    pub note: String,
    /// The reviewer's user id.
    pub reviewer_id: String,
    /// The reviewer's name.
    pub reviewer_name: String,
    /// When (ms since epoch).
    pub decided_at: i64,
}

/// Which submissions a read takes: one form's, under `area` (the domain's `AreaRange`), on days
/// from `from_day` to `until_day` included, after the id `after`, at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubmissionQuery {
    /// The form.
    pub form_id: String,
    /// The area.
    pub area: String,
    /// First day (`YYYY-MM-DD`; "" from the first).
    pub from_day: String,
    /// Last day included (`YYYY-MM-DD`; "" to the last).
    pub until_day: String,
    /// Submission id to read after, in (day, id) order: the position `(day, id)` ("" from the start).
    pub after: (String, String),
    /// Rows at most.
    pub limit: usize,
    /// Whether reports replaced by a correction are read too (the figures and the export leave
    /// them out; a form's list of reports shows them).
    pub with_replaced: bool,
}

/// The submissions of one site on one day, counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteDay {
    /// The day.
    pub day: String,
    /// The site's area.
    pub area: String,
    /// The site.
    pub site: String,
    /// Submissions.
    pub count: u64,
}

/// The select list both backends read a [`SubmissionRow`] with (a literal for `concat!`).
macro_rules! submission_columns {
    () => {
        "SELECT id, form_id, version, area, site, day, answers, status, filled_at, received_at,
                device_id, user_id, replaces FROM form_submissions"
    };
}
pub(super) use submission_columns;

/// Forms and submissions. Every method is one transaction.
pub trait FormStore {
    /// Stores a new version of a form with the areas it is published to; when the version is
    /// stored already, only adds the areas it lacks. Returns whether the version was new.
    fn put_form(
        &self,
        form: &FormRow,
        areas: &[String],
    ) -> impl Future<Output = Result<bool>> + Send;
    /// One version of a form.
    fn form_version(
        &self,
        form_id: &str,
        version: &str,
    ) -> impl Future<Output = Result<Option<FormRow>>> + Send;
    /// Every version of every form, by form id and publication time.
    fn forms(&self) -> impl Future<Output = Result<Vec<FormRow>>> + Send;
    /// Every (form id, version, area) a form is published to.
    fn form_publications(
        &self,
    ) -> impl Future<Output = Result<Vec<(String, String, String)>>> + Send;
    /// Stores submissions not stored yet (by id); returns how many were new. A new one that
    /// `replaces` a report still `returned` marks that report `replaced` in the same transaction.
    fn insert_submissions(
        &self,
        rows: &[SubmissionRow],
    ) -> impl Future<Output = Result<u64>> + Send;
    /// A page of one form's submissions ([`SubmissionQuery`]), in (day, id) order.
    fn submissions(
        &self,
        q: &SubmissionQuery,
    ) -> impl Future<Output = Result<Vec<SubmissionRow>>> + Send;
    /// One form's submissions under `area` from `from_day` on, counted per day and site (reports
    /// replaced by a correction left out).
    fn submissions_per_site_day(
        &self,
        form_id: &str,
        area: &str,
        from_day: &str,
    ) -> impl Future<Output = Result<Vec<SiteDay>>> + Send;
    /// One submission.
    fn submission(&self, id: &str) -> impl Future<Output = Result<Option<SubmissionRow>>> + Send;
    /// The submission that replaces `id`, if one does.
    fn replacement_of(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<SubmissionRow>>> + Send;
    /// Records a decision when the submission's status is still `from`: its status becomes the
    /// decision and the decision joins its history, in one transaction. `false`: the status had
    /// moved, nothing was written.
    fn decide_submission(
        &self,
        from: &str,
        decision: &DecisionRow,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// A submission's decisions, oldest first.
    fn submission_decisions(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Vec<DecisionRow>>> + Send;
    /// The decisions on `device_id`'s submissions numbered after `after` (the last the device
    /// says it holds), in the order they were made, at most `limit`.
    fn decisions_after(
        &self,
        device_id: &str,
        after: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<DecisionRow>>> + Send;
}
