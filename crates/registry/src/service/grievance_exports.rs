//! The grievances an export reads: the grievances feature's own read for `shumari-exports`'
//! `grievances` dataset. A page is one `GrievanceStore::grievances_in` page of a granted area
//! after the last tracking number, then the next area, so memory holds one page whatever the
//! registry's size. `since` keeps the grievances changed at or after that time.
//!
//! Every grievance in the granted areas is read (the counts a monitor's dashboard shows, row by
//! row); the citizen's words and phone are personal, left out by the exporter without the grant's
//! `personal`. The export is recorded once, at its end, by
//! [`Registry::record_export`](super::Registry::record_export).

use super::exports::ExportGrant;
use super::Registry;
use crate::error::Result;
use crate::storage::grievances::{GrievanceQuery, GrievanceRow};
use crate::storage::Storage;

/// Where the next page starts: the granted area's place and the last tracking number read in it.
pub type GrievancePosition = (usize, String);

/// A page of grievances for an export.
#[derive(Debug, Clone)]
pub struct GrievanceExportPage {
    /// The grievances as stored, by tracking number within each area.
    pub rows: Vec<GrievanceRow>,
    /// Where the next page starts (`None`: this was the last).
    pub next: Option<GrievancePosition>,
}

impl<S: Storage> Registry<S> {
    /// Up to `limit` grievances of `grant`'s areas after `after`, changed at or after `since` (ms
    /// since epoch) when given. A page may hold fewer rows (even none) without being the last.
    pub async fn grievance_export_page(
        &self,
        grant: &ExportGrant,
        since: Option<i64>,
        after: Option<GrievancePosition>,
        limit: usize,
    ) -> Result<GrievanceExportPage> {
        let limit = limit.max(1);
        let (mut place, last) = after.unwrap_or((0, String::new()));
        let Some(area) = grant.areas.get(place) else {
            return Ok(GrievanceExportPage {
                rows: Vec::new(),
                next: None,
            });
        };
        let read = self
            .storage
            .grievances_in(&GrievanceQuery {
                area: area.clone(),
                after: last,
                limit,
                ..GrievanceQuery::default()
            })
            .await?;
        let next = if read.len() == limit {
            read.last().map(|g| (place, g.tracking.clone()))
        } else {
            place += 1;
            (place < grant.areas.len()).then(|| (place, String::new()))
        };
        let rows = read
            .into_iter()
            .filter(|g| since.is_none_or(|s| g.updated_at >= s))
            .collect();
        Ok(GrievanceExportPage { rows, next })
    }
}
