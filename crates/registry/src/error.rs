//! What can go wrong in the registry's service, independent of how the answer travels. Each error has a
//! machine code ([`RegistryError::code`]) that clients see; [`crate::http::HttpError`] adds the HTTP
//! status and the JSON body `{code, message}`.

use crate::storage::StorageError;
use shumari_proto::{DecodeError, PROTOCOL_VERSION};

/// Why the registry could not answer a request.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// No token, or a token the registry does not know.
    #[error("{0}")]
    Unauthorized(String),
    /// The device was revoked, or its user disabled: it may do nothing until enrolled again.
    #[error("{0}")]
    Revoked(String),
    /// The device's token expired before the device rotated it.
    #[error("{0}")]
    Expired(String),
    /// Authenticated, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// The request could not be decoded or made no sense.
    #[error("{0}")]
    BadRequest(String),
    /// A status move the household's current status does not allow (a review of a household that
    /// is not submitted).
    #[error("{0}")]
    Transition(String),
    /// The client speaks another protocol version.
    #[error("this device speaks sync protocol version {client}; the registry speaks version {server}. Update Shumari on this device.")]
    UnsupportedVersion {
        /// Client's version.
        client: u16,
        /// Ours.
        server: u16,
    },
    /// Not found.
    #[error("{0}")]
    NotFound(String),
    /// The body was larger than allowed.
    #[error("the request is larger than the registry accepts ({0} bytes at most)")]
    TooLarge(usize),
    /// The request holds more items than the registry takes in one request (households in a push,
    /// actors to register); the message says which bound, from `shumari_proto::limits`.
    #[error("{0}")]
    OverLimit(String),
    /// The caller made more requests than its limit; it may try again after this many seconds.
    #[error("too many requests; try again in {0} s")]
    RateLimited(u64),
    /// Storage failed; details are logged, not sent.
    #[error("the registry could not complete the request; try again later")]
    Storage(#[from] StorageError),
    /// Something else went wrong inside.
    #[error("internal error: {0}")]
    Internal(String),
    /// A USB bundle was refused (`shumari_proto::bundle`): truncated, corrupted, foreign, tampered,
    /// from an unknown sender; nothing of it was applied.
    #[error("{0}")]
    Bundle(#[from] shumari_proto::bundle::BundleError),
}

impl RegistryError {
    /// The client speaks `client`; we speak [`PROTOCOL_VERSION`].
    pub fn unsupported_version(client: u16) -> Self {
        RegistryError::UnsupportedVersion {
            client,
            server: PROTOCOL_VERSION,
        }
    }

    /// Machine code, as clients see it.
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::Unauthorized(_) => "unauthorized",
            RegistryError::Revoked(_) => shumari_proto::message::CODE_REVOKED,
            RegistryError::Expired(_) => shumari_proto::message::CODE_EXPIRED,
            RegistryError::Forbidden(_) => "forbidden",
            RegistryError::BadRequest(_) => "bad_request",
            RegistryError::Transition(_) => "forbidden_transition",
            RegistryError::UnsupportedVersion { .. } => "unsupported_version",
            RegistryError::NotFound(_) => "not_found",
            RegistryError::TooLarge(_) | RegistryError::OverLimit(_) => "too_large",
            RegistryError::RateLimited(_) => "rate_limited",
            RegistryError::Storage(_) => "unavailable",
            RegistryError::Internal(_) => "internal",
            RegistryError::Bundle(e) => e.code(),
        }
    }

    /// Whether the request itself was at fault (bad input, unknown id), as opposed to the registry.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            RegistryError::BadRequest(_)
                | RegistryError::NotFound(_)
                | RegistryError::Transition(_)
                | RegistryError::Bundle(_)
        )
    }
}

impl From<DecodeError> for RegistryError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::Version(v) => RegistryError::unsupported_version(v),
            other => {
                RegistryError::BadRequest(format!("the request could not be decoded: {other}"))
            }
        }
    }
}

/// Result alias.
pub type Result<T, E = RegistryError> = std::result::Result<T, E>;
