//! Forms and submissions on PostgreSQL (see the module above). Area and day comparisons are
//! bytewise (`COLLATE "C"`), as the domain's `AreaRange` requires.

use super::{submission_columns, FormRow, FormStore, SiteDay, SubmissionQuery, SubmissionRow};
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
    }
}

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
            new += tx
                .execute(
                    "INSERT INTO form_submissions (id, form_id, version, area, site, day, answers,
                            status, filled_at, received_at, device_id, user_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
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
                    ],
                )
                .await?;
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
                    AND day >= $5
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
}
