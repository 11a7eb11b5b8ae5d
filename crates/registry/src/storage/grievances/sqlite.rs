//! Grievances on SQLite (see the module above). The one connection is held for a whole method, so
//! each method's statements are one transaction.

use super::{
    grievance_columns, tracking_number, EventRow, GrievanceChange, GrievanceQuery, GrievanceRow,
    GrievanceStore, GrievanceTally,
};
use crate::storage::sqlite::SqliteStorage;
use crate::storage::Result;
use rusqlite::{params, Connection, OptionalExtension};
use shumari_domain::AreaRange;

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<GrievanceRow> {
    Ok(GrievanceRow {
        tracking: r.get(0)?,
        district: r.get(1)?,
        province: r.get(2)?,
        area: r.get(3)?,
        household_id: r.get(4)?,
        payment_reference: r.get(5)?,
        reported_amount: r.get(6)?,
        category: r.get(7)?,
        channel: r.get(8)?,
        lang: r.get(9)?,
        citizen_text: r.get(10)?,
        phone: r.get(11)?,
        status: r.get(12)?,
        filed_by: r.get(13)?,
        filed_at: r.get(14)?,
        due_at: r.get(15)?,
        escalated_at: r.get(16)?,
        resolved_at: r.get(17)?,
        resolution: r.get(18)?,
        updated_at: r.get(19)?,
    })
}

/// Appends an event after the grievance's last (the caller holds the transaction).
fn append_event(
    c: &Connection,
    tracking: &str,
    kind: &str,
    by: &str,
    at: i64,
    text: &str,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO grievance_events (tracking, seq, kind, by_user, at, text)
         SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5
           FROM grievance_events WHERE tracking = ?1",
    )?
    .execute(params![tracking, kind, by, at, text])?;
    Ok(())
}

fn i64_of(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl GrievanceStore for SqliteStorage {
    async fn insert_grievance(&self, g: &GrievanceRow) -> Result<GrievanceRow> {
        let mut g = g.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            let n: i64 = tx
                .prepare_cached(
                    "INSERT INTO grievance_sequences (district, last_number) VALUES (?1, 1)
                     ON CONFLICT (district) DO UPDATE SET last_number = last_number + 1
                     RETURNING last_number",
                )?
                .query_row([&g.district], |r| r.get(0))?;
            g.tracking = tracking_number(&g.district, n);
            tx.prepare_cached(
                "INSERT INTO grievances (tracking, district, province, area, household_id,
                        payment_reference, reported_amount, category, channel, lang, citizen_text,
                        phone, status, filed_by, filed_at, due_at, escalated_at, resolved_at,
                        resolution, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18, ?19, ?20)",
            )?
            .execute(params![
                g.tracking,
                g.district,
                g.province,
                g.area,
                g.household_id,
                g.payment_reference,
                g.reported_amount,
                g.category,
                g.channel,
                g.lang,
                g.citizen_text,
                g.phone,
                g.status,
                g.filed_by,
                g.filed_at,
                g.due_at,
                g.escalated_at,
                g.resolved_at,
                g.resolution,
                g.updated_at
            ])?;
            append_event(&tx, &g.tracking, "filed", &g.filed_by, g.filed_at, "")?;
            tx.commit()?;
            Ok(g)
        })
        .await
    }

    async fn grievance(&self, tracking: &str) -> Result<Option<GrievanceRow>> {
        let tracking = tracking.to_string();
        self.run(move |c| {
            Ok(
                c.prepare_cached(concat!(grievance_columns!(), " WHERE tracking = ?1"))?
                    .query_row([tracking], row)
                    .optional()?,
            )
        })
        .await
    }

    async fn grievance_events(&self, tracking: &str) -> Result<Vec<EventRow>> {
        let tracking = tracking.to_string();
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT seq, kind, by_user, at, text FROM grievance_events
                      WHERE tracking = ?1 ORDER BY seq",
            )?
            .query_map([tracking], |r| {
                Ok(EventRow {
                    seq: r.get(0)?,
                    kind: r.get(1)?,
                    by_user: r.get(2)?,
                    at: r.get(3)?,
                    text: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn grievances_in(&self, q: &GrievanceQuery) -> Result<Vec<GrievanceRow>> {
        let q = q.clone();
        let r = AreaRange::of(&q.area);
        self.run(move |c| {
            Ok(c.prepare_cached(concat!(
                grievance_columns!(),
                " WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2)
                        AND (?4 IS NULL OR status = ?4)
                        AND (?5 IS NULL OR category = ?5)
                        AND (?6 IS NULL OR (due_at < ?6
                             AND status IN ('open', 'in_progress', 'escalated')))
                        AND (?7 = 0 OR escalated_at IS NOT NULL)
                        AND tracking > ?8
                      ORDER BY tracking LIMIT ?9"
            ))?
            .query_map(
                params![
                    r.code,
                    r.from,
                    r.until,
                    q.status,
                    q.category,
                    q.overdue_at,
                    q.escalated_only,
                    q.after,
                    i64_of(q.limit)
                ],
                row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn grievance_tally(&self, area: &str, now: i64) -> Result<Vec<GrievanceTally>> {
        let r = AreaRange::of(area);
        self.run(move |c| {
            let rows = c
                .prepare_cached(
                    "SELECT category, COUNT(*),
                            SUM(CASE WHEN resolved_at IS NULL THEN 1 ELSE 0 END),
                            SUM(CASE WHEN COALESCE(resolved_at, ?4) > due_at THEN 1 ELSE 0 END)
                       FROM grievances
                      WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2)
                      GROUP BY category ORDER BY category",
                )?
                .query_map(params![r.code, r.from, r.until, now], |r| {
                    Ok(GrievanceTally {
                        category: r.get(0)?,
                        total: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                        unresolved: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                        past_sla: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    async fn count_open_grievances(&self, area: &str, escalated_only: bool) -> Result<u64> {
        let r = AreaRange::of(area);
        self.run(move |c| {
            let n: i64 = c
                .prepare_cached(
                    "SELECT COUNT(*) FROM grievances
                      WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2)
                        AND status IN ('open', 'in_progress', 'escalated')
                        AND (?4 = 0 OR escalated_at IS NOT NULL)",
                )?
                .query_row(params![r.code, r.from, r.until, escalated_only], |r| {
                    r.get(0)
                })?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn change_grievance(&self, tracking: &str, change: &GrievanceChange) -> Result<bool> {
        let (tracking, ch) = (tracking.to_string(), change.clone());
        self.run(move |c| {
            let tx = c.transaction()?;
            let resolved_at = ch.resolution.as_ref().map(|_| ch.at);
            let n = tx
                .prepare_cached(
                    "UPDATE grievances
                        SET status = ?3, updated_at = ?4,
                            resolution = COALESCE(?5, resolution),
                            resolved_at = COALESCE(?6, resolved_at)
                      WHERE tracking = ?1 AND status = ?2",
                )?
                .execute(params![
                    tracking,
                    ch.from,
                    ch.to,
                    ch.at,
                    ch.resolution,
                    resolved_at
                ])?;
            if n != 1 {
                return Ok(false);
            }
            append_event(&tx, &tracking, &ch.kind, &ch.by_user, ch.at, &ch.text)?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn escalate_due(&self, now: i64, by: &str, limit: usize) -> Result<Vec<GrievanceRow>> {
        let by = by.to_string();
        self.run(move |c| {
            let tx = c.transaction()?;
            let rows = tx
                .prepare_cached(
                    "UPDATE grievances SET status = 'escalated', escalated_at = ?1, updated_at = ?1
                      WHERE tracking IN (
                            SELECT tracking FROM grievances
                             WHERE escalated_at IS NULL AND status IN ('open', 'in_progress')
                               AND due_at < ?1
                             ORDER BY due_at, tracking LIMIT ?2)
                      RETURNING tracking, district, province, area, household_id,
                            payment_reference, reported_amount, category, channel, lang,
                            citizen_text, phone, status, filed_by, filed_at, due_at, escalated_at,
                            resolved_at, resolution, updated_at",
                )?
                .query_map(params![now, i64_of(limit)], row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for g in &rows {
                append_event(&tx, &g.tracking, "escalated", &by, now, "")?;
            }
            tx.commit()?;
            Ok(rows)
        })
        .await
    }

    async fn grievances_of_household(&self, household_id: &str) -> Result<Vec<GrievanceRow>> {
        let id = household_id.to_string();
        self.read_quick(move |c| {
            Ok(c.prepare_cached(concat!(
                grievance_columns!(),
                " WHERE household_id = ?1 ORDER BY filed_at, tracking"
            ))?
            .query_map([id], row)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn grievances_for_payments(&self, references: &[String]) -> Result<Vec<GrievanceRow>> {
        let refs = references.to_vec();
        self.run(move |c| {
            let mut st = c.prepare_cached(concat!(
                grievance_columns!(),
                " WHERE payment_reference = ?1 ORDER BY tracking"
            ))?;
            let mut out = Vec::new();
            // One indexed look-up per reference: a reconciliation report asks for one cycle's.
            for r in refs {
                out.extend(
                    st.query_map([r], row)?
                        .collect::<rusqlite::Result<Vec<_>>>()?,
                );
            }
            Ok(out)
        })
        .await
    }
}
