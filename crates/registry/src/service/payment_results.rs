//! The bank's side of a payment cycle: its result file applied ([`Registry::import_bank_file`])
//! and the reconciliation report ([`Registry::reconcile`]).
//!
//! **Nothing half-applied.** A result file is read whole (`payment_files.rs`), then every line is
//! held to the registry's rows: the reference names a payment in the importer's areas, of one
//! approved cycle; the CNIC is the payee's; the amount paid is not above the planned one; a payment
//! already recorded as paid is not given another result. Every problem is reported with its line
//! number, and one refuses the file. The results are then written in one transaction, each only if
//! its payment still holds the status that was checked, so a file imported at the same time by
//! another process cannot interleave with this one.
//!
//! **Idempotent.** A file already applied (its SHA-256 in `payment_bank_files`) changes nothing. A
//! row repeating the result a payment already holds (from another file, say the bank's corrected
//! re-send) is counted unchanged; a failed payment may later be paid (the bank retried), a paid one
//! keeps its result.
//!
//! **Reconciliation.** Counted and summed by the database, once per outermost area of the reader
//! (so a district officer's report costs the district's payments, not the cycle's). Per district: planned (count and amount), paid (count, the amount paid, and
//! the planned amount of the paid payments, so an underpayment shows), failed by reason, unclaimed
//! (no result yet); always planned = paid + failed + unclaimed, in counts and planned amounts. And
//! the payments whose citizen reported receiving less than planned: the caller supplies those
//! ([`ReportedShortfall`], from the grievances a citizen filed), since what a citizen says is not
//! the bank's record.

use super::access_audit::{actor_of, AccessAction};
use super::payment_files::{read_bank_file, BankFileError, BankLine, BankStatus};
use super::payments::may;
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::scope::outermost;
use crate::storage::payments::{BankFileRow, PaymentResult, PaymentRow, ResultUpdate};
use crate::storage::{Storage, User};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shumari_domain::area::contains;
use shumari_domain::money::Paisa;
use shumari_domain::roles::Action;
use shumari_sms::Notice;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// One cycle's payments in a user's areas, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CycleProgress {
    /// Cycle id.
    pub cycle: String,
    /// Its programme.
    pub programme_id: String,
    /// Its period.
    pub period: String,
    /// Payments planned (every payment of the cycle in the areas).
    pub planned: u64,
    /// Paid by the bank.
    pub paid: u64,
    /// Failed.
    pub failed: u64,
    /// No result from the bank yet.
    pub unanswered: u64,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BankImportReport {
    /// SHA-256 of the file.
    pub file_sha256: String,
    /// The cycle its rows belong to.
    pub cycle: String,
    /// The file had been imported before: nothing changed.
    pub already_imported: bool,
    /// Result rows in the file.
    pub rows: u64,
    /// Payments recorded as paid by this file.
    pub paid: u64,
    /// Payments recorded as failed by this file.
    pub failed: u64,
    /// Rows repeating a result already recorded.
    pub unchanged: u64,
}

/// A citizen's report of receiving less than a payment's amount (a grievance's), supplied by the
/// caller of [`Registry::reconcile`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedShortfall {
    /// The payment.
    pub payment_reference: String,
    /// The grievance's tracking number.
    pub grievance: String,
    /// What the citizen says they received.
    pub reported_amount: Paisa,
}

/// Failures of one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedReason {
    /// The bank's reason.
    pub reason: String,
    /// Payments.
    pub count: u64,
    /// Their planned amount.
    pub amount: Paisa,
}

/// One district's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DistrictFigures {
    /// The district.
    pub district: String,
    /// Payments planned.
    pub planned_count: u64,
    /// Their amount.
    pub planned_amount: Paisa,
    /// Payments paid.
    pub paid_count: u64,
    /// The amount the bank paid.
    pub paid_amount: Paisa,
    /// The planned amount of the paid payments (above `paid_amount` when some were underpaid).
    pub paid_planned_amount: Paisa,
    /// Payments failed.
    pub failed_count: u64,
    /// Their planned amount.
    pub failed_amount: Paisa,
    /// The failures by reason.
    pub failed_by_reason: Vec<FailedReason>,
    /// Payments without a result yet.
    pub unclaimed_count: u64,
    /// Their planned amount.
    pub unclaimed_amount: Paisa,
}

/// A payment whose citizen reported receiving less than planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShortfallLine {
    /// The payment.
    pub payment_reference: String,
    /// The grievance.
    pub grievance: String,
    /// Its district.
    pub district: String,
    /// The household's reference number.
    pub household_reference: String,
    /// The amount planned.
    pub planned: Paisa,
    /// What the bank says it paid (`None`: no paid result).
    pub recorded_paid: Option<Paisa>,
    /// What the citizen says they received.
    pub reported: Paisa,
    /// Planned minus reported.
    pub shortfall: Paisa,
}

/// The reconciliation report of a cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// The cycle.
    pub cycle: String,
    /// Its programme.
    pub programme_id: String,
    /// Its period.
    pub period: String,
    /// Per district, by code.
    pub districts: Vec<DistrictFigures>,
    /// Payments reported short, by reference.
    pub shortfalls: Vec<ShortfallLine>,
}

/// The result a bank line records.
fn result_of(l: &BankLine, file: &str) -> PaymentResult {
    PaymentResult {
        status: l.status.as_str().into(),
        paid_paisa: (l.status == BankStatus::Paid).then_some(l.amount_paid.0),
        paid_on: l.date.map(|d| d.to_string()),
        agent_id: l.agent_id.clone(),
        failure_reason: l.reason.clone(),
        bank_file: Some(file.to_string()),
    }
}

/// Whether two results say the same (the file that set them aside).
fn same(a: &PaymentResult, b: &PaymentResult) -> bool {
    (
        &a.status,
        a.paid_paisa,
        &a.paid_on,
        &a.agent_id,
        &a.failure_reason,
    ) == (
        &b.status,
        b.paid_paisa,
        &b.paid_on,
        &b.agent_id,
        &b.failure_reason,
    )
}

impl<S: Storage> Registry<S> {
    /// Applies the bank's result file `bytes` as `user` (a programme officer), whole or not at all
    /// (see the module docs).
    pub async fn import_bank_file(&self, user: &User, bytes: &[u8]) -> Result<BankImportReport> {
        may(user, Action::PreparePayments)?;
        let bad = |e: BankFileError| RegistryError::BadRequest(e.to_string());
        let (lines, mut problems) = read_bank_file(bytes).map_err(bad)?;
        let sha = hex::encode(Sha256::digest(bytes));
        let refs: Vec<String> = lines.iter().map(|l| l.reference.clone()).collect();
        let known: BTreeMap<String, PaymentRow> = self
            .storage
            .payments_by_reference(&refs)
            .await?
            .into_iter()
            .filter(|p| self.scope(user).contains(&p.area))
            .map(|p| (p.reference.clone(), p))
            .collect();
        let cycles: BTreeSet<&str> = known.values().map(|p| p.cycle_id.as_str()).collect();
        let cycle = cycles.first().map(|c| c.to_string()).unwrap_or_default();
        let mut report = BankImportReport {
            file_sha256: sha.clone(),
            cycle: cycle.clone(),
            rows: (lines.len() + problems.len()) as u64,
            ..BankImportReport::default()
        };
        if problems.is_empty() && self.storage.bank_file(&sha).await?.is_some() {
            self.record_import(user, &report, "already_imported")
                .await?;
            report.already_imported = true;
            return Ok(report);
        }
        if cycles.len() > 1 {
            problems.push((
                1,
                format!(
                    "the file mixes the cycles {}; import one cycle's results at a time",
                    cycles.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        if !cycle.is_empty() && self.cycle_row(&cycle).await?.state != "approved" {
            problems.push((
                1,
                format!("cycle {cycle} is not approved; nothing was paid from it"),
            ));
        }
        let mut updates = Vec::new();
        // (household, amount) of each payment this file marks paid: its citizen is told by SMS.
        let mut credited: Vec<(String, Paisa)> = Vec::new();
        for l in &lines {
            let Some(p) = known.get(&l.reference) else {
                problems.push((l.line, format!("unknown payment reference {}", l.reference)));
                continue;
            };
            let mut wrong = Vec::new();
            if l.cnic != p.payee_cnic {
                wrong.push("the CNIC is not the payee's".to_string());
            }
            if l.amount_paid.0 > p.planned_paisa {
                wrong.push(format!(
                    "the amount paid, {}, is above the planned {}",
                    l.amount_paid,
                    Paisa(p.planned_paisa)
                ));
            }
            let new = result_of(l, &sha);
            let old = &p.result;
            if same(old, &new) {
                report.unchanged += 1;
            } else if old.status == "paid" {
                wrong.push(format!(
                    "payment {} is already recorded as paid ({} on {}); another result is refused",
                    p.reference,
                    Paisa(old.paid_paisa.unwrap_or_default()),
                    old.paid_on.as_deref().unwrap_or("an unknown date")
                ));
            } else {
                match l.status {
                    BankStatus::Paid => {
                        report.paid += 1;
                        credited.push((p.household_id.clone(), l.amount_paid));
                    }
                    BankStatus::Failed => report.failed += 1,
                }
                updates.push(ResultUpdate {
                    reference: p.reference.clone(),
                    expected_status: old.status.clone(),
                    result: new,
                });
            }
            if !wrong.is_empty() {
                problems.push((l.line, wrong.join(", ")));
            }
        }
        if !problems.is_empty() {
            problems.sort();
            return Err(bad(BankFileError::Lines(problems)));
        }
        self.record_import(user, &report, "applied").await?;
        let file = BankFileRow {
            sha256: sha.clone(),
            cycle_id: cycle.clone(),
            imported_by: user.id.clone(),
            imported_at: now_ms(),
            rows: report.rows as i64,
            paid: report.paid as i64,
            failed: report.failed as i64,
            unchanged: report.unchanged as i64,
        };
        if !self.storage.record_bank_file(&file, updates).await? {
            if self.storage.bank_file(&sha).await?.is_some() {
                report.already_imported = true;
                (report.paid, report.failed, report.unchanged) = (0, 0, 0);
                return Ok(report);
            }
            return Err(RegistryError::Transition(
                "payments of this file changed while it was applied; nothing was written, import it again"
                    .into(),
            ));
        }
        tracing::info!(
            rows = report.rows,
            paid = report.paid,
            failed = report.failed,
            unchanged = report.unchanged,
            "bank results imported"
        );
        let programme = self.cycle_row(&cycle).await?.programme_id;
        self.tell_credited(&programme, &credited).await;
        Ok(report)
    }

    /// Tells each credited household what was paid ([`Registry::tell_households`]).
    async fn tell_credited(&self, programme: &str, credited: &[(String, Paisa)]) {
        if credited.is_empty() || !self.has_sms_gateway() {
            return;
        }
        let name = self.programme_name_ur(programme).await;
        let notices = credited
            .iter()
            .filter_map(|(h, amount)| {
                let id = Uuid::parse_str(h).ok()?;
                Some((
                    id,
                    Notice::PaymentCredited {
                        programme: name.clone(),
                        amount: *amount,
                    },
                ))
            })
            .collect();
        self.tell_households(notices).await;
    }

    async fn record_import(&self, user: &User, r: &BankImportReport, outcome: &str) -> Result<()> {
        self.record_access(
            AccessAction::PaymentImport,
            actor_of(Some(user)),
            Some(&r.cycle),
            Some(format!(
                "rows={} paid={} failed={} unchanged={} outcome={outcome}",
                r.rows, r.paid, r.failed, r.unchanged
            )),
        )
        .await
    }

    /// Every cycle's payments in `user`'s areas (only `area` when given; an area outside them is
    /// "not found"), counted by the database: planned, paid, failed and not yet answered, newest
    /// cycle first (a cycle with no payment in the areas left out). Counts only, so not on the
    /// access trail; for a user who may read payments.
    pub async fn payment_progress(
        &self,
        user: &User,
        area: Option<&str>,
    ) -> Result<Vec<CycleProgress>> {
        may(user, Action::ReadPayments)?;
        let areas = self.dashboard_areas(user, area)?;
        let mut out = Vec::new();
        for cycle in self.storage.payment_cycles().await? {
            let mut p = CycleProgress {
                cycle: cycle.id.clone(),
                programme_id: cycle.programme_id,
                period: cycle.period,
                ..CycleProgress::default()
            };
            for area in &areas {
                for g in self.storage.cycle_figures(&cycle.id, area, None).await? {
                    let n = u64::try_from(g.count).unwrap_or(0);
                    p.planned += n;
                    match g.status.as_str() {
                        "paid" => p.paid += n,
                        "failed" => p.failed += n,
                        _ => p.unanswered += n,
                    }
                }
            }
            if p.planned > 0 {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// The reconciliation report of `cycle` for `user` with the citizens' reports of receiving less
    /// or nothing: the grievances filed about the cycle's payments (`payment_shortfalls`, the
    /// grievances feature's read).
    pub async fn reconcile_with_reports(
        &self,
        user: &User,
        cycle: &str,
        district: Option<&str>,
    ) -> Result<Reconciliation> {
        may(user, Action::ReadPayments)?;
        let references: Vec<String> = self
            .storage
            .cycle_payments(cycle, district)
            .await?
            .into_iter()
            .map(|p| p.reference)
            .collect();
        let shortfalls: Vec<ReportedShortfall> = self
            .payment_shortfalls(&references)
            .await?
            .into_iter()
            .map(
                |(payment_reference, grievance, reported_amount)| ReportedShortfall {
                    payment_reference,
                    grievance,
                    reported_amount,
                },
            )
            .collect();
        self.reconcile(user, cycle, district, &shortfalls).await
    }

    /// The reconciliation report of `cycle` for `user`, over the payments in the user's areas, in
    /// `district` when given; `shortfalls` are the citizens' reports of receiving less (see the
    /// module docs; [`Self::reconcile_with_reports`] supplies them). On the access trail.
    pub async fn reconcile(
        &self,
        user: &User,
        cycle: &str,
        district: Option<&str>,
        shortfalls: &[ReportedShortfall],
    ) -> Result<Reconciliation> {
        may(user, Action::ReadPayments)?;
        let row = self.cycle_row(cycle).await?;
        if let Some(d) = district {
            let meets = user.areas.iter().any(|a| contains(a, d) || contains(d, a));
            if !self.areas.recognises(d) || !meets {
                return Err(RegistryError::Forbidden(format!(
                    "district {d} is outside your areas"
                )));
            }
        }
        // Counted by the database, once per outermost area of the user (each payment under one).
        let mut by_district: BTreeMap<String, DistrictFigures> = BTreeMap::new();
        let mut reasons: BTreeMap<(String, String), (u64, Paisa)> = BTreeMap::new();
        let mut counted = 0u64;
        for area in outermost(&user.areas) {
            for g in self.storage.cycle_figures(cycle, &area, district).await? {
                let f = by_district
                    .entry(g.district.clone())
                    .or_insert_with(|| DistrictFigures {
                        district: g.district.clone(),
                        ..DistrictFigures::default()
                    });
                let n = u64::try_from(g.count).unwrap_or(0);
                let planned = Paisa(g.planned_paisa);
                counted += n;
                f.planned_count += n;
                f.planned_amount += planned;
                match g.status.as_str() {
                    "paid" => {
                        f.paid_count += n;
                        f.paid_amount += Paisa(g.paid_paisa);
                        f.paid_planned_amount += planned;
                    }
                    "failed" => {
                        f.failed_count += n;
                        f.failed_amount += planned;
                        let e = reasons
                            .entry((g.district.clone(), g.reason.unwrap_or_default()))
                            .or_default();
                        e.0 += n;
                        e.1 += planned;
                    }
                    _ => {
                        f.unclaimed_count += n;
                        f.unclaimed_amount += planned;
                    }
                }
            }
        }
        for ((d, reason), (count, amount)) in reasons {
            if let Some(f) = by_district.get_mut(&d) {
                f.failed_by_reason.push(FailedReason {
                    reason,
                    count,
                    amount,
                });
            }
        }
        let refs: Vec<String> = shortfalls
            .iter()
            .map(|s| s.payment_reference.clone())
            .collect();
        let reported: BTreeMap<String, PaymentRow> = self
            .storage
            .payments_by_reference(&refs)
            .await?
            .into_iter()
            .filter(|p| {
                p.cycle_id == row.id
                    && district.is_none_or(|d| p.district == d)
                    && self.scope(user).contains(&p.area)
            })
            .map(|p| (p.reference.clone(), p))
            .collect();
        let mut short: Vec<ShortfallLine> = shortfalls
            .iter()
            .filter_map(|s| {
                let p = reported.get(&s.payment_reference)?;
                let planned = Paisa(p.planned_paisa);
                (s.reported_amount < planned).then(|| ShortfallLine {
                    payment_reference: p.reference.clone(),
                    grievance: s.grievance.clone(),
                    district: p.district.clone(),
                    household_reference: p.household_ref.clone(),
                    planned,
                    recorded_paid: (p.result.status == "paid")
                        .then(|| Paisa(p.result.paid_paisa.unwrap_or_default())),
                    reported: s.reported_amount,
                    shortfall: Paisa(planned.0 - s.reported_amount.0),
                })
            })
            .collect();
        short.sort_by(|a, b| {
            (&a.payment_reference, &a.grievance).cmp(&(&b.payment_reference, &b.grievance))
        });
        self.record_access(
            AccessAction::PaymentReconcile,
            actor_of(Some(user)),
            Some(cycle),
            Some(format!(
                "district={} payments={} shortfalls={}",
                district.unwrap_or("all"),
                counted,
                short.len()
            )),
        )
        .await?;
        Ok(Reconciliation {
            cycle: row.id,
            programme_id: row.programme_id,
            period: row.period,
            districts: by_district.into_values().collect(),
            shortfalls: short,
        })
    }
}
