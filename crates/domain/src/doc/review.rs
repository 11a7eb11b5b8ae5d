//! The review decision in the household document: written by [`Editor::review`] (with the status it
//! moves the household to, in the same change) and read back by the full read.

use super::keys;
use super::read::{get_scalar, get_str, time_of};
use super::Editor;
use crate::error::{DomainError, Result};
use crate::review::{Decision, Review};
use automerge::{AutoCommit, ScalarValue, ROOT};

impl Editor<'_> {
    /// Records `review` and moves the household to the decision's status. Whether the decision may
    /// be made is the caller's check ([`Decision::may_decide`], at the registry with the reviewer's
    /// role); here the current status must at least be one the decision can follow.
    pub fn review(&mut self, review: &Review) -> Result<()> {
        let from = super::read::status(self.doc)?;
        let to = review.decision.status();
        if !crate::roles::STEPS.contains(&(from, to)) {
            return Err(DomainError::StatusTransition {
                from: from.as_str().into(),
                to: to.as_str().into(),
            });
        }
        let s = |v: &str| ScalarValue::Str(v.into());
        self.put_resolving(&ROOT, keys::STATUS, s(to.as_str()))?;
        self.put_resolving(&ROOT, keys::REVIEW_DECISION, s(review.decision.as_str()))?;
        self.put_resolving(&ROOT, keys::REVIEW_BY, s(&review.by))?;
        self.put_resolving(&ROOT, keys::REVIEW_BY_NAME, s(&review.by_name))?;
        self.put_resolving(
            &ROOT,
            keys::REVIEW_AT,
            ScalarValue::Timestamp(review.at.timestamp_millis()),
        )?;
        self.put_resolving(&ROOT, keys::REVIEW_COMMENT, s(&review.comment))?;
        self.put_resolving(
            &ROOT,
            keys::REVIEW_QUESTIONS,
            s(&review.questions.join("\n")),
        )
    }
}

/// The last review decision, if the household was ever reviewed.
pub(super) fn review(d: &AutoCommit) -> Result<Option<Review>> {
    let Some(decision) = get_str(d, &ROOT, keys::REVIEW_DECISION)? else {
        return Ok(None);
    };
    let decision: Decision = decision
        .parse()
        .map_err(|_| DomainError::Document(format!("bad review decision `{decision}`")))?;
    let text = |k: &str| get_str(d, &ROOT, k).map(Option::unwrap_or_default);
    Ok(Some(Review {
        decision,
        by: text(keys::REVIEW_BY)?,
        by_name: text(keys::REVIEW_BY_NAME)?,
        at: time_of(get_scalar(d, &ROOT, keys::REVIEW_AT)?.as_ref()),
        comment: text(keys::REVIEW_COMMENT)?,
        questions: text(keys::REVIEW_QUESTIONS)?
            .lines()
            .filter(|q| !q.is_empty())
            .map(str::to_string)
            .collect(),
    }))
}
