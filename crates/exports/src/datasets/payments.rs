//! `payments`: one row per payment of a payment cycle in the exporter's areas, read through the
//! payments feature's own read (`Registry::payment_export_page`): the payment's reference, its
//! cycle with the programme and period, the household, the payee (name and CNIC: personal), the
//! planned amount and what the bank said. Amounts are whole paisa, as the registry keeps them.

use super::{Dataset, Row};
use crate::column::Column;
use crate::error::ExportError;
use crate::value::{ColumnType, Value};
use chrono::NaiveDate;
use shumari_registry::service::{ExportGrant, ExportedPayment, PaymentPosition};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::storage::User;
use shumari_registry::{Registry, Storage};

/// Payments read per page.
const PAGE: usize = 500;

/// The payment's statuses in both languages.
const STATUSES: &[(&str, &str, &str)] = &[
    (
        "planned",
        "Planned, no result from the bank yet",
        "منصوبہ بند، بینک کا نتیجہ ابھی نہیں",
    ),
    ("paid", "Paid", "ادا شدہ"),
    ("failed", "Failed", "ناکام"),
];

/// A cycle's states in both languages.
const CYCLE_STATES: &[(&str, &str, &str)] = &[
    (
        "prepared",
        "Prepared, awaiting approval",
        "تیار، منظوری کا منتظر",
    ),
    ("approved", "Approved", "منظور شدہ"),
];

/// Every column of the dataset.
pub(super) fn columns() -> Vec<Column> {
    use ColumnType::*;
    vec![
        Column::fixed("reference", Text, "Payment reference", "ادائیگی کا حوالہ"),
        Column::fixed("cycle_id", Text, "Payment cycle", "ادائیگی کا دور"),
        Column::fixed("programme_id", Text, "Programme", "پروگرام"),
        Column::fixed("period", Text, "Period", "مدت"),
        Column::fixed("cycle_state", Text, "Cycle state", "دور کی حالت").with_choices(CYCLE_STATES),
        Column::fixed("household_id", Text, "Household id", "گھرانے کی آئی ڈی"),
        Column::fixed(
            "household_reference",
            Text,
            "Household reference number",
            "گھرانے کا حوالہ نمبر",
        ),
        Column::fixed("area", Text, "Area code", "علاقے کا کوڈ"),
        Column::fixed("district", Text, "District code", "ضلع کا کوڈ"),
        Column::fixed(
            "payee_member",
            Text,
            "Payee member id",
            "وصول کنندہ فرد کی آئی ڈی",
        ),
        Column::fixed("payee_name", Text, "Payee name", "وصول کنندہ کا نام"),
        Column::fixed(
            "payee_cnic",
            Text,
            "Payee CNIC",
            "وصول کنندہ کا شناختی کارڈ نمبر",
        ),
        Column::fixed(
            "planned_paisa",
            Integer,
            "Planned amount (paisa)",
            "منصوبہ بند رقم (پیسے)",
        ),
        Column::fixed("basis", Text, "How the amount was reached", "رقم کی بنیاد"),
        Column::fixed("status", Text, "Status", "حیثیت").with_choices(STATUSES),
        Column::fixed(
            "paid_paisa",
            Integer,
            "Amount paid (paisa)",
            "ادا شدہ رقم (پیسے)",
        ),
        Column::fixed(
            "paid_on",
            Date,
            "Paid or attempted on",
            "ادائیگی یا کوشش کی تاریخ",
        ),
        Column::fixed(
            "agent_id",
            Text,
            "Bank agent or retailer",
            "بینک ایجنٹ یا ریٹیلر",
        ),
        Column::fixed("failure_reason", Text, "Why it failed", "ناکامی کی وجہ"),
        Column::fixed(
            "bank_file",
            Text,
            "Bank result file (SHA-256)",
            "بینک نتیجہ فائل (SHA-256)",
        ),
    ]
}

fn row(e: ExportedPayment) -> Row {
    let p = e.payment;
    let r = p.result;
    vec![
        Value::Text(p.reference),
        Value::Text(p.cycle_id),
        Value::text(e.programme_id),
        Value::text(e.period),
        Value::text(e.cycle_state),
        Value::Text(p.household_id),
        Value::text(p.household_ref),
        Value::text(p.area),
        Value::text(p.district),
        Value::text(p.payee_member),
        Value::text(p.payee_name),
        Value::text(p.payee_cnic),
        Value::Int(p.planned_paisa),
        Value::text(p.basis),
        Value::Text(r.status),
        r.paid_paisa.map_or(Value::Null, Value::Int),
        r.paid_on
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .map_or(Value::Null, Value::Date),
        r.agent_id.map_or(Value::Null, Value::text),
        r.failure_reason.map_or(Value::Null, Value::text),
        r.bank_file.map_or(Value::Null, Value::text),
    ]
}

/// The export of payments.
#[derive(Debug)]
pub struct Payments {
    columns: Vec<Column>,
    user: User,
    grant: ExportGrant,
    since: Option<i64>,
    after: Option<PaymentPosition>,
    done: bool,
}

impl Payments {
    /// The payments `user` may read in `grant`'s areas, of cycles prepared at or after `since`
    /// (ms since epoch) when given.
    pub fn new(user: User, grant: ExportGrant, since: Option<i64>) -> Payments {
        Payments {
            columns: columns(),
            user,
            grant,
            since,
            after: None,
            done: false,
        }
    }
}

impl<S: Storage + ConsoleStorage> Dataset<S> for Payments {
    fn columns(&self) -> &[Column] {
        &self.columns
    }

    async fn next_page(&mut self, reg: &Registry<S>) -> Result<Option<Vec<Row>>, ExportError> {
        if self.done {
            return Ok(None);
        }
        let page = reg
            .payment_export_page(&self.user, &self.grant, self.since, self.after.take(), PAGE)
            .await?;
        self.done = page.next.is_none();
        self.after = page.next;
        Ok(Some(page.rows.into_iter().map(row).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payee_is_personal_and_the_money_is_not() {
        let c = columns();
        let personal: Vec<&str> = c
            .iter()
            .filter(|c| c.personal)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(personal, ["payee_name", "payee_cnic"]);
        let kind = |n: &str| c.iter().find(|c| c.name == n).map(|c| c.kind);
        assert_eq!(kind("planned_paisa"), Some(ColumnType::Integer));
        assert_eq!(kind("paid_on"), Some(ColumnType::Date));
    }
}
