//! `grievances`: one row per grievance in the exporter's areas, read through the grievances
//! feature's own read (`Registry::grievance_export_page`): its tracking number, where it is routed,
//! the household and payment it concerns, category, channel, status, the times it was filed, due,
//! escalated and resolved, and whether it is past its SLA at the export's time. The citizen's words,
//! phone and the resolution's text are personal (they name people).

use super::{Dataset, Row};
use crate::column::Column;
use crate::error::ExportError;
use crate::value::{ColumnType, Value};
use chrono::{DateTime, Utc};
use shumari_registry::service::{ExportGrant, GrievancePosition};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::storage::grievances::GrievanceRow;
use shumari_registry::{Registry, Storage};

/// Grievances read per page.
const PAGE: usize = 500;

const CATEGORIES: &[(&str, &str, &str)] = &[
    ("not_paid", "Payment not received", "ادائیگی نہیں ملی"),
    ("paid_less", "Received less than paid", "کم رقم ملی"),
    (
        "wrong_data",
        "Wrong data in the registry",
        "رجسٹری میں غلط معلومات",
    ),
    (
        "excluded_wrongly",
        "Wrongly found not eligible",
        "غلط طور پر نااہل قرار دیا گیا",
    ),
    (
        "agent_misconduct",
        "Misconduct by an agent or official",
        "ایجنٹ یا اہلکار کا غلط رویہ",
    ),
    ("other", "Other", "دیگر"),
];

const CHANNELS: &[(&str, &str, &str)] = &[
    ("portal", "Citizen portal", "شہری پورٹل"),
    ("sms", "SMS", "ایس ایم ایس"),
    (
        "console",
        "Console, on the citizen's behalf",
        "کنسول، شہری کی جانب سے",
    ),
    ("community", "Community organisation", "کمیونٹی تنظیم"),
];

const STATUSES: &[(&str, &str, &str)] = &[
    ("open", "Open", "کھلی"),
    ("in_progress", "In progress", "زیر کار"),
    (
        "escalated",
        "Escalated to the province",
        "صوبے کو بھیجی گئی",
    ),
    ("resolved", "Resolved", "حل شدہ"),
    ("closed", "Closed", "بند"),
];

/// Every column of the dataset.
pub(super) fn columns() -> Vec<Column> {
    use ColumnType::*;
    vec![
        Column::fixed("tracking", Text, "Tracking number", "ٹریکنگ نمبر"),
        Column::fixed("province", Text, "Province code", "صوبے کا کوڈ"),
        Column::fixed("district", Text, "District code", "ضلع کا کوڈ"),
        Column::fixed("area", Text, "Area code", "علاقے کا کوڈ"),
        Column::fixed("household_id", Text, "Household id", "گھرانے کی آئی ڈی"),
        Column::fixed(
            "payment_reference",
            Text,
            "Payment reference",
            "ادائیگی کا حوالہ",
        ),
        Column::fixed(
            "reported_paisa",
            Integer,
            "Amount the citizen says they received (paisa)",
            "شہری کے مطابق موصول رقم (پیسے)",
        ),
        Column::fixed("category", Text, "Category", "زمرہ").with_choices(CATEGORIES),
        Column::fixed("channel", Text, "Channel", "ذریعہ").with_choices(CHANNELS),
        Column::fixed("lang", Text, "Language written in", "تحریر کی زبان"),
        Column::fixed("citizen_text", Text, "The citizen's words", "شہری کے الفاظ"),
        Column::fixed("phone", Text, "Phone", "فون"),
        Column::fixed("status", Text, "Status", "حیثیت").with_choices(STATUSES),
        Column::fixed("filed_by", Text, "Filed by", "درج کرنے والا"),
        Column::fixed(
            "filed_at",
            Timestamp,
            "Filed at (UTC)",
            "درج کرنے کا وقت (UTC)",
        ),
        Column::fixed("due_at", Timestamp, "Due at (UTC)", "مقررہ وقت (UTC)"),
        Column::fixed(
            "escalated_at",
            Timestamp,
            "Escalated at (UTC)",
            "صوبے کو بھیجنے کا وقت (UTC)",
        ),
        Column::fixed(
            "resolved_at",
            Timestamp,
            "Resolved at (UTC)",
            "حل کا وقت (UTC)",
        ),
        Column::fixed("resolution", Text, "Resolution", "حل"),
        Column::fixed(
            "past_sla",
            Boolean,
            "Past its SLA (resolved late, or open past the due time)",
            "مقررہ مدت سے تجاوز",
        ),
        Column::fixed(
            "updated_at",
            Timestamp,
            "Last changed at (UTC)",
            "آخری تبدیلی کا وقت (UTC)",
        ),
    ]
}

fn at(ms: i64) -> Value {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or(Value::Null, Value::Timestamp)
}

fn opt_text(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::text)
}

fn row(g: GrievanceRow, now: i64) -> Row {
    let past_sla = g.resolved_at.map_or(now > g.due_at, |r| r > g.due_at);
    vec![
        Value::Text(g.tracking),
        Value::text(g.province),
        Value::text(g.district),
        Value::text(g.area),
        opt_text(g.household_id),
        opt_text(g.payment_reference),
        g.reported_amount.map_or(Value::Null, Value::Int),
        Value::text(g.category),
        Value::text(g.channel),
        Value::text(g.lang),
        Value::text(g.citizen_text),
        Value::text(g.phone),
        Value::text(g.status),
        Value::text(g.filed_by),
        at(g.filed_at),
        at(g.due_at),
        g.escalated_at.map_or(Value::Null, at),
        g.resolved_at.map_or(Value::Null, at),
        opt_text(g.resolution),
        Value::Bool(past_sla),
        at(g.updated_at),
    ]
}

/// The export of grievances.
#[derive(Debug)]
pub struct Grievances {
    columns: Vec<Column>,
    grant: ExportGrant,
    since: Option<i64>,
    now: i64,
    after: Option<GrievancePosition>,
    done: bool,
}

impl Grievances {
    /// The grievances of `grant`'s areas changed at or after `since` (ms since epoch) when given;
    /// `now` (ms since epoch) decides which are past their SLA.
    pub fn new(grant: ExportGrant, since: Option<i64>, now: i64) -> Grievances {
        Grievances {
            columns: columns(),
            grant,
            since,
            now,
            after: None,
            done: false,
        }
    }
}

impl<S: Storage + ConsoleStorage> Dataset<S> for Grievances {
    fn columns(&self) -> &[Column] {
        &self.columns
    }

    async fn next_page(&mut self, reg: &Registry<S>) -> Result<Option<Vec<Row>>, ExportError> {
        if self.done {
            return Ok(None);
        }
        let page = reg
            .grievance_export_page(&self.grant, self.since, self.after.take(), PAGE)
            .await?;
        self.done = page.next.is_none();
        self.after = page.next;
        let now = self.now;
        Ok(Some(page.rows.into_iter().map(|g| row(g, now)).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_citizens_words_and_phone_are_personal() {
        let c = columns();
        let personal: Vec<&str> = c
            .iter()
            .filter(|c| c.personal)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(personal, ["citizen_text", "phone", "resolution"]);
    }

    #[test]
    fn past_the_sla_is_resolved_late_or_open_past_the_due_time() {
        let g = GrievanceRow {
            tracking: "GRV-PK101-000001".into(),
            due_at: 1_000,
            ..GrievanceRow::default()
        };
        let past = |g: GrievanceRow, now| row(g, now)[19].clone();
        assert_eq!(past(g.clone(), 999), Value::Bool(false));
        assert_eq!(past(g.clone(), 1_001), Value::Bool(true));
        let late = GrievanceRow {
            resolved_at: Some(2_000),
            ..g.clone()
        };
        assert_eq!(past(late, 500), Value::Bool(true));
        let on_time = GrievanceRow {
            resolved_at: Some(900),
            ..g
        };
        assert_eq!(past(on_time, 5_000), Value::Bool(false));
    }
}
