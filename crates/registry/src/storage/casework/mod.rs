//! Rows the registry keeps *about* households, besides the households themselves (migrations V9, V10
//! and V14's case kinds): the
//! proxy means test scores it computed, the PMT models it was given and its rescoring runs
//! ([`ScoreStore`]), and the duplicates queue ([`CaseStore`]). What goes into them (scoring, when a
//! case opens, who may resolve it) is the service's (`service/scoring.rs`, `service/duplicates.rs`);
//! each backend (`sqlite.rs`, `postgres.rs`) only stores and reads the columns, with fixed statements
//! and bound parameters.
//!
//! Both traits are supertraits of [`super::Storage`], so every backend has them and the service
//! reaches them through the one storage it holds.

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::{HouseholdSummary, Result};
use std::future::Future;
use uuid::Uuid;

/// One household's score as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRow {
    /// Household.
    pub household_id: Uuid,
    /// Version of the model that scored it.
    pub model_version: String,
    /// 0 (poorest) to 100.
    pub score: f64,
    /// The band the score falls in (`service/scoring.rs`).
    pub band: String,
    /// Each variable's contribution (JSON array).
    pub contributions: String,
    /// Eligibility per programme (JSON array).
    pub programmes: String,
    /// When it was scored (ms since epoch).
    pub scored_at: i64,
}

/// One rescoring run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    /// Job id.
    pub id: String,
    /// The model it scores with.
    pub model_version: String,
    /// Households to score.
    pub total: u64,
    /// Households scored so far.
    pub done: u64,
    /// When it started (ms since epoch).
    pub started_at: i64,
    /// When it finished.
    pub finished_at: Option<i64>,
    /// Why it stopped, when it failed.
    pub error: Option<String>,
}

/// Scores, models and rescoring runs.
pub trait ScoreStore {
    /// The model in force: the version and TOML source installed last (`None`: none installed).
    fn current_model(&self) -> impl Future<Output = Result<Option<(String, String)>>> + Send;
    /// The version of the model in force (one small read, made before each scoring pass).
    fn current_model_version(&self) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Installs a model (or installs an earlier version again), making it the one in force.
    fn install_model(
        &self,
        version: &str,
        source: &str,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Stores scores, replacing each household's previous one, in one transaction.
    fn put_scores(&self, rows: Vec<ScoreRow>) -> impl Future<Output = Result<()>> + Send;
    /// A household's score.
    fn score_of(&self, id: Uuid) -> impl Future<Output = Result<Option<ScoreRow>>> + Send;
    /// Up to `limit` household ids after `after`, in id order (a rescoring run's pages).
    fn household_ids(
        &self,
        after: Option<Uuid>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Uuid>>> + Send;
    /// Up to `limit` households that have no score.
    fn unscored(&self, limit: usize) -> impl Future<Output = Result<Vec<Uuid>>> + Send;
    /// Number of households.
    fn household_count(&self) -> impl Future<Output = Result<u64>> + Send;
    /// Stores a rescoring run's row (inserted or updated).
    fn put_job(&self, job: &JobRow) -> impl Future<Output = Result<()>> + Send;
    /// A rescoring run.
    fn job(&self, id: &str) -> impl Future<Output = Result<Option<JobRow>>> + Send;
    /// The latest `limit` rescoring runs, newest first.
    fn jobs(&self, limit: usize) -> impl Future<Output = Result<Vec<JobRow>>> + Send;
}

/// One case of the duplicates queue as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    /// Case id.
    pub id: String,
    /// The CNIC/B-form number (13 digits) the households share.
    pub id_number: String,
    /// The district the case is queued in.
    pub area: String,
    /// `open`, `resolved`, `data_error` or `dismissed`.
    pub state: String,
    /// When it opened (ms since epoch).
    pub opened_at: i64,
    /// When it was closed.
    pub closed_at: Option<i64>,
    /// Who closed it (user id).
    pub closed_by: Option<String>,
    /// The household that kept the member, for a `resolved` case.
    pub kept: Option<Uuid>,
    /// The resolver's note.
    pub note: Option<String>,
    /// The households carrying the number, as the case covers them.
    pub households: Vec<Uuid>,
    /// `shared_number` (several households carry the number), or an identity case of migration
    /// V14: `not_found` (the ID authority does not know the number) or `mismatch`.
    pub kind: String,
    /// For a `mismatch`, the fields the authority holds otherwise (`;`-joined).
    pub detail: Option<String>,
}

/// How a case is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseClosing {
    /// The new state.
    pub state: String,
    /// Who (user id).
    pub by: String,
    /// The household that kept the member.
    pub kept: Option<Uuid>,
    /// Note.
    pub note: Option<String>,
    /// When (ms since epoch).
    pub at: i64,
}

/// The duplicates queue.
pub trait CaseStore {
    /// For every ID number a member of one of `ids` carries, the households carrying it, when more
    /// than one does: (number, household) pairs read through the `member_ids` index.
    fn sharing_id_numbers(
        &self,
        ids: &[Uuid],
    ) -> impl Future<Output = Result<Vec<(String, Uuid)>>> + Send;
    /// Every number carried by members of more than one household, with those households (the
    /// batch pass over the whole registry).
    fn all_shared_id_numbers(&self) -> impl Future<Output = Result<Vec<(String, Uuid)>>> + Send;
    /// Every case (any state) of these numbers.
    fn cases_of_numbers(
        &self,
        numbers: &[String],
    ) -> impl Future<Output = Result<Vec<CaseRow>>> + Send;
    /// Opens a case with its households.
    fn open_case(&self, case: &CaseRow) -> impl Future<Output = Result<()>> + Send;
    /// Adds households to a case.
    fn add_case_households(
        &self,
        case_id: &str,
        households: &[Uuid],
    ) -> impl Future<Output = Result<()>> + Send;
    /// Cases in `state` (`None`: all), oldest first.
    fn cases(&self, state: Option<&str>) -> impl Future<Output = Result<Vec<CaseRow>>> + Send;
    /// One case.
    fn case(&self, id: &str) -> impl Future<Output = Result<Option<CaseRow>>> + Send;
    /// The open cases a household is in.
    fn open_cases_of(&self, household: Uuid) -> impl Future<Output = Result<Vec<String>>> + Send;
    /// Closes an open case; `false` when it is not open (closed meanwhile, or unknown).
    fn close_case(
        &self,
        id: &str,
        closing: &CaseClosing,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// The dismissed possible-duplicate pairs (smaller id first) with a household among `ids`.
    fn dismissed_pairs(
        &self,
        ids: &[Uuid],
    ) -> impl Future<Output = Result<Vec<(Uuid, Uuid)>>> + Send;
    /// Records a possible-duplicate pair as dismissed (`a` < `b`); dismissing it again changes
    /// nothing.
    fn dismiss_pair(
        &self,
        a: Uuid,
        b: Uuid,
        by: &str,
        note: Option<&str>,
        at: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// List rows of these households (absent ones skipped).
    fn summaries_of(
        &self,
        ids: &[Uuid],
    ) -> impl Future<Output = Result<Vec<HouseholdSummary>>> + Send;
}
