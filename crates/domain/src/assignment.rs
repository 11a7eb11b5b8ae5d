//! Assignments: the work a supervisor gives a surveyor, and how far it has got.
//!
//! An [`Assignment`] gives one surveyor either an enumeration area (a tehsil, union council or
//! village code, everything under it included, optionally with a target number of households) or
//! one household (a re-visit). It is the registry's record, sent to the surveyor's tablet with the
//! sync round; the tablet counts the progress from its own households, the registry from its copy,
//! both with the same rule here ([`counts_as_done`], [`Progress::of_area`]).
//!
//! Who may assign what is [`check`]: a role the role table lets assign work
//! ([`Action::AssignWork`]), an area inside the assigner's areas, to a user whose role holds a
//! tablet and whose areas cover the work (otherwise the tablet would never receive the households).
//!
//! ```
//! use shumari_domain::assignment::{check, AssignRefusal};
//! use shumari_domain::Role;
//! let sup = ["PK603".to_string()];
//! let sur = ["PK60301".to_string()];
//! assert_eq!(check(Role::Supervisor, &sup, Role::Surveyor, &sur, "PK60301-UC01"), Ok(()));
//! assert!(matches!(check(Role::Surveyor, &sur, Role::Surveyor, &sur, "PK60301"), Err(AssignRefusal::NotAllowed(_))));
//! assert!(matches!(check(Role::Supervisor, &sup, Role::Surveyor, &sur, "PK60302"), Err(AssignRefusal::NotCovered(_))));
//! ```

use crate::area::contains;
use crate::household::Status;
use crate::roles::{allows, Action, Role};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The largest target an area assignment may carry (households).
pub const MAX_TARGET: u32 = 1_000_000;

/// What is assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Work {
    /// Every household in an area (and under it).
    Area {
        /// The area's code.
        code: String,
        /// How many households are expected; `None`: as many as the area holds.
        target: Option<u32>,
    },
    /// One household, to be visited again.
    Household {
        /// Its id.
        id: Uuid,
        /// Its reference number, for people.
        reference: String,
        /// Its area (where the tablet finds it; the jurisdiction checked).
        area: String,
    },
}

impl Work {
    /// `area` or `household`.
    pub fn kind(&self) -> &'static str {
        match self {
            Work::Area { .. } => "area",
            Work::Household { .. } => "household",
        }
    }

    /// The area the work lies in: the assigned area, or the household's.
    pub fn area(&self) -> &str {
        match self {
            Work::Area { code, .. } => code,
            Work::Household { area, .. } => area,
        }
    }
}

/// One assignment as the registry keeps it and a tablet receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Its id (the registry's).
    pub id: String,
    /// The surveyor's user id.
    pub surveyor: String,
    /// The work.
    pub work: Work,
    /// Who assigned it (user id).
    pub assigned_by: String,
    /// Their name, as the tablet shows it.
    pub assigned_by_name: String,
    /// When (ms since the epoch, the registry's clock).
    pub assigned_at: i64,
}

/// How far an assignment has got: `done` of `total` households.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Households done.
    pub done: u64,
    /// Households expected.
    pub total: u64,
}

impl Progress {
    /// An area's progress from the count of its households in each status: done are those at
    /// complete or later ([`counts_as_done`]); the total is the target when set, else every
    /// household known in the area.
    pub fn of_area(counts: impl IntoIterator<Item = (Status, u64)>, target: Option<u32>) -> Self {
        let (mut done, mut known) = (0, 0);
        for (status, n) in counts {
            known += n;
            if counts_as_done(status) {
                done += n;
            }
        }
        Progress {
            done,
            total: target.map_or(known, u64::from),
        }
    }

    /// A household's progress: 1 of 1 once done, 0 of 1 before (or while it is not known here).
    pub fn of_household(status: Option<Status>) -> Self {
        Progress {
            done: u64::from(status.is_some_and(counts_as_done)),
            total: 1,
        }
    }
}

/// Whether a household in `status` counts as done for an assignment: the surveyor completed it and
/// it is not waiting on them again (a returned household is theirs to fix; a draft unfinished).
pub fn counts_as_done(status: Status) -> bool {
    matches!(
        status,
        Status::Complete | Status::Submitted | Status::Approved | Status::Rejected
    )
}

/// Why an assignment is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignRefusal {
    /// The assigner's role assigns no work.
    #[error("a {0} does not assign work")]
    NotAllowed(&'static str),
    /// The area is outside the assigner's areas.
    #[error("`{0}` is outside your areas")]
    OutsideJurisdiction(String),
    /// The assignee's role holds no tablet, so the work would never reach one.
    #[error("a {0} holds no tablet; assign work to a surveyor")]
    NotASurveyor(&'static str),
    /// The assignee's areas do not cover the work, so their tablet would not hold it.
    #[error("the surveyor's areas do not cover `{0}`, so their tablet would not hold it")]
    NotCovered(String),
    /// A target of zero or past [`MAX_TARGET`].
    #[error("a target must be between 1 and {MAX_TARGET} households")]
    BadTarget,
}

/// Whether a user of `role` with `areas` may assign work in `area` to a user of `surveyor_role`
/// with `surveyor_areas` (see the module docs). Whether `area` names an area at all is the
/// caller's (the registry's area list).
pub fn check(
    role: Role,
    areas: &[String],
    surveyor_role: Role,
    surveyor_areas: &[String],
    area: &str,
) -> Result<(), AssignRefusal> {
    if !allows(role, Action::AssignWork) {
        return Err(AssignRefusal::NotAllowed(role.title()));
    }
    if !areas.iter().any(|a| contains(a, area)) {
        return Err(AssignRefusal::OutsideJurisdiction(area.to_string()));
    }
    if !allows(surveyor_role, Action::EnrollTablet) {
        return Err(AssignRefusal::NotASurveyor(surveyor_role.title()));
    }
    if !surveyor_areas.iter().any(|a| contains(a, area)) {
        return Err(AssignRefusal::NotCovered(area.to_string()));
    }
    Ok(())
}

/// A target as given: `None` stays `None`; 0 or past [`MAX_TARGET`] is refused.
pub fn check_target(target: Option<u32>) -> Result<Option<u32>, AssignRefusal> {
    match target {
        Some(t) if t == 0 || t > MAX_TARGET => Err(AssignRefusal::BadTarget),
        t => Ok(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_reviewing_roles_assign_and_only_to_a_role_with_a_tablet() {
        let all = v(&["PK6"]);
        for role in Role::ALL {
            let ok = check(role, &all, Role::Surveyor, &all, "PK60301").is_ok();
            assert_eq!(
                ok,
                matches!(role, Role::Supervisor | Role::District),
                "{role}"
            );
        }
        for to in [Role::Province, Role::Federal, Role::Administrator] {
            assert_eq!(
                check(Role::Supervisor, &all, to, &all, "PK60301"),
                Err(AssignRefusal::NotASurveyor(to.title()))
            );
        }
        assert_eq!(
            check(Role::District, &all, Role::Community, &all, "PK60301"),
            Ok(())
        );
    }

    #[test]
    fn the_area_must_be_in_the_assigners_areas_and_the_surveyors() {
        let sup = v(&["PK603"]);
        assert_eq!(
            check(Role::Supervisor, &sup, Role::Surveyor, &sup, "PK701"),
            Err(AssignRefusal::OutsideJurisdiction("PK701".into()))
        );
        // The surveyor covers one tehsil: a union council in it is theirs, the next tehsil is not.
        let sur = v(&["PK60301"]);
        assert_eq!(
            check(
                Role::Supervisor,
                &sup,
                Role::Surveyor,
                &sur,
                "PK60301-UC01-V2"
            ),
            Ok(())
        );
        assert!(matches!(
            check(Role::Supervisor, &sup, Role::Surveyor, &sur, "PK60302"),
            Err(AssignRefusal::NotCovered(_))
        ));
        // A district assigned to a surveyor of one tehsil would never reach their tablet whole.
        assert!(matches!(
            check(Role::Supervisor, &sup, Role::Surveyor, &sur, "PK603"),
            Err(AssignRefusal::NotCovered(_))
        ));
    }

    #[test]
    fn progress_counts_complete_and_later_against_the_target_or_what_is_known() {
        let counts = [
            (Status::Draft, 3),
            (Status::Complete, 2),
            (Status::Submitted, 1),
            (Status::Returned, 4),
            (Status::Approved, 5),
        ];
        assert_eq!(
            Progress::of_area(counts, None),
            Progress { done: 8, total: 15 }
        );
        assert_eq!(
            Progress::of_area(counts, Some(40)),
            Progress { done: 8, total: 40 }
        );
        assert_eq!(Progress::of_household(Some(Status::Returned)).done, 0);
        assert_eq!(Progress::of_household(Some(Status::Submitted)).done, 1);
        assert_eq!(Progress::of_household(None), Progress { done: 0, total: 1 });
    }

    #[test]
    fn a_target_is_between_one_and_the_cap() {
        assert_eq!(check_target(None), Ok(None));
        assert_eq!(check_target(Some(12)), Ok(Some(12)));
        assert_eq!(check_target(Some(0)), Err(AssignRefusal::BadTarget));
        assert_eq!(
            check_target(Some(MAX_TARGET + 1)),
            Err(AssignRefusal::BadTarget)
        );
    }
}
