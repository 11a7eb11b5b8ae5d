//! [`CitizenStore`] on whichever backend an [`AnyStorage`] is.

use super::{AttemptRule, CitizenStore, LookUp};
use crate::storage::any::AnyStorage;
use crate::storage::Result;

impl CitizenStore for AnyStorage {
    async fn look_up(&self, keys: &[Vec<u8>], digits: &str, now: i64) -> Result<LookUp> {
        match self {
            AnyStorage::Sqlite(s) => s.look_up(keys, digits, now).await,
            AnyStorage::Postgres(s) => s.look_up(keys, digits, now).await,
        }
    }

    async fn note_failures(
        &self,
        keys: &[(Vec<u8>, AttemptRule)],
        now: i64,
    ) -> Result<Option<i64>> {
        match self {
            AnyStorage::Sqlite(s) => s.note_failures(keys, now).await,
            AnyStorage::Postgres(s) => s.note_failures(keys, now).await,
        }
    }
}
