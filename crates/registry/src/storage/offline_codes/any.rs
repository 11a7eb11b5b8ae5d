//! [`OfflineCodeStore`] on whichever backend an [`AnyStorage`] is.

use super::OfflineCodeStore;
use crate::storage::any::AnyStorage;
use crate::storage::Result;

impl OfflineCodeStore for AnyStorage {
    async fn offline_code_key(&self) -> Result<Option<[u8; 32]>> {
        match self {
            AnyStorage::Sqlite(s) => s.offline_code_key().await,
            AnyStorage::Postgres(s) => s.offline_code_key().await,
        }
    }

    async fn set_offline_code_key(&self, key: &[u8; 32], now: i64) -> Result<()> {
        match self {
            AnyStorage::Sqlite(s) => s.set_offline_code_key(key, now).await,
            AnyStorage::Postgres(s) => s.set_offline_code_key(key, now).await,
        }
    }

    async fn redeem_offline_code(
        &self,
        code_id: &[u8; 16],
        user_id: &str,
        device_id: &str,
        now: i64,
    ) -> Result<bool> {
        match self {
            AnyStorage::Sqlite(s) => {
                s.redeem_offline_code(code_id, user_id, device_id, now)
                    .await
            }
            AnyStorage::Postgres(s) => {
                s.redeem_offline_code(code_id, user_id, device_id, now)
                    .await
            }
        }
    }
}
