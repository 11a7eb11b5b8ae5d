//! How messages travel. The device engine only sees [`Transport`]: bytes in, bytes out, per endpoint.
//! HTTP is one implementation (`shumari_sync::HttpTransport`); the registry crate offers an in-memory
//! one for tests, and a district hub or a USB bundle can implement the same trait later.

use crate::message::Endpoint;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The peer could not be reached or the exchange was cut; worth retrying.
    #[error("the registry could not be reached: {0}")]
    Unreachable(String),
    /// The peer answered with an error.
    #[error("the registry refused the request ({code}): {message}")]
    Rejected {
        /// HTTP-style status.
        status: u16,
        /// Machine code.
        code: String,
        /// In plain words.
        message: String,
    },
    /// The peer asked the caller to slow down (HTTP 429) and to come back after `retry_after_secs`.
    #[error("the registry is busy ({code}): {message}")]
    Throttled {
        /// Seconds to wait before trying again, as the peer said (`Retry-After`).
        retry_after_secs: u64,
        /// Machine code (`rate_limited`).
        code: String,
        /// In plain words.
        message: String,
    },
}

impl TransportError {
    /// Whether retrying may help (network trouble or a server-side hiccup).
    pub fn retryable(&self) -> bool {
        match self {
            TransportError::Unreachable(_) => true,
            TransportError::Rejected { status, .. } => *status >= 500 || *status == 429,
            TransportError::Throttled { .. } => true,
        }
    }

    /// How long the peer asked the caller to wait before trying again, when it said.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            TransportError::Throttled {
                retry_after_secs, ..
            } => Some(std::time::Duration::from_secs(*retry_after_secs)),
            _ => None,
        }
    }
}

/// One request/response exchange per call.
pub trait Transport {
    /// Sends `body` (an encoded frame) to `endpoint`, authenticated by `token` when given.
    fn call(
        &mut self,
        endpoint: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, TransportError>;

    /// The registry this transport reaches, as configured (its base URL), so a device keeps its
    /// place in each registry's feed apart. `None` (the default, and what a wrapper that does not
    /// say answers): the registry the device enrolled at.
    fn registry(&self) -> Option<&str> {
        None
    }
}
