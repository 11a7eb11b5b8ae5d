//! Households that left this device's area with work the registry has not received.
//!
//! When the registry moves a household out of the device's scope, a household whose changes it has
//! all received is removed from the tablet; one holding changes it has not received is kept
//! ([`shumari_store::Store::remove_local`]) and listed here as "left your area, not yet sent". The
//! registry refuses it from this device from then on, so the surveyor exports it (JSON Lines, one
//! household a line in the form `household show --json` prints) and hands the file to the supervisor.

use crate::dto::{ExportedFile, HouseholdSummary};
use crate::error::Result;
use crate::households::{summary, LIST_ALL};
use crate::App;
use shumari_store::{HouseholdView, ListFilter};

impl App {
    /// The households that left this device's area with unsent changes, newest change first.
    pub fn left_area_households(&self) -> Result<Vec<HouseholdSummary>> {
        let (rows, unsent) = self.with_store(|store| {
            let rows = store.list(&ListFilter {
                limit: LIST_ALL,
                left_scope: true,
                ..ListFilter::default()
            })?;
            Ok((rows, store.unsent_ids()?))
        })?;
        Ok(rows.into_iter().map(|r| summary(r, &unsent)).collect())
    }

    /// The same households in full (answers, members, conflicts), for export.
    pub fn left_area_export(&self) -> Result<Vec<HouseholdView>> {
        self.with_store(|store| Ok(store.left_scope_households()?))
    }

    /// Writes [`App::left_area_export`] as JSON Lines to `exports/left-area-<time>.jsonl` in the
    /// data directory, readable by this user only (it holds personal data).
    pub fn export_left_area(&self) -> Result<ExportedFile> {
        let households = self.left_area_export()?;
        self.export_file("left-area", &households)
    }
}
