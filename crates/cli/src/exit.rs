//! Mapping errors to exit statuses and error codes: 2 when the user's input was wrong, 1 otherwise.

use shumari_app::AppError;
use shumari_domain::DomainError;
use shumari_store::StoreError;
use shumari_sync::engine::SyncError;
use shumari_sync::transport::TransportError;

/// An error caused by the user's input (exit status 2).
#[derive(Debug)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Shorthand for a bad-input error.
pub fn bad(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(BadInput(msg.into()))
}

/// The exit status for an error: 2 for input the user can fix, 1 for the system's failures.
pub fn code_for(err: &anyhow::Error) -> i32 {
    match kind_for(err) {
        "invalid"
        | "bad_input"
        | "bad_json"
        | "wrong_pin"
        | "weak_pin"
        | "too_many_attempts"
        | "not_found"
        | "not_initialised"
        | "already_initialised"
        | "not_enrolled"
        | "refused"
        | "revoked"
        | "expired"
        | "update_required"
        // A refused USB bundle: the file the user gave.
        | "not_a_bundle"
        | "unsupported_format"
        | "truncated"
        | "corrupted"
        | "foreign"
        | "unknown_sender"
        | "tampered"
        | "too_large" => 2,
        _ => 1,
    }
}

/// A short machine-readable error code.
pub fn kind_for(err: &anyhow::Error) -> &'static str {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<AppError>() {
            return match e {
                AppError::Store(s) => s.code(),
                // The questionnaire's refusals: the user's input, as the command line always called it.
                AppError::Invalid(_) | AppError::Incomplete { .. } => "bad_input",
                // The app's `rejected` (the registry refused the request: a bad code, an old client,
                // a console user's code on a tablet) is the command line's `refused`.
                AppError::Rejected(_) => "refused",
                other => other.code(),
            };
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return e.code();
        }
        if cause.downcast_ref::<DomainError>().is_some() {
            return "invalid";
        }
        // SyncError wraps TransportError transparently (the chain skips it), so look inside.
        let transport = match cause.downcast_ref::<SyncError>() {
            Some(SyncError::NotEnrolled) => return "not_enrolled",
            Some(SyncError::Revoked(_)) => return "revoked",
            Some(SyncError::Expired(_)) => return "expired",
            Some(SyncError::Transport(t)) => Some(t),
            _ => cause.downcast_ref::<TransportError>(),
        };
        if let Some(TransportError::Rejected { status, .. }) = transport {
            // 4xx: the registry refused what we sent (a bad code, no right to the area, an old client);
            // 5xx: the registry failed.
            return match status {
                426 => "update_required",
                400..=499 => "refused",
                _ => "registry_error",
            };
        }
        if transport.is_some() {
            return "unreachable";
        }
        if cause.downcast_ref::<BadInput>().is_some() {
            return "bad_input";
        }
        if cause.downcast_ref::<serde_json::Error>().is_some() {
            return "bad_json";
        }
    }
    "internal"
}
