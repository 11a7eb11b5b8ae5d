//! Errors of the DCI API as HTTP answers: the standard's `HttpErrorResponse`,
//! `{"errors": [{"code": "err.…", "message": "…"}]}`, with a fitting status. Messages name what was
//! wrong, never a CNIC or a record.

use crate::signature::SignatureError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shumari_registry::storage::StorageError;
use shumari_registry::RegistryError;

/// Why a DCI request was refused.
#[derive(Debug, thiserror::Error)]
pub enum DciError {
    /// No token, an unknown or expired one, or wrong client credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// The client may not do this (a disabled client's user, a role that reads nothing).
    #[error("{0}")]
    Forbidden(String),
    /// The request does not follow the standard or this registry's subset of it.
    #[error("{0}")]
    BadRequest(String),
    /// The envelope's signature is missing or not valid.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The registry refused or failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The DCI tables could not be read or written.
    #[error("the registry's database is not available")]
    Storage(#[from] StorageError),
}

/// Result alias.
pub type Result<T> = std::result::Result<T, DciError>;

impl DciError {
    /// The HTTP status and the standard's error code.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            DciError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "err.request.unauthorized"),
            DciError::Forbidden(_) => (StatusCode::FORBIDDEN, "err.request.forbidden"),
            DciError::BadRequest(_) => (StatusCode::BAD_REQUEST, "err.request.bad"),
            DciError::Signature(e) => (StatusCode::UNAUTHORIZED, e.code()),
            DciError::Registry(e) => match e {
                RegistryError::Unauthorized(_)
                | RegistryError::Revoked(_)
                | RegistryError::Expired(_) => {
                    (StatusCode::UNAUTHORIZED, "err.request.unauthorized")
                }
                RegistryError::Forbidden(_) => (StatusCode::FORBIDDEN, "err.request.forbidden"),
                RegistryError::BadRequest(_) => (StatusCode::BAD_REQUEST, "err.request.bad"),
                RegistryError::NotFound(_) => (StatusCode::NOT_FOUND, "err.request.not_found"),
                RegistryError::RateLimited(_) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "err.request.too_many_requests",
                ),
                _ => (StatusCode::SERVICE_UNAVAILABLE, "err.service.unavailable"),
            },
            DciError::Storage(_) => (StatusCode::SERVICE_UNAVAILABLE, "err.service.unavailable"),
        }
    }
}

impl IntoResponse for DciError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            DciError::Storage(e) => {
                tracing::error!(error = %e, "dci: storage");
                self.to_string()
            }
            DciError::Registry(RegistryError::Storage(e)) => {
                tracing::error!(error = %e, "dci: registry storage");
                "the registry's database is not available".to_string()
            }
            other => other.to_string(),
        };
        let body = serde_json::json!({"errors": [{"code": code, "message": message}]});
        (status, axum::Json(body)).into_response()
    }
}
