//! Paging helpers for the sync engine: it walks unsynced documents by id, a few per local step, so that
//! refused documents never block the queue behind them and the store is never held for long.

use crate::error::Result;
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

    /// The unacknowledged changes of these documents (ids the store does not hold are skipped),
    /// with the signature records kept for them ([`Store::outgoing_with`] also signs this device's
    /// own).
    pub fn outgoing(&self, ids: &[Uuid]) -> Result<Vec<OutgoingDoc>> {
        self.outgoing_with(ids, None)
    }
}
