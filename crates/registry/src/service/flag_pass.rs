//! The data-quality pass after a merge, and the reads of its flags (the rules are `flags.rs`).
//!
//! [`Registry::flag_households`] runs in the queue beside scoring (`queue.rs`) for the households a
//! push stored: it reads each document once, stores its facts row and its own flags, and then
//! recomputes only the groups those households belong to, before and after the change:
//!
//! - the (surveyor, day) and (surveyor, asset fingerprint) groups: one read of the group through
//!   its index in `quality_facts`, bounded by what one surveyor does (tens a day);
//! - the tehsils: the tehsil's GPS points, one index range, and the median statistic of
//!   `flags::far_from_median`. This is per tehsil *per pass*, not per household: a push of 500
//!   households of one tehsil reads its points once. A tehsil holds a few thousand households (the
//!   largest under 100,000), a read of two numbers each, so recomputing it beats maintaining a
//!   running median that every push would have to lock; the cost is bounded by the tehsil, never
//!   the registry.
//!
//! Flags are replaced per (household, kind), so a household that no longer trips a flag loses it,
//! and a flag still standing keeps the time it was first raised.

use super::access_audit::AccessAction;
use super::flags::{self, FlagKind};
use super::Registry;
use crate::error::{RegistryError, Result};
use crate::storage::quality::{FactRow, FlagRow};
use crate::storage::{Storage, User};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use shumari_domain::roles::{allows, Action};
use shumari_domain::{AreaLevel, AreaRange, Household, HouseholdDoc, Paradata};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// One flag on one household, with its reason in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Flag {
    /// Household.
    pub household: Uuid,
    /// Its area.
    pub area: String,
    /// What the flag says.
    pub kind: FlagKind,
    /// Short title, English.
    pub title_en: String,
    /// Short title, Urdu.
    pub title_ur: String,
    /// The reason in plain words, English.
    pub reason_en: String,
    /// The reason in plain words, Urdu.
    pub reason_ur: String,
    /// The numbers the reason is worded from.
    pub detail: Value,
    /// When it was first raised.
    pub flagged_at: DateTime<Utc>,
}

impl Flag {
    fn from_row(r: FlagRow) -> Option<Flag> {
        let kind = FlagKind::parse(&r.kind)?;
        let detail: Value = serde_json::from_str(&r.detail).unwrap_or(Value::Null);
        let (reason_en, reason_ur) = flags::reason(kind, &detail);
        let (title_en, title_ur) = kind.title();
        Some(Flag {
            household: r.household_id,
            area: r.area,
            kind,
            title_en: title_en.into(),
            title_ur: title_ur.into(),
            reason_en,
            reason_ur,
            detail,
            flagged_at: DateTime::from_timestamp_millis(r.flagged_at).unwrap_or_default(),
        })
    }
}

/// What one document gives the pass.
struct Read {
    fact: FactRow,
    own: Vec<(FlagKind, Value)>,
}

fn flag_row(id: Uuid, area: &str, kind: FlagKind, detail: &Value, now: i64) -> FlagRow {
    FlagRow {
        household_id: id,
        kind: kind.as_str().into(),
        area: area.into(),
        detail: detail.to_string(),
        flagged_at: now,
    }
}

/// The household and its paradata from stored document bytes.
fn read_doc(bytes: &[u8]) -> std::result::Result<(Household, Paradata), String> {
    let am = automerge::AutoCommit::load(bytes).map_err(|e| e.to_string())?;
    let hd = HouseholdDoc::from_automerge(am).map_err(|e| e.to_string())?;
    Ok((
        hd.household().map_err(|e| e.to_string())?,
        hd.paradata().map_err(|e| e.to_string())?,
    ))
}

fn kinds(k: &[FlagKind]) -> Vec<String> {
    k.iter().map(|k| k.as_str().to_string()).collect()
}

impl<S: Storage> Registry<S> {
    /// The tehsil an area lies in (the area itself when it is not under a tehsil).
    fn tehsil_of(&self, area: &str) -> String {
        self.areas
            .path(area)
            .ok()
            .and_then(|p| p.into_iter().find(|a| a.level == AreaLevel::Tehsil))
            .map_or_else(|| area.to_string(), |a| a.code.clone())
    }

    /// Flags the households `ids` and the groups they are in (see the module docs); returns how
    /// many households were read.
    pub(super) async fn flag_households(&self, ids: &[Uuid]) -> Result<usize> {
        if ids.is_empty() {
            return Ok(0);
        }
        let s = self.config.quality.clone();
        let now = super::now_ms();
        let mut reads = Vec::new();
        for stored in self.storage.load_docs(ids).await?.into_iter().flatten() {
            let (h, p) = match read_doc(&stored.doc) {
                Ok(v) => v,
                Err(e) => {
                    tracing::warn!(household = %stored.id, error = %e, "could not read a household for its flags");
                    continue;
                }
            };
            reads.push(Read {
                fact: FactRow {
                    household_id: h.id,
                    area: h.area.clone(),
                    tehsil: self.tehsil_of(&h.area),
                    surveyor: h.created_by.clone(),
                    day: flags::interview_day(&h, &p),
                    asset_print: flags::asset_print(&h, &s.asset_questions),
                    lat: h.gps.map(|g| g.lat),
                    lon: h.gps.map(|g| g.lon),
                    duration_secs: p.duration_secs(),
                },
                own: flags::own_flags(&h, &p, &s),
            });
        }
        let read_ids: Vec<Uuid> = reads.iter().map(|r| r.fact.household_id).collect();
        let before = self.storage.facts_of(&read_ids).await?;
        let (mut days, mut prints, mut tehsils) =
            (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for f in before.iter().chain(reads.iter().map(|r| &r.fact)) {
            days.insert((f.surveyor.clone(), f.day.clone()));
            if let Some(p) = &f.asset_print {
                prints.insert((f.surveyor.clone(), p.clone()));
            }
            tehsils.insert(f.tehsil.clone());
        }
        let own_rows: Vec<FlagRow> = reads
            .iter()
            .flat_map(|r| {
                r.own
                    .iter()
                    .map(|(k, d)| flag_row(r.fact.household_id, &r.fact.area, *k, d, now))
            })
            .collect();
        let facts: Vec<FactRow> = reads.into_iter().map(|r| r.fact).collect();
        self.storage.put_facts(facts).await?;
        self.storage
            .replace_flags(read_ids.clone(), kinds(&FlagKind::OWN), own_rows)
            .await?;

        for (surveyor, day) in days {
            let members = self.storage.households_on_day(&surveyor, &day).await?;
            let trips = flags::too_many_per_day(members.len(), &s);
            let detail = json!({"surveyor": surveyor, "day": day, "count": members.len(),
                                "max": s.max_households_per_day});
            self.replace_group(
                &members,
                FlagKind::ManyPerDay,
                trips.then_some(&detail),
                now,
            )
            .await?;
        }
        for (surveyor, print) in prints {
            let members = self
                .storage
                .households_with_assets(&surveyor, &print)
                .await?;
            let trips = flags::too_many_identical(members.len(), &s);
            let detail = json!({"surveyor": surveyor, "count": members.len()});
            self.replace_group(
                &members,
                FlagKind::IdenticalAssets,
                trips.then_some(&detail),
                now,
            )
            .await?;
        }
        for tehsil in tehsils {
            let points = self.storage.tehsil_points(&tehsil).await?;
            let coords: Vec<(f64, f64)> = points.iter().map(|p| (p.2, p.3)).collect();
            let (far, median_km) = flags::far_from_median(&coords, &s);
            let rows: Vec<FlagRow> = far
                .iter()
                .map(|(i, km)| {
                    let (id, area, _, _) = &points[*i];
                    let d = json!({"tehsil": tehsil, "km": (km * 10.0).round() / 10.0,
                                   "median_km": (median_km * 10.0).round() / 10.0});
                    flag_row(*id, area, FlagKind::GpsFar, &d, now)
                })
                .collect();
            // Households of the pass without a point lose the flag too.
            let mut all: BTreeSet<Uuid> = points.iter().map(|p| p.0).collect();
            all.extend(read_ids.iter().copied());
            self.storage
                .replace_flags(all.into_iter().collect(), kinds(&[FlagKind::GpsFar]), rows)
                .await?;
        }
        Ok(read_ids.len())
    }

    /// Flags every household that has no facts row yet, page by page (a page none of which could be
    /// read stops it).
    pub(super) async fn flag_unflagged(&self) -> Result<()> {
        loop {
            let ids = self.storage.unflagged(500).await?;
            if ids.is_empty() || self.flag_households(&ids).await? == 0 {
                return Ok(());
            }
        }
    }

    /// Sets (with `detail`) or clears flag `kind` on every household of a group.
    async fn replace_group(
        &self,
        members: &[(Uuid, String)],
        kind: FlagKind,
        detail: Option<&Value>,
        now: i64,
    ) -> Result<()> {
        let rows = detail.map_or_else(Vec::new, |d| {
            members
                .iter()
                .map(|(id, area)| flag_row(*id, area, kind, d, now))
                .collect()
        });
        self.storage
            .replace_flags(members.iter().map(|m| m.0).collect(), kinds(&[kind]), rows)
            .await?;
        Ok(())
    }

    /// The flags `user` may read, within `area` (and what is under it) when given, of `kind` when
    /// given, by area and household; at most `limit` households. Recorded on the access trail.
    pub async fn flags_list(
        &self,
        user: &User,
        area: Option<&str>,
        kind: Option<FlagKind>,
        limit: usize,
    ) -> Result<Vec<Flag>> {
        may_read(user)?;
        self.settle_flags().await?;
        let limit = limit.clamp(1, 10_000);
        let mut out: Vec<Flag> = Vec::new();
        let mut households = 0usize;
        for a in super::browse::areas_for(user, area) {
            let range = AreaRange::of(&a);
            let mut after: Option<(String, Uuid)> = None;
            loop {
                let mut page = self
                    .storage
                    .flags_in(&range, kind.map(FlagKind::as_str), after.clone(), 500)
                    .await?;
                let full = page.len() == 500;
                // Whole households only: a full page may end inside one, which the next page reads
                // again from its start (a household has at most seven flags).
                if full {
                    if let Some(last) = page.last().map(|r| r.household_id) {
                        page.retain(|r| r.household_id != last);
                    }
                }
                after = page.last().map(|r| (r.area.clone(), r.household_id));
                for r in page {
                    if out.last().is_none_or(|f| f.household != r.household_id) {
                        households += 1;
                        if households > limit {
                            break;
                        }
                    }
                    out.extend(Flag::from_row(r));
                }
                if !full || households > limit || after.is_none() {
                    break;
                }
            }
            if households > limit {
                break;
            }
        }
        self.record_access(
            AccessAction::HouseholdList,
            &user.id,
            None,
            Some(format!("by=flags rows={}", out.len())),
        )
        .await?;
        Ok(out)
    }

    /// The flags on household `id`, which `user` may read (the caller has checked the household
    /// is in their scope).
    pub async fn household_flags(&self, id: Uuid) -> Result<Vec<Flag>> {
        self.settle_flags().await?;
        Ok(self
            .storage
            .flags_of(&[id])
            .await?
            .into_iter()
            .filter_map(Flag::from_row)
            .collect())
    }

    /// How many households in `user`'s areas carry a flag (the console's "Flagged" queue).
    pub async fn flagged_count(&self, user: &User) -> Result<u64> {
        may_read(user)?;
        self.settle_flags().await?;
        let mut n = 0;
        for a in super::browse::areas_for(user, None) {
            n += self.storage.flagged_count(&AreaRange::of(&a)).await?;
        }
        Ok(n)
    }

    /// The list rows of the flagged households `user` may read (the console's flag filter), within
    /// `area`, with a flag of `kind` when given; at most `limit`, by area and household.
    pub async fn flagged_households(
        &self,
        user: &User,
        area: Option<&str>,
        kind: Option<FlagKind>,
        limit: usize,
    ) -> Result<Vec<crate::storage::HouseholdSummary>> {
        let flags = self.flags_list(user, area, kind, limit).await?;
        let mut ids: Vec<Uuid> = flags.iter().map(|f| f.household).collect();
        ids.dedup();
        let mut rows = self.storage.summaries_of(&ids).await?;
        rows.sort_by(|a, b| (&a.area, a.id).cmp(&(&b.area, b.id)));
        Ok(rows)
    }

    /// The households among `ids` that carry a flag, with their kinds (list markers).
    pub async fn flag_kinds_of(&self, ids: &[Uuid]) -> Result<BTreeMap<Uuid, Vec<FlagKind>>> {
        let mut out: BTreeMap<Uuid, Vec<FlagKind>> = BTreeMap::new();
        for r in self.storage.flags_of(ids).await? {
            if let Some(k) = FlagKind::parse(&r.kind) {
                out.entry(r.household_id).or_default().push(k);
            }
        }
        Ok(out)
    }
}

fn may_read(user: &User) -> Result<()> {
    if allows(user.role, Action::ReadHouseholds) {
        Ok(())
    } else {
        Err(RegistryError::Forbidden(format!(
            "a {} reads no household data",
            user.role.title()
        )))
    }
}
