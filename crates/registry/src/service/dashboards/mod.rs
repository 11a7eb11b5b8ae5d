//! The console's dashboards, read from the maintained aggregates (`storage/aggregates/`, migration
//! V19) and rolled up by area-code prefix here: coverage against the targets an administrator sets
//! (`coverage.rs`, `targets.rs`), and the PMT distribution with the thresholds of the model in force
//! (`pmt.rs`), and the field operations (`field.rs`: the review backlog, conflicts, duplicate
//! cases, flags, devices' last sync, households per surveyor per day and interview durations,
//! V25). A province at a million households is a few thousand aggregate rows, never a scan of
//! the households. `rollup.rs` holds the pure rules (levels, ancestors, targets).
//!
//! Jurisdiction is the household list's: a user reads the aggregates of their outermost areas
//! only, through the same `areas_for` narrowing, and an area outside them is "not found". The
//! numbers are counts, never personal data, so reading them is not on the access trail; setting a
//! target is (`dashboard.target_set`). The delivery sections' counts are their own features'
//! (`programme_reach`, `payment_progress`, `grievance_tally`), narrowed to an area by the same
//! `dashboard_areas`.

mod coverage;
mod field;
mod pmt;
pub mod rollup;
mod targets;

pub use coverage::{AreaCoverage, CoverageReport};
pub use field::{FieldDays, FieldFigures};
pub use pmt::{PmtHistogram, Threshold, BUCKETS};
pub use targets::{parse_targets_csv, TargetError};

use crate::error::{RegistryError, Result};
use crate::storage::User;
use shumari_domain::roles::{allows, Action};

/// Dashboards show counts of the households a user may read.
fn may_view(user: &User) -> Result<()> {
    if allows(user.role, Action::ReadHouseholds) {
        Ok(())
    } else {
        Err(RegistryError::Forbidden(format!(
            "a {} reads no household data",
            user.role.title()
        )))
    }
}
