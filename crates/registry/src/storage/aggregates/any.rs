//! [`AggregateStore`] on whichever backend an [`AnyStorage`] is.

use super::{
    AggregateStore, BucketCount, FieldCounts, ProgrammeCount, StatusCount, SurveyorDay, Target,
};
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

    async fn programme_counts_under(&self, area: &str) -> Result<Vec<ProgrammeCount>> {
        match self {
            AnyStorage::Sqlite(s) => s.programme_counts_under(area).await,
            AnyStorage::Postgres(s) => s.programme_counts_under(area).await,
        }
    }

    async fn field_counts_under(&self, area: &str, now: i64) -> Result<FieldCounts> {
        match self {
            AnyStorage::Sqlite(s) => s.field_counts_under(area, now).await,
            AnyStorage::Postgres(s) => s.field_counts_under(area, now).await,
        }
    }

    async fn surveyor_days_under(&self, area: &str, from_day: &str) -> Result<Vec<SurveyorDay>> {
        match self {
            AnyStorage::Sqlite(s) => s.surveyor_days_under(area, from_day).await,
            AnyStorage::Postgres(s) => s.surveyor_days_under(area, from_day).await,
        }
    }

    async fn duration_buckets_under(&self, area: &str, from_day: &str) -> Result<Vec<(u8, u64)>> {
        match self {
            AnyStorage::Sqlite(s) => s.duration_buckets_under(area, from_day).await,
            AnyStorage::Postgres(s) => s.duration_buckets_under(area, from_day).await,
        }
    }
}
