//! [`SigningStore`] on PostgreSQL (see the module above).

use super::{key_of, DeviceSigner, SigningStore};
use crate::storage::postgres::PgStorage;
use crate::storage::{Result, StorageError};
use shumari_proto::signing::{unpack, SignedChange};
use std::collections::HashMap;
use uuid::Uuid;

impl SigningStore for PgStorage {
    async fn register_device_key(
        &self,
        device_id: &str,
        key: &[u8; 32],
        now: i64,
    ) -> Result<[u8; 32]> {
        let c = self.conn().await;
        c.execute(
            "INSERT INTO device_keys (device_id, public_key, registered_at) VALUES ($1, $2, $3)
             ON CONFLICT (device_id) DO NOTHING",
            &[&device_id, &key.as_slice(), &now],
        )
        .await?;
        let held: Vec<u8> = c
            .query_one(
                "SELECT public_key FROM device_keys WHERE device_id = $1",
                &[&device_id],
            )
            .await?
            .get(0);
        key_of(Some(held)).ok_or_else(|| StorageError::Other("bad device key in database".into()))
    }

    async fn device_signers(&self, device_ids: &[String]) -> Result<Vec<DeviceSigner>> {
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT d.id, d.user_id, k.public_key FROM devices d
                   LEFT JOIN device_keys k ON k.device_id = d.id WHERE d.id = ANY($1)",
                &[&device_ids],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| DeviceSigner {
                device_id: r.get(0),
                user_id: r.get(1),
                key: key_of(r.get(2)),
            })
            .collect())
    }

    async fn household_signatures(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, Vec<SignedChange>)>> {
        let keys: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let c = self.conn().await;
        let mut found: HashMap<String, Vec<SignedChange>> = HashMap::new();
        for r in c
            .query(
                "SELECT household_id, signatures FROM log
                  WHERE household_id = ANY($1) AND signatures IS NOT NULL",
                &[&keys],
            )
            .await?
        {
            let b: Vec<u8> = r.get(1);
            found.entry(r.get(0)).or_default().extend(unpack(&b));
        }
        Ok(ids
            .iter()
            .map(|id| (*id, found.remove(&id.to_string()).unwrap_or_default()))
            .collect())
    }
}
