//! What the web console (`shumari-console`) keeps and reads beyond the protocol's tables.
//!
//! - **Its own tables** (migration V11): `console_accounts`, a console user's password hash (an
//!   Argon2id PHC string made by the console; this crate never sees a password), TOTP secret, failed
//!   sign-ins and lockout; `console_sessions`, signed-in browsers by the SHA-256 of their session id,
//!   each with its CSRF token and whether it still owes the second factor.
//! - **Two reads of the households** that no device needs: a page of list rows under one area in
//!   (area, id) order after a position, with an optional status and a name or reference search, and
//!   the count of each status under one area. Both go through the area index with the domain's
//!   `AreaRange`, so the console costs a page, not the registry; the service
//!   (`service/browse.rs`) applies the user's scope and records the access.
//!
//! The policy (how many failures lock, for how long, how long a session lives) is the console's;
//! storage only keeps the rows. Each backend's SQL is in `sqlite.rs` and `postgres.rs`, and
//! [`AnyStorage`] delegates to whichever it is.

mod postgres;
mod sqlite;

use super::any::AnyStorage;
use super::{HouseholdSummary, Result};
use shumari_domain::Status;
use std::future::Future;
use uuid::Uuid;

/// A console user's sign-in record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleAccount {
    /// The registry user.
    pub user_id: String,
    /// Argon2id hash as a PHC string.
    pub password_hash: String,
    /// The TOTP secret, when the second factor is set up.
    pub totp_secret: Option<Vec<u8>>,
    /// Failed sign-ins since the last success or lockout.
    pub failed: u32,
    /// Until when sign-in is refused (ms since epoch).
    pub locked_until: Option<i64>,
}

/// A signed-in browser (found by the hash of its session id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    /// The registry user.
    pub user_id: String,
    /// The token every form of this session carries.
    pub csrf: String,
    /// The password was right and the TOTP code is still owed.
    pub second_factor_due: bool,
    /// When the session ends (ms since epoch).
    pub expires_at: i64,
}

/// One page of the household list under one area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageQuery {
    /// The area (and everything under it).
    pub area: String,
    /// The (area, id) position the page starts after.
    pub after: Option<(String, Uuid)>,
    /// Only this status.
    pub status: Option<Status>,
    /// Head's name containing this (any case), or this reference number.
    pub search: Option<String>,
    /// Only households last pushed by a device of this user.
    pub surveyor: Option<String>,
    /// Only households last changed at or after this time (ms since epoch).
    pub changed_from: Option<i64>,
    /// Only households last changed before this time (ms since epoch).
    pub changed_until: Option<i64>,
    /// At most this many rows.
    pub limit: usize,
}

/// `LIKE` pattern for "contains `text`", any case, with `%`, `_` and `\` taken literally.
pub(super) fn contains_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for ch in text.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// The console's rows (see the module docs). Every method is one transaction.
pub trait ConsoleStorage: Send + Sync + 'static {
    /// A user's sign-in record.
    fn console_account(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<ConsoleAccount>>> + Send;
    /// Sets a user's password hash (creating the record), clearing failures and lockout.
    fn set_console_password(
        &self,
        user_id: &str,
        hash: &str,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Sets or clears a user's TOTP secret; `false` when the user has no console password.
    fn set_console_totp(
        &self,
        user_id: &str,
        secret: Option<&[u8]>,
        now: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Counts a failed sign-in; the `max`-th in a row locks the account until `lock_until` and
    /// starts the count again. Returns the lock's end when this failure set it.
    fn console_failure(
        &self,
        user_id: &str,
        max: u32,
        lock_until: i64,
    ) -> impl Future<Output = Result<Option<i64>>> + Send;
    /// Clears failed sign-ins and the lockout (after a success).
    fn console_success(&self, user_id: &str) -> impl Future<Output = Result<()>> + Send;
    /// Stores a new session under the hash of its id, and drops sessions that ended before `now`.
    fn add_console_session(
        &self,
        id_hash: [u8; 32],
        session: &ConsoleSession,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// A session by the hash of its id.
    fn console_session(
        &self,
        id_hash: [u8; 32],
    ) -> impl Future<Output = Result<Option<ConsoleSession>>> + Send;
    /// Records that a session gave its second factor.
    fn console_second_factor_given(
        &self,
        id_hash: [u8; 32],
    ) -> impl Future<Output = Result<()>> + Send;
    /// Ends a session.
    fn end_console_session(&self, id_hash: [u8; 32]) -> impl Future<Output = Result<()>> + Send;
    /// A page of list rows (see [`PageQuery`]) in (area, id) order.
    fn household_page(
        &self,
        query: &PageQuery,
    ) -> impl Future<Output = Result<Vec<HouseholdSummary>>> + Send;
    /// How many households under `area` are in each status (statuses with none are absent).
    fn status_counts(&self, area: &str) -> impl Future<Output = Result<Vec<(Status, u64)>>> + Send;
    /// The same per area code under `area`: (code, status, households), by code. What the
    /// assignments screen needs to show each area's progress and the areas nobody is assigned.
    fn area_status_counts(
        &self,
        area: &str,
    ) -> impl Future<Output = Result<Vec<(String, Status, u64)>>> + Send;
}

/// Calls the same method on whichever backend this is.
macro_rules! delegate {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match $self {
            AnyStorage::Sqlite(s) => s.$method($($arg),*).await,
            AnyStorage::Postgres(s) => s.$method($($arg),*).await,
        }
    };
}

impl ConsoleStorage for AnyStorage {
    async fn console_account(&self, user_id: &str) -> Result<Option<ConsoleAccount>> {
        delegate!(self.console_account(user_id))
    }

    async fn set_console_password(&self, user_id: &str, hash: &str, now: i64) -> Result<()> {
        delegate!(self.set_console_password(user_id, hash, now))
    }

    async fn set_console_totp(
        &self,
        user_id: &str,
        secret: Option<&[u8]>,
        now: i64,
    ) -> Result<bool> {
        delegate!(self.set_console_totp(user_id, secret, now))
    }

    async fn console_failure(
        &self,
        user_id: &str,
        max: u32,
        lock_until: i64,
    ) -> Result<Option<i64>> {
        delegate!(self.console_failure(user_id, max, lock_until))
    }

    async fn console_success(&self, user_id: &str) -> Result<()> {
        delegate!(self.console_success(user_id))
    }

    async fn add_console_session(
        &self,
        id_hash: [u8; 32],
        session: &ConsoleSession,
        now: i64,
    ) -> Result<()> {
        delegate!(self.add_console_session(id_hash, session, now))
    }

    async fn console_session(&self, id_hash: [u8; 32]) -> Result<Option<ConsoleSession>> {
        delegate!(self.console_session(id_hash))
    }

    async fn console_second_factor_given(&self, id_hash: [u8; 32]) -> Result<()> {
        delegate!(self.console_second_factor_given(id_hash))
    }

    async fn end_console_session(&self, id_hash: [u8; 32]) -> Result<()> {
        delegate!(self.end_console_session(id_hash))
    }

    async fn household_page(&self, query: &PageQuery) -> Result<Vec<HouseholdSummary>> {
        delegate!(self.household_page(query))
    }

    async fn status_counts(&self, area: &str) -> Result<Vec<(Status, u64)>> {
        delegate!(self.status_counts(area))
    }

    async fn area_status_counts(&self, area: &str) -> Result<Vec<(String, Status, u64)>> {
        delegate!(self.area_status_counts(area))
    }
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn a_search_matches_its_text_literally_in_any_case() {
        assert_eq!(contains_pattern("Bibi"), "%bibi%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
