//! [`CitizenStore`] on whichever backend an [`AnyStorage`] is.

use super::{AttemptRule, CitizenStore, IssueRow};
use crate::storage::any::AnyStorage;
use crate::storage::Result;

impl CitizenStore for AnyStorage {
    async fn id_number_issues(&self, digits: &str) -> Result<Vec<IssueRow>> {
        match self {
            AnyStorage::Sqlite(s) => s.id_number_issues(digits).await,
            AnyStorage::Postgres(s) => s.id_number_issues(digits).await,
        }
    }

    async fn locked_until(&self, key: &[u8], now: i64) -> Result<Option<i64>> {
        match self {
            AnyStorage::Sqlite(s) => s.locked_until(key, now).await,
            AnyStorage::Postgres(s) => s.locked_until(key, now).await,
        }
    }

    async fn note_failure(&self, key: &[u8], now: i64, rule: AttemptRule) -> Result<Option<i64>> {
        match self {
            AnyStorage::Sqlite(s) => s.note_failure(key, now, rule).await,
            AnyStorage::Postgres(s) => s.note_failure(key, now, rule).await,
        }
    }
}
