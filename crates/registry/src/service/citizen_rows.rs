//! The citizen rows of households stored before migration V22, made once at start.
//!
//! The ingest writes a household's citizen row with the household (`storage/citizen/row.rs`), so
//! only households stored by an older registry lack one. The catch-up walks them by id, reads each
//! document with the ingest's projection reader and stores the row only if the household still has
//! the heads it was read at and still has no row: an ingest running meanwhile writes its own row
//! for the new version, which the catch-up never overwrites. Until a household is caught up, its
//! look-ups read its document (`citizen.rs`), so the page is the same before and after.

use super::citizen::shown_of_doc;
use super::Registry;
use crate::error::Result;
use crate::storage::Storage;

/// Households read per round.
const PAGE: usize = 256;

impl<S: Storage> Registry<S> {
    /// Makes the citizen row of every household that has none; returns how many were written.
    pub async fn fill_citizen_rows(&self) -> Result<u64> {
        let mut after = None;
        let mut written = 0;
        loop {
            let ids = self.storage.without_citizen_row(after, PAGE).await?;
            let Some(last) = ids.last() else {
                return Ok(written);
            };
            after = Some(*last);
            let rows: Vec<_> = self
                .storage
                .load_docs(&ids)
                .await?
                .into_iter()
                .flatten()
                // An unreadable document gets no row (its look-ups find nothing, as before).
                .filter_map(|d| shown_of_doc(&d.doc).map(|s| (d.id, d.heads, s.row)))
                .collect();
            written += self.storage.put_citizen_rows(rows).await?;
        }
    }
}
