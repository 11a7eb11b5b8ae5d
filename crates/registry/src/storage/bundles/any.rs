//! [`BundleStore`] on whichever backend an [`AnyStorage`] is.

use super::BundleStore;
use crate::storage::any::AnyStorage;
use crate::storage::Result;

impl BundleStore for AnyStorage {
    async fn bundle_key(&self) -> Result<Option<[u8; 32]>> {
        match self {
            AnyStorage::Sqlite(s) => s.bundle_key().await,
            AnyStorage::Postgres(s) => s.bundle_key().await,
        }
    }

    async fn set_bundle_key(&self, key: &[u8; 32], now: i64) -> Result<[u8; 32]> {
        match self {
            AnyStorage::Sqlite(s) => s.set_bundle_key(key, now).await,
            AnyStorage::Postgres(s) => s.set_bundle_key(key, now).await,
        }
    }

    async fn bundle_position(&self, device_id: &str) -> Result<Option<String>> {
        match self {
            AnyStorage::Sqlite(s) => s.bundle_position(device_id).await,
            AnyStorage::Postgres(s) => s.bundle_position(device_id).await,
        }
    }

    async fn set_bundle_position(
        &self,
        device_id: &str,
        cursor: &str,
        bundle_id: &str,
        now: i64,
    ) -> Result<()> {
        match self {
            AnyStorage::Sqlite(s) => {
                s.set_bundle_position(device_id, cursor, bundle_id, now)
                    .await
            }
            AnyStorage::Postgres(s) => {
                s.set_bundle_position(device_id, cursor, bundle_id, now)
                    .await
            }
        }
    }
}
