//! What can go wrong in an export.

use shumari_registry::RegistryError;

/// An export's failure.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The registry refused or failed (scope, role, storage, the access trail).
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A request that cannot be made: an unknown dataset or format, a bad date.
    #[error("{0}")]
    BadRequest(String),
    /// A stored household that does not read as a household.
    #[error("a stored household does not read: {0}")]
    Document(String),
    /// Writing a file failed.
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// The CSV writer failed.
    #[error("cannot write the CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The Parquet writer failed.
    #[error("cannot write the Parquet file: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// Building a batch of Arrow arrays failed.
    #[error("cannot build the Parquet rows: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// Writing JSON (codebook, manifest) failed.
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl ExportError {
    /// Whether the caller asked for something that cannot be done (as opposed to a failure).
    pub fn is_bad_input(&self) -> bool {
        match self {
            ExportError::Registry(e) => e.is_bad_input(),
            ExportError::BadRequest(_) => true,
            _ => false,
        }
    }
}
