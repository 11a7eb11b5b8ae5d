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
//!
//! # Field operations and programme reach (migration V25)
//! Programme reach is maintained the same way: `programme_area_counts`, households eligible for and
//! enrolled in each programme per area code, moved by triggers on the eligibility decisions, the
//! enrolments and a household's area ([`AggregateStore::programme_counts_under`]). The field
//! figures are counted by the database through indexes over small slices, never the whole
//! registry: the review backlog by age through (status, area, updated_at), the households with
//! open conflicts through a partial index, the open duplicate cases from their own partial index
//! (few: a queue), and households per surveyor per day with their interview durations through the
//! quality facts' (day, area) index from the first day shown ([`AggregateStore::field_counts_under`],
//! [`AggregateStore::surveyor_days_under`], [`AggregateStore::duration_buckets_under`]).

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

/// Households eligible for and enrolled in one programme under an area.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProgrammeCount {
    /// The programme.
    pub programme_id: String,
    /// Households it found eligible.
    pub eligible: u64,
    /// Households enrolled in it.
    pub enrolled: u64,
}

/// The field figures of an area counted by the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldCounts {
    /// Households submitted and waiting for review.
    pub waiting: u64,
    /// When the longest-waiting one was last changed (ms since epoch).
    pub oldest_at: Option<i64>,
    /// Waiting households by age at the time asked: under 1 day, 1–3, 3–7, 7 or more.
    pub by_age: [u64; 4],
    /// Households with open conflicts.
    pub conflicts: u64,
    /// Open duplicate cases with a household in the area.
    pub open_duplicates: u64,
}

/// One surveyor's interviews on one day under an area.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SurveyorDay {
    /// The interview's day, `YYYY-MM-DD` in Pakistan time.
    pub day: String,
    /// The surveyor (user id).
    pub surveyor: String,
    /// Households interviewed.
    pub households: u64,
    /// Those with a recorded duration.
    pub timed: u64,
    /// Their durations added up, in seconds.
    pub duration_secs: u64,
    /// The shortest, in seconds.
    pub shortest_secs: Option<u64>,
    /// The longest, in seconds.
    pub longest_secs: Option<u64>,
}

/// Width of a bucket of interview durations, in seconds (10 minutes).
pub const DURATION_BUCKET_SECS: i64 = 600;

/// The last bucket of interview durations (2 hours or more).
pub const DURATION_BUCKETS: u8 = 12;

/// Milliseconds in a day (the backlog's ages).
const DAY_MS: i64 = 86_400_000;

/// The times a backlog's age buckets start at, for `now`: a day, three and seven days before.
pub(crate) fn age_edges(now: i64) -> [i64; 3] {
    [now - DAY_MS, now - 3 * DAY_MS, now - 7 * DAY_MS]
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
    /// Recomputes the count tables (status, score buckets, programme reach) from the households,
    /// their scores and the programmes' decisions, in one transaction.
    fn rebuild_aggregates(&self) -> impl Future<Output = Result<()>> + Send;
    /// The households eligible for and enrolled in each programme under `area`, by programme
    /// (programmes with none left out).
    fn programme_counts_under(
        &self,
        area: &str,
    ) -> impl Future<Output = Result<Vec<ProgrammeCount>>> + Send;
    /// The review backlog, conflicts and open duplicate cases under `area`, ages taken at `now`
    /// (ms since epoch).
    fn field_counts_under(
        &self,
        area: &str,
        now: i64,
    ) -> impl Future<Output = Result<FieldCounts>> + Send;
    /// Households per surveyor per day under `area` from the day `from_day` (`YYYY-MM-DD`) on,
    /// by day and surveyor.
    fn surveyor_days_under(
        &self,
        area: &str,
        from_day: &str,
    ) -> impl Future<Output = Result<Vec<SurveyorDay>>> + Send;
    /// Interviews under `area` from `from_day` on with a recorded duration, per bucket of
    /// [`DURATION_BUCKET_SECS`] (the last, [`DURATION_BUCKETS`], holds everything longer).
    fn duration_buckets_under(
        &self,
        area: &str,
        from_day: &str,
    ) -> impl Future<Output = Result<Vec<(u8, u64)>>> + Send;
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
