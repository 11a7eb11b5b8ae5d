//! What the pushing user may do to one household, decided by the registry from its own records: the
//! role in `shumari_domain::roles` and the user the device is enrolled for. A device's claims (the
//! status it wrote, the author it stamped on its changes) are checked, never trusted.

use crate::error::{RegistryError, Result};
use crate::storage::User;
use shumari_domain::roles::{allows, may_move, Action};
use shumari_domain::{Decision, Status};
use shumari_proto::message::DocOutcome;
use shumari_proto::{Refusal, RefusalCode};

/// The author a device enrolled for `user` stamps on its changes (`name (user id)`): what conflicts
/// show beside each value.
pub(crate) fn author_of(user: &User) -> String {
    shumari_domain::roles::author_name(&user.name, &user.id)
}

/// Refuses a device request (push or pull) from a user whose role holds no tablet: a console user's
/// device enrolled before that rule existed gets nothing and changes nothing.
pub(crate) fn on_tablet(user: &User) -> Result<()> {
    if allows(user.role, Action::EnrollTablet) && allows(user.role, Action::PushHouseholds) {
        return Ok(());
    }
    Err(RegistryError::Forbidden(format!(
        "a {} works at the registry's console, not on a tablet; this device may not sync",
        user.role.title()
    )))
}

/// Refuses a household whose status moved in a way `user`'s role may not move it, or that was
/// approved and is edited by a role that may not edit approved households. `before` is the
/// registry's status before the push (`None`: a new household, which starts as a draft), `after`
/// the status of the merged document.
pub(crate) fn transition(user: &User, before: Option<Status>, after: Status) -> Option<DocOutcome> {
    let from = before.unwrap_or(Status::Draft);
    let role = user.role;
    let refusal = if from == Status::Approved
        && after == Status::Approved
        && !allows(role, Action::EditApproved)
    {
        Refusal::new(
            RefusalCode::ForbiddenEdit,
            format!(
                "the household is approved and a {} may not edit it; ask a district officer",
                role.title()
            ),
        )
    } else if !may_move(role, from, after) {
        Refusal::new(
            RefusalCode::ForbiddenTransition,
            format!(
                "a {} may not move a household from {} to {}; the change was not accepted",
                role.title(),
                from.as_str(),
                after.as_str()
            ),
        )
    } else {
        return None;
    };
    tracing::warn!(role = %role, from = from.as_str(), to = after.as_str(), code = %refusal.code, "refused a status change");
    Some(DocOutcome::Refused(refusal))
}

/// [`transition`] for a push whose new changes are by `authors` (the pusher, and the users whose
/// signed changes it relays): the move is allowed when one of them may make it, so a colleague's
/// tablet can relay a supervisor's decision it holds. Without authors the pusher is held to it.
pub(crate) fn transition_by(
    pusher: &User,
    authors: &[User],
    before: Option<Status>,
    after: Status,
) -> Option<DocOutcome> {
    if authors.is_empty() {
        return transition(pusher, before, after);
    }
    let mut refused = None;
    for u in authors {
        match transition(u, before, after) {
            None => return None,
            Some(r) => {
                refused.get_or_insert(r);
            }
        }
    }
    refused
}

/// Whether the registry may acknowledge `user`'s completed household as submitted (the step
/// complete -> submitted, made by the registry when it has stored the completed household).
pub(crate) fn submits(user: &User) -> bool {
    // A hub relays households its tablets completed; whoever completed one may also submit it
    // (the role table gives both steps to the same roles), and the completion itself was held to
    // that user's role when the push was checked.
    user.role == shumari_domain::Role::Hub
        || allows(user.role, Action::Step(Status::Complete, Status::Submitted))
}

/// Refuses a review decision `user` may not make on a household whose status is `from`: a role that
/// reviews nothing is `forbidden`; a reviewer deciding from a status the decision does not follow
/// (approving anything but a submitted household) is a `forbidden_transition`.
pub(crate) fn decision(user: &User, from: Status, decision: Decision) -> Result<()> {
    if decision.may_decide(user.role, from) {
        return Ok(());
    }
    if !decision.may_make(user.role) {
        return Err(RegistryError::Forbidden(format!(
            "a {} may not mark a household {decision}; a supervisor or district officer does",
            user.role.title()
        )));
    }
    Err(RegistryError::Transition(format!(
        "the household is {}; it can be marked {decision} only when it is {}",
        from.as_str(),
        Status::ALL
            .into_iter()
            .filter(|&s| decision.may_decide(user.role, s))
            .map(Status::as_str)
            .collect::<Vec<_>>()
            .join(" or ")
    )))
}

/// The refusal of changes that name another author than their device's user.
pub(crate) fn forged_author(user: &User) -> DocOutcome {
    // The claimed name is the device's input, and maybe someone's name: it is not logged.
    tracing::warn!(user = %user.id, "refused changes authored as another user");
    DocOutcome::Refused(Refusal::new(
        RefusalCode::ForgedAuthor,
        format!(
            "a change names another user as its author; this device may push its own edits only as {}, and others' only as their devices' users",
            author_of(user)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shumari_domain::Role;

    fn user(role: Role) -> User {
        User {
            id: "u-1".into(),
            name: "Ayesha".into(),
            role,
            areas: vec!["PK101".into()],
        }
    }

    fn code(o: Option<DocOutcome>) -> Option<RefusalCode> {
        o.map(|o| match o {
            DocOutcome::Refused(r) => r.code,
            DocOutcome::Accepted => unreachable!("only refusals are returned"),
        })
    }

    #[test]
    fn a_surveyor_submits_but_does_not_approve_or_edit_an_approved_household() {
        let s = user(Role::Surveyor);
        assert_eq!(code(transition(&s, None, Status::Submitted)), None);
        assert_eq!(
            code(transition(&s, Some(Status::Submitted), Status::Approved)),
            Some(RefusalCode::ForbiddenTransition)
        );
        assert_eq!(
            code(transition(&s, None, Status::Approved)),
            Some(RefusalCode::ForbiddenTransition)
        );
        assert_eq!(
            code(transition(&s, Some(Status::Approved), Status::Approved)),
            Some(RefusalCode::ForbiddenEdit)
        );
        let d = user(Role::District);
        assert_eq!(
            code(transition(&d, Some(Status::Approved), Status::Approved)),
            None
        );
        let sup = user(Role::Supervisor);
        assert_eq!(
            code(transition(&sup, Some(Status::Submitted), Status::Approved)),
            None
        );
        assert_eq!(
            code(transition(&sup, Some(Status::Approved), Status::Returned)),
            None
        );
    }

    #[test]
    fn reviewers_decide_only_on_submitted_households_and_others_not_at_all() {
        let sup = user(Role::Supervisor);
        let err = |r: Result<()>| r.unwrap_err().code();
        for d in Decision::ALL {
            assert!(decision(&sup, Status::Submitted, d).is_ok(), "{d}");
            assert!(decision(&user(Role::District), Status::Submitted, d).is_ok());
            for from in [
                Status::Draft,
                Status::Complete,
                Status::Returned,
                Status::Rejected,
            ] {
                assert_eq!(err(decision(&sup, from, d)), "forbidden_transition");
            }
            for r in [
                Role::Surveyor,
                Role::Community,
                Role::Province,
                Role::Federal,
                Role::Administrator,
            ] {
                assert_eq!(
                    err(decision(&user(r), Status::Submitted, d)),
                    "forbidden",
                    "{r} {d}"
                );
            }
        }
        assert!(decision(&sup, Status::Approved, Decision::Returned).is_ok());
        assert_eq!(
            err(decision(&sup, Status::Approved, Decision::Approved)),
            "forbidden_transition"
        );
        let msg = decision(&sup, Status::Complete, Decision::Approved)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("only when it is submitted"), "{msg}");
        assert!(submits(&user(Role::Surveyor)));
        assert!(!submits(&user(Role::Province)));
    }
}
