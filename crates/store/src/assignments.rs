//! The surveyor's assignments on the device: what the registry last sent with a sync, and how far
//! each has got, counted from the device's own households.
//!
//! [`Store::replace_assignments`] is the one write (the sync engine's, with the page that ends the
//! feed): the list replaces the stored one in one transaction, so a withdrawn assignment is gone
//! after the next sync and a tablet offline keeps the last list. Progress is the domain's rule
//! ([`Progress::of_area`], [`Progress::of_household`]) over the households this device holds, so
//! a household completed here counts at once, before it is sent.

use crate::{Result, Store, StoreError};
use rusqlite::{params, OptionalExtension};
use shumari_domain::assignment::{Assignment, Progress, Work};
use shumari_domain::Status;

/// An assignment that does not turn into JSON or back (the store writes only ones that do).
fn damaged(id: &str, e: serde_json::Error) -> StoreError {
    StoreError::Document {
        id: format!("assignment {id}"),
        message: e.to_string(),
    }
}

impl Store {
    /// Replaces the stored assignments with `list` (in its order), in one transaction.
    pub fn replace_assignments(&mut self, list: &[Assignment]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM assignments", [])?;
        {
            let mut put = tx.prepare_cached(
                "INSERT OR REPLACE INTO assignments (id, position, area, household_id, assignment)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (i, a) in list.iter().enumerate() {
                let household = match &a.work {
                    Work::Household { id, .. } => Some(id.to_string()),
                    Work::Area { .. } => None,
                };
                let json = serde_json::to_string(a).map_err(|e| damaged(&a.id, e))?;
                put.execute(params![a.id, i as i64, a.work.area(), household, json])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The stored assignments, in the order received, each with its progress on this device.
    pub fn assignments(&self) -> Result<Vec<(Assignment, Progress)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT assignment FROM assignments ORDER BY position")?;
        let list = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        list.iter()
            .map(|json| {
                let a: Assignment = serde_json::from_str(json).map_err(|e| damaged("?", e))?;
                let p = self.progress_of(&a.work)?;
                Ok((a, p))
            })
            .collect()
    }

    fn progress_of(&self, work: &Work) -> Result<Progress> {
        Ok(match work {
            Work::Area { code, target } => {
                let counts = self.count_by_status(Some(code))?;
                Progress::of_area(
                    counts
                        .into_iter()
                        .filter_map(|(s, n)| Status::parse(&s).ok().map(|s| (s, n))),
                    *target,
                )
            }
            Work::Household { id, .. } => {
                let status: Option<String> = self
                    .conn
                    .prepare_cached("SELECT status FROM households WHERE id = ?1")?
                    .query_row([id.to_string()], |r| r.get(0))
                    .optional()?;
                Progress::of_household(status.and_then(|s| Status::parse(&s).ok()))
            }
        })
    }
}
