//! [`CitizenStore`] on whichever backend an [`AnyStorage`] is.

use super::{CitizenRow, CitizenStore, Failures, LookUp};
use crate::storage::any::AnyStorage;
use crate::storage::Result;

impl CitizenStore for AnyStorage {
    async fn look_up(&self, keys: &[Vec<u8>], digits: &str, now: i64) -> Result<LookUp> {
        match self {
            AnyStorage::Sqlite(s) => s.look_up(keys, digits, now).await,
            AnyStorage::Postgres(s) => s.look_up(keys, digits, now).await,
        }
    }

    async fn without_citizen_row(
        &self,
        after: Option<uuid::Uuid>,
        limit: usize,
    ) -> Result<Vec<uuid::Uuid>> {
        match self {
            AnyStorage::Sqlite(s) => s.without_citizen_row(after, limit).await,
            AnyStorage::Postgres(s) => s.without_citizen_row(after, limit).await,
        }
    }

    async fn put_citizen_rows(&self, rows: Vec<(uuid::Uuid, Vec<u8>, CitizenRow)>) -> Result<u64> {
        match self {
            AnyStorage::Sqlite(s) => s.put_citizen_rows(rows).await,
            AnyStorage::Postgres(s) => s.put_citizen_rows(rows).await,
        }
    }

    async fn note_failures(&self, batch: &[Failures]) -> Result<Vec<Option<i64>>> {
        match self {
            AnyStorage::Sqlite(s) => s.note_failures(batch).await,
            AnyStorage::Postgres(s) => s.note_failures(batch).await,
        }
    }
}
