//! The registry's rows of grievances (migration V17): the grievances themselves
//! ([`GrievanceRow`]), their history ([`EventRow`]) and the per-district sequence their tracking
//! numbers come from.
//!
//! A tracking number is `GRV-<district>-<number>`, the number taken from `grievance_sequences` by
//! one upsert (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`) in the transaction that stores the
//! grievance, so numbers run 1, 2, 3 per district and two registry processes on one PostgreSQL
//! never give the same one (the upsert locks the district's row until the grievance is committed).
//! Every change of a grievance updates its row first, so the row lock orders its history: the
//! event's number is the next after the last, read under that lock. Escalation picks the due rows
//! and marks them in one `UPDATE` that re-checks `escalated_at IS NULL`, so a grievance is escalated
//! once even with two registries running the timer.
//!
//! What the columns mean (categories, statuses, SLAs, who sees what) is `service/grievances.rs`'s;
//! each backend only stores and reads them, with fixed statements and bound parameters.
//! [`GrievanceStore`] is a supertrait of [`super::Storage`], so every backend has it.

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::Result;
use std::future::Future;

/// One grievance as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GrievanceRow {
    /// `GRV-PK603-000123` (empty before it is stored).
    pub tracking: String,
    /// The district it is routed to.
    pub district: String,
    /// That district's province (where it goes when escalated).
    pub province: String,
    /// The household's area, or the area the citizen named.
    pub area: String,
    /// The household it concerns, if the citizen was found.
    pub household_id: Option<String>,
    /// The payment it concerns.
    pub payment_reference: Option<String>,
    /// For `paid_less`: what the citizen says they received, in paisa.
    pub reported_amount: Option<i64>,
    /// Category name.
    pub category: String,
    /// Channel name.
    pub channel: String,
    /// `en` or `ur`: the language the citizen wrote in.
    pub lang: String,
    /// The citizen's words.
    pub citizen_text: String,
    /// The citizen's phone number.
    pub phone: String,
    /// Status name.
    pub status: String,
    /// Who filed it (a user id, or the channel for a citizen).
    pub filed_by: String,
    /// When (ms since epoch).
    pub filed_at: i64,
    /// When its SLA ends (ms since epoch).
    pub due_at: i64,
    /// When it was escalated to the province.
    pub escalated_at: Option<i64>,
    /// When it was resolved.
    pub resolved_at: Option<i64>,
    /// The resolution's text.
    pub resolution: Option<String>,
    /// Last change.
    pub updated_at: i64,
}

/// One step of a grievance's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// 1, 2, 3 ... per grievance.
    pub seq: i64,
    /// `filed`, `note`, `escalated` or `resolved`.
    pub kind: String,
    /// User id (or `registry` for an escalation, the channel for a citizen's filing).
    pub by_user: String,
    /// When (ms since epoch).
    pub at: i64,
    /// The note or resolution ("" otherwise).
    pub text: String,
}

/// A change of a grievance: its status moves from `from` to `to` (a compare-and-set), with an
/// event in its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrievanceChange {
    /// The status it must have.
    pub from: String,
    /// The status it gets.
    pub to: String,
    /// The resolution, when resolved.
    pub resolution: Option<String>,
    /// The event: kind.
    pub kind: String,
    /// Who.
    pub by_user: String,
    /// When (ms since epoch).
    pub at: i64,
    /// Note or resolution text.
    pub text: String,
}

/// Which grievances a list reads: those whose area lies under `area` (the domain's `AreaRange`),
/// after `after` in tracking order, at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GrievanceQuery {
    /// The area.
    pub area: String,
    /// Only this status.
    pub status: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only those due before this time and not resolved or closed.
    pub overdue_at: Option<i64>,
    /// Only escalated ones.
    pub escalated_only: bool,
    /// Tracking number to read after ("" from the start).
    pub after: String,
    /// Rows at most.
    pub limit: usize,
}

/// The tracking number of the `n`th grievance of `district`.
/// One category's grievances under an area, counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrievanceTally {
    /// The category's stored name.
    pub category: String,
    /// Grievances filed.
    pub total: u64,
    /// Not yet resolved.
    pub unresolved: u64,
    /// Past their SLA (resolved late, or unresolved past the due time).
    pub past_sla: u64,
}

pub fn tracking_number(district: &str, n: i64) -> String {
    format!("GRV-{district}-{n:06}")
}

/// The select list both backends read a [`GrievanceRow`] with (a literal for `concat!`).
macro_rules! grievance_columns {
    () => {
        "SELECT tracking, district, province, area, household_id, payment_reference,
                reported_amount, category, channel, lang, citizen_text, phone, status, filed_by,
                filed_at, due_at, escalated_at, resolved_at, resolution, updated_at FROM grievances"
    };
}
pub(super) use grievance_columns;

/// Grievances. Every method is one transaction.
pub trait GrievanceStore {
    /// Stores a new grievance under the next tracking number of its district, with its `filed`
    /// event; returns it with its number.
    fn insert_grievance(
        &self,
        g: &GrievanceRow,
    ) -> impl Future<Output = Result<GrievanceRow>> + Send;
    /// One grievance.
    fn grievance(
        &self,
        tracking: &str,
    ) -> impl Future<Output = Result<Option<GrievanceRow>>> + Send;
    /// Its history, oldest first.
    fn grievance_events(
        &self,
        tracking: &str,
    ) -> impl Future<Output = Result<Vec<EventRow>>> + Send;
    /// A page of grievances ([`GrievanceQuery`]), by tracking number.
    fn grievances_in(
        &self,
        q: &GrievanceQuery,
    ) -> impl Future<Output = Result<Vec<GrievanceRow>>> + Send;
    /// The grievances under `area` counted per category by the database: all, those not yet
    /// resolved, and those past their SLA at `now` (resolved after their due time, or still
    /// unresolved past it).
    fn grievance_tally(
        &self,
        area: &str,
        now: i64,
    ) -> impl Future<Output = Result<Vec<GrievanceTally>>> + Send;
    /// How many grievances under `area` are open, in progress or escalated (only escalated ones
    /// with `escalated_only`).
    fn count_open_grievances(
        &self,
        area: &str,
        escalated_only: bool,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Applies `change` when the grievance's status is `change.from`; `false` when it is not (or
    /// there is no such grievance), and nothing is written.
    fn change_grievance(
        &self,
        tracking: &str,
        change: &GrievanceChange,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Escalates up to `limit` grievances open or in progress whose due time is before `now` and
    /// that were never escalated, each with an `escalated` event by `by`; returns them as
    /// escalated.
    fn escalate_due(
        &self,
        now: i64,
        by: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<GrievanceRow>>> + Send;
    /// The grievances of a household, oldest first.
    fn grievances_of_household(
        &self,
        household_id: &str,
    ) -> impl Future<Output = Result<Vec<GrievanceRow>>> + Send;
    /// The grievances naming any of these payment references.
    fn grievances_for_payments(
        &self,
        references: &[String],
    ) -> impl Future<Output = Result<Vec<GrievanceRow>>> + Send;
}
