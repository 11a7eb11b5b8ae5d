//! Grievances on PostgreSQL (see the module above). Area and tracking comparisons are bytewise
//! (`COLLATE "C"`), as the domain's `AreaRange` requires.

use super::{
    grievance_columns, tracking_number, EventRow, GrievanceChange, GrievanceQuery, GrievanceRow,
    GrievanceStore, GrievanceTally,
};
use crate::storage::postgres::PgStorage;
use crate::storage::Result;
use shumari_domain::AreaRange;
use tokio_postgres::{GenericClient, Row};

fn row(r: &Row) -> GrievanceRow {
    GrievanceRow {
        tracking: r.get(0),
        district: r.get(1),
        province: r.get(2),
        area: r.get(3),
        household_id: r.get(4),
        payment_reference: r.get(5),
        reported_amount: r.get(6),
        category: r.get(7),
        channel: r.get(8),
        lang: r.get(9),
        citizen_text: r.get(10),
        phone: r.get(11),
        status: r.get(12),
        filed_by: r.get(13),
        filed_at: r.get(14),
        due_at: r.get(15),
        escalated_at: r.get(16),
        resolved_at: r.get(17),
        resolution: r.get(18),
        updated_at: r.get(19),
    }
}

/// Appends an event after the grievance's last; the caller's transaction holds the grievance's row
/// lock, so no other event of it is numbered meanwhile.
async fn append_event(
    c: &impl GenericClient,
    tracking: &str,
    kind: &str,
    by: &str,
    at: i64,
    text: &str,
) -> Result<()> {
    c.execute(
        "INSERT INTO grievance_events (tracking, seq, kind, by_user, at, text)
         SELECT $1::text, COALESCE(MAX(seq), 0) + 1, $2::text, $3::text, $4::bigint, $5::text
           FROM grievance_events WHERE tracking = $1::text",
        &[&tracking, &kind, &by, &at, &text],
    )
    .await?;
    Ok(())
}

fn i64_of(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl GrievanceStore for PgStorage {
    async fn insert_grievance(&self, g: &GrievanceRow) -> Result<GrievanceRow> {
        let mut g = g.clone();
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        let n: i64 = tx
            .query_one(
                "INSERT INTO grievance_sequences (district, last_number) VALUES ($1, 1)
                 ON CONFLICT (district) DO UPDATE
                    SET last_number = grievance_sequences.last_number + 1
                 RETURNING last_number",
                &[&g.district],
            )
            .await?
            .get(0);
        g.tracking = tracking_number(&g.district, n);
        tx.execute(
            "INSERT INTO grievances (tracking, district, province, area, household_id,
                    payment_reference, reported_amount, category, channel, lang, citizen_text,
                    phone, status, filed_by, filed_at, due_at, escalated_at, resolved_at,
                    resolution, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                     $18, $19, $20)",
            &[
                &g.tracking,
                &g.district,
                &g.province,
                &g.area,
                &g.household_id,
                &g.payment_reference,
                &g.reported_amount,
                &g.category,
                &g.channel,
                &g.lang,
                &g.citizen_text,
                &g.phone,
                &g.status,
                &g.filed_by,
                &g.filed_at,
                &g.due_at,
                &g.escalated_at,
                &g.resolved_at,
                &g.resolution,
                &g.updated_at,
            ],
        )
        .await?;
        append_event(&tx, &g.tracking, "filed", &g.filed_by, g.filed_at, "").await?;
        tx.commit().await?;
        Ok(g)
    }

    async fn grievance(&self, tracking: &str) -> Result<Option<GrievanceRow>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            concat!(grievance_columns!(), " WHERE tracking = $1"),
            &[&tracking],
        )
        .await?
        .map(|r| row(&r)))
    }

    async fn grievance_events(&self, tracking: &str) -> Result<Vec<EventRow>> {
        let c = self.conn().await;
        Ok(c.query(
            "SELECT seq, kind, by_user, at, text FROM grievance_events
                  WHERE tracking = $1 ORDER BY seq",
            &[&tracking],
        )
        .await?
        .iter()
        .map(|r| EventRow {
            seq: r.get(0),
            kind: r.get(1),
            by_user: r.get(2),
            at: r.get(3),
            text: r.get(4),
        })
        .collect())
    }

    async fn grievances_in(&self, q: &GrievanceQuery) -> Result<Vec<GrievanceRow>> {
        let r = AreaRange::of(&q.area);
        let c = self.conn().await;
        Ok(c.query(
            concat!(
                grievance_columns!(),
                " WHERE area COLLATE \"C\" >= $1::text AND area COLLATE \"C\" < $3::text
                        AND (area COLLATE \"C\" = $1::text OR area COLLATE \"C\" >= $2::text)
                        AND ($4::text IS NULL OR status = $4::text)
                        AND ($5::text IS NULL OR category = $5::text)
                        AND ($6::bigint IS NULL OR (due_at < $6::bigint
                             AND status IN ('open', 'in_progress', 'escalated')))
                        AND (NOT $7::bool OR escalated_at IS NOT NULL)
                        AND tracking COLLATE \"C\" > $8::text
                      ORDER BY tracking COLLATE \"C\" LIMIT $9"
            ),
            &[
                &r.code,
                &r.from,
                &r.until,
                &q.status,
                &q.category,
                &q.overdue_at,
                &q.escalated_only,
                &q.after,
                &i64_of(q.limit),
            ],
        )
        .await?
        .iter()
        .map(row)
        .collect())
    }

    async fn grievance_tally(&self, area: &str, now: i64) -> Result<Vec<GrievanceTally>> {
        let r = AreaRange::of(area);
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT category, COUNT(*)::int8,
                        COUNT(*) FILTER (WHERE resolved_at IS NULL)::int8,
                        COUNT(*) FILTER (WHERE COALESCE(resolved_at, $4::int8) > due_at)::int8
                   FROM grievances
                  WHERE area COLLATE \"C\" >= $1::text AND area COLLATE \"C\" < $3::text
                    AND (area COLLATE \"C\" = $1::text OR area COLLATE \"C\" >= $2::text)
                  GROUP BY category ORDER BY category",
                &[&r.code, &r.from, &r.until, &now],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| GrievanceTally {
                category: row.get(0),
                total: u64::try_from(row.get::<_, i64>(1)).unwrap_or(0),
                unresolved: u64::try_from(row.get::<_, i64>(2)).unwrap_or(0),
                past_sla: u64::try_from(row.get::<_, i64>(3)).unwrap_or(0),
            })
            .collect())
    }

    async fn count_open_grievances(&self, area: &str, escalated_only: bool) -> Result<u64> {
        let r = AreaRange::of(area);
        let c = self.conn().await;
        let n: i64 = c
            .query_one(
                "SELECT COUNT(*) FROM grievances
                  WHERE area COLLATE \"C\" >= $1::text AND area COLLATE \"C\" < $3::text
                    AND (area COLLATE \"C\" = $1::text OR area COLLATE \"C\" >= $2::text)
                    AND status IN ('open', 'in_progress', 'escalated')
                    AND (NOT $4::bool OR escalated_at IS NOT NULL)",
                &[&r.code, &r.from, &r.until, &escalated_only],
            )
            .await?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn change_grievance(&self, tracking: &str, change: &GrievanceChange) -> Result<bool> {
        let resolved_at = change.resolution.as_ref().map(|_| change.at);
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        let n = tx
            .execute(
                "UPDATE grievances
                    SET status = $3, updated_at = $4,
                        resolution = COALESCE($5, resolution),
                        resolved_at = COALESCE($6, resolved_at)
                  WHERE tracking = $1 AND status = $2",
                &[
                    &tracking,
                    &change.from,
                    &change.to,
                    &change.at,
                    &change.resolution,
                    &resolved_at,
                ],
            )
            .await?;
        if n != 1 {
            return Ok(false);
        }
        append_event(
            &tx,
            tracking,
            &change.kind,
            &change.by_user,
            change.at,
            &change.text,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn escalate_due(&self, now: i64, by: &str, limit: usize) -> Result<Vec<GrievanceRow>> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        // Rows another registry is escalating are skipped; the outer condition is checked again
        // on each locked row, so none is escalated twice.
        let rows: Vec<GrievanceRow> = tx
            .query(
                "UPDATE grievances SET status = 'escalated', escalated_at = $1, updated_at = $1
                  WHERE escalated_at IS NULL AND status IN ('open', 'in_progress')
                    AND tracking IN (
                        SELECT tracking FROM grievances
                         WHERE escalated_at IS NULL AND status IN ('open', 'in_progress')
                           AND due_at < $1
                         ORDER BY due_at, tracking LIMIT $2
                           FOR UPDATE SKIP LOCKED)
                  RETURNING tracking, district, province, area, household_id, payment_reference,
                        reported_amount, category, channel, lang, citizen_text, phone, status,
                        filed_by, filed_at, due_at, escalated_at, resolved_at, resolution,
                        updated_at",
                &[&now, &i64_of(limit)],
            )
            .await?
            .iter()
            .map(row)
            .collect();
        for g in &rows {
            append_event(&tx, &g.tracking, "escalated", by, now, "").await?;
        }
        tx.commit().await?;
        Ok(rows)
    }

    async fn grievances_of_household(&self, household_id: &str) -> Result<Vec<GrievanceRow>> {
        let c = self.conn().await;
        Ok(c.query(
            concat!(
                grievance_columns!(),
                " WHERE household_id = $1 ORDER BY filed_at, tracking COLLATE \"C\""
            ),
            &[&household_id],
        )
        .await?
        .iter()
        .map(row)
        .collect())
    }

    async fn grievances_for_payments(&self, references: &[String]) -> Result<Vec<GrievanceRow>> {
        let c = self.conn().await;
        Ok(c.query(
            concat!(
                grievance_columns!(),
                " WHERE payment_reference = ANY($1) ORDER BY tracking COLLATE \"C\""
            ),
            &[&references],
        )
        .await?
        .iter()
        .map(row)
        .collect())
    }
}
