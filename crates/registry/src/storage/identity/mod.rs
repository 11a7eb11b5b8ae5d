//! The registry's rows of identity verification with the national ID authority (migration V14):
//! the batches it exported ([`BatchRow`]), the result files it applied, by their SHA-256
//! ([`ImportRow`], so a file imported twice is recognised), and the latest result per ID number
//! ([`ResultRow`]). What the rows mean (the file formats, when a result applies, the cases it opens)
//! is `service/identity.rs`'s; each backend only stores and reads the columns, with fixed
//! statements and bound parameters.
//!
//! [`IdentityStore`] is a supertrait of [`super::Storage`], so every backend has it.

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::Result;
use std::future::Future;

/// One export to the authority (its manifest as stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    /// Batch id (in the file and its manifest).
    pub id: String,
    /// The area exported.
    pub area: String,
    /// Rows in the CSV.
    pub rows: u64,
    /// SHA-256 of the CSV, hex.
    pub csv_sha256: String,
    /// Who exported it (user id).
    pub created_by: String,
    /// When (ms since epoch).
    pub created_at: i64,
}

/// One result file applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// SHA-256 of the file, hex.
    pub file_sha256: String,
    /// The batch its rows name, if any.
    pub batch_id: Option<String>,
    /// Rows in the file.
    pub rows: u64,
    /// Who imported it (user id).
    pub imported_by: String,
    /// When (ms since epoch).
    pub imported_at: i64,
}

/// The latest result for one ID number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRow {
    /// The number (13 digits).
    pub id_number: String,
    /// `verified`, `not_found` or `mismatch`.
    pub state: String,
    /// For a mismatch, the fields named (`;`-joined; empty otherwise).
    pub fields: String,
    /// The batch the result came in, if named.
    pub batch_id: Option<String>,
    /// The file it came in.
    pub file_sha256: String,
    /// When it was applied (ms since epoch).
    pub checked_at: i64,
}

/// Identity verification's rows.
pub trait IdentityStore {
    /// Records an export.
    fn put_identity_batch(&self, batch: &BatchRow) -> impl Future<Output = Result<()>> + Send;
    /// An export by batch id.
    fn identity_batch(&self, id: &str) -> impl Future<Output = Result<Option<BatchRow>>> + Send;
    /// A result file already applied, by its SHA-256.
    fn identity_import(
        &self,
        file_sha256: &str,
    ) -> impl Future<Output = Result<Option<ImportRow>>> + Send;
    /// The latest results of these numbers (numbers never checked absent).
    fn identity_results(
        &self,
        numbers: &[String],
    ) -> impl Future<Output = Result<Vec<ResultRow>>> + Send;
    /// Stores the file's results (replacing each number's previous one) and the file's row, in one
    /// transaction: the file is then known as applied.
    fn record_identity_import(
        &self,
        import: &ImportRow,
        results: Vec<ResultRow>,
    ) -> impl Future<Output = Result<()>> + Send;
}
