//! Payment cycles: what a programme pays for one period, sent to the bank per district and
//! reconciled with what the bank says it paid. Modelled on the disbursement envelopes and bank
//! reconciliation of G2P systems (OpenG2P's G2P Bridge, OpenSPP's cycles); the file formats are
//! `payment_files.rs`'s, the bank's answer and the report `payment_results.rs`'s.
//!
//! The life of a cycle:
//! 1. **Prepared** ([`Registry::create_cycle`]) by a programme officer from the programme's
//!    [`PlannedPayment`] lines (the programmes feature computes them): one payment per household,
//!    each under a reference unique in the registry (`<cycle>-<000001>`), cut per district from the
//!    household's area. One cycle per programme and period; the cycle and all its payments are
//!    written in one transaction, or nothing is.
//! 2. **Approved** ([`Registry::approve_cycle`]) by a finance officer who did not prepare it (four
//!    eyes: the role table already keeps the two roles apart, and the rule is checked on the user
//!    ids too).
//! 3. **Exported** ([`Registry::export_cycle`]), only once approved: a district's list for the bank
//!    with its manifest (rows, total in paisa, SHA-256).
//! 4. **Reconciled**: the bank's result file is applied whole or not at all, and the report
//!    compares planned, paid, failed and unclaimed per district.
//!
//! Every amount is an integer number of paisa ([`Paisa`]); rupees appear only in files and on
//! screen. Every write, every export and every read of payees' particulars is on the access trail
//! (`payments.*`), with ids and counts only, never a name or a CNIC.

use super::access_audit::{actor_of, AccessAction};
use super::payment_files::{write_payment_list, CycleManifest, ListRow};
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::payments::{CycleRow, PaymentResult, PaymentRow};
use crate::storage::{Storage, User};
use serde::Serialize;
use shumari_domain::money::Paisa;
use shumari_domain::roles::{allows, Action};
use shumari_domain::{IdNumber, PlannedPayment};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Where a cycle is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleState {
    /// Prepared, waiting for a finance officer's approval.
    Prepared,
    /// Approved: its lists may go to the bank and its results come back.
    Approved,
}

impl CycleState {
    fn of(s: &str) -> Result<Self> {
        match s {
            "prepared" => Ok(CycleState::Prepared),
            "approved" => Ok(CycleState::Approved),
            other => Err(RegistryError::Internal(format!("cycle state `{other}`"))),
        }
    }
}

/// A payment cycle as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cycle {
    /// Cycle id.
    pub id: String,
    /// The programme.
    pub programme_id: String,
    /// The period (`2026-Q4`).
    pub period: String,
    /// Prepared or approved.
    pub state: CycleState,
    /// Who prepared it (user id).
    pub prepared_by: String,
    /// When.
    pub prepared_at: chrono::DateTime<chrono::Utc>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Payments in the cycle.
    pub payments: u64,
    /// Their planned total.
    pub total: Paisa,
    /// The districts it pays into (filled by [`Registry::cycle_show`]).
    pub districts: Vec<String>,
}

fn time(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl Cycle {
    fn of(r: CycleRow) -> Result<Self> {
        Ok(Cycle {
            state: CycleState::of(&r.state)?,
            id: r.id,
            programme_id: r.programme_id,
            period: r.period,
            prepared_by: r.prepared_by,
            prepared_at: time(r.prepared_at),
            approved_by: r.approved_by,
            approved_at: r.approved_at.map(time),
            payments: u64::try_from(r.payment_count).unwrap_or(0),
            total: Paisa(r.total_paisa),
            districts: Vec::new(),
        })
    }
}

/// A district's list for the bank: the CSV and its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleExport {
    /// The CSV's bytes.
    pub csv: Vec<u8>,
    /// The manifest to write beside it.
    pub manifest: CycleManifest,
}

/// One payment in a household's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdPayment {
    /// Payment reference.
    pub payment_reference: String,
    /// The cycle.
    pub cycle: String,
    /// Its programme.
    pub programme_id: String,
    /// Its period.
    pub period: String,
    /// Whether the cycle was approved.
    pub cycle_state: CycleState,
    /// `planned`, `paid` or `failed`.
    pub status: String,
    /// The amount planned.
    pub planned: Paisa,
    /// The amount the bank paid.
    pub paid: Option<Paisa>,
    /// The date paid or attempted.
    pub paid_on: Option<String>,
    /// The agent or retailer who paid.
    pub agent_id: Option<String>,
    /// Why it failed.
    pub failure_reason: Option<String>,
    /// The payee's name.
    pub payee_name: String,
    /// How the amount was reached.
    pub basis: String,
}

/// Refuses a user whose role may not take `action` on payments.
pub(super) fn may(user: &User, action: Action) -> Result<()> {
    if allows(user.role, action) {
        return Ok(());
    }
    Err(RegistryError::Forbidden(format!(
        "a {} may not {action}",
        user.role.title()
    )))
}

fn not_found(cycle: &str) -> RegistryError {
    RegistryError::NotFound(format!("no payment cycle `{cycle}`"))
}

impl<S: Storage> Registry<S> {
    /// A cycle's stored row, or "not found".
    pub(super) async fn cycle_row(&self, cycle: &str) -> Result<CycleRow> {
        self.storage
            .payment_cycle(cycle)
            .await?
            .ok_or_else(|| not_found(cycle))
    }

    /// Prepares the cycle of `programme_id` for `period` for the households enrolled under `area`:
    /// what each is owed by the programme's rules (`planned_payments`, the programmes feature's
    /// read), stored as one cycle by [`Self::create_cycle`]. A cycle with nothing to pay is refused.
    pub async fn prepare_cycle(
        &self,
        user: &User,
        programme_id: &str,
        period: &str,
        area: &str,
    ) -> Result<Cycle> {
        let lines = self
            .planned_payments(user, programme_id, period, area)
            .await?;
        if lines.is_empty() {
            return Err(RegistryError::BadRequest(format!(
                "no household enrolled in `{programme_id}` under {area} is owed anything for {period}: enrol households first (`shumari registry enrolment run`)"
            )));
        }
        self.create_cycle(user, programme_id, period, lines).await
    }

    /// Prepares the cycle of `programme_id` for `period` from `lines`, as `user` (a programme
    /// officer whose areas hold every line's household). Refused whole when any line is wrong or the
    /// programme already has a cycle for the period; otherwise stored whole, in one transaction.
    pub async fn create_cycle(
        &self,
        user: &User,
        programme_id: &str,
        period: &str,
        lines: Vec<PlannedPayment>,
    ) -> Result<Cycle> {
        may(user, Action::PreparePayments)?;
        let (programme_id, period) = (programme_id.trim(), period.trim());
        if programme_id.is_empty() || period.is_empty() {
            return Err(RegistryError::BadRequest(
                "a cycle needs a programme and a period".into(),
            ));
        }
        if lines.is_empty() {
            return Err(RegistryError::BadRequest(format!(
                "no household is owed a payment by {programme_id} for {period}; no cycle was made"
            )));
        }
        let outside: Vec<&str> = lines
            .iter()
            .filter(|l| !self.scope(user).contains(&l.area))
            .map(|l| l.area.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !outside.is_empty() {
            return Err(RegistryError::Forbidden(format!(
                "the areas {} are outside your areas; no cycle was made",
                outside.join(", ")
            )));
        }
        let mut problems = Vec::new();
        let mut households = BTreeSet::new();
        for (i, l) in lines.iter().enumerate() {
            let what = format!("payment {} ({})", i + 1, l.reference);
            if !households.insert(l.household_id) {
                problems.push(format!("{what}: the household is paid twice"));
            }
            if l.amount <= Paisa::ZERO {
                problems.push(format!("{what}: the amount is not above zero"));
            }
            if IdNumber::parse("cnic", &l.payee_cnic).is_err() {
                problems.push(format!("{what}: the payee's CNIC is not 13 digits"));
            }
        }
        if !problems.is_empty() {
            return Err(RegistryError::BadRequest(problems.join("; ")));
        }
        let id = format!("CYC-{}", &Uuid::now_v7().simple().to_string()[20..]);
        let mut rows: Vec<PaymentRow> = lines
            .into_iter()
            .map(|l| PaymentRow {
                reference: String::new(),
                cycle_id: id.clone(),
                household_id: l.household_id.to_string(),
                district: self.district_of(&l.area),
                household_ref: l.reference,
                area: l.area,
                payee_member: l.payee_member.to_string(),
                payee_name: l.payee_name,
                payee_cnic: IdNumber::parse("cnic", &l.payee_cnic)
                    .map(|n| n.digits().to_string())
                    .unwrap_or_default(),
                planned_paisa: l.amount.0,
                basis: l.basis,
                result: PaymentResult::planned(),
            })
            .collect();
        rows.sort_by(|a, b| (&a.district, &a.household_ref).cmp(&(&b.district, &b.household_ref)));
        for (i, r) in rows.iter_mut().enumerate() {
            r.reference = format!("{id}-{:06}", i + 1);
        }
        let total: i64 = rows.iter().map(|r| r.planned_paisa).sum();
        let row = CycleRow {
            id: id.clone(),
            programme_id: programme_id.to_string(),
            period: period.to_string(),
            state: "prepared".into(),
            prepared_by: user.id.clone(),
            prepared_at: now_ms(),
            approved_by: None,
            approved_at: None,
            payment_count: rows.len() as i64,
            total_paisa: total,
        };
        let count = rows.len();
        if !self.storage.insert_cycle(&row, rows).await? {
            return Err(RegistryError::Transition(format!(
                "{programme_id} already has a payment cycle for {period}; no second one was made"
            )));
        }
        self.record_access(
            AccessAction::PaymentCycleCreate,
            actor_of(Some(user)),
            Some(&id),
            Some(format!("payments={count} total_paisa={total}")),
        )
        .await?;
        tracing::info!(payments = count, "payment cycle prepared");
        self.cycle_show(user, &id).await
    }

    /// Approves a prepared cycle as `user`: a finance officer who did not prepare it and whose
    /// areas hold every district the cycle pays into.
    pub async fn approve_cycle(&self, user: &User, cycle: &str) -> Result<Cycle> {
        may(user, Action::ApprovePayments)?;
        let row = self.cycle_row(cycle).await?;
        let outside: Vec<String> = self
            .storage
            .cycle_districts(cycle)
            .await?
            .into_iter()
            .filter(|d| !self.scope(user).contains(d))
            .collect();
        let refusal = if !outside.is_empty() {
            Some(RegistryError::Forbidden(format!(
                "the cycle pays into {} outside your areas; a finance officer over all its districts approves it",
                outside.join(", ")
            )))
        } else if row.prepared_by == user.id {
            Some(RegistryError::Forbidden(
                "you prepared this cycle; another finance officer approves it".into(),
            ))
        } else if row.state != "prepared" {
            Some(RegistryError::Transition(format!(
                "cycle {cycle} is {}, not prepared",
                row.state
            )))
        } else {
            None
        };
        let approved = match refusal {
            Some(_) => false,
            None => {
                self.storage
                    .approve_payment_cycle(cycle, &user.id, now_ms())
                    .await?
            }
        };
        self.record_access(
            AccessAction::PaymentCycleApprove,
            actor_of(Some(user)),
            Some(cycle),
            Some(format!(
                "outcome={}",
                if approved { "approved" } else { "refused" }
            )),
        )
        .await?;
        if let Some(e) = refusal {
            return Err(e);
        }
        if !approved {
            return Err(RegistryError::Transition(format!(
                "cycle {cycle} was approved meanwhile"
            )));
        }
        self.cycle_show(user, cycle).await
    }

    /// Every payment cycle, newest first, for a user who may read payments.
    pub async fn cycles(&self, user: &User) -> Result<Vec<Cycle>> {
        may(user, Action::ReadPayments)?;
        self.storage
            .payment_cycles()
            .await?
            .into_iter()
            .map(Cycle::of)
            .collect()
    }

    /// One cycle with the districts it pays into, for a user who may read payments.
    pub async fn cycle_show(&self, user: &User, cycle: &str) -> Result<Cycle> {
        may(user, Action::ReadPayments)?;
        let mut c = Cycle::of(self.cycle_row(cycle).await?)?;
        c.districts = self.storage.cycle_districts(cycle).await?;
        Ok(c)
    }

    /// The list of `district` in an approved `cycle` for the bank, with its manifest, as `user` (a
    /// finance officer whose areas hold the district).
    pub async fn export_cycle(
        &self,
        user: &User,
        cycle: &str,
        district: &str,
    ) -> Result<CycleExport> {
        may(user, Action::ApprovePayments)?;
        let row = self.cycle_row(cycle).await?;
        if !self.scope(user).contains(district) {
            return Err(RegistryError::Forbidden(format!(
                "district {district} is outside your areas"
            )));
        }
        if row.state != "approved" {
            return Err(RegistryError::Transition(format!(
                "cycle {cycle} is {}; a list goes to the bank only once the cycle is approved",
                row.state
            )));
        }
        let payments = self.storage.cycle_payments(cycle, Some(district)).await?;
        if payments.is_empty() {
            return Err(RegistryError::NotFound(format!(
                "cycle {cycle} pays no household in {district}"
            )));
        }
        let list: Vec<ListRow> = payments
            .iter()
            .map(|p| ListRow {
                payment_reference: p.reference.clone(),
                household_reference: p.household_ref.clone(),
                payee_name: p.payee_name.clone(),
                cnic: p.payee_cnic.clone(),
                amount: Paisa(p.planned_paisa),
                district: p.district.clone(),
            })
            .collect();
        let (csv, sha256) = write_payment_list(&list);
        let total: i64 = payments.iter().map(|p| p.planned_paisa).sum();
        let manifest = CycleManifest {
            cycle: row.id.clone(),
            programme: row.programme_id,
            period: row.period,
            district: district.to_string(),
            rows: list.len() as u64,
            total_paisa: total,
            sha256,
            created_at: chrono::Utc::now().to_rfc3339(),
        };
        self.record_access(
            AccessAction::PaymentExport,
            actor_of(Some(user)),
            Some(&row.id),
            Some(format!(
                "district={district} rows={} total_paisa={total}",
                list.len()
            )),
        )
        .await?;
        Ok(CycleExport { csv, manifest })
    }

    /// A household's payments in every programme and cycle, oldest cycle first. **Unscoped**: for
    /// callers that already proved who they are (the citizen portal after its second factor); it
    /// is not on the access trail, so the caller records its own look-up.
    pub async fn payments_of_household(&self, household_id: Uuid) -> Result<Vec<HouseholdPayment>> {
        let rows = self
            .storage
            .payments_of_household(&household_id.to_string())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut cycles = std::collections::BTreeMap::new();
        for p in rows {
            if !cycles.contains_key(&p.cycle_id) {
                let c = self.cycle_row(&p.cycle_id).await?;
                cycles.insert(p.cycle_id.clone(), c);
            }
            let c = &cycles[&p.cycle_id];
            out.push(HouseholdPayment {
                payment_reference: p.reference,
                cycle: p.cycle_id.clone(),
                programme_id: c.programme_id.clone(),
                period: c.period.clone(),
                cycle_state: CycleState::of(&c.state)?,
                status: p.result.status,
                planned: Paisa(p.planned_paisa),
                paid: p.result.paid_paisa.map(Paisa),
                paid_on: p.result.paid_on,
                agent_id: p.result.agent_id,
                failure_reason: p.result.failure_reason,
                payee_name: p.payee_name,
                basis: p.basis,
            });
        }
        out.sort_by_key(|p| (cycles[&p.cycle].prepared_at, p.payment_reference.clone()));
        Ok(out)
    }

    /// A household's payments (by id or reference number) for `user`, who may read payments and
    /// whose areas hold the household (else "not found"); on the access trail.
    pub async fn household_payments(
        &self,
        user: &User,
        id_or_ref: &str,
    ) -> Result<Vec<HouseholdPayment>> {
        may(user, Action::ReadPayments)?;
        let found = match self.storage.resolve(id_or_ref).await? {
            Some(id) => self
                .storage
                .load_docs(&[id])
                .await?
                .into_iter()
                .flatten()
                .next(),
            None => None,
        };
        let in_scope = found.filter(|s| self.scope(user).contains(&s.area));
        self.record_access(
            AccessAction::PaymentRead,
            actor_of(Some(user)),
            in_scope.as_ref().map(|s| s.id.to_string()).as_deref(),
            Some(format!(
                "outcome={}",
                if in_scope.is_some() {
                    "shown"
                } else {
                    "not_found"
                }
            )),
        )
        .await?;
        let s = in_scope
            .ok_or_else(|| RegistryError::NotFound(format!("no household `{id_or_ref}`")))?;
        self.payments_of_household(s.id).await
    }
}
