//! Forms and submissions on SQLite (see the module above). The one connection is held for a whole
//! method, so each method's statements are one transaction.

use super::{
    submission_columns, DecisionRow, FormRow, FormStore, SiteDay, SubmissionQuery, SubmissionRow,
};
use crate::storage::sqlite::SqliteStorage;
use crate::storage::Result;
use rusqlite::{params, OptionalExtension};
use shumari_domain::AreaRange;

fn form(r: &rusqlite::Row<'_>) -> rusqlite::Result<FormRow> {
    Ok(FormRow {
        form_id: r.get(0)?,
        version: r.get(1)?,
        title: r.get(2)?,
        file_name: r.get(3)?,
        source: r.get(4)?,
        checksum: r.get(5)?,
        published_at: r.get(6)?,
        published_by: r.get(7)?,
    })
}

fn submission(r: &rusqlite::Row<'_>) -> rusqlite::Result<SubmissionRow> {
    Ok(SubmissionRow {
        id: r.get(0)?,
        form_id: r.get(1)?,
        version: r.get(2)?,
        area: r.get(3)?,
        site: r.get(4)?,
        day: r.get(5)?,
        answers: r.get(6)?,
        status: r.get(7)?,
        filled_at: r.get(8)?,
        received_at: r.get(9)?,
        device_id: r.get(10)?,
        user_id: r.get(11)?,
        replaces: r.get(12)?,
    })
}

fn decision(r: &rusqlite::Row<'_>) -> rusqlite::Result<DecisionRow> {
    Ok(DecisionRow {
        seq: r.get(0)?,
        submission_id: r.get(1)?,
        device_id: r.get(2)?,
        decision: r.get(3)?,
        note: r.get(4)?,
        reviewer_id: r.get(5)?,
        reviewer_name: r.get(6)?,
        decided_at: r.get(7)?,
    })
}

const DECISION_COLUMNS: &str = "SELECT seq, submission_id, device_id, decision, note, reviewer_id,
        reviewer_name, decided_at FROM form_submission_reviews";

const FORM_COLUMNS: &str = "SELECT form_id, version, title, file_name, source, checksum,
        published_at, published_by FROM forms";

impl FormStore for SqliteStorage {
    async fn put_form(&self, f: &FormRow, areas: &[String]) -> Result<bool> {
        let f = f.clone();
        let areas = areas.to_vec();
        self.run(move |c| {
            let tx = c.transaction()?;
            let new =
                tx.prepare_cached(
                    "INSERT INTO forms (form_id, version, title, file_name, source, checksum,
                            published_at, published_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    f.form_id,
                    f.version,
                    f.title,
                    f.file_name,
                    f.source,
                    f.checksum,
                    f.published_at,
                    f.published_by
                ])? == 1;
            for a in &areas {
                tx.prepare_cached(
                    "INSERT INTO form_areas (form_id, version, area) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![f.form_id, f.version, a])?;
            }
            tx.commit()?;
            Ok(new)
        })
        .await
    }

    async fn form_version(&self, form_id: &str, version: &str) -> Result<Option<FormRow>> {
        let (id, v) = (form_id.to_string(), version.to_string());
        self.run(move |c| {
            Ok(c.prepare_cached(&format!(
                "{FORM_COLUMNS} WHERE form_id = ?1 AND version = ?2"
            ))?
            .query_row(params![id, v], form)
            .optional()?)
        })
        .await
    }

    async fn forms(&self) -> Result<Vec<FormRow>> {
        self.run(move |c| {
            Ok(
                c.prepare_cached(&format!("{FORM_COLUMNS} ORDER BY form_id, published_at"))?
                    .query_map([], form)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            )
        })
        .await
    }

    async fn form_publications(&self) -> Result<Vec<(String, String, String)>> {
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT form_id, version, area FROM form_areas ORDER BY form_id, version, area",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn insert_submissions(&self, rows: &[SubmissionRow]) -> Result<u64> {
        let rows = rows.to_vec();
        self.run(move |c| {
            let tx = c.transaction()?;
            let mut new = 0u64;
            for s in &rows {
                let stored = tx
                    .prepare_cached(
                        "INSERT INTO form_submissions (id, form_id, version, area, site, day,
                                answers, status, filled_at, received_at, device_id, user_id,
                                replaces)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                         ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![
                        s.id,
                        s.form_id,
                        s.version,
                        s.area,
                        s.site,
                        s.day,
                        s.answers,
                        s.status,
                        s.filled_at,
                        s.received_at,
                        s.device_id,
                        s.user_id,
                        s.replaces
                    ])? as u64;
                if let (1, Some(old)) = (stored, &s.replaces) {
                    tx.prepare_cached(
                        "UPDATE form_submissions SET status = 'replaced'
                          WHERE id = ?1 AND status = 'returned'",
                    )?
                    .execute([old])?;
                }
                new += stored;
            }
            tx.commit()?;
            Ok(new)
        })
        .await
    }

    async fn submissions(&self, q: &SubmissionQuery) -> Result<Vec<SubmissionRow>> {
        let q = q.clone();
        let r = AreaRange::of(&q.area);
        self.run(move |c| {
            Ok(c.prepare_cached(concat!(
                submission_columns!(),
                " WHERE form_id = ?1
                        AND area >= ?2 AND area < ?4 AND (area = ?2 OR area >= ?3)
                        AND day >= ?5 AND (?6 = '' OR day <= ?6)
                        AND (day > ?7 OR (day = ?7 AND id > ?8))
                        AND (?10 OR status <> 'replaced')
                      ORDER BY day, id LIMIT ?9"
            ))?
            .query_map(
                params![
                    q.form_id,
                    r.code,
                    r.from,
                    r.until,
                    q.from_day,
                    q.until_day,
                    q.after.0,
                    q.after.1,
                    i64::try_from(q.limit).unwrap_or(i64::MAX),
                    q.with_replaced
                ],
                submission,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn submissions_per_site_day(
        &self,
        form_id: &str,
        area: &str,
        from_day: &str,
    ) -> Result<Vec<SiteDay>> {
        let (id, from) = (form_id.to_string(), from_day.to_string());
        let r = AreaRange::of(area);
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT day, area, site, COUNT(*) FROM form_submissions
                      WHERE form_id = ?1
                        AND area >= ?2 AND area < ?4 AND (area = ?2 OR area >= ?3)
                        AND day >= ?5 AND status <> 'replaced'
                      GROUP BY day, area, site ORDER BY day, area, site",
            )?
            .query_map(params![id, r.code, r.from, r.until, from], |r| {
                Ok(SiteDay {
                    day: r.get(0)?,
                    area: r.get(1)?,
                    site: r.get(2)?,
                    count: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn submission(&self, id: &str) -> Result<Option<SubmissionRow>> {
        let id = id.to_string();
        self.run(move |c| {
            Ok(
                c.prepare_cached(concat!(submission_columns!(), " WHERE id = ?1"))?
                    .query_row([id], submission)
                    .optional()?,
            )
        })
        .await
    }

    async fn replacement_of(&self, id: &str) -> Result<Option<SubmissionRow>> {
        let id = id.to_string();
        self.run(move |c| {
            Ok(c.prepare_cached(concat!(
                submission_columns!(),
                " WHERE replaces = ?1 ORDER BY received_at, id LIMIT 1"
            ))?
            .query_row([id], submission)
            .optional()?)
        })
        .await
    }

    async fn decide_submission(&self, from: &str, d: &DecisionRow) -> Result<bool> {
        let (from, d) = (from.to_string(), d.clone());
        self.run(move |c| {
            let tx = c.transaction()?;
            let moved = tx
                .prepare_cached(
                    "UPDATE form_submissions SET status = ?3 WHERE id = ?1 AND status = ?2",
                )?
                .execute(params![d.submission_id, from, d.decision])?
                == 1;
            if moved {
                tx.prepare_cached(
                    "INSERT INTO form_submission_reviews (submission_id, device_id, decision,
                            note, reviewer_id, reviewer_name, decided_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    d.submission_id,
                    d.device_id,
                    d.decision,
                    d.note,
                    d.reviewer_id,
                    d.reviewer_name,
                    d.decided_at
                ])?;
            }
            tx.commit()?;
            Ok(moved)
        })
        .await
    }

    async fn submission_decisions(&self, id: &str) -> Result<Vec<DecisionRow>> {
        let id = id.to_string();
        self.run(move |c| {
            Ok(c.prepare_cached(&format!(
                "{DECISION_COLUMNS} WHERE submission_id = ?1 ORDER BY seq"
            ))?
            .query_map([id], decision)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn decisions_after(
        &self,
        device_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<DecisionRow>> {
        let device = device_id.to_string();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |c| {
            Ok(c.prepare_cached(&format!(
                "{DECISION_COLUMNS} WHERE device_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
            ))?
            .query_map(params![device, after, limit], decision)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}
