//! The store's error type.

use shumari_domain::DomainError;
use thiserror::Error;

/// What went wrong in the store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The PIN or passphrase does not open this store. Nothing was changed.
    #[error("wrong PIN: the store could not be unlocked")]
    WrongPin,
    /// Too many wrong PINs: unlocking is refused, without trying the PIN, for this many more seconds.
    /// Nothing was erased.
    #[error("too many wrong PINs: try again in {retry_after_secs} seconds (nothing was erased)")]
    TooManyAttempts {
        /// Seconds until an unlock may be tried.
        retry_after_secs: u64,
    },
    /// There is no store in the directory yet.
    #[error("no Shumari store in {0} (run `shumari init` first)")]
    NotInitialised(String),
    /// `init` on a directory that already has a store.
    #[error("a Shumari store already exists in {0}")]
    AlreadyInitialised(String),
    /// The database was written by a newer Shumari than this one.
    #[error("the store's schema version {found} is newer than this program knows ({known}); update Shumari — nothing was changed")]
    SchemaTooNew {
        /// Version found in the database.
        found: i64,
        /// Newest version this binary knows.
        known: i64,
    },
    /// Bringing the schema up to date failed (the store is left as it was).
    #[error("the store's schema could not be brought up to date: {0}")]
    Migration(String),
    /// A PIN or passphrase too short to protect the store ([`crate::key::check_pin`]).
    #[error("the PIN must have at least 6 digits, or be a passphrase of at least 8 characters")]
    WeakPin,
    /// No household with that id or reference number.
    #[error("no household `{0}`")]
    NotFound(String),
    /// The input broke a domain rule.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// The disk (or the database's size limit) is full. The write was rolled back; earlier writes are kept.
    #[error("the disk is full: this change was not saved (everything saved before is kept); free some space and try again")]
    DiskFull,
    /// SQLite / SQLCipher failed (I/O error, corruption).
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
    /// Reading or writing a file next to the database failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A stored automerge document could not be read.
    #[error("stored document for household {id}: {message}")]
    Document {
        /// Household id.
        id: String,
        /// What automerge said.
        message: String,
    },
    /// The key file next to the database is damaged.
    #[error("key file {0} is damaged")]
    KeyFile(String),
    /// A form version or report that is not on this device, or a report that can no longer change
    /// (`forms.rs`).
    #[error("{0}")]
    Report(String),
}

impl StoreError {
    /// A short machine-readable code, for JSON errors and the app.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::WrongPin => "wrong_pin",
            StoreError::TooManyAttempts { .. } => "too_many_attempts",
            StoreError::NotInitialised(_) => "not_initialised",
            StoreError::AlreadyInitialised(_) => "already_initialised",
            StoreError::SchemaTooNew { .. } => "schema_too_new",
            StoreError::Migration(_) => "migration",
            StoreError::WeakPin => "weak_pin",
            StoreError::NotFound(_) => "not_found",
            StoreError::Invalid(_) => "invalid",
            StoreError::DiskFull => "disk_full",
            StoreError::Sqlite(_) => "database",
            StoreError::Io(_) => "io",
            StoreError::Document { .. } => "document",
            StoreError::KeyFile(_) => "key_file",
            StoreError::Report(_) => "report",
        }
    }

    /// Whether the error is the user's input (exit status 2 in the CLI) rather than the system's.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            StoreError::Invalid(_)
                | StoreError::NotFound(_)
                | StoreError::WeakPin
                | StoreError::WrongPin
                | StoreError::TooManyAttempts { .. }
        )
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
            _ => StoreError::Sqlite(e),
        }
    }
}

/// Result alias.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
