//! The device's signing key and the signatures of the changes it holds (migration V4).
//!
//! The store knows no cryptography: it keeps the key's 32 secret bytes (encrypted at rest with the
//! rest of the store, and wiped from memory when the [`DeviceKeyRow`] is dropped) and signature
//! records by change hash. The sync engine makes the key and the signatures (`shumari_sync`'s
//! `identity` and `signing`).
//!
//! A change is signed the first time it is sent ([`Store::outgoing_with`]): every change of one of
//! this store's own actors that has no signature yet gets one from the signer, kept in the same step,
//! so a change is signed once and the same record goes with it every time it is sent again (a repair,
//! a relay, a file). Records of other devices' changes arrive with their changes
//! ([`Store::keep_signatures`]) and go out again with them when this device pushes a household whole.

use crate::error::Result;
use crate::households::{find_rid, heads_from_bytes};
use crate::store::Store;
use crate::sync_state::OutgoingDoc;
use rusqlite::{params, OptionalExtension};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;
use zeroize::Zeroizing;

/// One change's signature record: the automerge change hash and the signature of it.
#[derive(Clone, PartialEq, Eq)]
pub struct ChangeSignature {
    /// The change hash.
    pub hash: [u8; 32],
    /// The signature (Ed25519, made by the device the change's actor belongs to).
    pub signature: [u8; 64],
}

impl std::fmt::Debug for ChangeSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChangeSignature({})", hex::encode(&self.hash[..8]))
    }
}

/// The device's signing key as stored.
pub struct DeviceKeyRow {
    /// The secret key (wiped when dropped).
    pub secret: Zeroizing<[u8; 32]>,
    /// Whether the registry acknowledged the public key.
    pub registered: bool,
}

impl std::fmt::Debug for DeviceKeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceKeyRow")
            .field("registered", &self.registered)
            .finish_non_exhaustive()
    }
}

/// Signs a change hash with the device's key.
pub type Signer<'a> = &'a dyn Fn(&[u8; 32]) -> [u8; 64];

impl Store {
    /// The device's signing key, if one was made.
    pub fn device_key(&self) -> Result<Option<DeviceKeyRow>> {
        let row: Option<(Vec<u8>, bool)> = self
            .conn
            .query_row(
                "SELECT secret, registered FROM device_key WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(secret, registered)| {
            let secret = Zeroizing::new(secret);
            let bytes: [u8; 32] = secret.as_slice().try_into().ok()?;
            Some(DeviceKeyRow {
                secret: Zeroizing::new(bytes),
                registered,
            })
        }))
    }

    /// Keeps `secret` as the device's key unless it already has one (a key is never replaced: the
    /// registry would refuse another). Returns whether it was kept.
    pub fn create_device_key(&self, secret: &[u8; 32]) -> Result<bool> {
        let n = self.conn.execute(
            "INSERT INTO device_key (id, secret, registered, created_at) VALUES (1, ?1, 0, ?2)
             ON CONFLICT (id) DO NOTHING",
            params![secret.as_slice(), chrono::Utc::now().timestamp_millis()],
        )?;
        Ok(n == 1)
    }

    /// Records that the registry holds the device's public key.
    pub fn mark_device_key_registered(&self) -> Result<()> {
        self.conn
            .execute("UPDATE device_key SET registered = 1 WHERE id = 1", [])?;
        Ok(())
    }

    /// Keeps signature records that arrived with households' changes (households the store does not
    /// hold are skipped; a record already kept is kept as it was).
    pub fn keep_signatures(&mut self, batch: &[(Uuid, Vec<ChangeSignature>)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (id, records) in batch {
            if records.is_empty() {
                continue;
            }
            let Some(rid) = find_rid(&tx, id)? else {
                continue;
            };
            let mut stmt = tx.prepare_cached(
                "INSERT INTO change_signatures (hash, rid, signature) VALUES (?1, ?2, ?3)
                 ON CONFLICT (hash) DO NOTHING",
            )?;
            for r in records {
                stmt.execute(params![r.hash.as_slice(), rid, r.signature.as_slice()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every signature record kept for a household.
    pub fn signatures_of(&self, id: &Uuid) -> Result<Vec<ChangeSignature>> {
        let Some(rid) = find_rid(&self.conn, id)? else {
            return Ok(Vec::new());
        };
        Ok(self.records_of(rid)?.into_values().collect())
    }

    fn records_of(&self, rid: i64) -> Result<HashMap<[u8; 32], ChangeSignature>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT hash, signature FROM change_signatures WHERE rid = ?1")?;
        let rows = stmt.query_map([rid], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (h, s) = row?;
            if let (Ok(hash), Ok(signature)) = (h.try_into(), s.try_into()) {
                out.insert(hash, ChangeSignature { hash, signature });
            }
        }
        Ok(out)
    }

    /// This store's own actors (every one it wrote with).
    fn own_actors(&self) -> Result<HashSet<Vec<u8>>> {
        let mut stmt = self.conn.prepare_cached("SELECT actor FROM actors")?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// [`Store::outgoing`] with each document's signature records: those kept for its outgoing
    /// changes, and, with a `signer`, new ones for this device's own changes that had none (kept
    /// before they are returned, so a change is signed once).
    pub fn outgoing_with(
        &self,
        ids: &[Uuid],
        signer: Option<Signer<'_>>,
    ) -> Result<Vec<OutgoingDoc>> {
        let own = self.own_actors()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(rid) = find_rid(&self.conn, id)? else {
                continue;
            };
            let (area, acked): (String, Option<Vec<u8>>) = self.conn.query_row(
                "SELECT h.area, d.acked_heads FROM documents d JOIN households h ON h.rid = d.rid
                  WHERE d.rid = ?1",
                [rid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let mut doc = self.load_doc(rid)?;
            let acked = acked.map(|b| heads_from_bytes(&b)).unwrap_or_default();
            let am = doc.automerge();
            // Acked heads the document does not contain (should not happen) fall back to everything.
            let since = if acked.iter().all(|h| am.get_change_by_hash(h).is_some()) {
                acked
            } else {
                Vec::new()
            };
            let changes = am.save_after(&since);
            let metas: Vec<([u8; 32], Vec<u8>)> = am
                .get_changes_meta(&since)
                .into_iter()
                .map(|m| (m.hash.0, m.actor.to_bytes().to_vec()))
                .collect();
            let relays = metas.iter().any(|(_, actor)| !own.contains(actor));
            let mut kept = self.records_of(rid)?;
            let mut signatures = Vec::new();
            for (hash, actor) in metas {
                if let Some(r) = kept.remove(&hash) {
                    signatures.push(r);
                } else if let Some(sign) = signer.filter(|_| own.contains(&actor)) {
                    let r = ChangeSignature {
                        hash,
                        signature: sign(&hash),
                    };
                    self.conn
                        .prepare_cached(
                            "INSERT INTO change_signatures (hash, rid, signature) VALUES (?1, ?2, ?3)
                             ON CONFLICT (hash) DO NOTHING",
                        )?
                        .execute(params![hash.as_slice(), rid, r.signature.as_slice()])?;
                    signatures.push(r);
                }
            }
            out.push(OutgoingDoc {
                id: *id,
                area,
                changes,
                heads: doc.heads(),
                signatures,
                relays,
            });
        }
        Ok(out)
    }
}
