//! Offline enrollment codes as rows (migration V27): the key whose codes this registry honours and
//! the ids of the codes redeemed here. What a code is and when one is accepted is the service's
//! (`service/offline_codes.rs`).

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::Result;
use std::future::Future;

/// The honoured key and the redeemed codes.
pub trait OfflineCodeStore {
    /// The public key whose offline codes this registry honours, if it was given one.
    fn offline_code_key(&self) -> impl Future<Output = Result<Option<[u8; 32]>>> + Send;
    /// Keeps `key` as that key (a hub enrolled again above takes that registry's key).
    fn set_offline_code_key(
        &self,
        key: &[u8; 32],
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Records code `code_id` as redeemed for `device_id`; `false` when it was redeemed before.
    fn redeem_offline_code(
        &self,
        code_id: &[u8; 16],
        user_id: &str,
        device_id: &str,
        now: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
}
