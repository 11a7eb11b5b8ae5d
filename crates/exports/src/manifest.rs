//! The manifest written beside an export (`DATASET.manifest.json`): what was exported, in which
//! format, how many rows, the SHA-256 of each file, the filters, whether personal data is in it,
//! who made it and when. A recipient checks the files against it; the access trail's row says the
//! same without the hashes.

use crate::error::ExportError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Its name in the export's folder.
    pub name: String,
    /// Its size.
    pub bytes: u64,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
}

/// The filters an export was made with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// The area (and everything under it); `None`: all of the exporter's areas.
    pub area: Option<String>,
    /// Households changed on or after this date (Pakistan time), `YYYY-MM-DD`.
    pub since: Option<String>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `households`, `members`, ...
    pub dataset: String,
    /// `csv` or `parquet`.
    pub format: String,
    /// Data rows written.
    pub rows: u64,
    /// Columns in the data.
    pub columns: usize,
    /// The data file first, then the codebook's files.
    pub files: Vec<FileEntry>,
    /// The filters.
    pub filters: Filters,
    /// Whether names, ID numbers, phone, address and GPS are in the data.
    pub personal_data: bool,
    /// When (RFC 3339, UTC).
    pub created_at: String,
    /// The exporting user's id.
    pub created_by: String,
}

impl Manifest {
    /// The data file's name.
    pub fn data_file(&self) -> &str {
        self.files.first().map_or("", |f| f.name.as_str())
    }
}

/// The entry of file `name` in `dir`, hashed as it is read (never whole in memory).
pub fn file_entry(dir: &Path, name: &str) -> Result<FileEntry, ExportError> {
    let mut f = std::fs::File::open(dir.join(name))?;
    let mut h = Sha256::new();
    let bytes = std::io::copy(&mut f, &mut h)?;
    Ok(FileEntry {
        name: name.to_string(),
        bytes,
        sha256: hex::encode(h.finalize()),
    })
}
