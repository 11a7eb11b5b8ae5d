//! What can go wrong at a hub.

use shumari_proto::{DecodeError, TransportError};

/// A hub's failure.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The hub's own tables.
    #[error("hub database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The hub's registry storage.
    #[error(transparent)]
    Storage(#[from] shumari_registry::storage::StorageError),
    /// The hub's registry refused or failed.
    #[error(transparent)]
    Registry(#[from] shumari_registry::RegistryError),
    /// The registry above could not be reached, or refused the request.
    #[error(transparent)]
    Upstream(#[from] TransportError),
    /// The registry above answered something unreadable.
    #[error("the registry above answered something unreadable: {0}")]
    Decode(#[from] DecodeError),
    /// The hub has not been enrolled with a registry above (`shumari hub enroll`).
    #[error("this hub is not enrolled with a registry above; run `shumari hub enroll` first")]
    NotEnrolled,
    /// The registry above enrolled this code for a user who is not a hub.
    #[error("the enrollment code is for a {0}, not a district hub; ask for a hub's code")]
    NotAHub(String),
    /// A document from the registry above could not be read.
    #[error("household {id} from the registry above could not be read: {message}")]
    Document {
        /// Household id.
        id: String,
        /// Why.
        message: String,
    },
    /// The hub's settings are wrong (an upstream URL the transport refuses, an unreadable CA).
    #[error("{0}")]
    Config(String),
    /// The hub's tables hold something they never should.
    #[error("the hub's database is damaged: {0}")]
    Corrupt(String),
}

impl HubError {
    /// Whether trying the round again later may help (the link, or the registry above being busy).
    pub fn retryable(&self) -> bool {
        matches!(self, HubError::Upstream(e) if e.retryable())
    }
}

/// Result alias.
pub type Result<T> = std::result::Result<T, HubError>;
