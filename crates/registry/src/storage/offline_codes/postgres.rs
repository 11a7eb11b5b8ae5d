//! [`OfflineCodeStore`] on PostgreSQL (see the module above).

use super::OfflineCodeStore;
use crate::storage::postgres::PgStorage;
use crate::storage::signing::key_of;
use crate::storage::Result;

impl OfflineCodeStore for PgStorage {
    async fn offline_code_key(&self) -> Result<Option<[u8; 32]>> {
        let c = self.conn().await;
        let row = c
            .query_opt("SELECT public_key FROM offline_code_key WHERE id = 1", &[])
            .await?;
        Ok(key_of(row.map(|r| r.get(0))))
    }

    async fn set_offline_code_key(&self, key: &[u8; 32], now: i64) -> Result<()> {
        let c = self.conn().await;
        c.execute(
            "INSERT INTO offline_code_key (id, public_key, set_at) VALUES (1, $1, $2)
             ON CONFLICT (id) DO UPDATE SET public_key = excluded.public_key,
               set_at = excluded.set_at",
            &[&key.as_slice(), &now],
        )
        .await?;
        Ok(())
    }

    async fn redeem_offline_code(
        &self,
        code_id: &[u8; 16],
        user_id: &str,
        device_id: &str,
        now: i64,
    ) -> Result<bool> {
        let c = self.conn().await;
        let n = c
            .execute(
                "INSERT INTO offline_codes_redeemed (code_id, user_id, device_id, redeemed_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (code_id) DO NOTHING",
                &[&code_id.as_slice(), &user_id, &device_id, &now],
            )
            .await?;
        Ok(n == 1)
    }
}
