//! Assignments: a supervisor gives a surveyor an enumeration area (with an optional target) or one
//! household to visit again, and takes it back; the surveyor's tablet receives its user's active
//! assignments with the last page of each pull (`feed.rs`); the console and the CLI show each
//! assignment's progress, the coverage per surveyor, and the areas of the supervisor's jurisdiction
//! that nobody is assigned.
//!
//! The rule of who may assign what is the domain's (`shumari_domain::assignment::check`: a role the
//! role table lets assign work, an area inside the assigner's areas, a surveyor whose areas cover
//! it); the registry adds that the code names an area ([`shumari_domain::AreaRegistry::recognises`])
//! and that a household is one the assigner may read (otherwise "not found", as for a review).
//! Every assignment, withdrawal and overview is on the access audit trail, refusals included.
//!
//! Progress is counted from the registry's copy with the domain's rule (done = complete or later):
//! a household assignment through the household's list row, an area through the count of its
//! households per area code and status (`ConsoleStorage::area_status_counts`), read once per
//! outermost area of the user, so an overview costs the user's areas, not the registry. Lists are
//! bounded ([`MAX_LISTED`]); what is left off is counted.

use super::access_audit::AccessAction;
use super::Registry;
use crate::error::{RegistryError, Result};
use crate::scope::outermost;
use crate::storage::console::ConsoleStorage;
use crate::storage::{Storage, User};
use serde::Serialize;
use shumari_domain::area::contains;
use shumari_domain::assignment::{check, check_target, AssignRefusal, Assignment, Progress, Work};
use shumari_domain::roles::{allows, Action};
use shumari_domain::Status;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The most assignments, and unassigned areas, one overview lists (per outermost area of the user).
pub const MAX_LISTED: usize = 500;

/// What to assign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignWhat {
    /// An area code, with an optional target number of households.
    Area {
        /// The area.
        code: String,
        /// Households expected.
        target: Option<u32>,
    },
    /// A household by id or reference number.
    Household(String),
}

/// One assignment with its surveyor's name and its progress at the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssignmentProgress {
    /// The assignment.
    #[serde(flatten)]
    pub assignment: Assignment,
    /// The surveyor's name.
    pub surveyor_name: String,
    /// Done / total.
    pub progress: Progress,
}

/// One surveyor's assignments in sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// User id.
    pub surveyor: String,
    /// Name.
    pub name: String,
    /// Active assignments.
    pub assignments: u64,
    /// Done / total over them.
    pub progress: Progress,
}

/// An area with households that no active area assignment covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unassigned {
    /// The area code (as the households carry it).
    pub area: String,
    /// Its households.
    pub households: u64,
    /// Of them, done (complete or later).
    pub done: u64,
}

/// What the assignments screen and `registry assignments` show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Overview {
    /// Active assignments in the user's areas, by area.
    pub assignments: Vec<AssignmentProgress>,
    /// Per surveyor, by name.
    pub coverage: Vec<Coverage>,
    /// Areas with households no area assignment covers, by code.
    pub unassigned: Vec<Unassigned>,
    /// Households in the user's areas covered by no assignment at all.
    pub unassigned_households: u64,
    /// Assignments or unassigned areas left off the lists ([`MAX_LISTED`]).
    pub left_off: u64,
}

fn refused(e: AssignRefusal) -> RegistryError {
    match e {
        AssignRefusal::NotAllowed(_) | AssignRefusal::OutsideJurisdiction(_) => {
            RegistryError::Forbidden(e.to_string())
        }
        _ => RegistryError::BadRequest(e.to_string()),
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl<S: Storage> Registry<S> {
    /// `user` assigns `what` to `surveyor` (a user id): checked, stored and recorded; returns the
    /// assignment made.
    pub async fn assign(
        &self,
        user: &User,
        surveyor: &str,
        what: AssignWhat,
    ) -> Result<Assignment> {
        let outcome = self.make_assignment(user, surveyor, what).await;
        let detail = match &outcome {
            Ok(a) => format!("kind={} outcome=assigned", a.work.kind()),
            Err(e) => format!("outcome={}", e.code()),
        };
        let subject = outcome.as_ref().ok().map(|a| a.id.clone());
        self.record_access(
            AccessAction::AssignmentMake,
            &user.id,
            subject.as_deref(),
            Some(detail),
        )
        .await?;
        outcome
    }

    async fn make_assignment(
        &self,
        user: &User,
        surveyor: &str,
        what: AssignWhat,
    ) -> Result<Assignment> {
        if !allows(user.role, Action::AssignWork) {
            return Err(refused(AssignRefusal::NotAllowed(user.role.title())));
        }
        let assignee = match self.storage.user_disabled_at(surveyor).await? {
            Some(None) => self.storage.user(surveyor).await?,
            Some(Some(_)) => {
                return Err(RegistryError::BadRequest(format!(
                    "user `{surveyor}` is disabled"
                )))
            }
            None => None,
        }
        .ok_or_else(|| RegistryError::NotFound(format!("no user `{surveyor}`")))?;
        let work = match what {
            AssignWhat::Area { code, target } => {
                let code = code.trim().to_string();
                if !self.areas.recognises(&code) {
                    return Err(RegistryError::BadRequest(format!(
                        "`{code}` is not an area code"
                    )));
                }
                let target = check_target(target).map_err(refused)?;
                Work::Area { code, target }
            }
            AssignWhat::Household(id_or_ref) => {
                let not_found = || RegistryError::NotFound(format!("no household `{id_or_ref}`"));
                let id = self
                    .storage
                    .resolve(&id_or_ref)
                    .await?
                    .ok_or_else(not_found)?;
                let row = self
                    .storage
                    .summaries_of(&[id])
                    .await?
                    .into_iter()
                    .next()
                    .ok_or_else(not_found)?;
                // A household the assigner may not read is one they cannot know of.
                if !self.scope(user).contains(&row.area) {
                    return Err(not_found());
                }
                Work::Household {
                    id,
                    reference: row.reference,
                    area: row.area,
                }
            }
        };
        check(
            user.role,
            &user.areas,
            assignee.role,
            &assignee.areas,
            work.area(),
        )
        .map_err(refused)?;
        if self
            .storage
            .assignments_of(&assignee.id)
            .await?
            .iter()
            .any(|a| a.work == work)
        {
            return Err(RegistryError::BadRequest(format!(
                "{} is already assigned this",
                assignee.name
            )));
        }
        let a = Assignment {
            id: Uuid::now_v7().to_string(),
            surveyor: assignee.id,
            work,
            assigned_by: user.id.clone(),
            assigned_by_name: user.name.clone(),
            assigned_at: now_ms(),
        };
        self.storage.put_assignment(&a).await?;
        Ok(a)
    }

    /// `user` withdraws the assignment `id`: one in their areas, still active. The tablet drops
    /// it at its next sync.
    pub async fn withdraw_assignment(&self, user: &User, id: &str) -> Result<()> {
        let outcome = self.take_back(user, id).await;
        let detail = match &outcome {
            Ok(()) => "outcome=withdrawn".to_string(),
            Err(e) => format!("outcome={}", e.code()),
        };
        self.record_access(
            AccessAction::AssignmentWithdraw,
            &user.id,
            Some(id),
            Some(detail),
        )
        .await?;
        outcome
    }

    async fn take_back(&self, user: &User, id: &str) -> Result<()> {
        if !allows(user.role, Action::AssignWork) {
            return Err(refused(AssignRefusal::NotAllowed(user.role.title())));
        }
        let not_found = || RegistryError::NotFound(format!("no active assignment `{id}`"));
        let row = self
            .storage
            .assignment(id)
            .await?
            .filter(|r| r.withdrawn_at.is_none())
            .ok_or_else(not_found)?;
        if !user
            .areas
            .iter()
            .any(|a| contains(a, row.assignment.work.area()))
        {
            return Err(not_found());
        }
        if !self
            .storage
            .withdraw_assignment(id, &user.id, now_ms())
            .await?
        {
            return Err(not_found());
        }
        Ok(())
    }

    /// The active assignments a device of `user` receives: theirs, within their areas now (an
    /// assignment whose area left the user's scope would name households the tablet no longer
    /// holds).
    pub async fn device_assignments(&self, user: &User) -> Result<Vec<Assignment>> {
        Ok(self
            .storage
            .assignments_of(&user.id)
            .await?
            .into_iter()
            .filter(|a| user.areas.iter().any(|u| contains(u, a.work.area())))
            .collect())
    }
}

impl<S: Storage + ConsoleStorage> Registry<S> {
    /// The overview of `user`'s areas (see [`Overview`]), only `surveyor`'s assignments when given;
    /// recorded on the access trail.
    pub async fn assignment_overview(
        &self,
        user: &User,
        surveyor: Option<&str>,
    ) -> Result<Overview> {
        if !allows(user.role, Action::ReadHouseholds) {
            return Err(RegistryError::Forbidden(format!(
                "a {} reads no household data",
                user.role.title()
            )));
        }
        let mut out = Overview::default();
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        for area in outermost(&user.areas) {
            let counts = self.storage.area_status_counts(&area).await?;
            let mut listed = self
                .storage
                .assignments_under(&area, MAX_LISTED + 1)
                .await?;
            if listed.len() > MAX_LISTED {
                listed.truncate(MAX_LISTED);
                out.left_off += 1;
            }
            let households: Vec<Uuid> = listed
                .iter()
                .filter_map(|a| match &a.work {
                    Work::Household { id, .. } => Some(*id),
                    Work::Area { .. } => None,
                })
                .collect();
            let statuses: BTreeMap<Uuid, Status> = self
                .storage
                .summaries_of(&households)
                .await?
                .into_iter()
                .map(|r| (r.id, r.status))
                .collect();
            // Unassigned areas are judged against every active assignment, whoever's.
            let covering: Vec<&str> = listed
                .iter()
                .filter_map(|a| match &a.work {
                    Work::Area { code, .. } => Some(code.as_str()),
                    Work::Household { .. } => None,
                })
                .collect();
            let visited: BTreeSet<Uuid> = households.iter().copied().collect();
            let mut uncovered: BTreeMap<&str, Unassigned> = BTreeMap::new();
            for (code, status, n) in &counts {
                if covering.iter().any(|c| contains(c, code)) {
                    continue;
                }
                let u = uncovered.entry(code).or_insert_with(|| Unassigned {
                    area: code.clone(),
                    households: 0,
                    done: 0,
                });
                u.households += n;
                if shumari_domain::assignment::counts_as_done(*status) {
                    u.done += n;
                }
            }
            let singly = listed
                .iter()
                .filter(|a| {
                    matches!(&a.work, Work::Household { area, .. }
                        if !covering.iter().any(|c| contains(c, area)))
                })
                .filter_map(|a| match &a.work {
                    Work::Household { id, .. } => Some(*id),
                    Work::Area { .. } => None,
                })
                .filter(|id| visited.contains(id))
                .collect::<BTreeSet<_>>()
                .len() as u64;
            out.unassigned_households += uncovered
                .values()
                .map(|u| u.households)
                .sum::<u64>()
                .saturating_sub(singly);
            let total_uncovered = uncovered.len();
            out.unassigned
                .extend(uncovered.into_values().take(MAX_LISTED));
            out.left_off += total_uncovered.saturating_sub(MAX_LISTED) as u64;
            for a in listed {
                if surveyor.is_some_and(|s| s != a.surveyor) {
                    continue;
                }
                let progress = match &a.work {
                    Work::Household { id, .. } => Progress::of_household(statuses.get(id).copied()),
                    Work::Area { code, target } => Progress::of_area(
                        counts
                            .iter()
                            .filter(|(c, _, _)| contains(code, c))
                            .map(|(_, s, n)| (*s, *n)),
                        *target,
                    ),
                };
                if !names.contains_key(&a.surveyor) {
                    let name = self
                        .storage
                        .user(&a.surveyor)
                        .await?
                        .map_or_else(|| a.surveyor.clone(), |u| u.name);
                    names.insert(a.surveyor.clone(), name);
                }
                out.assignments.push(AssignmentProgress {
                    surveyor_name: names[&a.surveyor].clone(),
                    assignment: a,
                    progress,
                });
            }
        }
        out.coverage = coverage(&out.assignments);
        self.record_access(
            AccessAction::AssignmentList,
            &user.id,
            surveyor,
            Some(format!("rows={}", out.assignments.len())),
        )
        .await?;
        Ok(out)
    }
}

/// Per surveyor, the number of assignments and their progress summed, by name.
fn coverage(rows: &[AssignmentProgress]) -> Vec<Coverage> {
    let mut by: BTreeMap<&str, Coverage> = BTreeMap::new();
    for r in rows {
        let c = by
            .entry(&r.assignment.surveyor)
            .or_insert_with(|| Coverage {
                surveyor: r.assignment.surveyor.clone(),
                name: r.surveyor_name.clone(),
                assignments: 0,
                progress: Progress::default(),
            });
        c.assignments += 1;
        c.progress.done += r.progress.done;
        c.progress.total += r.progress.total;
    }
    let mut out: Vec<Coverage> = by.into_values().collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.surveyor.cmp(&b.surveyor)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(surveyor: &str, name: &str, done: u64, total: u64) -> AssignmentProgress {
        AssignmentProgress {
            assignment: Assignment {
                id: format!("a-{surveyor}-{done}"),
                surveyor: surveyor.into(),
                work: Work::Area {
                    code: "PK60301".into(),
                    target: None,
                },
                assigned_by: "sup".into(),
                assigned_by_name: "Sup".into(),
                assigned_at: 0,
            },
            surveyor_name: name.into(),
            progress: Progress { done, total },
        }
    }

    #[test]
    fn coverage_sums_each_surveyors_assignments_by_name() {
        let rows = [
            row("u2", "Zara", 1, 4),
            row("u1", "Ali", 2, 2),
            row("u2", "Zara", 3, 10),
        ];
        let c = coverage(&rows);
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].name.as_str(), c[0].assignments), ("Ali", 1));
        assert_eq!(
            (c[1].assignments, c[1].progress),
            (2, Progress { done: 4, total: 14 })
        );
    }

    #[test]
    fn refusals_are_forbidden_for_the_assigner_and_bad_requests_for_the_surveyor() {
        assert_eq!(
            refused(AssignRefusal::OutsideJurisdiction("PK7".into())).code(),
            "forbidden"
        );
        assert_eq!(
            refused(AssignRefusal::NotCovered("PK7".into())).code(),
            "bad_request"
        );
    }
}
