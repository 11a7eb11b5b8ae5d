//! [`IdentityStore`] on whichever backend an [`AnyStorage`] is.

use super::{BatchRow, IdentityStore, ImportRow, ResultRow};
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

impl IdentityStore for AnyStorage {
    async fn put_identity_batch(&self, batch: &BatchRow) -> Result<()> {
        delegate!(self.put_identity_batch(batch))
    }

    async fn identity_batch(&self, id: &str) -> Result<Option<BatchRow>> {
        delegate!(self.identity_batch(id))
    }

    async fn identity_import(&self, file_sha256: &str) -> Result<Option<ImportRow>> {
        delegate!(self.identity_import(file_sha256))
    }

    async fn identity_results(&self, numbers: &[String]) -> Result<Vec<ResultRow>> {
        delegate!(self.identity_results(numbers))
    }

    async fn record_identity_import(
        &self,
        import: &ImportRow,
        results: Vec<ResultRow>,
    ) -> Result<()> {
        delegate!(self.record_identity_import(import, results))
    }
}
