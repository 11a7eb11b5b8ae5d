//! Failed look-ups of the citizen status page and the SMS service (migration V18), per key: a keyed
//! hash of a CNIC or of a client address, so neither is stored.
//!
//! The rule (how many failures in which window lock a key for how long) is the service's
//! (`service/citizen.rs`); a backend only counts atomically: [`CitizenStore::note_failure`] is one
//! upsert, so two registry processes counting the same key never lose a failure.

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::Result;
use std::future::Future;

/// How failures lock a key: `limit` failures within `window_ms` lock it for `lock_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptRule {
    /// Failures that lock the key.
    pub limit: u32,
    /// The window they are counted in (ms).
    pub window_ms: i64,
    /// How long the key stays locked (ms).
    pub lock_ms: i64,
}

/// A household holding a looked-up ID number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRow {
    /// The household.
    pub household: uuid::Uuid,
    /// The card's date of issue recorded for the number (`YYYY-MM-DD`), if any.
    pub issued: Option<String>,
    /// The household's heads now (a cached decoding is good while they are the same).
    pub heads: Vec<u8>,
}

/// Counting failed look-ups, and the one index read a look-up makes.
pub trait CitizenStore {
    /// Every household with a member holding the ID number `digits`, with the card's date of
    /// issue as recorded and the household's heads: one seek in the ID-number index (`member_ids`,
    /// the ingest's projection) and one in the households' key, no document read.
    fn id_number_issues(&self, digits: &str) -> impl Future<Output = Result<Vec<IssueRow>>> + Send;
    /// Until when `key` is locked out, if it is locked at `now`.
    fn locked_until(
        &self,
        key: &[u8],
        now: i64,
    ) -> impl Future<Output = Result<Option<i64>>> + Send;
    /// Counts one failure of `key` at `now` under `rule` (a window that has passed starts again);
    /// returns until when the key is now locked, if this failure reached the limit or it was locked.
    fn note_failure(
        &self,
        key: &[u8],
        now: i64,
        rule: AttemptRule,
    ) -> impl Future<Output = Result<Option<i64>>> + Send;
}
