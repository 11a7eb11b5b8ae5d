//! [`ProgrammeStore`] on whichever backend an [`AnyStorage`] is.

use super::{
    ComplianceRow, EligibilityRow, EnrolmentChange, EnrolmentRow, ProgrammeJobRow, ProgrammeRow,
    ProgrammeStore,
};
use crate::storage::any::AnyStorage;
use crate::storage::Result;
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

impl ProgrammeStore for AnyStorage {
    async fn put_programme(&self, p: &ProgrammeRow) -> Result<bool> {
        delegate!(self.put_programme(p))
    }

    async fn programme_version(&self, id: &str, version: &str) -> Result<Option<ProgrammeRow>> {
        delegate!(self.programme_version(id, version))
    }

    async fn programmes(&self) -> Result<Vec<ProgrammeRow>> {
        delegate!(self.programmes())
    }

    async fn put_eligibility(&self, rows: Vec<EligibilityRow>) -> Result<()> {
        delegate!(self.put_eligibility(rows))
    }

    async fn eligibility_rows(&self, household: Uuid) -> Result<Vec<EligibilityRow>> {
        delegate!(self.eligibility_rows(household))
    }

    async fn eligible_not_enrolled(&self, programme: &str) -> Result<Vec<Uuid>> {
        delegate!(self.eligible_not_enrolled(programme))
    }

    async fn enrol(
        &self,
        programme: &str,
        households: &[Uuid],
        by: &str,
        at: i64,
        reason: &str,
    ) -> Result<u64> {
        delegate!(self.enrol(programme, households, by, at, reason))
    }

    async fn set_enrolment(&self, change: &EnrolmentChange) -> Result<bool> {
        delegate!(self.set_enrolment(change))
    }

    async fn enrolment_rows(&self, household: Uuid) -> Result<Vec<EnrolmentRow>> {
        delegate!(self.enrolment_rows(household))
    }

    async fn enrolment_history(&self, household: Uuid) -> Result<Vec<EnrolmentChange>> {
        delegate!(self.enrolment_history(household))
    }

    async fn eligible_in(&self, programme: &str) -> Result<Vec<Uuid>> {
        delegate!(self.eligible_in(programme))
    }

    async fn enrolled_in(&self, programme: &str) -> Result<Vec<Uuid>> {
        delegate!(self.enrolled_in(programme))
    }

    async fn put_compliance(&self, rows: Vec<ComplianceRow>) -> Result<()> {
        delegate!(self.put_compliance(rows))
    }

    async fn compliance_of(
        &self,
        programme: &str,
        period: &str,
        households: &[Uuid],
    ) -> Result<Vec<ComplianceRow>> {
        delegate!(self.compliance_of(programme, period, households))
    }

    async fn put_programme_job(&self, job: &ProgrammeJobRow) -> Result<()> {
        delegate!(self.put_programme_job(job))
    }

    async fn programme_job(&self, id: &str) -> Result<Option<ProgrammeJobRow>> {
        delegate!(self.programme_job(id))
    }
}
