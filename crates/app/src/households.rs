//! Areas, counts, the household list and search, and creating a household.

use crate::dto::{AreaInfo, HouseholdSummary, StatusCounts};
use crate::error::{AppError, Result};
use crate::questionnaire::{form_id, form_version};
use crate::session::read_enrollment;
use crate::App;
use shumari_domain::{area, HouseholdInput};
use shumari_store::ListFilter;
use std::collections::HashSet;
use uuid::Uuid;

/// Enough for every household a device holds.
pub(crate) const LIST_ALL: usize = 1_000_000;

/// What the list can be filtered by: an interview status, a sync state, or open conflicts.
pub const LIST_FILTERS: [&str; 9] = [
    "draft",
    "complete",
    "submitted",
    "returned",
    "approved",
    "rejected",
    "waiting",
    "synced",
    "conflict",
];

/// The sync state of a household: `waiting` while it holds changes the registry has not
/// acknowledged, else `synced`.
pub(crate) fn sync_mark(waiting: bool) -> &'static str {
    if waiting {
        "waiting"
    } else {
        "synced"
    }
}

/// The UI's list row: the domain's, with the sync state, the dashed CNIC and "" for what is not
/// known yet. `unsent` holds the households with changes the registry has not received.
pub(crate) fn summary(
    s: shumari_domain::HouseholdSummary,
    unsent: &HashSet<Uuid>,
) -> HouseholdSummary {
    HouseholdSummary {
        status: s.status.as_str().to_string(),
        sync: sync_mark(unsent.contains(&s.id)).to_string(),
        conflict_count: s.conflict_count,
        id: s.id.to_string(),
        reference: s.reference,
        head_name: s.head_name.unwrap_or_default(),
        head_id_number: s.head_id_number.map(|n| n.dashed()).unwrap_or_default(),
        area: s.area,
        member_count: s.member_count,
        updated_at: s.updated_at.to_rfc3339(),
    }
}

/// Whether a row passes a list filter ([`LIST_FILTERS`]).
fn passes(h: &HouseholdSummary, filter: &str) -> bool {
    match filter {
        "waiting" | "synced" => h.sync == filter,
        "conflict" => h.conflict_count > 0,
        status => h.status == status,
    }
}

fn count(counts: &mut StatusCounts, h: &HouseholdSummary) {
    match h.status.as_str() {
        "draft" => counts.draft += 1,
        "complete" => counts.complete += 1,
        "submitted" => counts.submitted += 1,
        "returned" => counts.returned += 1,
        "approved" => counts.approved += 1,
        _ => counts.rejected += 1,
    }
    if h.sync == "waiting" {
        counts.waiting += 1;
    } else {
        counts.synced += 1;
    }
    if h.conflict_count > 0 {
        counts.conflict += 1;
    }
}

impl App {
    /// Households matching a search (head's name, CNIC or reference number), a filter
    /// ([`LIST_FILTERS`]: an interview status, `waiting`/`synced`, or `conflict`) and an area;
    /// newest change first.
    pub fn list_households(
        &self,
        query: &str,
        status: Option<&str>,
        area: Option<&str>,
    ) -> Result<Vec<HouseholdSummary>> {
        if let Some(s) = status {
            if !LIST_FILTERS.contains(&s) {
                return Err(AppError::Invalid(format!("unknown status `{s}`")));
            }
        }
        let (rows, unsent) = self.with_store(|store| {
            let rows = store.list(&ListFilter {
                area: area.map(str::to_string),
                search: Some(query.to_string()).filter(|q| !q.trim().is_empty()),
                status: None,
                limit: LIST_ALL,
                offset: 0,
                left_scope: false,
            })?;
            Ok((rows, store.unsent_ids()?))
        })?;
        Ok(rows
            .into_iter()
            .map(|r| summary(r, &unsent))
            .filter(|h| status.is_none_or(|s| passes(h, s)))
            .collect())
    }

    /// Household counts by interview status and by sync state over the whole device.
    pub fn household_counts(&self) -> Result<StatusCounts> {
        let mut c = StatusCounts::default();
        for h in self.list_households("", None, None)? {
            count(&mut c, &h);
        }
        Ok(c)
    }

    /// The areas assigned at enrollment, each with its counts.
    pub fn list_areas(&self) -> Result<Vec<AreaInfo>> {
        let assigned = read_enrollment(&self.dir)
            .map(|e| e.areas)
            .unwrap_or_default();
        let all = self.list_households("", None, None)?;
        self.with_store(|store| {
            Ok(assigned
                .iter()
                .filter_map(|code| store.areas().get(code).ok())
                .map(|a| {
                    let mut counts = StatusCounts::default();
                    for h in all.iter().filter(|h| area::contains(&a.code, &h.area)) {
                        count(&mut counts, h);
                    }
                    AreaInfo {
                        code: a.code.clone(),
                        name: a.name.clone(),
                        counts,
                    }
                })
                .collect())
        })
    }

    /// Starts a new, empty household in `area` (a draft with its reference number).
    pub fn create_household(&self, area: &str) -> Result<HouseholdSummary> {
        let id = self.with_store(|store| {
            let input = HouseholdInput {
                area: Some(area.to_string()),
                ..Default::default()
            };
            Ok(store
                .add_household(&input, None, form_id(), form_version())?
                .id)
        })?;
        self.summary_of(&id.to_string())
    }

    /// The list row of one household.
    pub(crate) fn summary_of(&self, id: &str) -> Result<HouseholdSummary> {
        self.with_store(|store| {
            let v = store.get(id)?;
            let conflicts = u32::try_from(v.conflicts.len()).unwrap_or(u32::MAX);
            Ok(summary(
                shumari_domain::HouseholdSummary::of(&v.household, conflicts),
                &store.unsent_ids()?,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shumari_domain::Status;

    fn row(status: Status, conflicts: u32) -> shumari_domain::HouseholdSummary {
        shumari_domain::HouseholdSummary {
            id: Uuid::now_v7(),
            reference: "PK10101-K7QD2-1".into(),
            area: "PK10101".into(),
            head_name: None,
            head_id_number: None,
            member_count: 1,
            status,
            conflict_count: conflicts,
            updated_at: chrono::DateTime::default(),
        }
    }

    #[test]
    fn households_from_the_registry_count_by_status_and_as_synced() {
        let received: Vec<_> = (0..60).map(|_| row(Status::Submitted, 0)).collect();
        let mut mine = row(Status::Returned, 1);
        mine.id = Uuid::now_v7();
        let unsent = HashSet::from([mine.id]);
        let rows: Vec<HouseholdSummary> = received
            .into_iter()
            .chain([mine])
            .map(|r| summary(r, &unsent))
            .collect();
        let mut c = StatusCounts::default();
        for h in &rows {
            count(&mut c, h);
        }
        assert_eq!(
            c,
            StatusCounts {
                submitted: 60,
                returned: 1,
                waiting: 1,
                synced: 60,
                conflict: 1,
                ..StatusCounts::default()
            }
        );
        let returned: Vec<_> = rows.iter().filter(|h| passes(h, "returned")).collect();
        assert_eq!(returned.len(), 1);
        assert_eq!(
            (returned[0].sync.as_str(), returned[0].conflict_count),
            ("waiting", 1)
        );
        assert_eq!(rows.iter().filter(|h| passes(h, "synced")).count(), 60);
        assert_eq!(rows.iter().filter(|h| passes(h, "conflict")).count(), 1);
        assert_eq!(rows.iter().filter(|h| passes(h, "draft")).count(), 0);
    }
}
