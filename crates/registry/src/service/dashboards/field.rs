//! Field operations for the dashboards, counted by the database (`storage/aggregates/`, V25):
//! the review backlog by age, open conflicts, open duplicate cases and flagged households
//! ([`Registry::field_figures`]), each device's last sync, and the paradata the field app records:
//! households per surveyor per day with their interview durations ([`Registry::field_days`]).
//! Counts and ids only, so off the access trail; an area outside the user's is "not found".

use super::may_view;
use crate::error::{RegistryError, Result};
use crate::service::{DeviceInfo, Registry};
use crate::storage::aggregates::{FieldCounts, SurveyorDay, DURATION_BUCKETS};
use crate::storage::{Storage, User};
use shumari_domain::AreaRange;
use std::collections::BTreeMap;

/// The field figures of an area.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldFigures {
    /// The backlog, conflicts and open duplicate cases.
    pub counts: FieldCounts,
    /// Flagged households.
    pub flagged: u64,
    /// The devices of the area's users, with their last sync.
    pub devices: Vec<DeviceInfo>,
}

/// Households per surveyor per day and the interviews' durations of an area.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldDays {
    /// One row per (day, surveyor), by day then surveyor.
    pub days: Vec<SurveyorDay>,
    /// Each surveyor's name, by user id.
    pub names: BTreeMap<String, String>,
    /// Interviews with a recorded duration per 10-minute bucket (the last: 2 hours or more).
    pub durations: [u64; DURATION_BUCKETS as usize + 1],
}

impl<S: Storage> Registry<S> {
    /// The outermost areas a dashboard of `user` reads: `area` when given (an area outside the
    /// user's is "not found"), else the user's own.
    pub(crate) fn dashboard_areas(&self, user: &User, area: Option<&str>) -> Result<Vec<String>> {
        match area {
            Some(a) if self.scope(user).contains(a) => Ok(vec![a.to_string()]),
            Some(_) => Err(RegistryError::NotFound("area".into())),
            None => Ok(crate::scope::outermost(&user.areas)),
        }
    }

    /// The review backlog by age at `now` (ms since epoch), open conflicts, open duplicate cases,
    /// flagged households and each device's last sync, in `area` (`None`: all the user's areas).
    pub async fn field_figures(
        &self,
        user: &User,
        area: Option<&str>,
        now: i64,
    ) -> Result<FieldFigures> {
        may_view(user)?;
        let mut f = FieldFigures::default();
        for a in self.dashboard_areas(user, area)? {
            let c = self.storage.field_counts_under(&a, now).await?;
            f.counts.waiting += c.waiting;
            f.counts.oldest_at = match (f.counts.oldest_at, c.oldest_at) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            for (total, n) in f.counts.by_age.iter_mut().zip(c.by_age) {
                *total += n;
            }
            f.counts.conflicts += c.conflicts;
            f.counts.open_duplicates += c.open_duplicates;
            f.flagged += self.storage.flagged_count(&AreaRange::of(&a)).await?;
        }
        f.devices = self.device_freshness(user, area).await?;
        Ok(f)
    }

    /// Households per surveyor per day from `from_day` (`YYYY-MM-DD`) on, with their interviews'
    /// durations, in `area` (`None`: all the user's areas).
    pub async fn field_days(
        &self,
        user: &User,
        area: Option<&str>,
        from_day: &str,
    ) -> Result<FieldDays> {
        may_view(user)?;
        let mut out = FieldDays::default();
        let mut days: BTreeMap<(String, String), SurveyorDay> = BTreeMap::new();
        for a in self.dashboard_areas(user, area)? {
            for d in self.storage.surveyor_days_under(&a, from_day).await? {
                match days.entry((d.day.clone(), d.surveyor.clone())) {
                    std::collections::btree_map::Entry::Vacant(v) => {
                        v.insert(d);
                    }
                    std::collections::btree_map::Entry::Occupied(mut o) => {
                        let e = o.get_mut();
                        e.households += d.households;
                        e.timed += d.timed;
                        e.duration_secs += d.duration_secs;
                        e.shortest_secs = match (e.shortest_secs, d.shortest_secs) {
                            (Some(x), Some(y)) => Some(x.min(y)),
                            (x, y) => x.or(y),
                        };
                        e.longest_secs = e.longest_secs.max(d.longest_secs);
                    }
                }
            }
            for (bucket, n) in self.storage.duration_buckets_under(&a, from_day).await? {
                out.durations[usize::from(bucket.min(DURATION_BUCKETS))] += n;
            }
        }
        for (_, surveyor) in days.keys() {
            if !out.names.contains_key(surveyor) {
                let name = self
                    .storage
                    .user(surveyor)
                    .await?
                    .map_or_else(|| surveyor.clone(), |u| u.name);
                out.names.insert(surveyor.clone(), name);
            }
        }
        out.days = days.into_values().collect();
        Ok(out)
    }
}
