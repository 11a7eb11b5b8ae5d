//! What an export of households may read, and its row on the access trail. The files themselves
//! (CSV, Parquet, codebook, manifest) are the `shumari-exports` crate's, which keeps the Arrow and
//! Parquet libraries out of this one.
//!
//! An export is granted ([`Registry::export_grant`]) to a role that reads households, over an area
//! in its jurisdiction (all of its areas when none is named; an area outside them is refused). The
//! grant says whether the export may carry personal data: the role table's
//! [`Action::ExportPersonalData`]. The exporter then reads the granted areas a page at a time
//! ([`Registry::export_page`]) in (area, id) order, one seek in the (area, id) index per outermost
//! area, exactly as the console's household list pages: memory holds one page whatever the
//! registry's size. `since` narrows the same walk to households the registry stored a change of at
//! or after that time. When the files are written, [`Registry::record_export`] appends one row to
//! the access trail (`data.export`) naming the dataset, the format, the area, the rows and whether
//! personal data was included; an exporter hands the files over only once that row is stored.

use super::access_audit::{actor_of, AccessAction};
use super::browse::areas_for;
use super::Registry;
use crate::error::{RegistryError, Result};
use crate::storage::console::{ConsoleStorage, PageQuery};
use crate::storage::{Storage, StoredDoc, User};
use shumari_domain::roles::{allows, Action};
use uuid::Uuid;

/// What an export may read: granted once per export by [`Registry::export_grant`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportGrant {
    /// The area the export asked for (`None`: all of the user's).
    pub area: Option<String>,
    /// The outermost areas read, in code order (disjoint, so (area, id) order across them).
    pub areas: Vec<String>,
    /// Whether the export carries personal data (the role table's `ExportPersonalData`).
    pub personal: bool,
}

/// One page of households for an export.
#[derive(Debug, Clone)]
pub struct ExportPage {
    /// The stored documents, in (area, id) order.
    pub docs: Vec<StoredDoc>,
    /// Where the next page starts after (`None`: this was the last).
    pub next: Option<(String, Uuid)>,
}

/// An export as the access trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRecord {
    /// The dataset (`households`, `members`, ...).
    pub dataset: String,
    /// The format (`csv`, `parquet`).
    pub format: String,
    /// Rows written.
    pub rows: u64,
    /// The `since` filter as given (a date), if any.
    pub since: Option<String>,
}

impl<S: Storage + ConsoleStorage> Registry<S> {
    /// Grants `user` an export of `area` (all of their areas when `None`), or refuses: a role that
    /// reads no households, an unknown area, an area outside the user's.
    pub fn export_grant(&self, user: &User, area: Option<&str>) -> Result<ExportGrant> {
        if !allows(user.role, Action::ReadHouseholds) {
            return Err(RegistryError::Forbidden(format!(
                "a {} reads no household data",
                user.role.title()
            )));
        }
        if let Some(a) = area {
            if !self.areas.recognises(a) {
                return Err(RegistryError::BadRequest(format!("no area `{a}`")));
            }
            if !self.scope(user).contains(a) {
                return Err(RegistryError::Forbidden(format!(
                    "area {a} is outside your areas"
                )));
            }
        }
        Ok(ExportGrant {
            area: area.map(str::to_string),
            areas: areas_for(user, area),
            personal: allows(user.role, Action::ExportPersonalData),
        })
    }

    /// Up to `limit` households of `grant` after the (area, id) position `after`, changed at or
    /// after `since` (ms since epoch) when given. Reads only: the export is recorded once, at its
    /// end ([`Registry::record_export`]).
    pub async fn export_page(
        &self,
        grant: &ExportGrant,
        since: Option<i64>,
        after: Option<(String, Uuid)>,
        limit: usize,
    ) -> Result<ExportPage> {
        let limit = limit.max(1);
        let mut rows = Vec::new();
        for area in &grant.areas {
            let query = PageQuery {
                area: area.clone(),
                after: rows
                    .last()
                    .map(|r: &crate::storage::HouseholdSummary| (r.area.clone(), r.id))
                    .or_else(|| after.clone()),
                status: None,
                search: None,
                surveyor: None,
                changed_from: since,
                changed_until: None,
                limit: limit + 1 - rows.len(),
            };
            rows.extend(self.storage.household_page(&query).await?);
            if rows.len() > limit {
                break;
            }
        }
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| (r.area.clone(), r.id))
        } else {
            None
        };
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let docs = self
            .storage
            .load_docs(&ids)
            .await?
            .into_iter()
            .flatten()
            .collect();
        Ok(ExportPage { docs, next })
    }

    /// Records a finished export on the access trail: what, which area, how many rows, and whether
    /// personal data was included (never a value from the rows).
    pub async fn record_export(
        &self,
        user: &User,
        grant: &ExportGrant,
        record: &ExportRecord,
    ) -> Result<()> {
        let mut detail = format!(
            "dataset={} format={} rows={} personal={}",
            record.dataset, record.format, record.rows, grant.personal
        );
        if let Some(s) = &record.since {
            detail.push_str(&format!(" since={s}"));
        }
        self.record_access(
            AccessAction::DataExport,
            actor_of(Some(user)),
            Some(grant.area.as_deref().unwrap_or("*")),
            Some(detail),
        )
        .await
    }
}
