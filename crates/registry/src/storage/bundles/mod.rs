//! The registry's bundle key and where each device was at its last bundle (migration V23).
//!
//! Only the public half of the key is kept in the database ([`BundleStore::bundle_key`]); the
//! secret is a key file beside the operator's configuration (`service/bundles.rs` explains why).
//! The position is the pull cursor a device put in its last upward bundle: the next downward
//! bundle for it starts there.

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::Result;
use std::future::Future;

/// The registry's bundle key and the devices' bundle positions.
pub trait BundleStore {
    /// The registry's bundle public key, if one was made.
    fn bundle_key(&self) -> impl Future<Output = Result<Option<[u8; 32]>>> + Send;
    /// Keeps `key` as the registry's bundle public key unless one is kept; returns the one kept
    /// after the call.
    fn set_bundle_key(
        &self,
        key: &[u8; 32],
        now: i64,
    ) -> impl Future<Output = Result<[u8; 32]>> + Send;
    /// The cursor a device put in its last imported bundle.
    fn bundle_position(
        &self,
        device_id: &str,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Records the cursor of a device's imported bundle.
    fn set_bundle_position(
        &self,
        device_id: &str,
        cursor: &str,
        bundle_id: &str,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
}
