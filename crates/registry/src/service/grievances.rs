//! Grievances: a citizen's complaint (not paid, paid less, wrong data, excluded wrongly, an agent's
//! misconduct) with a tracking number, routed to the district office of the household's area,
//! worked on there (notes, resolution) and escalated to the province when its SLA passes.
//!
//! - **Filing.** An officer or a community organisation files at the console or the command line
//!   ([`Registry::file_grievance`], `FileGrievance`, for a household or area in their areas; channel
//!   `console` or `community`). The citizen portal and the SMS webhook file through
//!   [`Registry::file_citizen_grievance`]: their callers are not users, they have already checked
//!   who the citizen is (a CNIC and a second factor, or the household's registered phone), and
//!   this service trusts them for that; the channel must be `portal` or `sms`. Either way the
//!   grievance is routed to the district of the household's area (or of the area given when the
//!   citizen was not found), takes the next tracking number of that district
//!   (`GRV-PK603-000123`, allocated by the database, `storage::grievances`), gets the due time of
//!   its category's SLA ([`GrievanceSettings`]) and remembers the language the citizen wrote in.
//! - **Who sees what.** A grievance is in a user's queue when its area is in one of the user's
//!   areas; a provincial monitor's queue holds only the escalated ones (the province deals with
//!   breaches, the districts with the rest). One outside is "not found", as for households. Notes
//!   and resolutions need `HandleGrievances`.
//! - **Escalation.** [`Registry::escalate_overdue`] escalates every grievance still open or in
//!   progress whose due time has passed, once, with an `escalated` event by `registry`; `registry
//!   serve` runs it on a timer and `registry grievance escalate` by hand. Time is always a
//!   parameter (`now`, ms since the epoch), so tests move it.
//! - **Citizens' reads.** [`Registry::grievances_of_household`] gives the citizen-visible fields only
//!   (no phone, notes or officers); [`Registry::payment_shortfalls`] the payments citizens said
//!   were short or missing, for the reconciliation report.
//! - **SMS.** Filing, the first note, escalation and resolution send the citizen a notice in the
//!   language they wrote in, through the registry's gateway when one is set
//!   ([`Registry::set_sms_gateway`]); a failed send is logged without the number and never undoes
//!   the change.
//!
//! Every write, and every officer's read, is on the access trail (`grievance.*`) with the tracking
//! number and counts, never the citizen's text or phone.

use super::access_audit::{AccessAction, ANONYMOUS};
use super::grievance_records::{bad_row, time, to_event, to_grievance};
pub use super::grievance_records::{
    CitizenFiling, CitizenGrievance, Grievance, GrievanceDetail, GrievanceEvent, GrievanceFilter,
    GrievancePage, NewGrievance,
};
pub use super::grievance_types::{Category, Channel, GrievanceSettings, GrievanceStatus, Words};
use super::Registry;
use crate::error::{RegistryError, Result};
use crate::scope::outermost;
use crate::storage::grievances::{GrievanceChange, GrievanceQuery, GrievanceRow};
use crate::storage::{Storage, User};
use shumari_domain::money::Paisa;
use shumari_domain::roles::{allows, Action, Role};
use shumari_domain::AreaLevel;
use shumari_sms::{Lang, Notice};
use uuid::Uuid;

/// One category's grievances in a user's areas, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryTally {
    /// The category.
    pub category: Category,
    /// Grievances filed.
    pub total: u64,
    /// Not yet resolved.
    pub unresolved: u64,
    /// Past their SLA (resolved late, or unresolved past the due time).
    pub past_sla: u64,
}

/// Most grievances one page lists.
pub const MAX_PAGE: usize = 200;
/// The author of escalations.
pub const ESCALATED_BY: &str = "registry";
/// Longest citizen text kept (characters).
const MAX_TEXT: usize = 2000;

fn clean(text: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(RegistryError::BadRequest(
            "a grievance needs the citizen's words".into(),
        ));
    }
    Ok(t.chars().take(MAX_TEXT).collect())
}

/// A phone number as stored: digits with an optional leading `+`, 7 to 15 digits.
fn phone(p: &str) -> Result<String> {
    let p: String = p.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = p.strip_prefix('+').unwrap_or(&p);
    if (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(p)
    } else {
        Err(RegistryError::BadRequest(
            "the phone number is not a phone number (digits, optionally starting with +)".into(),
        ))
    }
}

impl<S: Storage> Registry<S> {
    /// The district and province `area` lies in; an area under no known district is refused.
    fn route(&self, area: &str) -> Result<(String, String)> {
        let base = area.split('-').next().unwrap_or(area);
        let path = self
            .areas
            .path(base)
            .ok()
            .filter(|_| self.areas.recognises(area));
        let find = |level| {
            path.as_ref()
                .and_then(|p| p.iter().find(|a| a.level == level).map(|a| a.code.clone()))
        };
        match (find(AreaLevel::District), find(AreaLevel::Province)) {
            (Some(d), Some(p)) => Ok((d, p)),
            _ => Err(RegistryError::BadRequest(format!(
                "`{area}` is not an area within a district"
            ))),
        }
    }

    /// Whether `user` sees `g`: its area is in the user's areas, and for a provincial monitor it
    /// was escalated.
    fn sees(&self, user: &User, g: &GrievanceRow) -> bool {
        self.scope(user).contains(&g.area)
            && (user.role != Role::Province || g.escalated_at.is_some())
    }

    #[allow(clippy::too_many_arguments)]
    async fn store_grievance(
        &self,
        household: Option<Uuid>,
        area: String,
        category: Category,
        channel: Channel,
        text: &str,
        phone_number: &str,
        payment_reference: Option<String>,
        reported_amount: Option<Paisa>,
        filed_by: &str,
        now: i64,
    ) -> Result<GrievanceRow> {
        let text = clean(text)?;
        let phone_number = phone(phone_number)?;
        if reported_amount.is_some() && category != Category::PaidLess {
            return Err(RegistryError::BadRequest(
                "an amount received goes with the category paid_less only".into(),
            ));
        }
        let (district, province) = self.route(&area)?;
        let lang = Lang::of_text(&text);
        let row = GrievanceRow {
            tracking: String::new(),
            district,
            province,
            area,
            household_id: household.map(|h| h.to_string()),
            payment_reference: payment_reference
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
            reported_amount: reported_amount.map(|p| p.0),
            category: category.as_str().into(),
            channel: channel.as_str().into(),
            lang: lang.code().into(),
            citizen_text: text,
            phone: phone_number,
            status: GrievanceStatus::Open.as_str().into(),
            filed_by: filed_by.into(),
            filed_at: now,
            due_at: self.config.grievances.due_at(category, now),
            updated_at: now,
            ..GrievanceRow::default()
        };
        let stored = self.storage.insert_grievance(&row).await?;
        self.tell(
            &stored,
            Notice::GrievanceFiled {
                tracking: stored.tracking.clone(),
            },
        )
        .await;
        Ok(stored)
    }

    /// `user` files a grievance on a citizen's behalf (`FileGrievance`; channel `console` or
    /// `community`; the household or area in the user's areas). Returns it as stored.
    pub async fn file_grievance(
        &self,
        user: &User,
        new: NewGrievance,
        now: i64,
    ) -> Result<Grievance> {
        let outcome = self.file_for(user, new, now).await;
        let detail = match &outcome {
            Ok(g) => format!("category={} channel={}", g.category, g.channel),
            Err(e) => format!("outcome={}", e.code()),
        };
        let subject = outcome.as_ref().ok().map(|g| g.tracking.clone());
        self.record_access(
            AccessAction::GrievanceFile,
            &user.id,
            subject.as_deref(),
            Some(detail),
        )
        .await?;
        to_grievance(outcome?, now)
    }

    async fn file_for(&self, user: &User, new: NewGrievance, now: i64) -> Result<GrievanceRow> {
        if !allows(user.role, Action::FileGrievance) {
            return Err(RegistryError::Forbidden(format!(
                "a {} does not file grievances",
                user.role.title()
            )));
        }
        let category = Category::parse(new.category.trim())?;
        let channel = Channel::parse(new.channel.trim())?;
        if !matches!(channel, Channel::Console | Channel::Community) {
            return Err(RegistryError::BadRequest(
                "an officer files through the console or a community organisation".into(),
            ));
        }
        let (household, area) = match new.household.as_deref().map(str::trim) {
            Some(h) if !h.is_empty() => {
                let not_found = || RegistryError::NotFound(format!("no household `{h}`"));
                let id = self.storage.resolve(h).await?.ok_or_else(not_found)?;
                let row = self
                    .storage
                    .summaries_of(&[id])
                    .await?
                    .into_iter()
                    .next()
                    .ok_or_else(not_found)?;
                if !self.scope(user).contains(&row.area) {
                    return Err(not_found());
                }
                (Some(id), row.area)
            }
            _ => {
                let area = new.area.as_deref().unwrap_or("").trim().to_string();
                if !self.scope(user).contains(&area) {
                    return Err(RegistryError::Forbidden(format!(
                        "`{area}` is not in your areas"
                    )));
                }
                (None, area)
            }
        };
        self.store_grievance(
            household,
            area,
            category,
            channel,
            &new.text,
            &new.phone,
            new.payment_reference,
            new.reported_amount,
            &user.id,
            now,
        )
        .await
    }

    /// Files a grievance for a citizen through the portal or SMS; returns its tracking number.
    ///
    /// The callers are not registry users: they have already established who the citizen is
    /// (the portal by CNIC and a second factor, the SMS webhook by the household's registered
    /// phone), and pass the household only then. The grievance is routed to the district of the
    /// household's area, else of `area`. Recorded on the access trail as the anonymous citizen.
    pub async fn file_citizen_grievance(&self, filing: CitizenFiling, now: i64) -> Result<String> {
        let outcome = self.file_as_citizen(filing, now).await;
        let detail = match &outcome {
            Ok(g) => format!("category={} channel={}", g.category, g.channel),
            Err(e) => format!("outcome={}", e.code()),
        };
        let subject = outcome.as_ref().ok().map(|g| g.tracking.clone());
        self.record_access(
            AccessAction::GrievanceFile,
            ANONYMOUS,
            subject.as_deref(),
            Some(detail),
        )
        .await?;
        Ok(outcome?.tracking)
    }

    async fn file_as_citizen(&self, f: CitizenFiling, now: i64) -> Result<GrievanceRow> {
        if !matches!(f.channel, Channel::Portal | Channel::Sms) {
            return Err(RegistryError::BadRequest(
                "a citizen files through the portal or SMS".into(),
            ));
        }
        let area = match f.household {
            Some(id) => self
                .storage
                .summaries_of(&[id])
                .await?
                .into_iter()
                .next()
                .map(|s| s.area)
                .ok_or_else(|| RegistryError::NotFound("no such household".into()))?,
            None => f.area.trim().to_string(),
        };
        self.store_grievance(
            f.household,
            area,
            f.category,
            f.channel,
            &f.text,
            &f.phone,
            f.payment_reference,
            f.reported_amount,
            f.channel.as_str(),
            now,
        )
        .await
    }

    fn may_read_grievances(user: &User) -> Result<()> {
        if allows(user.role, Action::HandleGrievances) || allows(user.role, Action::FileGrievance) {
            Ok(())
        } else {
            Err(RegistryError::Forbidden(format!(
                "a {} does not work on grievances",
                user.role.title()
            )))
        }
    }

    /// A page of the grievances in `user`'s areas (a provincial monitor: the escalated ones),
    /// by tracking number, filtered.
    pub async fn grievance_list(
        &self,
        user: &User,
        filter: &GrievanceFilter,
        now: i64,
    ) -> Result<GrievancePage> {
        let outcome = self.list_for(user, filter, now).await;
        let detail = match &outcome {
            Ok(p) => format!("count={}", p.grievances.len()),
            Err(e) => format!("outcome={}", e.code()),
        };
        self.record_access(AccessAction::GrievanceList, &user.id, None, Some(detail))
            .await?;
        outcome
    }

    async fn list_for(
        &self,
        user: &User,
        filter: &GrievanceFilter,
        now: i64,
    ) -> Result<GrievancePage> {
        Self::may_read_grievances(user)?;
        let limit = if filter.limit == 0 {
            MAX_PAGE
        } else {
            filter.limit.min(MAX_PAGE)
        };
        let mut rows = Vec::new();
        for area in outermost(&user.areas) {
            let q = GrievanceQuery {
                area,
                status: filter.status.map(|s| s.as_str().to_string()),
                category: filter.category.map(|c| c.as_str().to_string()),
                overdue_at: filter.overdue.then_some(now),
                escalated_only: user.role == Role::Province,
                after: filter.after.clone().unwrap_or_default(),
                limit: limit + 1,
            };
            rows.extend(self.storage.grievances_in(&q).await?);
        }
        rows.retain(|g| self.sees(user, g));
        rows.sort_by(|a, b| a.tracking.cmp(&b.tracking));
        let next = (rows.len() > limit).then(|| rows[limit - 1].tracking.clone());
        rows.truncate(limit);
        Ok(GrievancePage {
            grievances: rows
                .into_iter()
                .map(|r| to_grievance(r, now))
                .collect::<Result<_>>()?,
            next,
        })
    }

    /// The grievances in `user`'s areas (only `area` when given; an area outside them is "not
    /// found") counted per category (all of them, escalated or not: the dashboards' monitors
    /// watch the breaches their districts let pass), with how many are unresolved and how many
    /// passed their SLA by `now`. Counts only, so not on the access trail; for a user who works on
    /// grievances or reads households.
    pub async fn grievance_tally(
        &self,
        user: &User,
        area: Option<&str>,
        now: i64,
    ) -> Result<Vec<CategoryTally>> {
        if !allows(user.role, Action::ReadHouseholds) {
            Self::may_read_grievances(user)?;
        }
        let areas = self.dashboard_areas(user, area)?;
        // Keyed by the category's place in `Category::ALL`, so the rows come in that order.
        let mut by: std::collections::BTreeMap<usize, CategoryTally> = Default::default();
        for area in &areas {
            for t in self.storage.grievance_tally(area, now).await? {
                let category = Category::parse(&t.category).map_err(|_| bad_row(&t.category))?;
                let place = Category::ALL.iter().position(|c| *c == category);
                let e = by
                    .entry(place.unwrap_or(usize::MAX))
                    .or_insert(CategoryTally {
                        category,
                        total: 0,
                        unresolved: 0,
                        past_sla: 0,
                    });
                e.total += t.total;
                e.unresolved += t.unresolved;
                e.past_sla += t.past_sla;
            }
        }
        Ok(by.into_values().collect())
    }

    /// How many grievances in `user`'s queue still need action (0 for a role without a queue).
    pub async fn open_grievance_count(&self, user: &User) -> Result<u64> {
        if Self::may_read_grievances(user).is_err() {
            return Ok(0);
        }
        let mut n = 0;
        for area in outermost(&user.areas) {
            n += self
                .storage
                .count_open_grievances(&area, user.role == Role::Province)
                .await?;
        }
        Ok(n)
    }

    async fn visible(&self, user: &User, tracking: &str) -> Result<GrievanceRow> {
        Self::may_read_grievances(user)?;
        let tracking = tracking.trim();
        self.storage
            .grievance(tracking)
            .await?
            .filter(|g| self.sees(user, g))
            .ok_or_else(|| RegistryError::NotFound(format!("no grievance `{tracking}`")))
    }

    async fn detail(&self, g: GrievanceRow, now: i64) -> Result<GrievanceDetail> {
        let history = self.storage.grievance_events(&g.tracking).await?;
        Ok(GrievanceDetail {
            grievance: to_grievance(g, now)?,
            history: history.into_iter().map(to_event).collect(),
        })
    }

    /// One grievance with its history, for a user who sees it.
    pub async fn grievance_show(
        &self,
        user: &User,
        tracking: &str,
        now: i64,
    ) -> Result<GrievanceDetail> {
        let outcome = self.visible(user, tracking).await;
        let detail = outcome
            .as_ref()
            .err()
            .map(|e| format!("outcome={}", e.code()));
        self.record_access(
            AccessAction::GrievanceShow,
            &user.id,
            Some(tracking.trim()),
            detail,
        )
        .await?;
        self.detail(outcome?, now).await
    }

    /// `user` adds a note (`HandleGrievances`); an open grievance moves to in progress and the
    /// citizen is told.
    pub async fn grievance_note(
        &self,
        user: &User,
        tracking: &str,
        note: &str,
        now: i64,
    ) -> Result<GrievanceDetail> {
        let outcome = self.act(user, tracking, note, false, now).await;
        self.audited(AccessAction::GrievanceNote, user, tracking, outcome)
            .await
    }

    /// `user` resolves a grievance with `resolution`, which the citizen reads
    /// (`HandleGrievances`); the citizen is told.
    pub async fn grievance_resolve(
        &self,
        user: &User,
        tracking: &str,
        resolution: &str,
        now: i64,
    ) -> Result<GrievanceDetail> {
        let outcome = self.act(user, tracking, resolution, true, now).await;
        self.audited(AccessAction::GrievanceResolve, user, tracking, outcome)
            .await
    }

    async fn audited(
        &self,
        action: AccessAction,
        user: &User,
        tracking: &str,
        outcome: Result<GrievanceDetail>,
    ) -> Result<GrievanceDetail> {
        let detail = match &outcome {
            Ok(d) => format!("status={}", d.grievance.status.as_str()),
            Err(e) => format!("outcome={}", e.code()),
        };
        self.record_access(action, &user.id, Some(tracking.trim()), Some(detail))
            .await?;
        outcome
    }

    async fn act(
        &self,
        user: &User,
        tracking: &str,
        text: &str,
        resolve: bool,
        now: i64,
    ) -> Result<GrievanceDetail> {
        let g = self.visible(user, tracking).await?;
        if !allows(user.role, Action::HandleGrievances) {
            return Err(RegistryError::Forbidden(format!(
                "a {} does not handle grievances",
                user.role.title()
            )));
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(RegistryError::BadRequest(
                if resolve {
                    "a resolution needs its text: the citizen reads it"
                } else {
                    "the note is empty"
                }
                .into(),
            ));
        }
        let from = GrievanceStatus::parse(&g.status).map_err(|_| bad_row("status"))?;
        if !from.is_open() {
            return Err(RegistryError::Transition(format!(
                "grievance {} is {}: nothing more is done on it",
                g.tracking,
                from.as_str()
            )));
        }
        let to = match (resolve, from) {
            (true, _) => GrievanceStatus::Resolved,
            (false, GrievanceStatus::Open) => GrievanceStatus::InProgress,
            (false, s) => s,
        };
        let change = GrievanceChange {
            from: from.as_str().into(),
            to: to.as_str().into(),
            resolution: resolve.then(|| text.to_string()),
            kind: if resolve { "resolved" } else { "note" }.into(),
            by_user: user.id.clone(),
            at: now,
            text: text.chars().take(MAX_TEXT).collect(),
        };
        if !self.storage.change_grievance(&g.tracking, &change).await? {
            return Err(RegistryError::Transition(format!(
                "grievance {} changed meanwhile: reload it",
                g.tracking
            )));
        }
        let tracking = g.tracking.clone();
        if resolve {
            self.tell(&g, Notice::GrievanceResolved { tracking }).await;
        } else if from != to {
            self.tell(&g, Notice::GrievanceUpdated { tracking }).await;
        }
        let g = self
            .storage
            .grievance(&g.tracking)
            .await?
            .ok_or_else(|| bad_row("gone"))?;
        self.detail(g, now).await
    }

    /// Escalates every grievance open or in progress past its due time to its province, once each,
    /// telling each citizen; returns their tracking numbers.
    pub async fn escalate_overdue(&self, now: i64) -> Result<Vec<String>> {
        const BATCH: usize = 100;
        let mut done = Vec::new();
        loop {
            let rows = self.storage.escalate_due(now, ESCALATED_BY, BATCH).await?;
            for g in &rows {
                self.record_access(
                    AccessAction::GrievanceEscalate,
                    ESCALATED_BY,
                    Some(&g.tracking),
                    Some(format!("province={}", g.province)),
                )
                .await?;
                let tracking = g.tracking.clone();
                self.tell(g, Notice::GrievanceEscalated { tracking }).await;
                done.push(g.tracking.clone());
            }
            if rows.len() < BATCH {
                return Ok(done);
            }
        }
    }

    /// A household's grievances as its citizen may see them (for the status portal; the portal
    /// records its own look-up).
    pub async fn grievances_of_household(&self, id: Uuid) -> Result<Vec<CitizenGrievance>> {
        self.storage
            .grievances_of_household(&id.to_string())
            .await?
            .into_iter()
            .map(|r| {
                let status = GrievanceStatus::parse(&r.status).map_err(|_| bad_row("status"))?;
                Ok(CitizenGrievance {
                    category: Category::parse(&r.category).map_err(|_| bad_row("category"))?,
                    filed_at: time(r.filed_at),
                    due_at: time(r.due_at),
                    status,
                    status_words: Words::of(status),
                    resolution: r.resolution,
                    tracking: r.tracking,
                })
            })
            .collect()
    }

    /// For the reconciliation report: each grievance naming one of `payment_references` as paid
    /// less (with the amount the citizen says they received) or not paid (Rs 0), as
    /// (payment reference, tracking number, reported amount), whatever its status.
    pub async fn payment_shortfalls(
        &self,
        payment_references: &[String],
    ) -> Result<Vec<(String, String, Paisa)>> {
        let rows = self
            .storage
            .grievances_for_payments(payment_references)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let amount = match Category::parse(&r.category).ok()? {
                    Category::PaidLess => Paisa(r.reported_amount.unwrap_or(0)),
                    Category::NotPaid => Paisa::ZERO,
                    _ => return None,
                };
                Some((r.payment_reference?, r.tracking, amount))
            })
            .collect())
    }

    /// Sends `notice` about `g` to its citizen in the language they wrote in; a failure is logged
    /// (without the number) and the change stands.
    async fn tell(&self, g: &GrievanceRow, notice: Notice) {
        if let Err(e) = self.notify(&g.phone, Lang::parse(&g.lang), &notice).await {
            tracing::warn!(error = %e, tracking = %g.tracking, "a grievance SMS was not sent");
        }
    }
}
