//! Failed look-ups of the citizen status page and the SMS service (migration V18), per key: a keyed
//! hash of a CNIC or of a client address, so neither is stored.
//!
//! The rule (how many failures in which window lock a key for how long) is the service's
//! (`service/citizen.rs`); a backend only counts atomically: [`CitizenStore::note_failures`] is one
//! upsert per key, so two registry processes counting the same key never lose a failure.

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

/// What the read side of a look-up found: a lockout, or the households holding the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookUp {
    /// One of the keys is locked out until this time (ms); the index was not read.
    Locked(i64),
    /// Every household with a member holding the number (none for an unknown number).
    Rows(Vec<IssueRow>),
}

/// Counting failed look-ups, and the one index read a look-up makes.
pub trait CitizenStore {
    /// The read side of a look-up in one round trip: if any of `keys` is locked out at `now`,
    /// until when (the latest of them); otherwise every household with a member holding the ID
    /// number `digits`, with the card's date of issue as recorded and the household's heads: one
    /// seek in the ID-number index (`member_ids`, the ingest's projection) and one in the
    /// households' key, no document read.
    fn look_up(
        &self,
        keys: &[Vec<u8>],
        digits: &str,
        now: i64,
    ) -> impl Future<Output = Result<LookUp>> + Send;
    /// Counts one failure of each key at `now` under its rule (a window that has passed starts
    /// again), all in one transaction; returns until when the keys are now locked (the latest),
    /// if a failure reached its limit or a key was locked.
    fn note_failures(
        &self,
        keys: &[(Vec<u8>, AttemptRule)],
        now: i64,
    ) -> impl Future<Output = Result<Option<i64>>> + Send;
}
