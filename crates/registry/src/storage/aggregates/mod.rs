//! The dashboards' maintained aggregates (migration V19): households per (area code, status), scored
//! households per (area code, 1-point PMT bucket), and the coverage targets an administrator sets.
//!
//! # Why triggers
//! The counts are kept by database triggers on `households` and `pmt_scores` (the SQL files of V19
//! explain each), not by the Rust that writes those rows. Every path that writes a household row —
//! a device's push, a review decision, a duplicate's resolution, an identity result, each through
//! `Storage::commit_ingest` — and every score written by `ScoreStore::put_scores` then moves the
//! counts inside its own statement, hence its own transaction: a crash never leaves a household
//! and its count apart, and a write path added later cannot forget them. SQLite's triggers are per
//! row; PostgreSQL's are per statement with transition tables, so an ingest batch costs one grouped
//! upsert applied in key order.
//!
//! # Reads
//! A dashboard reads the rows under an area through the tables' (area, ...) keys with the domain's
//! `AreaRange` (bytewise on both backends) and rolls them up to tehsil, district or province by
//! area-code prefix in the service (`service/dashboards.rs`): a province at a million households is
//! a few thousand small rows, never a scan of the households. Rows whose count fell to zero are kept
//! by the triggers and left out by the reads. [`AggregateStore::rebuild_aggregates`] recomputes both
//! tables from the households and scores (V19 does the same once for an existing registry; the
//! tests compare the maintained counts with it).

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::Result;
use shumari_domain::Status;
use std::future::Future;

/// Households of one status in one area code (the code as stored: a tehsil, union council, ...).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StatusCount {
    /// Area code.
    pub area: String,
    /// Workflow status.
    pub status: Status,
    /// Households.
    pub households: u64,
}

/// Scored households of one area code whose score falls in one 1-point bucket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BucketCount {
    /// Area code.
    pub area: String,
    /// `floor(score)` clamped to 0..=100.
    pub bucket: u8,
    /// Households.
    pub households: u64,
}

/// The number of households expected in an area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Area code.
    pub area: String,
    /// Households expected.
    pub households: u64,
    /// Who set it (user id).
    pub set_by: String,
    /// When (ms since the epoch).
    pub set_at: i64,
}

/// The bucket a score falls in, as the triggers compute it.
pub fn pmt_bucket(score: f64) -> u8 {
    // `as` saturates, then the clamp gives 0..=100 (scores are finite: the PMT clamps them).
    (score.floor() as i64).clamp(0, 100) as u8
}

/// The maintained counts and the targets.
pub trait AggregateStore {
    /// The non-zero (area, status) counts of `area` and every code under it.
    fn status_counts_under(
        &self,
        area: &str,
    ) -> impl Future<Output = Result<Vec<StatusCount>>> + Send;
    /// The non-zero (area, bucket) counts of `area` and every code under it.
    fn pmt_buckets_under(
        &self,
        area: &str,
    ) -> impl Future<Output = Result<Vec<BucketCount>>> + Send;
    /// The targets set for `area` and every code under it.
    fn targets_under(&self, area: &str) -> impl Future<Output = Result<Vec<Target>>> + Send;
    /// Sets (or replaces) the targets in one transaction; a target of 0 households removes it.
    fn set_targets(&self, targets: Vec<Target>) -> impl Future<Output = Result<()>> + Send;
    /// Recomputes both count tables from the households and their scores, in one transaction.
    fn rebuild_aggregates(&self) -> impl Future<Output = Result<()>> + Send;
}

/// The range parameters of an area, shared by both backends' reads.
pub(crate) fn range(area: &str) -> shumari_domain::AreaRange {
    shumari_domain::AreaRange::of(area)
}

#[cfg(test)]
mod tests {
    use super::pmt_bucket;

    #[test]
    fn buckets_are_whole_points_clamped_to_0_100() {
        assert_eq!(pmt_bucket(31.99), 31);
        assert_eq!(pmt_bucket(32.0), 32);
        assert_eq!(pmt_bucket(-4.0), 0);
        assert_eq!(pmt_bucket(100.0), 100);
        assert_eq!(pmt_bucket(140.5), 100);
    }
}
