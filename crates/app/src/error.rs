//! The one error type of the field app. It crosses to the UI as `{code, message}`: the UI switches on
//! `code` (and translates it); `message` is plain English for logs and for codes the UI does not know.
//! Messages never carry personal data beyond what the user typed in that same field.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use shumari_store::StoreError;
use thiserror::Error;

/// What went wrong in a field-app use case.
#[derive(Debug, Error)]
pub enum AppError {
    /// The PIN does not open the store. Nothing was changed.
    #[error("wrong PIN")]
    WrongPin,
    /// The device has not been enrolled yet.
    #[error("this device is not enrolled")]
    NotEnrolled,
    /// Enrolling a device that already is.
    #[error("this device is already enrolled")]
    AlreadyEnrolled,
    /// The store is locked: enter the PIN first.
    #[error("the app is locked")]
    Locked,
    /// Input broke a rule (the message says which).
    #[error("{0}")]
    Invalid(String),
    /// Marking a household complete before the questionnaire validates.
    #[error("cannot mark complete: {count} answer(s) missing or invalid: {detail}")]
    Incomplete {
        /// How many answers are missing or invalid.
        count: usize,
        /// The first few, `path (question): message`.
        detail: String,
    },
    /// The store refused or failed; its own error, message and all (a household that does not exist,
    /// a domain rule the input broke, a full disk).
    #[error(transparent)]
    Store(StoreError),
    /// No such household, member or conflict.
    #[error("not found: {0}")]
    NotFound(String),
    /// The registry cannot be reached.
    #[error("registry not reachable: {0}")]
    Unreachable(String),
    /// The registry refused (e.g. a bad enrollment code).
    #[error("the registry refused: {0}")]
    Rejected(String),
    /// The registry revoked this device or disabled its user: it cannot sync until enrolled again.
    /// Its households stay on the tablet.
    #[error("this device was revoked at the registry and can no longer sync; ask your supervisor to enroll it again (its households stay on this tablet)")]
    Revoked,
    /// The device's registry token expired because it did not sync for too long (90 days by
    /// default). Its households stay on the tablet.
    #[error("this device did not sync for too long and its registry token expired; ask your supervisor for a new enrollment code (its households stay on this tablet)")]
    Expired,
    /// The registry speaks a newer protocol: this app must be updated before it can sync.
    #[error("this app is too old for the registry; update it: {0}")]
    UpdateRequired(String),
    /// A sync round went through but the registry refused some households (they stay on the device).
    #[error("the registry refused {count} household(s): {detail}")]
    Refused {
        /// How many households.
        count: usize,
        /// The registry's reasons, in plain words.
        detail: String,
    },
    /// A USB bundle was refused (`truncated`, `corrupted`, `foreign`, `tampered`,
    /// `unknown_sender`, ...) and nothing of it applied, or could not be made.
    #[error("{message}")]
    Bundle {
        /// The bundle's refusal code (translated by the UI as `bundle.<code>`).
        code: &'static str,
        /// In plain words.
        message: String,
    },
    /// A fault of the app or the device (disk, database).
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// Machine-readable code, stable for the UI's translations (`error.<code>` in ui/src/i18n).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::WrongPin => "wrong_pin",
            AppError::NotEnrolled => "not_enrolled",
            AppError::AlreadyEnrolled => "already_enrolled",
            AppError::Locked => "locked",
            AppError::Invalid(_) | AppError::Incomplete { .. } => "invalid",
            AppError::Store(e) => match e {
                StoreError::NotFound(_) => "not_found",
                StoreError::Invalid(_) => "invalid",
                StoreError::WeakPin => "weak_pin",
                StoreError::TooManyAttempts { .. } => "too_many_attempts",
                _ => "internal",
            },
            AppError::NotFound(_) => "not_found",
            AppError::Unreachable(_) => "unreachable",
            AppError::Rejected(_) => "rejected",
            AppError::Revoked => "revoked",
            AppError::Expired => "expired",
            AppError::UpdateRequired(_) => "update_required",
            AppError::Refused { .. } => "refused",
            AppError::Bundle { code, .. } => code,
            AppError::Internal(_) => "internal",
        }
    }
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("AppError", 2)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::WrongPin => AppError::WrongPin,
            StoreError::NotInitialised(_) => AppError::NotEnrolled,
            StoreError::AlreadyInitialised(_) => AppError::AlreadyEnrolled,
            other => AppError::Store(other),
        }
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// Result of a field-app use case.
pub type Result<T> = std::result::Result<T, AppError>;
