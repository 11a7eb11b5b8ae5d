//! [`ScoreStore`] and [`CaseStore`] on whichever backend an [`AnyStorage`] is.

use super::{CaseClosing, CaseRow, CaseStore, JobRow, ScoreRow, ScoreStore};
use crate::storage::any::AnyStorage;
use crate::storage::{HouseholdSummary, Result};
use uuid::Uuid;

/// Calls the same method on whichever backend this is.
macro_rules! delegate {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match $self {
            AnyStorage::Sqlite(s) => s.$method($($arg),*).await,
            AnyStorage::Postgres(s) => s.$method($($arg),*).await,
        }
    };
}

impl ScoreStore for AnyStorage {
    async fn current_model(&self) -> Result<Option<(String, String)>> {
        delegate!(self.current_model())
    }

    async fn current_model_version(&self) -> Result<Option<String>> {
        delegate!(self.current_model_version())
    }

    async fn install_model(&self, version: &str, source: &str, now: i64) -> Result<()> {
        delegate!(self.install_model(version, source, now))
    }

    async fn put_scores(&self, rows: Vec<ScoreRow>) -> Result<()> {
        delegate!(self.put_scores(rows))
    }

    async fn score_of(&self, id: Uuid) -> Result<Option<ScoreRow>> {
        delegate!(self.score_of(id))
    }

    async fn household_ids(&self, after: Option<Uuid>, limit: usize) -> Result<Vec<Uuid>> {
        delegate!(self.household_ids(after, limit))
    }

    async fn unscored(&self, limit: usize) -> Result<Vec<Uuid>> {
        delegate!(self.unscored(limit))
    }

    async fn household_count(&self) -> Result<u64> {
        delegate!(self.household_count())
    }

    async fn put_job(&self, job: &JobRow) -> Result<()> {
        delegate!(self.put_job(job))
    }

    async fn job(&self, id: &str) -> Result<Option<JobRow>> {
        delegate!(self.job(id))
    }

    async fn jobs(&self, limit: usize) -> Result<Vec<JobRow>> {
        delegate!(self.jobs(limit))
    }
}

impl CaseStore for AnyStorage {
    async fn sharing_id_numbers(&self, ids: &[Uuid]) -> Result<Vec<(String, Uuid)>> {
        delegate!(self.sharing_id_numbers(ids))
    }

    async fn all_shared_id_numbers(&self) -> Result<Vec<(String, Uuid)>> {
        delegate!(self.all_shared_id_numbers())
    }

    async fn cases_of_numbers(&self, numbers: &[String]) -> Result<Vec<CaseRow>> {
        delegate!(self.cases_of_numbers(numbers))
    }

    async fn open_case(&self, case: &CaseRow) -> Result<()> {
        delegate!(self.open_case(case))
    }

    async fn add_case_households(&self, case_id: &str, households: &[Uuid]) -> Result<()> {
        delegate!(self.add_case_households(case_id, households))
    }

    async fn cases(&self, state: Option<&str>) -> Result<Vec<CaseRow>> {
        delegate!(self.cases(state))
    }

    async fn case(&self, id: &str) -> Result<Option<CaseRow>> {
        delegate!(self.case(id))
    }

    async fn open_cases_of(&self, household: Uuid) -> Result<Vec<String>> {
        delegate!(self.open_cases_of(household))
    }

    async fn close_case(&self, id: &str, closing: &CaseClosing) -> Result<bool> {
        delegate!(self.close_case(id, closing))
    }

    async fn dismissed_pairs(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>> {
        delegate!(self.dismissed_pairs(ids))
    }

    async fn dismiss_pair(
        &self,
        a: Uuid,
        b: Uuid,
        by: &str,
        note: Option<&str>,
        at: i64,
    ) -> Result<()> {
        delegate!(self.dismiss_pair(a, b, by, note, at))
    }

    async fn summaries_of(&self, ids: &[Uuid]) -> Result<Vec<HouseholdSummary>> {
        delegate!(self.summaries_of(ids))
    }
}
