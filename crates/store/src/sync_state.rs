//! What the sync engine needs from the store: the changes the registry has not acknowledged, a way to
//! apply changes that arrive, and the heads of every document for the consistency check.
//!
//! The store knows nothing of the protocol; it only keeps, per document, the heads the registry last
//! acknowledged (`documents.acked_heads`). "Unsynced" means the document's heads differ from those.

use crate::error::{Result, StoreError};
use crate::households::{
    find_rid, heads_from_bytes, heads_to_bytes, load_doc_with, project, HouseholdView,
};
use crate::store::Store;
use rusqlite::params;
use shumari_domain::automerge::{AutoCommit, ChangeHash};
use shumari_domain::HouseholdDoc;
use uuid::Uuid;

/// What [`Store::remove_local`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeftScope {
    /// Households forgotten (the registry had all their changes).
    pub removed: usize,
    /// Households newly kept because they hold changes the registry has not received (one already
    /// kept is not counted again).
    pub kept: usize,
}

/// A document with changes the registry has not acknowledged.
#[derive(Debug, Clone)]
pub struct OutgoingDoc {
    /// Household id.
    pub id: Uuid,
    /// Its area (for routing and scope).
    pub area: String,
    /// `save_after(acked heads)`: the raw changes the registry lacks (the whole history if never synced).
    pub changes: Vec<u8>,
    /// The document's heads once those changes are applied.
    pub heads: Vec<ChangeHash>,
    /// Signature records of the changes in `changes`, as far as the store holds or made them.
    pub signatures: Vec<crate::signatures::ChangeSignature>,
    /// Whether `changes` hold changes made on other devices (which this device relays).
    pub relays: bool,
}

impl Store {
    /// Up to `limit` documents whose heads differ from what the registry acknowledged, oldest change first.
    pub fn unsynced(&mut self, limit: usize) -> Result<Vec<OutgoingDoc>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.rid, h.id, h.area, d.acked_heads FROM documents d JOIN households h ON h.rid = d.rid
              WHERE d.acked_heads IS NULL OR d.acked_heads != d.heads
              ORDER BY h.updated_at LIMIT ?1",
        )?;
        let rows: Vec<(i64, String, String, Option<Vec<u8>>)> = stmt
            .query_map([limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<std::result::Result<_, _>>()?;
        drop(stmt);
        let mut out = Vec::with_capacity(rows.len());
        for (rid, id, area, acked) in rows {
            let mut doc = self.load_doc(rid)?;
            let acked = acked.map(|b| heads_from_bytes(&b)).unwrap_or_default();
            let changes = doc.automerge().save_after(&acked);
            out.push(OutgoingDoc {
                id: Uuid::parse_str(&id).unwrap_or_default(),
                area,
                changes,
                heads: doc.heads(),
                signatures: Vec::new(),
                relays: false,
            });
        }
        Ok(out)
    }

    /// Number of documents with unacknowledged changes.
    pub fn unsynced_count(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM documents WHERE acked_heads IS NULL OR acked_heads != heads",
            [],
            |r| r.get(0),
        )?)
    }

    /// Records that the registry holds these heads.
    pub fn mark_acked(&mut self, acks: &[(Uuid, Vec<ChangeHash>)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (id, heads) in acks {
            tx.execute(
                "UPDATE documents SET acked_heads = ?2 WHERE rid = (SELECT rid FROM households WHERE id = ?1)",
                params![id.to_string(), heads_to_bytes(heads)],
            )?;
            // The registry accepted it from this device, so it is in this device's scope again.
            tx.execute(
                "DELETE FROM left_scope WHERE rid = (SELECT rid FROM households WHERE id = ?1)",
                [id.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Applies changes that came from the registry, in one transaction, with a status per document.
    ///
    /// `bytes` may be raw changes or a full save; changes the document already has are ignored (automerge
    /// changes are content-addressed), so a replayed batch changes nothing. A new household is created.
    /// `registry_heads` are the heads the registry holds after these changes: they become acknowledged.
    pub fn apply_remote(
        &mut self,
        batch: &[(Uuid, Vec<u8>, Vec<ChangeHash>)],
    ) -> Result<Vec<(Uuid, Result<()>)>> {
        let tx = self.conn.transaction()?;
        let mut results = Vec::with_capacity(batch.len());
        for (id, bytes, registry_heads) in batch {
            let rid = find_rid(&tx, id)?;
            let bad = |m: String| StoreError::Document {
                id: id.to_string(),
                message: m,
            };
            let outcome: Result<()> = (|| {
                match rid {
                    Some(rid) => {
                        let mut doc = load_doc_with(&tx, rid, &self.device)?;
                        let before = doc.heads();
                        doc.automerge()
                            .load_incremental(bytes)
                            .map_err(|e| bad(e.to_string()))?;
                        Store::persist(&tx, rid, &mut doc, &before)?;
                        // The registry sends it, so it is in this device's scope again.
                        tx.execute("DELETE FROM left_scope WHERE rid = ?1", [rid])?;
                        let acked = if doc.heads() == *registry_heads {
                            registry_heads.clone()
                        } else {
                            before_acked(&tx, rid)?
                                .into_iter()
                                .chain(registry_heads.iter().copied())
                                .collect()
                        };
                        tx.execute(
                            "UPDATE documents SET acked_heads = ?2 WHERE rid = ?1",
                            params![rid, heads_to_bytes(&acked)],
                        )?;
                    }
                    None => {
                        let am = AutoCommit::load(bytes).map_err(|e| bad(e.to_string()))?;
                        let mut doc =
                            HouseholdDoc::from_automerge(am).map_err(|e| bad(e.to_string()))?;
                        let household = doc.household().map_err(|e| bad(e.to_string()))?;
                        if household.id != *id {
                            return Err(bad("document id does not match".into()));
                        }
                        let conflicts = doc.conflicts()?.len();
                        let rid = project(&tx, &household, conflicts)?;
                        let heads = doc.heads();
                        tx.execute(
                            "INSERT INTO documents (rid, snapshot, heads, acked_heads) VALUES (?1, ?2, ?3, ?4)",
                            params![rid, snapshot_of(bytes, &mut doc), heads_to_bytes(&heads), heads_to_bytes(registry_heads)],
                        )?;
                    }
                }
                Ok(())
            })();
            // A bad document is reported and skipped; a database failure aborts the whole batch.
            if let Err(e @ (StoreError::Sqlite(_) | StoreError::Io(_) | StoreError::DiskFull)) =
                outcome
            {
                return Err(e);
            }
            results.push((*id, outcome));
        }
        tx.commit()?;
        Ok(results)
    }

    /// Households the registry says left this device's scope. One whose changes the registry has
    /// all received is forgotten; one with changes it has not received is kept and listed as having
    /// left ([`ListFilter::left_scope`](crate::ListFilter), [`Store::left_scope_households`]), so no
    /// surveyor's work is deleted before it reached the registry.
    pub fn remove_local(&mut self, ids: &[Uuid]) -> Result<LeftScope> {
        let tx = self.conn.transaction()?;
        let mut out = LeftScope::default();
        let now = chrono::Utc::now().timestamp_millis();
        for id in ids {
            let Some(rid) = find_rid(&tx, id)? else {
                continue;
            };
            let unsent: bool = tx.query_row(
                "SELECT acked_heads IS NULL OR acked_heads != heads FROM documents WHERE rid = ?1",
                [rid],
                |r| r.get(0),
            )?;
            if unsent {
                let noted = tx.execute(
                    "INSERT INTO left_scope (rid, noted_at) VALUES (?1, ?2) ON CONFLICT (rid) DO NOTHING",
                    params![rid, now],
                )?;
                out.kept += noted;
                continue;
            }
            tx.execute("DELETE FROM left_scope WHERE rid = ?1", [rid])?;
            tx.execute("DELETE FROM household_names WHERE rowid = ?1", [rid])?;
            tx.execute("DELETE FROM change_signatures WHERE rid = ?1", [rid])?;
            tx.execute("DELETE FROM doc_chunks WHERE rid = ?1", [rid])?;
            tx.execute("DELETE FROM documents WHERE rid = ?1", [rid])?;
            tx.execute("DELETE FROM members WHERE rid = ?1", [rid])?;
            tx.execute("DELETE FROM households WHERE rid = ?1", [rid])?;
            out.removed += 1;
        }
        tx.commit()?;
        Ok(out)
    }

    /// Every household that left this device's scope with unsent changes, in full, for export.
    pub fn left_scope_households(&self) -> Result<Vec<HouseholdView>> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT h.id FROM left_scope l JOIN households h ON h.rid = l.rid ORDER BY h.ref",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        ids.iter().map(|id| self.get(id)).collect()
    }

    /// The ids of the households holding changes the registry has not acknowledged (cheap: no
    /// document is read), for marking list rows as waiting.
    pub fn unsent_ids(&self) -> Result<std::collections::HashSet<Uuid>> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT h.id FROM documents d JOIN households h ON h.rid = d.rid
                  WHERE d.acked_heads IS NULL OR d.acked_heads != d.heads",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(ids
            .iter()
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect())
    }

    /// Every household holding changes the registry has not acknowledged, in full, by reference:
    /// what a surveyor hands over on a file when the tablet can no longer sync (revoked, expired, or
    /// out of reach for good).
    pub fn unsent_households(&self) -> Result<Vec<HouseholdView>> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT h.id FROM documents d JOIN households h ON h.rid = d.rid
                  WHERE d.acked_heads IS NULL OR d.acked_heads != d.heads ORDER BY h.ref",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        ids.iter().map(|id| self.get(id)).collect()
    }

    /// The heads of every document, for the consistency check.
    pub fn all_heads(&self) -> Result<Vec<(Uuid, Vec<ChangeHash>)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT h.id, d.heads FROM documents d JOIN households h ON h.rid = d.rid ORDER BY h.id")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, heads) = row?;
            out.push((
                Uuid::parse_str(&id).unwrap_or_default(),
                heads_from_bytes(&heads),
            ));
        }
        Ok(out)
    }

    /// A full compressed save of one document.
    pub fn doc_bytes(&self, id: Uuid) -> Result<Vec<u8>> {
        let rid = self.resolve(&id.to_string())?;
        Ok(self.load_doc(rid)?.save())
    }
}

/// The bytes to keep as a new household's snapshot: what arrived, when it is already a saved
/// document (a registry's first pull sends its compact saves), otherwise a fresh save. Saving
/// again would cost about as much as the load and give bytes of the same size.
///
/// automerge has no public "is this a saved document" call, so this reads the storage format's
/// chunk header: 4 magic bytes, a 4-byte checksum, then the chunk type, 0 for a whole document.
/// Anything else (raw or compressed changes) is saved afresh; a saved document followed by more
/// chunks is kept as it came, which `load` reads the same way.
fn snapshot_of(bytes: &[u8], doc: &mut HouseholdDoc) -> Vec<u8> {
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    const DOCUMENT_CHUNK: u8 = 0;
    if bytes.len() > 8 && bytes[..4] == MAGIC && bytes[8] == DOCUMENT_CHUNK {
        bytes.to_vec()
    } else {
        doc.save()
    }
}

fn before_acked(tx: &rusqlite::Transaction<'_>, rid: i64) -> Result<Vec<ChangeHash>> {
    let b: Option<Vec<u8>> = tx.query_row(
        "SELECT acked_heads FROM documents WHERE rid = ?1",
        [rid],
        |r| r.get(0),
    )?;
    Ok(b.map(|b| heads_from_bytes(&b)).unwrap_or_default())
}
