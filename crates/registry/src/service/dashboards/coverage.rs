//! Coverage: households enumerated per area against the target, for the area a user looks at and
//! each area one level down (province > district > tehsil > union council).

use super::may_view;
use super::rollup::{level_of, row_of, target_of, COUNTRY};
use crate::error::{RegistryError, Result};
use crate::service::Registry;
use crate::storage::aggregates::StatusCount;
use crate::storage::{Storage, User};
use shumari_domain::assignment::counts_as_done;
use shumari_domain::{AreaLevel, Status};
use std::collections::BTreeMap;

/// One area's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaCoverage {
    /// Area code.
    pub code: String,
    /// Its name in the shipped list (union councils and villages are known by code only).
    pub name: Option<String>,
    /// Its level (`None`: the country).
    pub level: Option<AreaLevel>,
    /// Households in each status.
    pub by_status: BTreeMap<Status, u64>,
    /// Households enumerated: completed by the surveyor or later (`counts_as_done`, the rule an
    /// assignment's progress uses).
    pub enumerated: u64,
    /// Households expected, when a target covers the area.
    pub target: Option<u64>,
    /// Whether the page may drill into it (down to union councils).
    pub drillable: bool,
}

impl AreaCoverage {
    /// Households in any status.
    pub fn households(&self) -> u64 {
        self.by_status.values().sum()
    }

    /// Enumerated as a percentage of the target (`None` without a target).
    pub fn percent(&self) -> Option<f64> {
        self.target
            .filter(|t| *t > 0)
            .map(|t| self.enumerated as f64 * 100.0 / t as f64)
    }
}

/// What the coverage page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageReport {
    /// The area looked at (`None`: the user's areas together).
    pub area: Option<String>,
    /// The areas above it, from the province down, within the user's areas (for the breadcrumbs).
    pub path: Vec<(String, Option<String>)>,
    /// The area's own figures.
    pub total: AreaCoverage,
    /// One row per area one level down (every shipped area, with households or not; union
    /// councils and villages as the households and targets name them).
    pub rows: Vec<AreaCoverage>,
}

impl<S: Storage> Registry<S> {
    /// Coverage of `area` (`None`: the user's areas) and each area one level down. An area outside
    /// the user's areas is "not found".
    pub async fn coverage(&self, user: &User, area: Option<&str>) -> Result<CoverageReport> {
        may_view(user)?;
        let top = crate::scope::outermost(&user.areas);
        let area = match area {
            Some(a) if self.scope(user).contains(a) => Some(a.to_string()),
            Some(_) => return Err(RegistryError::NotFound("area".into())),
            None if top.len() == 1 => top.first().cloned(),
            None => None,
        };
        let (parent, parent_level, reads) = match &area {
            Some(a) => (a.clone(), level_of(a), vec![a.clone()]),
            None => (COUNTRY.to_string(), None, top.clone()),
        };
        let mut counts: Vec<StatusCount> = Vec::new();
        let mut targets = BTreeMap::new();
        for a in &reads {
            counts.extend(self.storage.status_counts_under(a).await?);
            for t in self.storage.targets_under(a).await? {
                targets.insert(t.area, t.households);
            }
        }
        let mut rows: BTreeMap<String, BTreeMap<Status, u64>> = BTreeMap::new();
        let mut total: BTreeMap<Status, u64> = BTreeMap::new();
        // The rows: the user's areas at the top, else every shipped child, then any code the
        // households or targets name.
        if area.is_none() {
            for a in &top {
                rows.entry(a.clone()).or_default();
            }
        } else {
            for child in self.areas.children(Some(&parent)).unwrap_or_default() {
                rows.entry(child.code.clone()).or_default();
            }
        }
        for c in &counts {
            let key = if area.is_none() {
                top.iter()
                    .find(|t| shumari_domain::area::contains(t, &c.area))
                    .cloned()
                    .unwrap_or_else(|| c.area.clone())
            } else {
                row_of(&parent, parent_level, &c.area).to_string()
            };
            *rows.entry(key).or_default().entry(c.status).or_default() += c.households;
            *total.entry(c.status).or_default() += c.households;
        }
        if area.is_some() {
            for t in targets.keys() {
                let key = row_of(&parent, parent_level, t);
                if key != parent {
                    rows.entry(key.to_string()).or_default();
                }
            }
        }
        let figures = |code: &str, by_status: BTreeMap<Status, u64>| {
            let level = level_of(code);
            AreaCoverage {
                code: code.to_string(),
                name: self.areas.get(code).ok().map(|a| a.name.clone()),
                level,
                enumerated: by_status
                    .iter()
                    .filter(|(s, _)| counts_as_done(**s))
                    .map(|(_, n)| n)
                    .sum(),
                by_status,
                target: target_of(code, &targets),
                drillable: level.is_some_and(|l| l < AreaLevel::UnionCouncil),
            }
        };
        let path = match &area {
            Some(a) => self.visible_path(user, a),
            None => Vec::new(),
        };
        let mut total = figures(&parent, total);
        if area.is_none() {
            total.target = top
                .iter()
                .filter_map(|a| target_of(a, &targets))
                .reduce(|x, y| x + y);
        }
        Ok(CoverageReport {
            path,
            total,
            rows: rows
                .into_iter()
                .map(|(k, v)| {
                    let mut row = figures(&k, v);
                    if k == parent {
                        // Households recorded at the area itself: the area's target is the total's.
                        row.target = None;
                        row.drillable = false;
                    }
                    row
                })
                .collect(),
            area,
        })
    }

    /// Coverage of every district holding households or targets in the user's areas (the part
    /// of it within them), for the district map.
    pub async fn district_coverage(&self, user: &User) -> Result<Vec<AreaCoverage>> {
        may_view(user)?;
        let mut rows: BTreeMap<String, BTreeMap<Status, u64>> = BTreeMap::new();
        let mut targets = BTreeMap::new();
        for a in crate::scope::outermost(&user.areas) {
            for c in self.storage.status_counts_under(&a).await? {
                if let Some(d) = super::rollup::ancestor_at(&c.area, AreaLevel::District) {
                    *rows
                        .entry(d.to_string())
                        .or_default()
                        .entry(c.status)
                        .or_default() += c.households;
                }
            }
            for t in self.storage.targets_under(&a).await? {
                if let Some(d) = super::rollup::ancestor_at(&t.area, AreaLevel::District) {
                    rows.entry(d.to_string()).or_default();
                }
                targets.insert(t.area, t.households);
            }
        }
        Ok(rows
            .into_iter()
            .map(|(code, by_status)| AreaCoverage {
                name: self.areas.get(&code).ok().map(|a| a.name.clone()),
                level: Some(AreaLevel::District),
                enumerated: by_status
                    .iter()
                    .filter(|(s, _)| counts_as_done(**s))
                    .map(|(_, n)| n)
                    .sum(),
                by_status,
                target: target_of(&code, &targets),
                drillable: true,
                code,
            })
            .collect())
    }

    /// The areas from the province down to `area` that lie within the user's areas.
    fn visible_path(&self, user: &User, area: &str) -> Vec<(String, Option<String>)> {
        [
            AreaLevel::Province,
            AreaLevel::District,
            AreaLevel::Tehsil,
            AreaLevel::UnionCouncil,
        ]
        .into_iter()
        .filter_map(|l| super::rollup::ancestor_at(area, l))
        .filter(|a| *a != area && self.scope(user).contains(a))
        .map(|a| {
            (
                a.to_string(),
                self.areas.get(a).ok().map(|x| x.name.clone()),
            )
        })
        .collect()
    }
}
