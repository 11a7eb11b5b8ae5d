//! [`FormStore`] on whichever backend an [`AnyStorage`] is.

use super::{DecisionRow, FormRow, FormStore, SiteDay, SubmissionQuery, SubmissionRow};
use crate::storage::any::AnyStorage;
use crate::storage::Result;

/// Calls the same method on whichever backend this is.
macro_rules! delegate {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match $self {
            AnyStorage::Sqlite(s) => s.$method($($arg),*).await,
            AnyStorage::Postgres(s) => s.$method($($arg),*).await,
        }
    };
}

impl FormStore for AnyStorage {
    async fn put_form(&self, form: &FormRow, areas: &[String]) -> Result<bool> {
        delegate!(self.put_form(form, areas))
    }

    async fn form_version(&self, form_id: &str, version: &str) -> Result<Option<FormRow>> {
        delegate!(self.form_version(form_id, version))
    }

    async fn forms(&self) -> Result<Vec<FormRow>> {
        delegate!(self.forms())
    }

    async fn form_publications(&self) -> Result<Vec<(String, String, String)>> {
        delegate!(self.form_publications())
    }

    async fn insert_submissions(&self, rows: &[SubmissionRow]) -> Result<u64> {
        delegate!(self.insert_submissions(rows))
    }

    async fn submissions(&self, q: &SubmissionQuery) -> Result<Vec<SubmissionRow>> {
        delegate!(self.submissions(q))
    }

    async fn submissions_per_site_day(
        &self,
        form_id: &str,
        area: &str,
        from_day: &str,
    ) -> Result<Vec<SiteDay>> {
        delegate!(self.submissions_per_site_day(form_id, area, from_day))
    }

    async fn submission(&self, id: &str) -> Result<Option<SubmissionRow>> {
        delegate!(self.submission(id))
    }

    async fn replacement_of(&self, id: &str) -> Result<Option<SubmissionRow>> {
        delegate!(self.replacement_of(id))
    }

    async fn decide_submission(&self, from: &str, decision: &DecisionRow) -> Result<bool> {
        delegate!(self.decide_submission(from, decision))
    }

    async fn submission_decisions(&self, id: &str) -> Result<Vec<DecisionRow>> {
        delegate!(self.submission_decisions(id))
    }

    async fn decisions_after(
        &self,
        device_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<DecisionRow>> {
        delegate!(self.decisions_after(device_id, after, limit))
    }
}
