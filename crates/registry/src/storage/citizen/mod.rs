//! What the citizen status page and the SMS service read and count.
//!
//! - Failed look-ups (migration V18), per key: a keyed hash of a CNIC or of a client address, so
//!   neither is stored. The rule (how many failures in which window lock a key for how long) is the
//!   service's (`service/citizen.rs`); a backend only counts atomically:
//!   [`CitizenStore::note_failures`] is one upsert per key, so two registry processes counting the
//!   same key never lose a failure.
//! - The citizen row (migration V22, [`row`]): what the page shows of a household, written by the
//!   ingest beside the household and read by [`CitizenStore::look_up`] in the same statement as
//!   the ID-number index, so a look-up decodes no document.

pub(super) mod any;
pub(super) mod postgres;
pub mod row;
pub(super) mod sqlite;

pub use row::{mask_name, CitizenRow, RosterLine};

use super::Result;
use shumari_domain::Status;
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

/// One failed look-up's counts: each key under its rule, at `now` (ms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failures {
    /// The keys (keyed hashes of the CNIC and of the address) and their rules.
    pub keys: Vec<(Vec<u8>, AttemptRule)>,
    /// When the look-up failed.
    pub now: i64,
}

/// A household holding a looked-up ID number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRow {
    /// The household.
    pub household: uuid::Uuid,
    /// The card's date of issue recorded for the number (`YYYY-MM-DD`), if any.
    pub issued: Option<String>,
    /// What the status page shows of it, when it has a citizen row (`None`: stored before V22
    /// and not yet caught up; the service reads its document).
    pub shown: Option<Shown>,
}

/// A household as the status page shows it: its list row's reference, area and status, and its
/// citizen row, read together in one statement (so always of the same version of the household).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The reference number.
    pub reference: String,
    /// The area code.
    pub area: String,
    /// Workflow status.
    pub status: Status,
    /// The citizen row.
    pub row: CitizenRow,
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
    /// number `digits`, with the card's date of issue as recorded and what the page shows of the
    /// household: one seek in the ID-number index (`member_ids`, the ingest's projection), one in
    /// the households' key and one in the citizen rows', no document read.
    fn look_up(
        &self,
        keys: &[Vec<u8>],
        digits: &str,
        now: i64,
    ) -> impl Future<Output = Result<LookUp>> + Send;
    /// Up to `limit` households (by id, after `after`) that have no citizen row: stored before V22.
    fn without_citizen_row(
        &self,
        after: Option<uuid::Uuid>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<uuid::Uuid>>> + Send;
    /// Writes the citizen rows of households read at the given heads, each only if the household
    /// still has those heads and no row yet (an ingest since wrote its own, newer row); returns
    /// how many were written.
    fn put_citizen_rows(
        &self,
        rows: Vec<(uuid::Uuid, Vec<u8>, CitizenRow)>,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Counts the failures of several look-ups, in order, in one transaction: for each, one
    /// failure of each key at its `now` under its rule (a window that has passed starts again).
    /// Returns, per look-up, until when its keys are now locked (the latest), if a failure reached
    /// its limit or a key was locked: the same as counting them one transaction each.
    fn note_failures(
        &self,
        batch: &[Failures],
    ) -> impl Future<Output = Result<Vec<Option<i64>>>> + Send;
}
