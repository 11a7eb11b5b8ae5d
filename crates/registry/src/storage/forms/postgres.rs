//! Forms and submissions on PostgreSQL (see the module above). Area and day comparisons are
//! bytewise (`COLLATE "C"`), as the domain's `AreaRange` requires.

use super::{
    submission_columns, DecisionRow, FormRow, FormStore, SiteDay, SubmissionQuery, SubmissionRow,
};
use crate::storage::postgres::PgStorage;
use crate::storage::Result;
use shumari_domain::AreaRange;
use tokio_postgres::Row;

fn form(r: &Row) -> FormRow {
    FormRow {
        form_id: r.get(0),
        version: r.get(1),
        title: r.get(2),
        file_name: r.get(3),
        source: r.get(4),
        checksum: r.get(5),
        published_at: r.get(6),
        published_by: r.get(7),
    }
}

fn submission(r: &Row) -> SubmissionRow {
    SubmissionRow {
        id: r.get(0),
        form_id: r.get(1),
        version: r.get(2),
        area: r.get(3),
        site: r.get(4),
        day: r.get(5),
        answers: r.get(6),
        status: r.get(7),
        filled_at: r.get(8),
        received_at: r.get(9),
        device_id: r.get(10),
        user_id: r.get(11),
        replaces: r.get(12),
    }
}

fn decision(r: &Row) -> DecisionRow {
    DecisionRow {
        seq: r.get(0),
        submission_id: r.get(1),
        device_id: r.get(2),
        decision: r.get(3),
        note: r.get(4),
        reviewer_id: r.get(5),
        reviewer_name: r.get(6),
        decided_at: r.get(7),
    }
}

const DECISION_COLUMNS: &str = "SELECT seq, submission_id, device_id, decision, note, reviewer_id,
        reviewer_name, decided_at FROM form_submission_reviews";

impl FormStore for PgStorage {
    async fn put_form(&self, f: &FormRow, areas: &[String]) -> Result<bool> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        let new = tx
            .execute(
                "INSERT INTO forms (form_id, version, title, file_name, source, checksum,
                        published_at, published_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                &[
                    &f.form_id,
                    &f.version,
                    &f.title,
                    &f.file_name,
                    &f.source,
                    &f.checksum,
                    &f.published_at,
                    &f.published_by,
                ],
            )
            .await?
            == 1;
        for a in areas {
            tx.execute(
                "INSERT INTO form_areas (form_id, version, area) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&f.form_id, &f.version, a],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(new)
    }

    async fn form_version(&self, form_id: &str, version: &str) -> Result<Option<FormRow>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT form_id, version, title, file_name, source, checksum, published_at,
                    published_by FROM forms WHERE form_id = $1 AND version = $2",
            &[&form_id, &version],
        )
        .await?
        .map(|r| form(&r)))
    }

    async fn forms(&self) -> Result<Vec<FormRow>> {
        let c = self.conn().await;
        Ok(c.query(
            "SELECT form_id, version, title, file_name, source, checksum, published_at,
                        published_by FROM forms ORDER BY form_id COLLATE \"C\", published_at",
            &[],
        )
        .await?
        .iter()
        .map(form)
        .collect())
    }

    async fn form_publications(&self) -> Result<Vec<(String, String, String)>> {
        let c = self.conn().await;
        Ok(c.query(
            "SELECT form_id, version, area FROM form_areas
                  ORDER BY form_id COLLATE \"C\", version COLLATE \"C\", area",
            &[],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
    }

    async fn insert_submissions(&self, rows: &[SubmissionRow]) -> Result<u64> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        let mut new = 0u64;
        for s in rows {
            let stored = tx
                .execute(
                    "INSERT INTO form_submissions (id, form_id, version, area, site, day, answers,
                            status, filled_at, received_at, device_id, user_id, replaces)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                     ON CONFLICT DO NOTHING",
                    &[
                        &s.id,
                        &s.form_id,
                        &s.version,
                        &s.area,
                        &s.site,
                        &s.day,
                        &s.answers,
                        &s.status,
                        &s.filled_at,
                        &s.received_at,
                        &s.device_id,
                        &s.user_id,
                        &s.replaces,
                    ],
                )
                .await?;
            if let (1, Some(old)) = (stored, &s.replaces) {
                tx.execute(
                    "UPDATE form_submissions SET status = 'replaced'
                      WHERE id = $1 AND status = 'returned'",
                    &[old],
                )
                .await?;
            }
            new += stored;
        }
        tx.commit().await?;
        Ok(new)
    }

    async fn submissions(&self, q: &SubmissionQuery) -> Result<Vec<SubmissionRow>> {
        let r = AreaRange::of(&q.area);
        let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
        let c = self.conn().await;
        Ok(c.query(
            concat!(
                submission_columns!(),
                " WHERE form_id = $1
                        AND area >= $2 AND area < $4 AND (area = $2 OR area >= $3)
                        AND day >= $5 AND ($6 = '' OR day <= $6)
                        AND (day > $7 OR (day = $7 AND id > $8))
                        AND ($10 OR status <> 'replaced')
                      ORDER BY day, id COLLATE \"C\" LIMIT $9"
            ),
            &[
                &q.form_id,
                &r.code,
                &r.from,
                &r.until,
                &q.from_day,
                &q.until_day,
                &q.after.0,
                &q.after.1,
                &limit,
                &q.with_replaced,
            ],
        )
        .await?
        .iter()
        .map(submission)
        .collect())
    }

    async fn submissions_per_site_day(
        &self,
        form_id: &str,
        area: &str,
        from_day: &str,
    ) -> Result<Vec<SiteDay>> {
        let r = AreaRange::of(area);
        let c = self.conn().await;
        Ok(c.query(
            "SELECT day, area, site, COUNT(*) FROM form_submissions
                  WHERE form_id = $1
                    AND area >= $2 AND area < $4 AND (area = $2 OR area >= $3)
                    AND day >= $5 AND status <> 'replaced'
                  GROUP BY day, area, site ORDER BY day, area, site COLLATE \"C\"",
            &[&form_id, &r.code, &r.from, &r.until, &from_day],
        )
        .await?
        .iter()
        .map(|r| SiteDay {
            day: r.get(0),
            area: r.get(1),
            site: r.get(2),
            count: u64::try_from(r.get::<_, i64>(3)).unwrap_or(0),
        })
        .collect())
    }

    async fn submission(&self, id: &str) -> Result<Option<SubmissionRow>> {
        let c = self.conn().await;
        Ok(
            c.query_opt(concat!(submission_columns!(), " WHERE id = $1"), &[&id])
                .await?
                .as_ref()
                .map(submission),
        )
    }

    async fn replacement_of(&self, id: &str) -> Result<Option<SubmissionRow>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            concat!(
                submission_columns!(),
                " WHERE replaces = $1 ORDER BY received_at, id COLLATE \"C\" LIMIT 1"
            ),
            &[&id],
        )
        .await?
        .as_ref()
        .map(submission))
    }

    async fn decide_submission(&self, from: &str, d: &DecisionRow) -> Result<bool> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        let moved = tx
            .execute(
                "UPDATE form_submissions SET status = $3 WHERE id = $1 AND status = $2",
                &[&d.submission_id, &from, &d.decision],
            )
            .await?
            == 1;
        if moved {
            // A device names the last decision number it holds and is sent those after it, so
            // its decisions' numbers must commit in order: a sequence value taken by a
            // transaction that commits after a later one would be skipped. Decisions for one
            // device take their number under that device's lock, held to the commit.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('form_review:' || $1, 0))",
                &[&d.device_id],
            )
            .await?;
            tx.execute(
                "INSERT INTO form_submission_reviews (submission_id, device_id, decision, note,
                        reviewer_id, reviewer_name, decided_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &d.submission_id,
                    &d.device_id,
                    &d.decision,
                    &d.note,
                    &d.reviewer_id,
                    &d.reviewer_name,
                    &d.decided_at,
                ],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(moved)
    }

    async fn submission_decisions(&self, id: &str) -> Result<Vec<DecisionRow>> {
        let c = self.conn().await;
        Ok(c.query(
            &format!("{DECISION_COLUMNS} WHERE submission_id = $1 ORDER BY seq"),
            &[&id],
        )
        .await?
        .iter()
        .map(decision)
        .collect())
    }

    async fn decisions_after(
        &self,
        device_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<DecisionRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.conn().await;
        Ok(c.query(
            &format!("{DECISION_COLUMNS} WHERE device_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"),
            &[&device_id, &after, &limit],
        )
        .await?
        .iter()
        .map(decision)
        .collect())
    }
}
