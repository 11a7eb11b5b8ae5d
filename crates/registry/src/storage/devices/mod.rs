//! Devices that can be cut off, as rows: what a token look-up finds (the device, its user, when the
//! token was issued, whether the device is revoked or its user disabled, whether the token is the one
//! a rotation replaced), token rotation, the device list, revocation and disabling a user. The rules
//! (what is refused with which code, when a token expires) are the service's (`service/tokens.rs`);
//! each backend (`sqlite.rs`, `postgres.rs`) only stores and reads the columns of migration V5.
//!
//! A device holds one current token and, right after a rotation, the one it replaced
//! (`prev_token_hash`): the replaced token stays valid until the new one is first used, so a
//! connection cut while the new token travels to the device cannot lock it out.

pub(super) mod postgres;
pub(super) mod sqlite;

use super::DeviceAuth;

/// What the registry knows about the device a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// The device and its user.
    pub auth: DeviceAuth,
    /// When the device's current token was issued (enrollment or the last rotation), ms since epoch.
    pub issued_at: i64,
    /// When the device was revoked.
    pub revoked_at: Option<i64>,
    /// When its user was disabled.
    pub user_disabled_at: Option<i64>,
    /// The token is the one the last rotation replaced (the device has not used the new one yet).
    pub by_previous: bool,
    /// A replaced token is still kept (the new one has not been used yet).
    pub previous_kept: bool,
    /// When the device was last seen (updated at most once an hour).
    pub last_seen_at: Option<i64>,
}

/// One device as `shumari registry device list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// Device id.
    pub id: String,
    /// Its user's id.
    pub user_id: String,
    /// The label the device gave at enrollment (its short id).
    pub label: String,
    /// When it enrolled (ms since epoch).
    pub enrolled_at: i64,
    /// When its current token was issued.
    pub token_issued_at: i64,
    /// When it was last seen (at most an hour out of date).
    pub last_seen_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
    /// When its user was disabled.
    pub user_disabled_at: Option<i64>,
}

/// A device's token hashes (never the tokens: the registry keeps only their hashes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceTokens {
    /// Device id.
    pub device_id: String,
    /// Its user's id.
    pub user_id: String,
    /// Hash of its current token.
    pub current: [u8; 32],
    /// Hash of the token its last rotation replaced, while that one is still accepted.
    pub previous: Option<[u8; 32]>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
}

/// One user as the console's user list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// The user.
    pub user: super::User,
    /// When they were disabled.
    pub disabled_at: Option<i64>,
}

/// What disabling a user did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disabled {
    /// The user's devices not revoked on their own, now refused with the user.
    pub devices: u64,
    /// Unused enrollment codes that were cancelled.
    pub codes: u64,
}
