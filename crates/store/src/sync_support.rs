//! Paging helpers for the sync engine: it walks unsynced documents by id, a few per local step, so that
//! refused documents never block the queue behind them and the store is never held for long.

use crate::error::Result;
use crate::households::{find_rid, heads_from_bytes};
use crate::store::Store;
use crate::sync_state::OutgoingDoc;
use uuid::Uuid;

impl Store {
    /// Ids of every document whose heads differ from what the registry acknowledged, oldest first.
    pub fn unsynced_ids(&self) -> Result<Vec<Uuid>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.id FROM documents d JOIN households h ON h.rid = d.rid
              WHERE d.acked_heads IS NULL OR d.acked_heads != d.heads
              ORDER BY h.updated_at, h.id",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            if let Ok(id) = Uuid::parse_str(&row?) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Number of households with open conflicts.
    pub fn conflicted_count(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM households WHERE conflict_count > 0",
            [],
            |r| r.get(0),
        )?)
    }

    /// The unacknowledged changes of these documents (ids the store does not hold are skipped).
    pub fn outgoing(&self, ids: &[Uuid]) -> Result<Vec<OutgoingDoc>> {
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
            // Acked heads the document does not contain (should not happen) fall back to everything.
            let acked: Vec<_> = if acked
                .iter()
                .all(|h| doc.automerge().get_change_by_hash(h).is_some())
            {
                acked
            } else {
                Vec::new()
            };
            let changes = doc.automerge().save_after(&acked);
            out.push(OutgoingDoc {
                id: *id,
                area,
                changes,
                heads: doc.heads(),
            });
        }
        Ok(out)
    }
}
