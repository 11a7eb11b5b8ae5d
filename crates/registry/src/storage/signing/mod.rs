//! Device keys and the signature records of stored changes (migration V20).
//!
//! A device's public key is registered once and never replaced ([`SigningStore::register_device_key`]
//! keeps the first). The records themselves live in the log, beside the changes they sign (the
//! `signatures` column each backend's `commit_ingest` writes and `read_log_in` reads); a household's
//! records, for the feed's whole-document deliveries, are read through the log's partial index
//! `log_signed` ([`SigningStore::household_signatures`]). What is checked, and when, is the service's
//! (`service/signatures.rs`).

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::Result;
use shumari_proto::signing::SignedChange;
use std::future::Future;
use uuid::Uuid;

/// A device whose changes are being checked: its user and its key, if it registered one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSigner {
    /// The device.
    pub device_id: String,
    /// The user it is enrolled for.
    pub user_id: String,
    /// Its Ed25519 public key (`None`: enrolled before keys existed and not synced since).
    pub key: Option<[u8; 32]>,
}

/// Device keys and households' signature records.
pub trait SigningStore {
    /// Keeps `key` as the device's public key unless it has one; returns the key it holds after
    /// the call.
    fn register_device_key(
        &self,
        device_id: &str,
        key: &[u8; 32],
        now: i64,
    ) -> impl Future<Output = Result<[u8; 32]>> + Send;
    /// The user and key of each of these devices (absent when there is no such device).
    fn device_signers(
        &self,
        device_ids: &[String],
    ) -> impl Future<Output = Result<Vec<DeviceSigner>>> + Send;
    /// Every signature record the log holds for each of these households.
    fn household_signatures(
        &self,
        ids: &[Uuid],
    ) -> impl Future<Output = Result<Vec<(Uuid, Vec<SignedChange>)>>> + Send;
}

/// A stored key column as 32 bytes (another length is no key).
pub(crate) fn key_of(b: Option<Vec<u8>>) -> Option<[u8; 32]> {
    b.and_then(|b| b.try_into().ok())
}
