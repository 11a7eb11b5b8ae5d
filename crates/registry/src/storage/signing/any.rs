//! [`SigningStore`] on whichever backend an [`AnyStorage`] is.

use super::{DeviceSigner, SigningStore};
use crate::storage::any::AnyStorage;
use crate::storage::Result;
use shumari_proto::signing::SignedChange;
use uuid::Uuid;

impl SigningStore for AnyStorage {
    async fn register_device_key(
        &self,
        device_id: &str,
        key: &[u8; 32],
        now: i64,
    ) -> Result<[u8; 32]> {
        match self {
            AnyStorage::Sqlite(s) => s.register_device_key(device_id, key, now).await,
            AnyStorage::Postgres(s) => s.register_device_key(device_id, key, now).await,
        }
    }

    async fn device_signers(&self, device_ids: &[String]) -> Result<Vec<DeviceSigner>> {
        match self {
            AnyStorage::Sqlite(s) => s.device_signers(device_ids).await,
            AnyStorage::Postgres(s) => s.device_signers(device_ids).await,
        }
    }

    async fn household_signatures(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, Vec<SignedChange>)>> {
        match self {
            AnyStorage::Sqlite(s) => s.household_signatures(ids).await,
            AnyStorage::Postgres(s) => s.household_signatures(ids).await,
        }
    }
}
