//! A supervisor's review of a submitted household: the decision (approve, return, reject), who made
//! it and when, a comment and the questions it concerns.
//!
//! The decision is part of the household's automerge document (flat root keys in
//! [`crate::doc::keys`], written by [`crate::doc::Editor::review`] together with the status), so it
//! travels to every tablet with the ordinary sync. Whether a role may make the decision from the
//! household's current status is the workflow's single step ([`crate::roles::allows`] with
//! [`crate::roles::Action::Step`]): a household is approved, returned or rejected only from
//! `submitted` (and an approval returned), never through several steps at once.
//!
//! ```
//! use shumari_domain::review::{Decision, Review};
//! use shumari_domain::{Role, Status};
//! let at = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap();
//! let r = Review::new(Decision::Returned, "u-7", "Sana", at, "Check the rooms", vec!["rooms".into()]).unwrap();
//! assert_eq!(r.decision.status(), Status::Returned);
//! assert!(r.decision.may_decide(Role::Supervisor, Status::Submitted));
//! assert!(!r.decision.may_decide(Role::Surveyor, Status::Submitted));
//! assert!(!Decision::Approved.may_decide(Role::Supervisor, Status::Complete));
//! assert!(Review::new(Decision::Rejected, "u-7", "Sana", at, " ", vec![]).is_err());
//! ```

use crate::error::{DomainError, Result};
use crate::household::Status;
use crate::roles::{allows, Action, Role};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The longest comment kept (characters): a reason, not a report.
pub const MAX_COMMENT_CHARS: usize = 2000;
/// The most questions one decision may name.
pub const MAX_QUESTIONS: usize = 100;

/// What a reviewer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The household is accepted.
    Approved,
    /// Sent back to the surveyor to correct and submit again.
    Returned,
    /// Not a valid household (final).
    Rejected,
}

impl Decision {
    /// Every decision.
    pub const ALL: [Decision; 3] = [Decision::Approved, Decision::Returned, Decision::Rejected];

    /// The decision's name, as stored and sent.
    pub fn as_str(self) -> &'static str {
        self.status().as_str()
    }

    /// The status the decision moves the household to.
    pub fn status(self) -> Status {
        match self {
            Decision::Approved => Status::Approved,
            Decision::Returned => Status::Returned,
            Decision::Rejected => Status::Rejected,
        }
    }

    /// Whether a comment must say why (a return or a rejection).
    pub fn needs_comment(self) -> bool {
        !matches!(self, Decision::Approved)
    }

    /// The reason given for this decision on a `subject` ("household", "report"), called a `word`
    /// ("comment", "note") in what the reviewer reads: trimmed, required for a return or a
    /// rejection, at most [`MAX_COMMENT_CHARS`]. `Err`: what is wrong, in plain words.
    pub fn reason(
        self,
        text: &str,
        subject: &str,
        word: &str,
    ) -> std::result::Result<String, String> {
        let text = text.trim();
        if self.needs_comment() && text.is_empty() {
            return Err(format!("a {subject} {self} needs a {word} saying why"));
        }
        if text.chars().count() > MAX_COMMENT_CHARS {
            return Err(format!(
                "the {word} is longer than {MAX_COMMENT_CHARS} characters"
            ));
        }
        Ok(text.to_string())
    }

    /// Whether `role` makes this decision at all, from some status.
    pub fn may_make(self, role: Role) -> bool {
        Status::ALL.into_iter().any(|s| self.may_decide(role, s))
    }

    /// Whether `role` may make this decision on a household whose status is `from`: one step of the
    /// workflow, as the role table allows it.
    pub fn may_decide(self, role: Role, from: Status) -> bool {
        allows(role, Action::Step(from, self.status()))
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Decision {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self> {
        Decision::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                DomainError::invalid(
                    "decision",
                    format!("`{s}` is not a decision; use approved, returned or rejected"),
                )
            })
    }
}

/// A review decision as the household document holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    /// What was decided.
    pub decision: Decision,
    /// The reviewer's user id at the registry.
    pub by: String,
    /// The reviewer's display name.
    pub by_name: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Why (empty for an approval without a comment).
    pub comment: String,
    /// The questions (field names) the decision concerns, in the order given.
    pub questions: Vec<String>,
}

impl Review {
    /// A decision, checked: a return or rejection says why; the comment and question list are
    /// bounded; question names are trimmed, non-empty, one line each, and given once.
    pub fn new(
        decision: Decision,
        by: &str,
        by_name: &str,
        at: DateTime<Utc>,
        comment: &str,
        questions: Vec<String>,
    ) -> Result<Self> {
        let comment = decision
            .reason(comment, "household", "comment")
            .map_err(|problem| DomainError::invalid("comment", problem))?;
        if questions.len() > MAX_QUESTIONS {
            return Err(DomainError::invalid(
                "questions",
                format!("a decision names at most {MAX_QUESTIONS} questions"),
            ));
        }
        let mut names: Vec<String> = Vec::with_capacity(questions.len());
        for q in questions {
            let q = q.trim().to_string();
            if q.is_empty() || q.contains(['\n', '\r']) {
                return Err(DomainError::invalid(
                    "questions",
                    "a question is named by its field name on one line",
                ));
            }
            if !names.contains(&q) {
                names.push(q);
            }
        }
        Ok(Review {
            decision,
            by: by.to_string(),
            by_name: by_name.to_string(),
            at,
            comment,
            questions: names,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000, 0).unwrap()
    }

    #[test]
    fn reviewers_decide_only_from_submitted_and_reopen_only_an_approval() {
        use Status::*;
        for role in Role::ALL {
            let reviewer = matches!(role, Role::Supervisor | Role::District);
            for d in Decision::ALL {
                assert_eq!(d.may_decide(role, Submitted), reviewer, "{role} {d}");
                for from in [Draft, Complete, Returned, Rejected] {
                    assert!(!d.may_decide(role, from), "{role} {d} from {from:?}");
                }
            }
            assert_eq!(Decision::Returned.may_decide(role, Approved), reviewer);
            assert!(!Decision::Approved.may_decide(role, Approved));
            assert!(!Decision::Rejected.may_decide(role, Approved));
        }
    }

    #[test]
    fn a_return_or_rejection_says_why_and_names_questions_once() {
        for d in [Decision::Returned, Decision::Rejected] {
            let e = Review::new(d, "u-1", "Sana", at(), "  ", vec![]).unwrap_err();
            assert!(e.to_string().contains("needs a comment"), "{e}");
        }
        let ok = Review::new(Decision::Approved, "u-1", "Sana", at(), "", vec![]).unwrap();
        assert_eq!(ok.comment, "");
        let r = Review::new(
            Decision::Returned,
            "u-1",
            "Sana",
            at(),
            " Rooms look wrong ",
            vec!["rooms".into(), " rooms".into(), "water_source".into()],
        )
        .unwrap();
        assert_eq!(r.comment, "Rooms look wrong");
        assert_eq!(r.questions, ["rooms", "water_source"]);
        assert!(Review::new(Decision::Returned, "u", "n", at(), "x", vec!["a\nb".into()]).is_err());
        let long = "x".repeat(MAX_COMMENT_CHARS + 1);
        assert!(Review::new(Decision::Returned, "u", "n", at(), &long, vec![]).is_err());
    }

    #[test]
    fn decisions_parse_from_their_names_only() {
        for d in Decision::ALL {
            assert_eq!(d.as_str().parse::<Decision>().unwrap(), d);
            assert_eq!(serde_json::to_string(&d).unwrap(), format!("\"{d}\""));
        }
        assert!("approve".parse::<Decision>().is_err());
    }
}
