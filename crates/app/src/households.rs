//! Areas, counts, the household list and search, and creating a household.

use crate::dto::{AreaInfo, HouseholdSummary, StatusCounts};
use crate::error::{AppError, Result};
use crate::questionnaire::{form_id, form_version};
use crate::session::read_enrollment;
use crate::App;
use shumari_domain::{area, HouseholdInput, Status};
use shumari_store::ListFilter;

/// Enough for every household a device holds.
pub(crate) const LIST_ALL: usize = 1_000_000;

/// The UI's four statuses from the workflow status and conflict count.
pub(crate) fn ui_status(status: Status, conflicts: u32) -> &'static str {
    if conflicts > 0 {
        return "conflict";
    }
    match status {
        Status::Draft => "draft",
        Status::Complete => "complete",
        Status::Submitted | Status::Approved | Status::Returned | Status::Rejected => "synced",
    }
}

/// The UI's list row: the domain's, with the UI's status and "" for what is not known yet.
pub(crate) fn summary(s: shumari_domain::HouseholdSummary) -> HouseholdSummary {
    HouseholdSummary {
        status: ui_status(s.status, s.conflict_count).to_string(),
        id: s.id.to_string(),
        reference: s.reference,
        head_name: s.head_name.unwrap_or_default(),
        head_id_number: s.head_id_number.map(|n| n.dashed()).unwrap_or_default(),
        area: s.area,
        member_count: s.member_count,
        updated_at: s.updated_at.to_rfc3339(),
    }
}

fn count(counts: &mut StatusCounts, status: &str) {
    match status {
        "draft" => counts.draft += 1,
        "complete" => counts.complete += 1,
        "conflict" => counts.conflict += 1,
        _ => counts.synced += 1,
    }
}

impl App {
    /// Households matching a search (head's name, CNIC or reference number), a UI status and an area;
    /// newest change first.
    pub fn list_households(
        &self,
        query: &str,
        status: Option<&str>,
        area: Option<&str>,
    ) -> Result<Vec<HouseholdSummary>> {
        if let Some(s) = status {
            if !["draft", "complete", "synced", "conflict"].contains(&s) {
                return Err(AppError::Invalid(format!("unknown status `{s}`")));
            }
        }
        let rows = self.with_store(|store| {
            Ok(store.list(&ListFilter {
                area: area.map(str::to_string),
                search: Some(query.to_string()).filter(|q| !q.trim().is_empty()),
                status: None,
                limit: LIST_ALL,
                offset: 0,
                left_scope: false,
            })?)
        })?;
        Ok(rows
            .into_iter()
            .map(summary)
            .filter(|h| status.is_none_or(|s| h.status == s))
            .collect())
    }

    /// Household counts by UI status over the whole device.
    pub fn household_counts(&self) -> Result<StatusCounts> {
        let mut c = StatusCounts::default();
        for h in self.list_households("", None, None)? {
            count(&mut c, &h.status);
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
                        count(&mut counts, &h.status);
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
            Ok(summary(shumari_domain::HouseholdSummary::of(
                &v.household,
                conflicts,
            )))
        })
    }
}
