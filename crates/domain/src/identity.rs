//! A member's identity verification: what the national ID authority (NADRA) said of the member's
//! CNIC/B-form number when the registry exchanged it in a batch file.
//!
//! The registry writes a [`Verification`] into each member carrying the number, as its own change
//! (`doc/verification.rs`), so the state reaches every tablet by sync; a member the registry never
//! checked is [`VerificationState::Unverified`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a member's number stands with the authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationState {
    /// Never checked (or checked before the number changed).
    Unverified,
    /// The authority holds the number with these particulars.
    Verified,
    /// The authority does not know the number.
    NotFound,
    /// The authority holds the number with other particulars (see [`Verification::fields`]).
    Mismatch,
}

impl VerificationState {
    /// The stored (and file) name.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationState::Unverified => "unverified",
            VerificationState::Verified => "verified",
            VerificationState::NotFound => "not_found",
            VerificationState::Mismatch => "mismatch",
        }
    }
}

impl fmt::Display for VerificationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VerificationState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "unverified" => VerificationState::Unverified,
            "verified" => VerificationState::Verified,
            "not_found" => VerificationState::NotFound,
            "mismatch" => VerificationState::Mismatch,
            other => {
                return Err(format!(
                    "`{other}` is not a verification result (verified, not_found, mismatch)"
                ))
            }
        })
    }
}

/// The particulars an export sends for each number, and so the fields a mismatch can name.
pub const VERIFIED_FIELDS: [&str; 3] = ["name", "father_or_husband_name", "date_of_birth"];

/// A member's verification as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// The result.
    pub state: VerificationState,
    /// For a mismatch, the fields the authority holds otherwise (names from [`VERIFIED_FIELDS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// When the registry applied the result.
    pub checked_at: DateTime<Utc>,
}
