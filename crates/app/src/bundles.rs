//! "Save to USB" and "Load from USB" on the Settings screen: sync by file, for a tablet that never
//! sees a network.
//!
//! Saving writes a bundle ([`shumari_sync::bundle`]) of everything the registry has not
//! acknowledged — the surveyor's own work signed by this device, colleagues' changes with their
//! authors' signatures, the submitted reports waiting for a sync —, encrypted to the registry's bundle key, to the file the surveyor chose
//! (a USB stick). The supervisor imports it at the registry (`shumari bundle import FILE --db
//! ...`) and exports one for this device, which "Load from USB" applies as a pull would: new and
//! changed households, assignments, review decisions, the forms of the device's areas, and the
//! acknowledgement of what the registry received. Loading the same file twice changes nothing; a damaged, foreign or altered file is
//! refused whole with a plain message and nothing is applied.
//!
//! The store is held for the whole save or load (one local operation the surveyor asked for; a
//! district's bundle applies in seconds), so a background sync round waits for it between steps.

use crate::error::{AppError, Result};
use crate::App;
use serde::Serialize;
use std::path::Path;

/// A bundle saved for the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BundleSaved {
    /// The file written.
    pub path: String,
    /// Households it carries.
    pub households: u64,
    /// Its size in bytes.
    pub bytes: u64,
}

/// What loading a bundle from the registry did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BundleLoaded {
    /// Households received and applied.
    pub received: u64,
    /// Households removed because they left this device's area.
    pub removed: u64,
    /// Households whose changes the registry now holds.
    pub acknowledged: u64,
    /// Households that could not be applied.
    pub refused: u64,
}

impl App {
    /// Writes a bundle for the registry to `path` ("Save to USB"): what the next sync would send,
    /// or everything this device holds with `all`.
    pub fn save_bundle(&self, path: &Path, all: bool) -> Result<BundleSaved> {
        let file = self.with_store(|store| {
            shumari_sync::bundle::export_for_registry(store, all).map_err(bundle_error)
        })?;
        std::fs::write(path, &file.bytes)?;
        Ok(BundleSaved {
            path: path.display().to_string(),
            households: file.households,
            bytes: file.bytes.len() as u64,
        })
    }

    /// Applies the registry's bundle at `path` ("Load from USB").
    pub fn load_bundle(&self, path: &Path) -> Result<BundleLoaded> {
        let bytes = std::fs::read(path).map_err(|e| {
            AppError::Invalid(format!(
                "the file {} could not be read: {e}",
                path.display()
            ))
        })?;
        let r = self.with_store(|store| {
            shumari_sync::bundle::import_from_registry(store, &bytes).map_err(bundle_error)
        })?;
        Ok(BundleLoaded {
            received: r.pulled,
            removed: r.removed,
            acknowledged: r.acknowledged,
            refused: r.refused.len() as u64,
        })
    }
}

fn bundle_error(e: shumari_sync::SyncError) -> AppError {
    match e {
        shumari_sync::SyncError::Bundle(b) => AppError::Bundle {
            code: b.code(),
            message: b.to_string(),
        },
        shumari_sync::SyncError::NotEnrolled => AppError::NotEnrolled,
        shumari_sync::SyncError::Store(s) => s.into(),
        other => AppError::Internal(other.to_string()),
    }
}
