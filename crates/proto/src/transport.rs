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
}

impl TransportError {
    /// Whether retrying may help (network trouble or a server-side hiccup).
    pub fn retryable(&self) -> bool {
        match self {
            TransportError::Unreachable(_) => true,
            TransportError::Rejected { status, .. } => *status >= 500 || *status == 429,
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
}
