//! [`BundleStore`] on SQLite (see the module above).

use super::BundleStore;
use crate::storage::signing::key_of;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{Result, StorageError};
use rusqlite::{params, OptionalExtension};

impl BundleStore for SqliteStorage {
    async fn bundle_key(&self) -> Result<Option<[u8; 32]>> {
        self.run(|c| {
            let key: Option<Vec<u8>> = c
                .prepare_cached("SELECT public_key FROM bundle_key WHERE id = 1")?
                .query_row([], |r| r.get(0))
                .optional()?;
            Ok(key_of(key))
        })
        .await
    }

    async fn set_bundle_key(&self, key: &[u8; 32], now: i64) -> Result<[u8; 32]> {
        let key = *key;
        self.run(move |c| {
            let tx = c.transaction()?;
            tx.prepare_cached(
                "INSERT INTO bundle_key (id, public_key, created_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![key.as_slice(), now])?;
            let held: Vec<u8> = tx
                .prepare_cached("SELECT public_key FROM bundle_key WHERE id = 1")?
                .query_row([], |r| r.get(0))?;
            tx.commit()?;
            key_of(Some(held))
                .ok_or_else(|| StorageError::Other("bad bundle key in database".into()))
        })
        .await
    }

    async fn bundle_position(&self, device_id: &str) -> Result<Option<String>> {
        let device_id = device_id.to_string();
        self.run(move |c| {
            Ok(
                c.prepare_cached("SELECT cursor FROM bundle_positions WHERE device_id = ?1")?
                    .query_row([&device_id], |r| r.get(0))
                    .optional()?,
            )
        })
        .await
    }

    async fn set_bundle_position(
        &self,
        device_id: &str,
        cursor: &str,
        bundle_id: &str,
        now: i64,
    ) -> Result<()> {
        let (device_id, cursor, bundle_id) = (
            device_id.to_string(),
            cursor.to_string(),
            bundle_id.to_string(),
        );
        self.run(move |c| {
            c.prepare_cached(
                "INSERT INTO bundle_positions (device_id, cursor, bundle_id, imported_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (device_id) DO UPDATE SET cursor = excluded.cursor,
                   bundle_id = excluded.bundle_id, imported_at = excluded.imported_at",
            )?
            .execute(params![device_id, cursor, bundle_id, now])?;
            Ok(())
        })
        .await
    }
}
