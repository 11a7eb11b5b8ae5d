//! [`SigningStore`] on SQLite (see the module above).

use super::{key_of, DeviceSigner, SigningStore};
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{Result, StorageError};
use rusqlite::{params, OptionalExtension};
use shumari_proto::signing::{unpack, SignedChange};
use uuid::Uuid;

impl SigningStore for SqliteStorage {
    async fn register_device_key(
        &self,
        device_id: &str,
        key: &[u8; 32],
        now: i64,
    ) -> Result<[u8; 32]> {
        let (device_id, key) = (device_id.to_string(), *key);
        self.run(move |c| {
            let tx = c.transaction()?;
            tx.prepare_cached(
                "INSERT INTO device_keys (device_id, public_key, registered_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device_id) DO NOTHING",
            )?
            .execute(params![device_id, key.as_slice(), now])?;
            let held: Vec<u8> = tx
                .prepare_cached("SELECT public_key FROM device_keys WHERE device_id = ?1")?
                .query_row([&device_id], |r| r.get(0))?;
            tx.commit()?;
            key_of(Some(held))
                .ok_or_else(|| StorageError::Other("bad device key in database".into()))
        })
        .await
    }

    async fn device_signers(&self, device_ids: &[String]) -> Result<Vec<DeviceSigner>> {
        let ids = device_ids.to_vec();
        self.run(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT d.user_id, k.public_key FROM devices d
                   LEFT JOIN device_keys k ON k.device_id = d.id WHERE d.id = ?1",
            )?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let row: Option<(String, Option<Vec<u8>>)> = stmt
                    .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                if let Some((user_id, key)) = row {
                    out.push(DeviceSigner {
                        device_id: id,
                        user_id,
                        key: key_of(key),
                    });
                }
            }
            Ok(out)
        })
        .await
    }

    async fn household_signatures(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, Vec<SignedChange>)>> {
        let ids = ids.to_vec();
        self.run(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT signatures FROM log WHERE household_id = ?1 AND signatures IS NOT NULL",
            )?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let blobs = stmt
                    .query_map([id.to_string()], |r| r.get::<_, Vec<u8>>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                out.push((id, blobs.iter().flat_map(|b| unpack(b)).collect()));
            }
            Ok(out)
        })
        .await
    }
}
