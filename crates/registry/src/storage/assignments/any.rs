//! [`AssignmentStore`] on whichever backend an [`AnyStorage`] is.

use super::{AssignmentRow, AssignmentStore};
use crate::storage::any::AnyStorage;
use crate::storage::Result;
use shumari_domain::assignment::Assignment;

/// Calls the same method on whichever backend this is.
macro_rules! delegate {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match $self {
            AnyStorage::Sqlite(s) => s.$method($($arg),*).await,
            AnyStorage::Postgres(s) => s.$method($($arg),*).await,
        }
    };
}

impl AssignmentStore for AnyStorage {
    async fn put_assignment(&self, a: &Assignment) -> Result<()> {
        delegate!(self.put_assignment(a))
    }

    async fn assignment(&self, id: &str) -> Result<Option<AssignmentRow>> {
        delegate!(self.assignment(id))
    }

    async fn withdraw_assignment(&self, id: &str, by: &str, at: i64) -> Result<bool> {
        delegate!(self.withdraw_assignment(id, by, at))
    }

    async fn assignments_of(&self, surveyor: &str) -> Result<Vec<Assignment>> {
        delegate!(self.assignments_of(surveyor))
    }

    async fn assignments_under(&self, area: &str, limit: usize) -> Result<Vec<Assignment>> {
        delegate!(self.assignments_under(area, limit))
    }
}
