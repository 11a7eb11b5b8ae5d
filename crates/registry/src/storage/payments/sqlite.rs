//! [`PaymentStore`] on SQLite (see the module above).

use super::{
    BankFileRow, CycleRow, FigureRow, PaymentResult, PaymentRow, PaymentStore, ResultUpdate,
};
use crate::storage::sqlite::SqliteStorage;
use crate::storage::Result;
use rusqlite::{params, OptionalExtension, Row};
use shumari_domain::AreaRange;

const CYCLE_COLUMNS: &str = "SELECT id, programme_id, period, state, prepared_by, prepared_at,
    approved_by, approved_at, payment_count, total_paisa FROM payment_cycles";

const PAYMENT_COLUMNS: &str = "SELECT reference, cycle_id, household_id, household_ref, area,
    district, payee_member, payee_name, payee_cnic, planned_paisa, basis, status, paid_paisa,
    paid_on, agent_id, failure_reason, bank_file FROM payments";

fn cycle(r: &Row<'_>) -> rusqlite::Result<CycleRow> {
    Ok(CycleRow {
        id: r.get(0)?,
        programme_id: r.get(1)?,
        period: r.get(2)?,
        state: r.get(3)?,
        prepared_by: r.get(4)?,
        prepared_at: r.get(5)?,
        approved_by: r.get(6)?,
        approved_at: r.get(7)?,
        payment_count: r.get(8)?,
        total_paisa: r.get(9)?,
    })
}

fn payment(r: &Row<'_>) -> rusqlite::Result<PaymentRow> {
    Ok(PaymentRow {
        reference: r.get(0)?,
        cycle_id: r.get(1)?,
        household_id: r.get(2)?,
        household_ref: r.get(3)?,
        area: r.get(4)?,
        district: r.get(5)?,
        payee_member: r.get(6)?,
        payee_name: r.get(7)?,
        payee_cnic: r.get(8)?,
        planned_paisa: r.get(9)?,
        basis: r.get(10)?,
        result: PaymentResult {
            status: r.get(11)?,
            paid_paisa: r.get(12)?,
            paid_on: r.get(13)?,
            agent_id: r.get(14)?,
            failure_reason: r.get(15)?,
            bank_file: r.get(16)?,
        },
    })
}

impl PaymentStore for SqliteStorage {
    async fn insert_cycle(&self, c: &CycleRow, payments: Vec<PaymentRow>) -> Result<bool> {
        let c = c.clone();
        self.run(move |conn| {
            let tx = conn.transaction()?;
            let added = tx
                .prepare_cached(
                    "INSERT INTO payment_cycles (id, programme_id, period, state, prepared_by,
                        prepared_at, approved_by, approved_at, payment_count, total_paisa)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT (programme_id, period) DO NOTHING",
                )?
                .execute(params![
                    c.id,
                    c.programme_id,
                    c.period,
                    c.state,
                    c.prepared_by,
                    c.prepared_at,
                    c.approved_by,
                    c.approved_at,
                    c.payment_count,
                    c.total_paisa
                ])?;
            if added == 0 {
                return Ok(false);
            }
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO payments (reference, cycle_id, household_id, household_ref, area,
                        district, payee_member, payee_name, payee_cnic, planned_paisa, basis, status)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?;
                for p in &payments {
                    stmt.execute(params![
                        p.reference,
                        p.cycle_id,
                        p.household_id,
                        p.household_ref,
                        p.area,
                        p.district,
                        p.payee_member,
                        p.payee_name,
                        p.payee_cnic,
                        p.planned_paisa,
                        p.basis,
                        p.result.status
                    ])?;
                }
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn payment_cycle(&self, id: &str) -> Result<Option<CycleRow>> {
        let id = id.to_string();
        self.read_quick(move |c| {
            Ok(c.prepare_cached(&format!("{CYCLE_COLUMNS} WHERE id = ?1"))?
                .query_row([id], cycle)
                .optional()?)
        })
        .await
    }

    async fn payment_cycles(&self) -> Result<Vec<CycleRow>> {
        self.run(move |c| {
            let mut stmt =
                c.prepare_cached(&format!("{CYCLE_COLUMNS} ORDER BY prepared_at DESC, id"))?;
            let rows = stmt
                .query_map([], cycle)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
        .await
    }

    async fn approve_payment_cycle(&self, id: &str, by: &str, at: i64) -> Result<bool> {
        let (id, by) = (id.to_string(), by.to_string());
        self.run(move |c| {
            let n = c
                .prepare_cached(
                    "UPDATE payment_cycles SET state = 'approved', approved_by = ?2, approved_at = ?3
                     WHERE id = ?1 AND state = 'prepared'",
                )?
                .execute(params![id, by, at])?;
            Ok(n == 1)
        })
        .await
    }

    async fn cycle_districts(&self, cycle_id: &str) -> Result<Vec<String>> {
        let id = cycle_id.to_string();
        self.run(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT DISTINCT district FROM payments WHERE cycle_id = ?1 ORDER BY district",
            )?;
            let rows = stmt
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
        .await
    }

    async fn cycle_payments(
        &self,
        cycle_id: &str,
        district: Option<&str>,
    ) -> Result<Vec<PaymentRow>> {
        let (id, district) = (cycle_id.to_string(), district.map(str::to_string));
        self.run(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "{PAYMENT_COLUMNS} WHERE cycle_id = ?1 AND (?2 IS NULL OR district = ?2)
                 ORDER BY district, reference"
            ))?;
            let rows = stmt
                .query_map(params![id, district], payment)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
        .await
    }

    async fn cycle_figures(
        &self,
        cycle_id: &str,
        area: &str,
        district: Option<&str>,
    ) -> Result<Vec<FigureRow>> {
        let (id, r, district) = (
            cycle_id.to_string(),
            AreaRange::of(area),
            district.map(str::to_string),
        );
        self.run(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT district, status, failure_reason, count(*), sum(planned_paisa),
                        coalesce(sum(paid_paisa), 0)
                   FROM payments
                  WHERE cycle_id = ?1 AND area >= ?2 AND area < ?4 AND (area = ?2 OR area >= ?3)
                    AND (?5 IS NULL OR district = ?5)
                  GROUP BY district, status, failure_reason",
            )?;
            let rows = stmt
                .query_map(params![id, r.code, r.from, r.until, district], |r| {
                    Ok(FigureRow {
                        district: r.get(0)?,
                        status: r.get(1)?,
                        reason: r.get(2)?,
                        count: r.get(3)?,
                        planned_paisa: r.get(4)?,
                        paid_paisa: r.get(5)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
        .await
    }

    async fn payments_by_reference(&self, references: &[String]) -> Result<Vec<PaymentRow>> {
        let refs = references.to_vec();
        self.run(move |c| {
            let mut stmt = c.prepare_cached(&format!("{PAYMENT_COLUMNS} WHERE reference = ?1"))?;
            let mut out = Vec::new();
            for r in &refs {
                if let Some(p) = stmt.query_row([r], payment).optional()? {
                    out.push(p);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn payments_under(
        &self,
        area: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<PaymentRow>> {
        let r = AreaRange::of(area);
        let after = after.to_string();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "{PAYMENT_COLUMNS} WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2)
                   AND reference > ?4 ORDER BY reference LIMIT ?5"
            ))?;
            let rows = stmt
                .query_map(params![r.code, r.from, r.until, after, limit], payment)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
        .await
    }

    async fn payments_of_household(&self, household_id: &str) -> Result<Vec<PaymentRow>> {
        let id = household_id.to_string();
        self.read_quick(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "{PAYMENT_COLUMNS} WHERE household_id = ?1 ORDER BY reference"
            ))?;
            let rows = stmt
                .query_map([id], payment)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
        .await
    }

    async fn bank_file(&self, sha256: &str) -> Result<Option<BankFileRow>> {
        let sha = sha256.to_string();
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT sha256, cycle_id, imported_by, imported_at, row_count, paid_count,
                        failed_count, unchanged_count
                   FROM payment_bank_files WHERE sha256 = ?1",
            )?
            .query_row([sha], |r| {
                Ok(BankFileRow {
                    sha256: r.get(0)?,
                    cycle_id: r.get(1)?,
                    imported_by: r.get(2)?,
                    imported_at: r.get(3)?,
                    rows: r.get(4)?,
                    paid: r.get(5)?,
                    failed: r.get(6)?,
                    unchanged: r.get(7)?,
                })
            })
            .optional()?)
        })
        .await
    }

    async fn record_bank_file(&self, f: &BankFileRow, updates: Vec<ResultUpdate>) -> Result<bool> {
        let f = f.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            let added = tx
                .prepare_cached(
                    "INSERT INTO payment_bank_files (sha256, cycle_id, imported_by, imported_at,
                        row_count, paid_count, failed_count, unchanged_count)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (sha256) DO NOTHING",
                )?
                .execute(params![
                    f.sha256,
                    f.cycle_id,
                    f.imported_by,
                    f.imported_at,
                    f.rows,
                    f.paid,
                    f.failed,
                    f.unchanged
                ])?;
            if added == 0 {
                return Ok(false);
            }
            {
                let mut stmt = tx.prepare_cached(
                    "UPDATE payments SET status = ?3, paid_paisa = ?4, paid_on = ?5, agent_id = ?6,
                        failure_reason = ?7, bank_file = ?8
                     WHERE reference = ?1 AND status = ?2",
                )?;
                for u in &updates {
                    let r = &u.result;
                    let n = stmt.execute(params![
                        u.reference,
                        u.expected_status,
                        r.status,
                        r.paid_paisa,
                        r.paid_on,
                        r.agent_id,
                        r.failure_reason,
                        r.bank_file
                    ])?;
                    if n != 1 {
                        // Dropping the transaction rolls every write back.
                        return Ok(false);
                    }
                }
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }
}
