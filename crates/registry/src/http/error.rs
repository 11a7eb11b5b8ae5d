//! Errors as HTTP answers: a [`RegistryError`] with a fitting status and the JSON body
//! `{code, message}` (axum's error-handling pattern). The in-memory transport uses the same mapping,
//! so tests see exactly what a device over HTTP sees.

use crate::error::RegistryError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shumari_proto::ErrorBody;

/// A service error on its way to an HTTP client.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct HttpError(#[from] pub RegistryError);

impl HttpError {
    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match &self.0 {
            RegistryError::Unauthorized(_)
            | RegistryError::Revoked(_)
            | RegistryError::Expired(_) => StatusCode::UNAUTHORIZED,
            RegistryError::Forbidden(_) => StatusCode::FORBIDDEN,
            RegistryError::BadRequest(_) | RegistryError::Bundle(_) => StatusCode::BAD_REQUEST,
            RegistryError::Transition(_) => StatusCode::CONFLICT,
            RegistryError::UnsupportedVersion { .. } => StatusCode::UPGRADE_REQUIRED,
            RegistryError::NotFound(_) => StatusCode::NOT_FOUND,
            RegistryError::TooLarge(_) | RegistryError::OverLimit(_) => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            RegistryError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            RegistryError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
            RegistryError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.0.code().into(),
            message: self.0.to_string(),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        if let RegistryError::Storage(e) = &self.0 {
            tracing::error!("storage: {e}");
        }
        let mut resp = (self.status(), axum::Json(self.body())).into_response();
        resp.extensions_mut()
            .insert(super::observe::ErrorCode(self.0.code()));
        if let RegistryError::RateLimited(secs) = &self.0 {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, (*secs).into());
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_their_codes_and_statuses() {
        let cases = [
            (RegistryError::Unauthorized("x".into()), 401, "unauthorized"),
            (RegistryError::Revoked("x".into()), 401, "revoked"),
            (RegistryError::Expired("x".into()), 401, "expired"),
            (RegistryError::Forbidden("x".into()), 403, "forbidden"),
            (RegistryError::BadRequest("x".into()), 400, "bad_request"),
            (
                RegistryError::unsupported_version(1),
                426,
                "unsupported_version",
            ),
            (RegistryError::NotFound("x".into()), 404, "not_found"),
            (RegistryError::TooLarge(10), 413, "too_large"),
            (RegistryError::OverLimit("x".into()), 413, "too_large"),
            (
                RegistryError::Storage(crate::storage::StorageError::Other("disk".into())),
                503,
                "unavailable",
            ),
            (RegistryError::Internal("x".into()), 500, "internal"),
            (RegistryError::RateLimited(3), 429, "rate_limited"),
        ];
        for (e, status, code) in cases {
            let h = HttpError(e);
            assert_eq!(h.status().as_u16(), status);
            assert_eq!(h.body().code, code);
        }
        // A rate limit says when to come back.
        let r = HttpError(RegistryError::RateLimited(3)).into_response();
        assert_eq!(r.headers()[axum::http::header::RETRY_AFTER], "3");
        // Storage details stay in the log, not in the answer.
        let h = HttpError(RegistryError::Storage(crate::storage::StorageError::Other(
            "secret path".into(),
        )));
        assert!(!h.body().message.contains("secret path"));
    }
}
