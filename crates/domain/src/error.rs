//! The one error type of the domain crate.
//!
//! Every variant names the field (a path such as `members[2].id_number` or `answers.rooms`) and says what is
//! wrong with the value, so a surveyor can fix it without guessing. Values that are personal data (names,
//! ID numbers) are never echoed back in the message: the caller already has them.

use thiserror::Error;

/// A rule of the domain was broken.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// An area code that is not in the area list.
    #[error("unknown area code `{0}`")]
    UnknownArea(String),
    /// A field's value has the wrong shape or is out of range.
    #[error("{field}: {problem}")]
    InvalidField {
        /// Path of the field, e.g. `members[1].id_number`.
        field: String,
        /// What is wrong, in plain words.
        problem: String,
    },
    /// The same CNIC/B-form number appears on two members of one household.
    #[error("{field}: the same ID number is already given to {other}")]
    DuplicateIdNumber {
        /// Path of the second occurrence.
        field: String,
        /// Path of the first occurrence.
        other: String,
    },
    /// A path given to `set` does not name a field of a household.
    #[error("`{0}` is not a household field (expected e.g. `answers.rooms`, `members.<id>.name`, `status`)")]
    UnknownPath(String),
    /// A member id that is not in the household.
    #[error("no member with id `{0}` in this household")]
    UnknownMember(String),
    /// A workflow move that the status rules forbid.
    #[error("status cannot move from `{from}` to `{to}`")]
    StatusTransition {
        /// Current status.
        from: String,
        /// Requested status.
        to: String,
    },
    /// The automerge document is damaged or not a household document.
    #[error("household document: {0}")]
    Document(String),
}

impl DomainError {
    pub(crate) fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        DomainError::InvalidField {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

impl From<automerge::AutomergeError> for DomainError {
    fn from(e: automerge::AutomergeError) -> Self {
        DomainError::Document(e.to_string())
    }
}

/// Result alias for the domain crate.
pub type Result<T, E = DomainError> = std::result::Result<T, E>;
