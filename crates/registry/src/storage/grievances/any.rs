//! [`GrievanceStore`] on whichever backend an [`AnyStorage`] is.

use super::{
    EventRow, GrievanceChange, GrievanceQuery, GrievanceRow, GrievanceStore, GrievanceTally,
};
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

impl GrievanceStore for AnyStorage {
    async fn insert_grievance(&self, g: &GrievanceRow) -> Result<GrievanceRow> {
        delegate!(self.insert_grievance(g))
    }

    async fn grievance(&self, tracking: &str) -> Result<Option<GrievanceRow>> {
        delegate!(self.grievance(tracking))
    }

    async fn grievance_events(&self, tracking: &str) -> Result<Vec<EventRow>> {
        delegate!(self.grievance_events(tracking))
    }

    async fn grievances_in(&self, q: &GrievanceQuery) -> Result<Vec<GrievanceRow>> {
        delegate!(self.grievances_in(q))
    }

    async fn grievance_tally(&self, area: &str, now: i64) -> Result<Vec<GrievanceTally>> {
        delegate!(self.grievance_tally(area, now))
    }

    async fn count_open_grievances(&self, area: &str, escalated_only: bool) -> Result<u64> {
        delegate!(self.count_open_grievances(area, escalated_only))
    }

    async fn change_grievance(&self, tracking: &str, change: &GrievanceChange) -> Result<bool> {
        delegate!(self.change_grievance(tracking, change))
    }

    async fn escalate_due(&self, now: i64, by: &str, limit: usize) -> Result<Vec<GrievanceRow>> {
        delegate!(self.escalate_due(now, by, limit))
    }

    async fn grievances_of_household(&self, household_id: &str) -> Result<Vec<GrievanceRow>> {
        delegate!(self.grievances_of_household(household_id))
    }

    async fn grievances_for_payments(&self, references: &[String]) -> Result<Vec<GrievanceRow>> {
        delegate!(self.grievances_for_payments(references))
    }
}
