//! Errors as HTTP answers: JSON `{code, message}` with a fitting status (axum's error-handling pattern).

use crate::storage::StorageError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shumari_sync::codec::DecodeError;
use shumari_sync::proto::ErrorBody;

/// An error answered to a client.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No token, or a token the registry does not know.
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// The request could not be decoded or made no sense.
    #[error("{0}")]
    BadRequest(String),
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
    /// Storage failed; details are logged, not sent.
    #[error("the registry could not complete the request; try again later")]
    Storage(#[from] StorageError),
    /// Something else went wrong inside.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::UnsupportedVersion { .. } => StatusCode::UPGRADE_REQUIRED,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Machine code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::BadRequest(_) => "bad_request",
            AppError::UnsupportedVersion { .. } => "unsupported_version",
            AppError::NotFound(_) => "not_found",
            AppError::TooLarge(_) => "too_large",
            AppError::Storage(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code().into(),
            message: self.to_string(),
        }
    }
}

impl From<DecodeError> for AppError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::Version(v) => AppError::UnsupportedVersion {
                client: v,
                server: shumari_sync::PROTOCOL_VERSION,
            },
            other => AppError::BadRequest(format!("the request could not be decoded: {other}")),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Storage(e) = &self {
            tracing::error!("storage: {e}");
        }
        (self.status(), axum::Json(self.body())).into_response()
    }
}
