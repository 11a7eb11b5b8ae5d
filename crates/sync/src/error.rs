//! Why a sync stopped. A registry's refusal of a cut-off device (HTTP 401 `revoked` or `expired`)
//! becomes a variant of its own, so that neither the engine nor the app's background worker retries
//! what only a new enrollment can fix.

use crate::codec::DecodeError;
use crate::proto::{CODE_EXPIRED, CODE_REVOKED};
use crate::transport::TransportError;
use shumari_store::StoreError;

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No token in the store.
    #[error("this device is not enrolled; run `shumari enroll --registry URL --code CODE` first")]
    NotEnrolled,
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The exchange failed (after retries when retrying made sense).
    #[error(transparent)]
    Transport(TransportError),
    /// The registry's answer could not be read.
    #[error("the registry sent a message this device cannot read: {0}")]
    Decode(#[from] DecodeError),
    /// The store was closed (or reopened) during the round; what was done is kept and the rest
    /// resumes next round.
    #[error("the store was closed during the sync; it resumes next time")]
    Stopped,
    /// The registry revoked this device, or disabled its user (HTTP 401 `revoked`; the registry's
    /// words kept). Never retried: only a new enrollment helps. The households on the device are kept.
    #[error("this device was revoked at the registry and can no longer sync; ask your supervisor to enroll it again (its households stay on this device)")]
    Revoked(String),
    /// The device's token expired before it was rotated (HTTP 401 `expired`; the registry's words
    /// kept). Never retried.
    #[error("this device's registry token expired because it did not sync for too long; ask your supervisor for a new enrollment code (its households stay on this device)")]
    Expired(String),
    /// A USB bundle was refused (truncated, corrupted, foreign, tampered, from an unknown sender),
    /// or could not be made; nothing of a refused bundle was applied.
    #[error(transparent)]
    Bundle(#[from] shumari_proto::bundle::BundleError),
}

impl From<TransportError> for SyncError {
    /// A cut-off device's refusal becomes its own variant, so that no caller retries it.
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Rejected {
                status: 401,
                code,
                message,
            } if code == CODE_REVOKED || code == CODE_EXPIRED => {
                if code == CODE_REVOKED {
                    SyncError::Revoked(message)
                } else {
                    SyncError::Expired(message)
                }
            }
            other => SyncError::Transport(other),
        }
    }
}
