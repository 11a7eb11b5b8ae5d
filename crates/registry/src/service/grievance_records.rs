//! What the grievances service takes and gives: the filings, a grievance as an officer and as a
//! citizen sees it, its history, the queue's filter and pages, and the stored row read back into
//! them (a row the registry wrote in another shape is a damaged row, an internal error).

use super::grievance_types::{Category, Channel, GrievanceStatus, Words};
use crate::error::{RegistryError, Result};
use crate::storage::grievances::{EventRow, GrievanceRow};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shumari_domain::money::Paisa;
use shumari_sms::Lang;
use uuid::Uuid;

/// A grievance an officer or community organisation files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewGrievance {
    /// The household (id or reference), if known.
    pub household: Option<String>,
    /// The area, when no household is given.
    pub area: Option<String>,
    /// Category name.
    pub category: String,
    /// `console` or `community`.
    pub channel: String,
    /// The citizen's words.
    pub text: String,
    /// The citizen's phone.
    pub phone: String,
    /// The payment it concerns.
    pub payment_reference: Option<String>,
    /// For `paid_less`: what the citizen received.
    pub reported_amount: Option<Paisa>,
}

/// A grievance the citizen portal or the SMS webhook files for a citizen it has identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenFiling {
    /// The household, when the citizen was found.
    pub household: Option<Uuid>,
    /// The area (used when no household is given; a household's own area wins).
    pub area: String,
    /// What it is about.
    pub category: Category,
    /// The citizen's words.
    pub text: String,
    /// The citizen's phone.
    pub phone: String,
    /// `portal` or `sms`.
    pub channel: Channel,
    /// The payment it concerns.
    pub payment_reference: Option<String>,
    /// For `paid_less`: what the citizen received.
    pub reported_amount: Option<Paisa>,
}

/// A grievance as an officer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grievance {
    /// Tracking number.
    pub tracking: String,
    /// District office it is routed to.
    pub district: String,
    /// Its province (which has it once escalated).
    pub province: String,
    /// Area.
    pub area: String,
    /// Household.
    pub household: Option<Uuid>,
    /// Payment reference.
    pub payment_reference: Option<String>,
    /// What the citizen says they received.
    pub reported_amount: Option<Paisa>,
    /// Category.
    pub category: Category,
    /// Channel.
    pub channel: Channel,
    /// The language the citizen wrote in.
    pub lang: Lang,
    /// The citizen's words.
    pub text: String,
    /// The citizen's phone.
    pub phone: String,
    /// Status.
    pub status: GrievanceStatus,
    /// Who filed it.
    pub filed_by: String,
    /// When.
    pub filed_at: DateTime<Utc>,
    /// When its SLA ends.
    pub due_at: DateTime<Utc>,
    /// Open past its due time.
    pub overdue: bool,
    /// When escalated.
    pub escalated_at: Option<DateTime<Utc>>,
    /// When resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The resolution.
    pub resolution: Option<String>,
    /// The status as the citizen reads it.
    pub citizen_status: Words,
}

/// One step of a grievance's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrievanceEvent {
    /// `filed`, `note`, `escalated` or `resolved`.
    pub kind: String,
    /// Who (user id, `registry`, or the citizen's channel).
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The note or resolution.
    pub text: String,
}

/// A grievance with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrievanceDetail {
    /// The grievance.
    #[serde(flatten)]
    pub grievance: Grievance,
    /// Its history, oldest first.
    pub history: Vec<GrievanceEvent>,
}

/// What a citizen may see of a grievance (no phone, notes or officers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CitizenGrievance {
    /// Tracking number.
    pub tracking: String,
    /// Category.
    pub category: Category,
    /// When filed.
    pub filed_at: DateTime<Utc>,
    /// When the district office is due to answer.
    pub due_at: DateTime<Utc>,
    /// Status.
    pub status: GrievanceStatus,
    /// The status in plain words.
    pub status_words: Words,
    /// The resolution, once resolved.
    pub resolution: Option<String>,
}

/// Which grievances a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrievanceFilter {
    /// Only this status.
    pub status: Option<GrievanceStatus>,
    /// Only this category.
    pub category: Option<Category>,
    /// Only those open past their due time.
    pub overdue: bool,
    /// After this tracking number (the previous page's `next`).
    pub after: Option<String>,
    /// At most this many (capped at [`MAX_PAGE`]; 0 means the cap).
    pub limit: usize,
}

/// A page of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrievancePage {
    /// Grievances by tracking number.
    pub grievances: Vec<Grievance>,
    /// Where the next page starts, if there is one.
    pub next: Option<String>,
}

pub(super) fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub(super) fn bad_row(what: &str) -> RegistryError {
    RegistryError::Internal(format!("bad grievance row: {what}"))
}

pub(super) fn to_grievance(r: GrievanceRow, now: i64) -> Result<Grievance> {
    let status = GrievanceStatus::parse(&r.status).map_err(|_| bad_row("status"))?;
    Ok(Grievance {
        category: Category::parse(&r.category).map_err(|_| bad_row("category"))?,
        channel: Channel::parse(&r.channel).map_err(|_| bad_row("channel"))?,
        household: r
            .household_id
            .as_deref()
            .and_then(|s| Uuid::parse_str(s).ok()),
        overdue: status.is_open() && r.due_at < now,
        citizen_status: Words::of(status),
        status,
        lang: Lang::parse(&r.lang),
        reported_amount: r.reported_amount.map(Paisa),
        filed_at: time(r.filed_at),
        due_at: time(r.due_at),
        escalated_at: r.escalated_at.map(time),
        resolved_at: r.resolved_at.map(time),
        tracking: r.tracking,
        district: r.district,
        province: r.province,
        area: r.area,
        payment_reference: r.payment_reference,
        text: r.citizen_text,
        phone: r.phone,
        filed_by: r.filed_by,
        resolution: r.resolution,
    })
}

pub(super) fn to_event(e: EventRow) -> GrievanceEvent {
    GrievanceEvent {
        kind: e.kind,
        by: e.by_user,
        at: time(e.at),
        text: e.text,
    }
}
