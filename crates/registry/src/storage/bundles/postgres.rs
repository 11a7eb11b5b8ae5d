//! [`BundleStore`] on PostgreSQL (see the module above).

use super::BundleStore;
use crate::storage::postgres::PgStorage;
use crate::storage::signing::key_of;
use crate::storage::{Result, StorageError};

impl BundleStore for PgStorage {
    async fn bundle_key(&self) -> Result<Option<[u8; 32]>> {
        let c = self.conn().await;
        let row = c
            .query_opt("SELECT public_key FROM bundle_key WHERE id = 1", &[])
            .await?;
        Ok(key_of(row.map(|r| r.get(0))))
    }

    async fn set_bundle_key(&self, key: &[u8; 32], now: i64) -> Result<[u8; 32]> {
        let c = self.conn().await;
        c.execute(
            "INSERT INTO bundle_key (id, public_key, created_at) VALUES (1, $1, $2)
             ON CONFLICT (id) DO NOTHING",
            &[&key.as_slice(), &now],
        )
        .await?;
        let held: Vec<u8> = c
            .query_one("SELECT public_key FROM bundle_key WHERE id = 1", &[])
            .await?
            .get(0);
        key_of(Some(held)).ok_or_else(|| StorageError::Other("bad bundle key in database".into()))
    }

    async fn bundle_position(&self, device_id: &str) -> Result<Option<String>> {
        let c = self.conn().await;
        let row = c
            .query_opt(
                "SELECT cursor FROM bundle_positions WHERE device_id = $1",
                &[&device_id],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn set_bundle_position(
        &self,
        device_id: &str,
        cursor: &str,
        bundle_id: &str,
        now: i64,
    ) -> Result<()> {
        let c = self.conn().await;
        c.execute(
            "INSERT INTO bundle_positions (device_id, cursor, bundle_id, imported_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (device_id) DO UPDATE SET cursor = excluded.cursor,
               bundle_id = excluded.bundle_id, imported_at = excluded.imported_at",
            &[&device_id, &cursor, &bundle_id, &now],
        )
        .await?;
        Ok(())
    }
}
