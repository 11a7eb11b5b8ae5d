//! The registry's rows of payment cycles (migration V16): a cycle per programme and period
//! ([`CycleRow`]), its payments, one per household, under a reference unique in the registry
//! ([`PaymentRow`]), and the bank's result files applied, by their SHA-256 ([`BankFileRow`]). What the
//! rows mean (who may prepare and approve, the file formats, when a result applies) is
//! `service/payments.rs`'s; each backend only stores and reads the columns, with fixed statements and
//! bound parameters. Amounts are integers in paisa in every column.
//!
//! Two writes carry a guard the service relies on, so two processes never half-apply:
//! [`PaymentStore::insert_cycle`] writes nothing when the programme and period already have a cycle,
//! and [`PaymentStore::record_bank_file`] applies every result only if each payment still holds the
//! status the service checked, else nothing.
//!
//! [`PaymentStore`] is a supertrait of [`super::Storage`], so every backend has it.

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::Result;
use std::future::Future;

/// One payment cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleRow {
    /// Cycle id.
    pub id: String,
    /// The programme.
    pub programme_id: String,
    /// The period (`2026-Q4`).
    pub period: String,
    /// `prepared` or `approved`.
    pub state: String,
    /// Who prepared it (user id).
    pub prepared_by: String,
    /// When (ms since epoch).
    pub prepared_at: i64,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<i64>,
    /// Payments in the cycle.
    pub payment_count: i64,
    /// Their planned total, paisa.
    pub total_paisa: i64,
}

/// One payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    /// Payment reference (unique in the registry).
    pub reference: String,
    /// Its cycle.
    pub cycle_id: String,
    /// The household (UUID text).
    pub household_id: String,
    /// The household's reference number.
    pub household_ref: String,
    /// The household's area when the cycle was made.
    pub area: String,
    /// Its district.
    pub district: String,
    /// The payee member (UUID text).
    pub payee_member: String,
    /// The payee's name.
    pub payee_name: String,
    /// The payee's CNIC, 13 digits.
    pub payee_cnic: String,
    /// Planned amount, paisa.
    pub planned_paisa: i64,
    /// How the amount was reached.
    pub basis: String,
    /// The bank's result so far.
    pub result: PaymentResult,
}

/// What the bank said about a payment (all empty while `planned`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentResult {
    /// `planned`, `paid` or `failed`.
    pub status: String,
    /// Amount paid, paisa.
    pub paid_paisa: Option<i64>,
    /// Date paid or attempted (`YYYY-MM-DD`).
    pub paid_on: Option<String>,
    /// The bank's agent or retailer.
    pub agent_id: Option<String>,
    /// Why it failed.
    pub failure_reason: Option<String>,
    /// SHA-256 of the bank file that set it.
    pub bank_file: Option<String>,
}

impl PaymentResult {
    /// A payment the bank has not answered for.
    pub fn planned() -> Self {
        PaymentResult {
            status: "planned".into(),
            paid_paisa: None,
            paid_on: None,
            agent_id: None,
            failure_reason: None,
            bank_file: None,
        }
    }
}

/// One group of a cycle's payments for the reconciliation: a district, a status and (for
/// failures) a reason, with the count and sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureRow {
    /// The district.
    pub district: String,
    /// `planned`, `paid` or `failed`.
    pub status: String,
    /// The failure reason (`None` unless failed).
    pub reason: Option<String>,
    /// Payments in the group.
    pub count: i64,
    /// Their planned amount, paisa.
    pub planned_paisa: i64,
    /// Their paid amount, paisa.
    pub paid_paisa: i64,
}

/// One bank result file applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankFileRow {
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// The cycle its rows belong to.
    pub cycle_id: String,
    /// Who imported it (user id).
    pub imported_by: String,
    /// When (ms since epoch).
    pub imported_at: i64,
    /// Rows in the file.
    pub rows: i64,
    /// Payments it recorded as paid.
    pub paid: i64,
    /// Payments it recorded as failed.
    pub failed: i64,
    /// Rows that repeated a result already recorded.
    pub unchanged: i64,
}

/// One result to write: the payment, the status it must still hold, and the new result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultUpdate {
    /// Payment reference.
    pub reference: String,
    /// The status the service saw; the write applies only if it is still this.
    pub expected_status: String,
    /// The new result.
    pub result: PaymentResult,
}

/// Payment cycles' rows.
pub trait PaymentStore {
    /// Stores a cycle and its payments in one transaction; `false` (and nothing written) when the
    /// programme and period already have a cycle.
    fn insert_cycle(
        &self,
        cycle: &CycleRow,
        payments: Vec<PaymentRow>,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// A cycle by id.
    fn payment_cycle(&self, id: &str) -> impl Future<Output = Result<Option<CycleRow>>> + Send;
    /// Every cycle, newest first.
    fn payment_cycles(&self) -> impl Future<Output = Result<Vec<CycleRow>>> + Send;
    /// Marks a `prepared` cycle approved; `false` when it is not (any more) `prepared`.
    fn approve_payment_cycle(
        &self,
        id: &str,
        by: &str,
        at: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// The districts a cycle pays into, sorted.
    fn cycle_districts(&self, cycle_id: &str) -> impl Future<Output = Result<Vec<String>>> + Send;
    /// A cycle's payments, in `district` when given, by reference.
    fn cycle_payments(
        &self,
        cycle_id: &str,
        district: Option<&str>,
    ) -> impl Future<Output = Result<Vec<PaymentRow>>> + Send;
    /// A cycle's payments under `area` (the domain's `AreaRange`), in `district` when given,
    /// counted and summed per (district, status, failure reason) by the database.
    fn cycle_figures(
        &self,
        cycle_id: &str,
        area: &str,
        district: Option<&str>,
    ) -> impl Future<Output = Result<Vec<FigureRow>>> + Send;
    /// The payments with these references (references unknown absent).
    fn payments_by_reference(
        &self,
        references: &[String],
    ) -> impl Future<Output = Result<Vec<PaymentRow>>> + Send;
    /// Up to `limit` payments of every cycle under `area` (the domain's `AreaRange`) whose
    /// reference sorts after `after`, by reference: a page of an export, one forward walk of the
    /// reference key per area.
    fn payments_under(
        &self,
        area: &str,
        after: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<PaymentRow>>> + Send;
    /// A household's payments in every cycle.
    fn payments_of_household(
        &self,
        household_id: &str,
    ) -> impl Future<Output = Result<Vec<PaymentRow>>> + Send;
    /// A bank file already applied, by its SHA-256.
    fn bank_file(&self, sha256: &str) -> impl Future<Output = Result<Option<BankFileRow>>> + Send;
    /// Writes the results and the file's row in one transaction, each result only if its payment
    /// still holds `expected_status`; `false` (and nothing written) when one does not, or when the
    /// file was recorded meanwhile.
    fn record_bank_file(
        &self,
        file: &BankFileRow,
        updates: Vec<ResultUpdate>,
    ) -> impl Future<Output = Result<bool>> + Send;
}
