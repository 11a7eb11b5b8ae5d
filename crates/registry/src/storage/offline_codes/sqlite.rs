//! [`OfflineCodeStore`] on SQLite (see the module above).

use super::OfflineCodeStore;
use crate::storage::signing::key_of;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::Result;
use rusqlite::{params, OptionalExtension};

impl OfflineCodeStore for SqliteStorage {
    async fn offline_code_key(&self) -> Result<Option<[u8; 32]>> {
        self.run(|c| {
            let key: Option<Vec<u8>> = c
                .prepare_cached("SELECT public_key FROM offline_code_key WHERE id = 1")?
                .query_row([], |r| r.get(0))
                .optional()?;
            Ok(key_of(key))
        })
        .await
    }

    async fn set_offline_code_key(&self, key: &[u8; 32], now: i64) -> Result<()> {
        let key = *key;
        self.run(move |c| {
            c.prepare_cached(
                "INSERT INTO offline_code_key (id, public_key, set_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET public_key = excluded.public_key,
                   set_at = excluded.set_at",
            )?
            .execute(params![key.as_slice(), now])?;
            Ok(())
        })
        .await
    }

    async fn redeem_offline_code(
        &self,
        code_id: &[u8; 16],
        user_id: &str,
        device_id: &str,
        now: i64,
    ) -> Result<bool> {
        let (code_id, user_id, device_id) = (*code_id, user_id.to_string(), device_id.to_string());
        self.run(move |c| {
            let n = c
                .prepare_cached(
                    "INSERT INTO offline_codes_redeemed (code_id, user_id, device_id, redeemed_at)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (code_id) DO NOTHING",
                )?
                .execute(params![code_id.as_slice(), user_id, device_id, now])?;
            Ok(n == 1)
        })
        .await
    }
}
