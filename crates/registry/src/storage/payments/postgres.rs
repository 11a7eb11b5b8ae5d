//! [`PaymentStore`] on PostgreSQL (see the module above). Lists travel as array parameters.

use super::{
    BankFileRow, CycleRow, FigureRow, PaymentResult, PaymentRow, PaymentStore, ResultUpdate,
};
use crate::storage::postgres::PgStorage;
use crate::storage::Result;
use shumari_domain::AreaRange;
use tokio_postgres::Row;

const CYCLE_COLUMNS: &str = "SELECT id, programme_id, period, state, prepared_by, prepared_at,
    approved_by, approved_at, payment_count, total_paisa FROM payment_cycles";

const PAYMENT_COLUMNS: &str = "SELECT reference, cycle_id, household_id, household_ref, area,
    district, payee_member, payee_name, payee_cnic, planned_paisa, basis, status, paid_paisa,
    paid_on, agent_id, failure_reason, bank_file FROM payments";

fn cycle(r: &Row) -> CycleRow {
    CycleRow {
        id: r.get(0),
        programme_id: r.get(1),
        period: r.get(2),
        state: r.get(3),
        prepared_by: r.get(4),
        prepared_at: r.get(5),
        approved_by: r.get(6),
        approved_at: r.get(7),
        payment_count: r.get(8),
        total_paisa: r.get(9),
    }
}

fn payment(r: &Row) -> PaymentRow {
    PaymentRow {
        reference: r.get(0),
        cycle_id: r.get(1),
        household_id: r.get(2),
        household_ref: r.get(3),
        area: r.get(4),
        district: r.get(5),
        payee_member: r.get(6),
        payee_name: r.get(7),
        payee_cnic: r.get(8),
        planned_paisa: r.get(9),
        basis: r.get(10),
        result: PaymentResult {
            status: r.get(11),
            paid_paisa: r.get(12),
            paid_on: r.get(13),
            agent_id: r.get(14),
            failure_reason: r.get(15),
            bank_file: r.get(16),
        },
    }
}

impl PaymentStore for PgStorage {
    async fn insert_cycle(&self, c: &CycleRow, payments: Vec<PaymentRow>) -> Result<bool> {
        let col = |f: fn(&PaymentRow) -> &str| -> Vec<&str> { payments.iter().map(f).collect() };
        let (reference, cycle_id, household_id, household_ref, area, district) = (
            col(|p| &p.reference),
            col(|p| &p.cycle_id),
            col(|p| &p.household_id),
            col(|p| &p.household_ref),
            col(|p| &p.area),
            col(|p| &p.district),
        );
        let (payee_member, payee_name, payee_cnic, basis, status) = (
            col(|p| &p.payee_member),
            col(|p| &p.payee_name),
            col(|p| &p.payee_cnic),
            col(|p| &p.basis),
            col(|p| &p.result.status),
        );
        let planned: Vec<i64> = payments.iter().map(|p| p.planned_paisa).collect();
        let mut conn = self.conn().await;
        let tx = conn.transaction().await?;
        let added = tx
            .execute(
                "INSERT INTO payment_cycles (id, programme_id, period, state, prepared_by,
                    prepared_at, approved_by, approved_at, payment_count, total_paisa)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (programme_id, period) DO NOTHING",
                &[
                    &c.id,
                    &c.programme_id,
                    &c.period,
                    &c.state,
                    &c.prepared_by,
                    &c.prepared_at,
                    &c.approved_by,
                    &c.approved_at,
                    &c.payment_count,
                    &c.total_paisa,
                ],
            )
            .await?;
        if added == 0 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO payments (reference, cycle_id, household_id, household_ref, area, district,
                payee_member, payee_name, payee_cnic, planned_paisa, basis, status)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                $6::text[], $7::text[], $8::text[], $9::text[], $10::int8[], $11::text[], $12::text[])",
            &[
                &reference,
                &cycle_id,
                &household_id,
                &household_ref,
                &area,
                &district,
                &payee_member,
                &payee_name,
                &payee_cnic,
                &planned,
                &basis,
                &status,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn payment_cycle(&self, id: &str) -> Result<Option<CycleRow>> {
        let c = self.conn().await;
        Ok(
            c.query_opt(&format!("{CYCLE_COLUMNS} WHERE id = $1"), &[&id])
                .await?
                .as_ref()
                .map(cycle),
        )
    }

    async fn payment_cycles(&self) -> Result<Vec<CycleRow>> {
        let c = self.conn().await;
        Ok(c.query(
            &format!("{CYCLE_COLUMNS} ORDER BY prepared_at DESC, id"),
            &[],
        )
        .await?
        .iter()
        .map(cycle)
        .collect())
    }

    async fn approve_payment_cycle(&self, id: &str, by: &str, at: i64) -> Result<bool> {
        let c = self.conn().await;
        let n = c
            .execute(
                "UPDATE payment_cycles SET state = 'approved', approved_by = $2, approved_at = $3
                 WHERE id = $1 AND state = 'prepared'",
                &[&id, &by, &at],
            )
            .await?;
        Ok(n == 1)
    }

    async fn cycle_districts(&self, cycle_id: &str) -> Result<Vec<String>> {
        let c = self.conn().await;
        Ok(c.query(
            "SELECT DISTINCT district FROM payments WHERE cycle_id = $1 ORDER BY district",
            &[&cycle_id],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
    }

    async fn cycle_payments(
        &self,
        cycle_id: &str,
        district: Option<&str>,
    ) -> Result<Vec<PaymentRow>> {
        let c = self.conn().await;
        Ok(c.query(
            &format!(
                "{PAYMENT_COLUMNS} WHERE cycle_id = $1 AND ($2::text IS NULL OR district = $2)
                 ORDER BY district, reference"
            ),
            &[&cycle_id, &district],
        )
        .await?
        .iter()
        .map(payment)
        .collect())
    }

    async fn cycle_figures(
        &self,
        cycle_id: &str,
        area: &str,
        district: Option<&str>,
    ) -> Result<Vec<FigureRow>> {
        let r = AreaRange::of(area);
        let c = self.conn().await;
        Ok(c.query(
            "SELECT district, status, failure_reason, count(*)::int8, sum(planned_paisa)::int8,
                    coalesce(sum(paid_paisa), 0)::int8
               FROM payments
              WHERE cycle_id = $1 AND area >= $2::text AND area < $4::text
                AND (area = $2::text OR area >= $3::text)
                AND ($5::text IS NULL OR district = $5)
              GROUP BY district, status, failure_reason",
            &[&cycle_id, &r.code, &r.from, &r.until, &district],
        )
        .await?
        .iter()
        .map(|r| FigureRow {
            district: r.get(0),
            status: r.get(1),
            reason: r.get(2),
            count: r.get(3),
            planned_paisa: r.get(4),
            paid_paisa: r.get(5),
        })
        .collect())
    }

    async fn payments_by_reference(&self, references: &[String]) -> Result<Vec<PaymentRow>> {
        let c = self.conn().await;
        Ok(c.query(
            &format!("{PAYMENT_COLUMNS} WHERE reference = ANY($1)"),
            &[&references],
        )
        .await?
        .iter()
        .map(payment)
        .collect())
    }

    async fn payments_under(
        &self,
        area: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<PaymentRow>> {
        let r = AreaRange::of(area);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.conn().await;
        Ok(c.query(
            &format!(
                "{PAYMENT_COLUMNS} WHERE area >= $1::text AND area < $3::text
                   AND (area = $1::text OR area >= $2::text)
                   AND reference > $4::text ORDER BY reference LIMIT $5"
            ),
            &[&r.code, &r.from, &r.until, &after, &limit],
        )
        .await?
        .iter()
        .map(payment)
        .collect())
    }

    async fn payments_of_household(&self, household_id: &str) -> Result<Vec<PaymentRow>> {
        let c = self.conn().await;
        Ok(c.query(
            &format!("{PAYMENT_COLUMNS} WHERE household_id = $1 ORDER BY reference"),
            &[&household_id],
        )
        .await?
        .iter()
        .map(payment)
        .collect())
    }

    async fn bank_file(&self, sha256: &str) -> Result<Option<BankFileRow>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT sha256, cycle_id, imported_by, imported_at, row_count, paid_count,
                    failed_count, unchanged_count
               FROM payment_bank_files WHERE sha256 = $1",
            &[&sha256],
        )
        .await?
        .map(|r| BankFileRow {
            sha256: r.get(0),
            cycle_id: r.get(1),
            imported_by: r.get(2),
            imported_at: r.get(3),
            rows: r.get(4),
            paid: r.get(5),
            failed: r.get(6),
            unchanged: r.get(7),
        }))
    }

    async fn record_bank_file(&self, f: &BankFileRow, updates: Vec<ResultUpdate>) -> Result<bool> {
        let mut conn = self.conn().await;
        let tx = conn.transaction().await?;
        let added = tx
            .execute(
                "INSERT INTO payment_bank_files (sha256, cycle_id, imported_by, imported_at,
                    row_count, paid_count, failed_count, unchanged_count)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (sha256) DO NOTHING",
                &[
                    &f.sha256,
                    &f.cycle_id,
                    &f.imported_by,
                    &f.imported_at,
                    &f.rows,
                    &f.paid,
                    &f.failed,
                    &f.unchanged,
                ],
            )
            .await?;
        if added == 0 {
            return Ok(false);
        }
        let stmt = tx
            .prepare(
                "UPDATE payments SET status = $3, paid_paisa = $4, paid_on = $5, agent_id = $6,
                    failure_reason = $7, bank_file = $8
                 WHERE reference = $1 AND status = $2",
            )
            .await?;
        for u in &updates {
            let r = &u.result;
            let n = tx
                .execute(
                    &stmt,
                    &[
                        &u.reference,
                        &u.expected_status,
                        &r.status,
                        &r.paid_paisa,
                        &r.paid_on,
                        &r.agent_id,
                        &r.failure_reason,
                        &r.bank_file,
                    ],
                )
                .await?;
            if n != 1 {
                // Dropping the transaction rolls every write back.
                return Ok(false);
            }
        }
        tx.commit().await?;
        Ok(true)
    }
}
