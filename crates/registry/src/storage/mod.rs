//! Where the registry keeps users, devices, actors, households and the change log.
//!
//! [`Storage`] is deliberately coarse: the protocol logic (automerge, scope, actor checks) lives in
//! [`crate::service`] and is shared; a backend only stores rows and makes each ingest batch atomic.
//! Two backends pass the same conformance suite (the scenarios in `tests/`, run on both):
//! [`sqlite::SqliteStorage`] (embedded default) and [`postgres::PgStorage`] (for scale).
//! [`any::AnyStorage`] is whichever of them a database URL names, so a program picks the backend at
//! run time without being generic over it.

pub mod access;
pub mod aggregates;
pub mod any;
pub mod assignments;
pub mod backup;
pub mod bundles;
pub mod casework;
pub mod citizen;
pub mod console;
pub mod devices;
pub mod forms;
pub mod grievances;
pub mod identity;
pub mod migrate;
pub mod offline_codes;
pub mod payments;
pub mod postgres;
pub mod programmes;
pub mod quality;
mod registry_actor;
pub mod signing;
pub mod sqlite;
mod sqlite_checkpoint;
mod sqlite_readers;

use shumari_domain::AreaRange;
use shumari_proto::Role;
use std::future::Future;
use uuid::Uuid;

pub use access::{AccessEntry, AccessEvent};
pub use aggregates::AggregateStore;
pub use assignments::AssignmentStore;
pub use bundles::BundleStore;
pub use casework::{CaseStore, ScoreStore};
pub use citizen::{AttemptRule, CitizenStore};
pub use devices::{DeviceRow, DeviceTokens, Disabled, TokenRecord, UserRow};
pub use forms::FormStore;
pub use grievances::GrievanceStore;
pub use identity::IdentityStore;
pub use offline_codes::OfflineCodeStore;
pub use payments::PaymentStore;
pub use programmes::ProgrammeStore;
pub use quality::QualityStore;
pub use signing::{DeviceSigner, SigningStore};

/// The household list's row and what an ingest indexes are the domain's, shared with the device.
pub use shumari_domain::{HouseholdSummary, Projection};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// SQLite.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL.
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// The database was written by a newer Shumari; it was not changed.
    #[error("the database is at schema version {found} but this build of Shumari knows only up to {known}; update Shumari before using this database (nothing was changed)")]
    SchemaTooNew {
        /// Newest version recorded in the database.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// Bringing the schema up to date failed (the database is left as it was).
    #[error("the database schema could not be brought up to date: {0}")]
    Migration(String),
    /// Anything else (a task that panicked, a bad row).
    #[error("storage error: {0}")]
    Other(String),
}

/// Result alias.
pub type Result<T> = std::result::Result<T, StorageError>;

/// A user and the areas they may read and write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Area codes (each includes everything under it).
    pub areas: Vec<String>,
}

/// An authenticated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    /// Device id.
    pub device_id: String,
    /// Its user.
    pub user: User,
}

/// A household as stored.
#[derive(Debug, Clone)]
pub struct StoredDoc {
    /// Id.
    pub id: Uuid,
    /// Current area.
    pub area: String,
    /// Heads, 32 bytes each, concatenated.
    pub heads: Vec<u8>,
    /// The merged document (compressed save).
    pub doc: Vec<u8>,
    /// Device that wrote the latest log entry.
    pub last_device: String,
    /// Open conflicts.
    pub conflict_count: u32,
}

/// One household's ingest, applied atomically with the rest of its batch.
#[derive(Debug, Clone)]
pub struct IngestRow {
    /// Household id.
    pub id: Uuid,
    /// Heads the service loaded (`None`: new household). The row is skipped if they changed since.
    pub expected_heads: Option<Vec<u8>>,
    /// Area before (`None` for new).
    pub prev_area: Option<String>,
    /// New merged document.
    pub doc: Vec<u8>,
    /// New heads.
    pub heads: Vec<u8>,
    /// New projection (list row and members' ID numbers), read by `HouseholdDoc::projection`.
    pub projection: Projection,
    /// The changes new to the registry (raw change bytes), for the feed.
    pub log_changes: Vec<u8>,
    /// (change hash, actor) of each new change, for the audit trail.
    pub audit: Vec<([u8; 32], Vec<u8>)>,
    /// The verified signature records of the new changes, kept in the log entry beside them.
    pub signatures: Vec<shumari_proto::signing::SignedChange>,
}

/// A log entry.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// Sequence number.
    pub seq: u64,
    /// Household.
    pub id: Uuid,
    /// Area after the change.
    pub area: String,
    /// Area before, when it changed.
    pub prev_area: Option<String>,
    /// Pushing device.
    pub device_id: String,
    /// Raw change bytes.
    pub changes: Vec<u8>,
    /// Heads after.
    pub heads: Vec<u8>,
    /// Signature records of the entry's changes (none for unsigned ones).
    pub signatures: Vec<shumari_proto::signing::SignedChange>,
}

/// The first `limit` of several sequence-ordered reads of the log, merged in sequence order, each
/// entry once (an entry that moved a household within the area is found by both of a district's
/// statements).
pub(crate) fn first_by_seq(mut entries: Vec<LogEntry>, limit: usize) -> Vec<LogEntry> {
    entries.sort_by_key(|e| e.seq);
    entries.dedup_by_key(|e| e.seq);
    entries.truncate(limit);
    entries
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Change hash (hex).
    pub change: String,
    /// Actor (hex).
    pub actor: String,
    /// Device.
    pub device_id: String,
    /// User.
    pub user_id: String,
    /// When it arrived (ms since epoch).
    pub at: i64,
}

/// What a registry backend must do. Every method is one transaction. The rows kept about
/// households (scores, duplicate cases) are [`casework`]'s supertraits.
pub trait Storage:
    ScoreStore
    + CaseStore
    + AssignmentStore
    + IdentityStore
    + QualityStore
    + CitizenStore
    + ProgrammeStore
    + PaymentStore
    + GrievanceStore
    + FormStore
    + AggregateStore
    + SigningStore
    + BundleStore
    + OfflineCodeStore
    + Send
    + Sync
    + 'static
{
    /// Adds a user; returns nothing (the id is the caller's).
    fn add_user(&self, user: &User, now: i64) -> impl Future<Output = Result<()>> + Send;
    /// Rewrites a user's name and areas (the id and role stay); `false` when there is no such user.
    fn update_user(&self, user: &User) -> impl Future<Output = Result<bool>> + Send;
    /// A user by id.
    fn user(&self, id: &str) -> impl Future<Output = Result<Option<User>>> + Send;
    /// Stores an enrollment code's hash.
    fn add_enroll_code(
        &self,
        user_id: &str,
        code_hash: [u8; 32],
        expires_at: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Redeems a code (unused and unexpired) for a new device, atomically. `None` if the code is no good.
    fn redeem_code(
        &self,
        code_hash: [u8; 32],
        now: i64,
        device_id: &str,
        label: &str,
        token_hash: [u8; 32],
    ) -> impl Future<Output = Result<Option<User>>> + Send;
    /// The device (and user) whose current token, or the token its last rotation replaced, hashes
    /// to `token_hash`, with what decides whether it may still act ([`devices`]).
    fn device_by_token(
        &self,
        token_hash: [u8; 32],
    ) -> impl Future<Output = Result<Option<TokenRecord>>> + Send;
    /// Records that a device was seen at `now`; with `forget_previous`, the token its last rotation
    /// replaced stops working (the device has used the new one).
    fn device_seen(
        &self,
        device_id: &str,
        forget_previous: bool,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Replaces a device's token by `new_hash`, issued at `now`; `used_hash` (the token the request
    /// came with) stays valid until the new one is first used. `false` when the device is revoked or
    /// `used_hash` is no longer one of its tokens.
    fn rotate_token(
        &self,
        device_id: &str,
        used_hash: [u8; 32],
        new_hash: [u8; 32],
        now: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Every device, oldest enrollment first.
    fn devices(&self) -> impl Future<Output = Result<Vec<DeviceRow>>> + Send;
    /// The hashes of each device's current token and of the token its last rotation replaced (while
    /// kept), for the devices of `user_ids` (what a district hub authenticates them by).
    fn device_tokens(
        &self,
        user_ids: &[String],
    ) -> impl Future<Output = Result<Vec<DeviceTokens>>> + Send;
    /// Every user with their areas and whether they are disabled, by name.
    fn users(&self) -> impl Future<Output = Result<Vec<UserRow>>> + Send;
    /// Revokes a device; `false` when there is no such device.
    fn revoke_device(&self, device_id: &str, now: i64)
        -> impl Future<Output = Result<bool>> + Send;
    /// Disables a user and cancels their unused enrollment codes; `None` when there is no such user.
    fn disable_user(
        &self,
        user_id: &str,
        now: i64,
    ) -> impl Future<Output = Result<Option<Disabled>>> + Send;
    /// When a user was disabled (`Some(None)`: active; `None`: no such user).
    fn user_disabled_at(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<Option<i64>>>> + Send;
    /// Binds actors to a device; per actor, `None` when bound to it (now or before), or the id of the
    /// device that already owns it.
    fn register_actors(
        &self,
        device_id: &str,
        actors: &[Vec<u8>],
        now: i64,
    ) -> impl Future<Output = Result<Vec<Option<String>>>> + Send;
    /// The owning device of each actor (absent when unknown).
    fn actor_devices(
        &self,
        actors: &[Vec<u8>],
    ) -> impl Future<Output = Result<Vec<(Vec<u8>, String)>>> + Send;
    /// Every actor bound to a device.
    fn device_actors(&self, device_id: &str) -> impl Future<Output = Result<Vec<Vec<u8>>>> + Send;
    /// Households by id.
    fn load_docs(
        &self,
        ids: &[Uuid],
    ) -> impl Future<Output = Result<Vec<Option<StoredDoc>>>> + Send;
    /// Applies an ingest batch in one transaction. Rows whose `expected_heads` no longer match are
    /// skipped and returned (the service retries them).
    fn commit_ingest(
        &self,
        device_id: &str,
        user_id: &str,
        rows: Vec<IngestRow>,
        now: i64,
    ) -> impl Future<Output = Result<Vec<Uuid>>> + Send;
    /// Up to `limit` log entries after `after`, in sequence order, of households under `range`
    /// (the domain's `AreaRange`) after the entry or before it (`prev_area`: they moved away), all
    /// within district `district` (`range` lies in it). One seek per statement in the log's
    /// (district, seq) indexes (V28), so a device's feed reads no other district's entries.
    fn read_log_in(
        &self,
        district: &str,
        range: &AreaRange,
        after: u64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<LogEntry>>> + Send;
    /// The last sequence number (0 when empty).
    fn max_seq(&self) -> impl Future<Output = Result<u64>> + Send;
    /// Up to `limit` households under `area` (the domain's `AreaRange`) after the (area, id)
    /// position `after`, in (area, id) order: one seek in the (area, id) index per page, so a first
    /// sync costs the scope, not the country.
    fn snapshot_page(
        &self,
        area: &str,
        after: Option<(String, Uuid)>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<StoredDoc>>> + Send;
    /// (id, area, heads) of every household.
    fn all_heads(&self) -> impl Future<Output = Result<Vec<(Uuid, String, Vec<u8>)>>> + Send;
    /// (id, area, heads) of the households in `area` and everything under it, read through the
    /// area index (the domain's `AreaRange`), so a device's consistency check costs its scope, not
    /// the country.
    fn heads_in(
        &self,
        area: &str,
    ) -> impl Future<Output = Result<Vec<(Uuid, String, Vec<u8>)>>> + Send;
    /// List rows of the households in `area` and everything under it (`None`: all), by reference.
    /// The area rule is the domain's, bound as the parameters of `shumari_domain::AreaRange`.
    fn list(
        &self,
        area: Option<&str>,
    ) -> impl Future<Output = Result<Vec<HouseholdSummary>>> + Send;
    /// List rows of the households with a member holding the ID number `digits` (13 digits), by
    /// reference, through the `member_ids` index.
    fn with_id_number(
        &self,
        digits: &str,
    ) -> impl Future<Output = Result<Vec<HouseholdSummary>>> + Send;
    /// A household's id from its id or reference number.
    fn resolve(&self, id_or_ref: &str) -> impl Future<Output = Result<Option<Uuid>>> + Send;
    /// The audit trail of a household.
    fn audit(&self, id: Uuid) -> impl Future<Output = Result<Vec<AuditEntry>>> + Send;
    /// Appends events to the access audit trail in order, the first linked to the last row, all in
    /// one transaction that holds off other appenders (see [`access`]); returns the rows as stored.
    fn append_access(
        &self,
        events: &[AccessEvent],
        now: i64,
    ) -> impl Future<Output = Result<Vec<AccessEntry>>> + Send;
    /// Up to `limit` access audit rows with sequence numbers greater than `after`, in order.
    fn access_page(
        &self,
        after: u64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<AccessEntry>>> + Send;
    /// The short id granted to a device (`None`: enrolled before short ids were granted).
    fn device_short_id(
        &self,
        device_id: &str,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
    /// The device holding `short_id` (what the field app shows as the device's id), if any.
    fn device_of_short_id(
        &self,
        short_id: &str,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Grants `short_id` to `device_id` unless the device already holds one or another device holds
    /// this one; returns the device's short id after the call (`None`: it holds none, this one was
    /// taken).
    fn claim_short_id(
        &self,
        device_id: &str,
        short_id: &str,
        now: i64,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
    /// The households that carry each of these reference numbers (absent when none does).
    fn refs_in_use(
        &self,
        refs: &[String],
    ) -> impl Future<Output = Result<Vec<(String, Uuid)>>> + Send;
    /// The registry's own automerge actor: `candidate` is stored if none is yet (the first caller
    /// wins), and the stored one is returned.
    fn registry_actor(
        &self,
        candidate: &[u8],
        now: i64,
    ) -> impl Future<Output = Result<Vec<u8>>> + Send;
    /// Number of log entries and audit rows, for tests to check that nothing was stored twice
    /// (the `test-support` feature).
    #[cfg(any(test, feature = "test-support"))]
    fn counts(&self) -> impl Future<Output = Result<(u64, u64)>> + Send;
    /// Deletes every row of these households (the household, its log entries and audit rows, its
    /// indexes), as a registry restored from an older backup lacks them: for tests of the repair
    /// that follows (the `test-support` feature).
    #[cfg(any(test, feature = "test-support"))]
    fn lose_households(&self, ids: &[Uuid]) -> impl Future<Output = Result<()>> + Send;

    // Operation: what `/readyz`, `/metrics` and a clean shutdown ask of the backend.

    /// The newest schema migration the database records (one round trip: it also shows the
    /// database answers), for `/readyz` to compare with [`Storage::expected_schema`].
    fn schema_version(&self) -> impl Future<Output = Result<i64>> + Send;
    /// The newest schema version this build's migrations bring this backend to.
    fn expected_schema(&self) -> i64;
    /// The connection pool now: (connections held, connections in use).
    fn pool_use(&self) -> (usize, usize);
    /// Leaves the database tidy before the process exits (SQLite folds its write-ahead log back
    /// into the database file). Called once no request is in flight.
    fn close(&self) -> impl Future<Output = Result<()>> + Send;
}

/// A stored role name as a [`Role`] (only the registry writes them, so another name is corruption).
pub(crate) fn role_of(name: &str) -> Result<Role> {
    name.parse()
        .map_err(|e| StorageError::Other(format!("bad role in database: {e}")))
}

/// Heads blob from hashes.
pub fn heads_blob(h: &[[u8; 32]]) -> Vec<u8> {
    h.iter().flatten().copied().collect()
}

/// Hashes from a heads blob.
pub fn heads_vec(b: &[u8]) -> Vec<[u8; 32]> {
    b.chunks_exact(32)
        .map(|c| {
            let mut a = [0u8; 32];
            a.copy_from_slice(c);
            a
        })
        .collect()
}

/// The typed columns of a list row, read back by both backends (the registry wrote them from a
/// [`Projection`], so they always parse; one that does not is a damaged database).
pub(crate) mod columns {
    use super::{Result, StorageError};
    use chrono::{DateTime, Utc};
    use shumari_domain::{IdNumber, Status};

    /// A stored workflow status.
    pub fn status(s: &str) -> Result<Status> {
        Status::parse(s).map_err(|e| StorageError::Other(format!("bad status in database: {e}")))
    }

    /// A stored ID number (13 digits).
    pub fn id_number(s: Option<String>) -> Result<Option<IdNumber>> {
        s.map(|n| IdNumber::parse("head_id_number", &n))
            .transpose()
            .map_err(|e| StorageError::Other(format!("bad ID number in database: {e}")))
    }

    /// A stored time, milliseconds since the epoch.
    pub fn time(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(ms).unwrap_or_default()
    }
}
