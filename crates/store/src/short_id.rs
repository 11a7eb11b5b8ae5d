//! Taking the short id the registry grants at enrollment.
//!
//! A new store picks a random short id so that households made before enrollment already have
//! reference numbers. At enrollment the registry grants the device a short id no other device holds:
//! the one it asked for when it is free (almost always), another otherwise. Households the registry has
//! never seen carry the old id and are renumbered, in one transaction; a household the registry has
//! acknowledged keeps its reference (it may already be printed on the family's slip).

use crate::error::{Result, StoreError};
use crate::households::load_doc_with;
use crate::store::Store;
use shumari_domain::reference::{is_short_id, reference_number, split_reference};
use shumari_domain::EditContext;

impl Store {
    /// Makes `granted` this device's short id and renumbers the never-synced households that carry the
    /// previous one. Returns how many were renumbered.
    pub fn adopt_short_id(&mut self, granted: &str) -> Result<usize> {
        if !is_short_id(granted) {
            return Err(StoreError::Document {
                id: granted.to_string(),
                message: "the registry granted a short id that is not 5 Crockford characters"
                    .into(),
            });
        }
        let old = self.device.short_id.clone();
        if old == granted {
            return Ok(0);
        }
        let ctx = EditContext::new(self.device.user.clone(), chrono::Utc::now());
        let tx = self.conn.transaction()?;
        let rows: Vec<(i64, String)> = tx
            .prepare(
                "SELECT h.rid, h.ref FROM households h JOIN documents d ON d.rid = h.rid
                  WHERE d.acked_heads IS NULL",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        let mut renumbered = 0;
        for (rid, reference) in rows {
            let Some((area, short, seq)) = split_reference(&reference) else {
                continue;
            };
            if short != old {
                continue;
            }
            let new_ref = reference_number(area, granted, seq);
            let mut doc = load_doc_with(&tx, rid, &self.device)?;
            let before = doc.heads();
            doc.edit(&self.areas, &ctx, "renumber", |e| e.set_reference(&new_ref))?;
            Store::persist(&tx, rid, &mut doc, &before)?;
            renumbered += 1;
        }
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'device_short_id'",
            [granted],
        )?;
        tx.commit()?;
        self.device.short_id = granted.to_string();
        Ok(renumbered)
    }
}
