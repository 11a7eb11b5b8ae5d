//! Programmes, eligibility and enrolment as stored (migration V15): the programme files loaded
//! (source text by (id, version), who loaded them and when), the latest eligibility decision per
//! (household, programme) with its reasons and the score it used, each household's enrolment
//! status per programme with every change in a history, compliance records, and the runs
//! (eligibility, enrolment) with their progress.
//!
//! The rules are the programme file's and the decisions the service's
//! (`service/programmes.rs` with `shumari_programmes`); each backend (`sqlite.rs`, `postgres.rs`)
//! only stores and reads rows, with fixed statements and bound parameters. An enrolment change and
//! its history row are written in one transaction, and a status change is a compare-and-set on the
//! status the caller read, so two officers never both move one enrolment.
//! [`ProgrammeStore`] is a supertrait of [`super::Storage`], so every backend has it.

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::Result;
use std::future::Future;
use uuid::Uuid;

/// A programme file as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeRow {
    /// Programme id.
    pub id: String,
    /// Version of its rules.
    pub version: String,
    /// English name.
    pub name_en: String,
    /// Urdu name.
    pub name_ur: String,
    /// The file's text.
    pub source: String,
    /// Who loaded it (user id, or `console`).
    pub loaded_by: String,
    /// When (ms since epoch).
    pub loaded_at: i64,
}

/// The latest eligibility decision of one household for one programme.
#[derive(Debug, Clone, PartialEq)]
pub struct EligibilityRow {
    /// Household.
    pub household_id: Uuid,
    /// Programme.
    pub programme_id: String,
    /// The version of the programme's rules it was decided with.
    pub programme_version: String,
    /// Eligible.
    pub eligible: bool,
    /// The reasons (JSON list of `{en, ur}`).
    pub reasons: String,
    /// The PMT score it used (`None`: the household had none).
    pub score: Option<f64>,
    /// The model that gave the score.
    pub model_version: Option<String>,
    /// When (ms since epoch).
    pub computed_at: i64,
}

/// A household's status in one programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentRow {
    /// Household.
    pub household_id: Uuid,
    /// Programme.
    pub programme_id: String,
    /// `enrolled`, `suspended` or `exited`.
    pub status: String,
    /// Since when (ms since epoch).
    pub since: i64,
}

/// One change of an enrolment's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentChange {
    /// Household.
    pub household_id: Uuid,
    /// Programme.
    pub programme_id: String,
    /// Status before (`None`: the enrolment itself).
    pub from: Option<String>,
    /// Status after.
    pub to: String,
    /// Who (user id, or `console`).
    pub by: String,
    /// When (ms since epoch).
    pub at: i64,
    /// Why, in the officer's words.
    pub reason: String,
}

/// One compliance record: a measure for a member (or the household) in a period.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplianceRow {
    /// Programme.
    pub programme_id: String,
    /// Period name (`2026-Q4`).
    pub period: String,
    /// Household.
    pub household_id: Uuid,
    /// Member (`None`: the household).
    pub member_id: Option<Uuid>,
    /// Measure (`attendance_percent`).
    pub measure: String,
    /// Value.
    pub value: f64,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (ms since epoch).
    pub recorded_at: i64,
}

/// An eligibility or enrolment run and how far it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeJobRow {
    /// Job id.
    pub id: String,
    /// `eligibility` or `enrolment`.
    pub kind: String,
    /// The programme (an enrolment run's).
    pub programme_id: Option<String>,
    /// Who started it.
    pub started_by: String,
    /// Households to go through.
    pub total: u64,
    /// Households gone through.
    pub done: u64,
    /// When it started (ms since epoch).
    pub started_at: i64,
    /// When it finished.
    pub finished_at: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
}

/// A stored id that is not a UUID: the registry wrote it, so the row is damaged.
pub(super) fn uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|_| super::StorageError::Other(format!("bad household id `{s}`")))
}

/// Stored member ids: `''` is the household.
pub(super) fn member_of(s: &str) -> Result<Option<Uuid>> {
    if s.is_empty() {
        Ok(None)
    } else {
        uuid(s).map(Some)
    }
}

/// Programmes, eligibility, enrolments. Every method is one transaction.
pub trait ProgrammeStore {
    /// Stores a programme file; `false` (and nothing written) when (id, version) is already stored.
    fn put_programme(&self, p: &ProgrammeRow) -> impl Future<Output = Result<bool>> + Send;
    /// The stored file of (id, version).
    fn programme_version(
        &self,
        id: &str,
        version: &str,
    ) -> impl Future<Output = Result<Option<ProgrammeRow>>> + Send;
    /// The latest load of each programme, by id.
    fn programmes(&self) -> impl Future<Output = Result<Vec<ProgrammeRow>>> + Send;
    /// Replaces the eligibility rows of these (household, programme) pairs.
    fn put_eligibility(&self, rows: Vec<EligibilityRow>)
        -> impl Future<Output = Result<()>> + Send;
    /// A household's eligibility rows, by programme.
    fn eligibility_rows(
        &self,
        household: Uuid,
    ) -> impl Future<Output = Result<Vec<EligibilityRow>>> + Send;
    /// The households eligible for a programme and not enrolled in it (in any status), by id.
    fn eligible_not_enrolled(
        &self,
        programme: &str,
    ) -> impl Future<Output = Result<Vec<Uuid>>> + Send;
    /// Enrols these households (each not yet enrolled in any status), with a history row each;
    /// returns how many were enrolled.
    fn enrol(
        &self,
        programme: &str,
        households: &[Uuid],
        by: &str,
        at: i64,
        reason: &str,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Moves an enrolment from `from` to `to` with a history row; `false` when its status is no
    /// longer `from` (or there is no such enrolment).
    fn set_enrolment(&self, change: &EnrolmentChange) -> impl Future<Output = Result<bool>> + Send;
    /// A household's enrolments, by programme.
    fn enrolment_rows(
        &self,
        household: Uuid,
    ) -> impl Future<Output = Result<Vec<EnrolmentRow>>> + Send;
    /// A household's enrolment history, oldest first.
    fn enrolment_history(
        &self,
        household: Uuid,
    ) -> impl Future<Output = Result<Vec<EnrolmentChange>>> + Send;
    /// The households eligible for a programme (enrolled or not), by id.
    fn eligible_in(&self, programme: &str) -> impl Future<Output = Result<Vec<Uuid>>> + Send;
    /// The households enrolled (status `enrolled`) in a programme, by id.
    fn enrolled_in(&self, programme: &str) -> impl Future<Output = Result<Vec<Uuid>>> + Send;
    /// Stores compliance records (a record for the same programme, period, household, member and
    /// measure is replaced).
    fn put_compliance(&self, rows: Vec<ComplianceRow>) -> impl Future<Output = Result<()>> + Send;
    /// The compliance records of a programme's period for these households.
    fn compliance_of(
        &self,
        programme: &str,
        period: &str,
        households: &[Uuid],
    ) -> impl Future<Output = Result<Vec<ComplianceRow>>> + Send;
    /// Stores a run's row (insert or replace).
    fn put_programme_job(&self, job: &ProgrammeJobRow) -> impl Future<Output = Result<()>> + Send;
    /// A run by id.
    fn programme_job(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<ProgrammeJobRow>>> + Send;
}
