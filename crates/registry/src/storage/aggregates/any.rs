//! [`AggregateStore`] on whichever backend an [`AnyStorage`] is.

use super::{AggregateStore, BucketCount, StatusCount, Target};
use crate::storage::any::AnyStorage;
use crate::storage::Result;

impl AggregateStore for AnyStorage {
    async fn status_counts_under(&self, area: &str) -> Result<Vec<StatusCount>> {
        match self {
            AnyStorage::Sqlite(s) => s.status_counts_under(area).await,
            AnyStorage::Postgres(s) => s.status_counts_under(area).await,
        }
    }

    async fn pmt_buckets_under(&self, area: &str) -> Result<Vec<BucketCount>> {
        match self {
            AnyStorage::Sqlite(s) => s.pmt_buckets_under(area).await,
            AnyStorage::Postgres(s) => s.pmt_buckets_under(area).await,
        }
    }

    async fn targets_under(&self, area: &str) -> Result<Vec<Target>> {
        match self {
            AnyStorage::Sqlite(s) => s.targets_under(area).await,
            AnyStorage::Postgres(s) => s.targets_under(area).await,
        }
    }

    async fn set_targets(&self, targets: Vec<Target>) -> Result<()> {
        match self {
            AnyStorage::Sqlite(s) => s.set_targets(targets).await,
            AnyStorage::Postgres(s) => s.set_targets(targets).await,
        }
    }

    async fn rebuild_aggregates(&self) -> Result<()> {
        match self {
            AnyStorage::Sqlite(s) => s.rebuild_aggregates().await,
            AnyStorage::Postgres(s) => s.rebuild_aggregates().await,
        }
    }
}
