//! What can go wrong answering a console request, and the status each gets.

use axum::http::StatusCode;
use shumari_registry::storage::StorageError;
use shumari_registry::RegistryError;

/// A console failure.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// From the registry's service (not found, forbidden, a refused decision, ...).
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// From the console's rows.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A POST without the right CSRF token, or a form missing a field.
    #[error("the form was not accepted")]
    BadForm,
    /// Work on the blocking pool did not finish.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ConsoleError {
    /// The HTTP status of the page that explains it.
    pub fn status(&self) -> StatusCode {
        match self {
            ConsoleError::Registry(RegistryError::NotFound(_)) => StatusCode::NOT_FOUND,
            ConsoleError::Registry(RegistryError::Forbidden(_)) => StatusCode::FORBIDDEN,
            ConsoleError::Registry(RegistryError::BadRequest(_)) => StatusCode::BAD_REQUEST,
            ConsoleError::Registry(RegistryError::Transition(_)) => StatusCode::CONFLICT,
            ConsoleError::BadForm => StatusCode::FORBIDDEN,
            ConsoleError::Registry(_) | ConsoleError::Storage(_) | ConsoleError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}
