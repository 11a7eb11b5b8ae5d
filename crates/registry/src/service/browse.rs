//! The web console's reads of the households: a page of the list and the counts of each status,
//! within the reading user's areas, recorded in the access audit trail like the household list.
//!
//! A page is read in (area, id) order, one seek in the (area, id) index per outermost area of the
//! user (`scope::outermost`), continuing after the (area, id) position the previous page ended at:
//! the console costs a page whatever the registry's size. A search that is a CNIC or B-form number
//! goes through the ID-number index instead ([`Registry::households_with_id_number`]; the surveyor
//! filter does not apply to it, a number's few households are all shown); any other search matches
//! the head's name (any case, anywhere in it) or a reference number. The surveyor and date filters
//! narrow the same (area, id) walk: a page may read past households that do not match.
//!
//! The backends' SQL is `storage::console` ([`ConsoleStorage`]); which areas a user reads and what is
//! recorded is decided here.

use super::access_audit::AccessAction;
use super::Registry;
use crate::error::{RegistryError, Result};
use crate::storage::console::{ConsoleStorage, PageQuery};
use crate::storage::{HouseholdSummary, Storage, User};
use shumari_domain::area::contains;
use shumari_domain::roles::{allows, Action};
use shumari_domain::{IdNumber, Status};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What page of the household list to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// Only this area (and what is under it), within the user's.
    pub area: Option<String>,
    /// Only this status.
    pub status: Option<Status>,
    /// A CNIC/B-form number, a reference number, or part of the head's name.
    pub search: Option<String>,
    /// Only households last pushed by a device of this user (a surveyor's id).
    pub surveyor: Option<String>,
    /// Only households last changed at or after this time (ms since epoch).
    pub changed_from: Option<i64>,
    /// Only households last changed before this time (ms since epoch).
    pub changed_until: Option<i64>,
    /// The (area, id) position the previous page ended at.
    pub after: Option<(String, Uuid)>,
    /// Rows per page.
    pub limit: usize,
}

/// One page of the household list.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdPage {
    /// The rows, in (area, id) order.
    pub rows: Vec<HouseholdSummary>,
    /// Where the next page starts after (`None`: this is the last).
    pub next: Option<(String, Uuid)>,
}

/// The areas `user` reads for a request about `area` (all of theirs when `None`), outermost only
/// and in code order, which is (area, id) order across them: disjoint areas' codes never interleave.
pub(super) fn areas_for(user: &User, area: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = crate::scope::outermost(&user.areas)
        .into_iter()
        .filter_map(|mine| match area {
            None => Some(mine),
            Some(a) if contains(&mine, a) => Some(a.to_string()),
            Some(a) if contains(a, &mine) => Some(mine),
            Some(_) => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn may_read(user: &User) -> Result<()> {
    if allows(user.role, Action::ReadHouseholds) {
        Ok(())
    } else {
        Err(RegistryError::Forbidden(format!(
            "a {} reads no household data",
            user.role.title()
        )))
    }
}

impl<S: Storage + ConsoleStorage> Registry<S> {
    /// A page of the households `user` may read (see the module docs).
    pub async fn household_page(&self, user: &User, req: &PageRequest) -> Result<HouseholdPage> {
        may_read(user)?;
        let limit = req.limit.clamp(1, 500);
        let search = req
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let areas = areas_for(user, req.area.as_deref());
        if let Some(number) = search.filter(|s| IdNumber::parse("id_number", s).is_ok()) {
            // Few households hold one number: one answer, no paging.
            let rows = self
                .households_with_id_number(Some(user), number)
                .await?
                .into_iter()
                .filter(|r| areas.iter().any(|a| contains(a, &r.area)))
                .filter(|r| req.status.is_none_or(|s| r.status == s))
                .filter(|r| {
                    let t = r.updated_at.timestamp_millis();
                    req.changed_from.is_none_or(|f| t >= f)
                        && req.changed_until.is_none_or(|u| t < u)
                })
                .collect();
            return Ok(HouseholdPage { rows, next: None });
        }
        let mut rows: Vec<HouseholdSummary> = Vec::new();
        for area in &areas {
            let want = limit + 1 - rows.len();
            let after = match rows.last() {
                Some(r) => Some((r.area.clone(), r.id)),
                None => req.after.clone(),
            };
            let query = PageQuery {
                area: area.clone(),
                after,
                status: req.status,
                search: search.map(str::to_string),
                surveyor: req.surveyor.clone(),
                changed_from: req.changed_from,
                changed_until: req.changed_until,
                limit: want,
            };
            rows.extend(self.storage.household_page(&query).await?);
            if rows.len() > limit {
                break;
            }
        }
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| (r.area.clone(), r.id))
        } else {
            None
        };
        // The trail names the page's size and filters' presence, never the search text.
        let detail = format!(
            "by=console_page rows={} search={} surveyor={} dates={}",
            rows.len(),
            search.is_some(),
            req.surveyor.is_some(),
            req.changed_from.is_some() || req.changed_until.is_some()
        );
        self.record_access(AccessAction::HouseholdList, &user.id, None, Some(detail))
            .await?;
        Ok(HouseholdPage { rows, next })
    }

    /// How many households in each status `user` may read, within `area` when given.
    pub async fn status_counts(
        &self,
        user: &User,
        area: Option<&str>,
    ) -> Result<BTreeMap<Status, u64>> {
        may_read(user)?;
        let mut counts = BTreeMap::new();
        for a in areas_for(user, area) {
            for (status, n) in self.storage.status_counts(&a).await? {
                *counts.entry(status).or_insert(0) += n;
            }
        }
        Ok(counts)
    }

    /// Records a sign-in at the web console: `outcome` is a word such as `ok`, `wrong_password`,
    /// `locked` or `second_factor_wrong`; `user_id` is who tried (`None`: no such user).
    pub async fn record_console_sign_in(&self, user_id: Option<&str>, outcome: &str) -> Result<()> {
        self.record_access(
            AccessAction::ConsoleSignIn,
            user_id.unwrap_or(super::ANONYMOUS),
            None,
            Some(format!("outcome={outcome}")),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shumari_proto::Role;

    fn user(areas: &[&str]) -> User {
        User {
            id: "u-1".into(),
            name: "S".into(),
            role: Role::Supervisor,
            areas: areas.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn a_page_reads_only_the_users_areas_narrowed_by_the_filter() {
        let u = user(&["PK10101", "PK603", "PK60301"]);
        assert_eq!(areas_for(&u, None), ["PK10101", "PK603"]);
        assert_eq!(areas_for(&u, Some("PK60301-UC01")), ["PK60301-UC01"]);
        assert_eq!(areas_for(&u, Some("PK1")), ["PK10101"]);
        assert!(areas_for(&u, Some("PK202")).is_empty());
    }
}
