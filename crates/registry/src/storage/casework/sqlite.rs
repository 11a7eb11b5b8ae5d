//! Scores, models, rescoring runs and duplicate cases on SQLite (see the module above). Statements
//! that take a list run once per item inside one call, on the one connection: cheap for SQLite,
//! and every statement stays fixed.

use super::{CaseClosing, CaseRow, CaseStore, JobRow, ScoreRow, ScoreStore};
use crate::storage::sqlite::{list_row, uuid_of, SqliteStorage};
use crate::storage::{HouseholdSummary, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The case columns `case_row` reads, as a literal for `concat!` (statements stay fixed text).
macro_rules! case_columns {
    () => {
        "SELECT id, id_number, area, state, opened_at, closed_at, closed_by, kept, note, kind, detail FROM dup_cases"
    };
}

fn case_row(c: &Connection, r: &rusqlite::Row<'_>) -> Result<CaseRow> {
    let id: String = r.get(0)?;
    let kept: Option<String> = r.get(7)?;
    let households = c
        .prepare_cached(
            "SELECT household_id FROM dup_case_households WHERE case_id = ?1 ORDER BY household_id",
        )?
        .query_map([&id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .iter()
        .map(|s| uuid_of(s))
        .collect::<Result<Vec<_>>>()?;
    Ok(CaseRow {
        id,
        id_number: r.get(1)?,
        area: r.get(2)?,
        state: r.get(3)?,
        opened_at: r.get(4)?,
        closed_at: r.get(5)?,
        closed_by: r.get(6)?,
        kept: kept.as_deref().map(uuid_of).transpose()?,
        note: r.get(8)?,
        kind: r.get(9)?,
        detail: r.get(10)?,
        households,
    })
}

fn cases_where(c: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Vec<CaseRow>> {
    let mut stmt = c.prepare_cached(sql)?;
    let mut rows = stmt.query(p)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(case_row(c, r)?);
    }
    Ok(out)
}

fn job_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(0)?,
        model_version: r.get(1)?,
        total: r.get(2)?,
        done: r.get(3)?,
        started_at: r.get(4)?,
        finished_at: r.get(5)?,
        error: r.get(6)?,
    })
}

/// The job columns `job_row` reads.
macro_rules! job_columns {
    () => {
        "SELECT id, model_version, total, done, started_at, finished_at, error FROM pmt_jobs"
    };
}

impl ScoreStore for SqliteStorage {
    async fn current_model(&self) -> Result<Option<(String, String)>> {
        self.run(|c| {
            Ok(c.prepare_cached(
                "SELECT model_version, source FROM pmt_models ORDER BY installed_at DESC, model_version LIMIT 1",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
        })
        .await
    }

    async fn current_model_version(&self) -> Result<Option<String>> {
        self.run(|c| {
            Ok(c.prepare_cached(
                "SELECT model_version FROM pmt_models ORDER BY installed_at DESC, model_version LIMIT 1",
            )?
            .query_row([], |r| r.get(0))
            .optional()?)
        })
        .await
    }

    async fn install_model(&self, version: &str, source: &str, now: i64) -> Result<()> {
        let (v, s) = (version.to_string(), source.to_string());
        self.run(move |c| {
            // Installed later than anything before, even within one millisecond.
            let last: Option<i64> = c
                .prepare_cached("SELECT max(installed_at) FROM pmt_models")?
                .query_row([], |r| r.get(0))?;
            let at = last.map_or(now, |l| now.max(l + 1));
            c.prepare_cached(
                "INSERT INTO pmt_models (model_version, source, installed_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (model_version) DO UPDATE SET source = excluded.source, installed_at = excluded.installed_at",
            )?
            .execute(params![v, s, at])?;
            Ok(())
        })
        .await
    }

    async fn put_scores(&self, rows: Vec<ScoreRow>) -> Result<()> {
        self.run(move |c| {
            let tx = c.transaction()?;
            for r in &rows {
                tx.prepare_cached(
                    "INSERT INTO pmt_scores (household_id, model_version, score, band, contributions, programmes, scored_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (household_id) DO UPDATE SET model_version = excluded.model_version,
                        score = excluded.score, band = excluded.band, contributions = excluded.contributions,
                        programmes = excluded.programmes, scored_at = excluded.scored_at",
                )?
                .execute(params![
                    r.household_id.to_string(),
                    r.model_version,
                    r.score,
                    r.band,
                    r.contributions,
                    r.programmes,
                    r.scored_at
                ])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn score_of(&self, id: Uuid) -> Result<Option<ScoreRow>> {
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT model_version, score, band, contributions, programmes, scored_at
                   FROM pmt_scores WHERE household_id = ?1",
            )?
            .query_row([id.to_string()], |r| {
                Ok(ScoreRow {
                    household_id: id,
                    model_version: r.get(0)?,
                    score: r.get(1)?,
                    band: r.get(2)?,
                    contributions: r.get(3)?,
                    programmes: r.get(4)?,
                    scored_at: r.get(5)?,
                })
            })
            .optional()?)
        })
        .await
    }

    async fn household_ids(&self, after: Option<Uuid>, limit: usize) -> Result<Vec<Uuid>> {
        let after = after.map(|u| u.to_string()).unwrap_or_default();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |c| {
            c.prepare_cached("SELECT id FROM households WHERE id > ?1 ORDER BY id LIMIT ?2")?
                .query_map(params![after, limit], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?
                .iter()
                .map(|s| uuid_of(s))
                .collect()
        })
        .await
    }

    async fn unscored(&self, limit: usize) -> Result<Vec<Uuid>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |c| {
            c.prepare_cached(
                "SELECT h.id FROM households h LEFT JOIN pmt_scores s ON s.household_id = h.id
                  WHERE s.household_id IS NULL LIMIT ?1",
            )?
            .query_map([limit], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .iter()
            .map(|s| uuid_of(s))
            .collect()
        })
        .await
    }

    async fn household_count(&self) -> Result<u64> {
        self.run(|c| {
            Ok(c.prepare_cached("SELECT count(*) FROM households")?
                .query_row([], |r| r.get(0))?)
        })
        .await
    }

    async fn put_job(&self, job: &JobRow) -> Result<()> {
        let j = job.clone();
        self.run(move |c| {
            c.prepare_cached(
                "INSERT INTO pmt_jobs (id, model_version, total, done, started_at, finished_at, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET total = excluded.total, done = excluded.done,
                    finished_at = excluded.finished_at, error = excluded.error",
            )?
            .execute(params![
                j.id,
                j.model_version,
                j.total,
                j.done,
                j.started_at,
                j.finished_at,
                j.error
            ])?;
            Ok(())
        })
        .await
    }

    async fn job(&self, id: &str) -> Result<Option<JobRow>> {
        let id = id.to_string();
        self.run(move |c| {
            Ok(c.prepare_cached(concat!(job_columns!(), " WHERE id = ?1"))?
                .query_row([id], job_row)
                .optional()?)
        })
        .await
    }

    async fn jobs(&self, limit: usize) -> Result<Vec<JobRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |c| {
            Ok(c.prepare_cached(concat!(
                job_columns!(),
                " ORDER BY started_at DESC, id DESC LIMIT ?1"
            ))?
            .query_map([limit], job_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}

fn pairs(c: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Vec<(String, Uuid)>> {
    c.prepare_cached(sql)?
        .query_map(p, |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(n, h)| Ok((n, uuid_of(&h)?)))
        .collect()
}

impl CaseStore for SqliteStorage {
    async fn sharing_id_numbers(&self, ids: &[Uuid]) -> Result<Vec<(String, Uuid)>> {
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        self.run(move |c| {
            let mut out = BTreeSet::new();
            for id in &ids {
                for (n, h) in pairs(
                    c,
                    "SELECT m2.id_number, m2.household_id
                       FROM member_ids m1 JOIN member_ids m2 ON m2.id_number = m1.id_number
                      WHERE m1.household_id = ?1 AND m2.household_id <> ?1",
                    [id],
                )? {
                    out.insert((n.clone(), uuid_of(id)?));
                    out.insert((n, h));
                }
            }
            Ok(out.into_iter().collect())
        })
        .await
    }

    async fn all_shared_id_numbers(&self) -> Result<Vec<(String, Uuid)>> {
        self.run(|c| {
            let all = pairs(
                c,
                "SELECT DISTINCT id_number, household_id FROM member_ids
                  WHERE id_number IN (SELECT id_number FROM member_ids GROUP BY id_number
                                       HAVING count(DISTINCT household_id) > 1)
                  ORDER BY id_number, household_id",
                [],
            )?;
            Ok(all)
        })
        .await
    }

    async fn cases_of_numbers(&self, numbers: &[String]) -> Result<Vec<CaseRow>> {
        let numbers = numbers.to_vec();
        self.run(move |c| {
            let mut out = Vec::new();
            for n in &numbers {
                out.extend(cases_where(
                    c,
                    concat!(
                        case_columns!(),
                        " WHERE id_number = ?1 ORDER BY opened_at, id"
                    ),
                    [n],
                )?);
            }
            Ok(out)
        })
        .await
    }

    async fn open_case(&self, case: &CaseRow) -> Result<()> {
        let k = case.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            // Another process may have opened the number's case a moment ago: then this one is not.
            let n = tx
                .prepare_cached(
                    "INSERT INTO dup_cases (id, id_number, area, state, opened_at, kind, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                )?
                .execute(params![k.id, k.id_number, k.area, k.state, k.opened_at, k.kind, k.detail])?;
            if n == 0 {
                return Ok(());
            }
            for h in &k.households {
                tx.prepare_cached(
                    "INSERT INTO dup_case_households (case_id, household_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                )?
                .execute(params![k.id, h.to_string()])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn add_case_households(&self, case_id: &str, households: &[Uuid]) -> Result<()> {
        let id = case_id.to_string();
        let hs: Vec<String> = households.iter().map(Uuid::to_string).collect();
        self.run(move |c| {
            let tx = c.transaction()?;
            for h in &hs {
                tx.prepare_cached(
                    "INSERT INTO dup_case_households (case_id, household_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                )?
                .execute(params![id, h])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn cases(&self, state: Option<&str>) -> Result<Vec<CaseRow>> {
        let state = state.map(str::to_string);
        self.run(move |c| {
            cases_where(
                c,
                concat!(
                    case_columns!(),
                    " WHERE ?1 IS NULL OR state = ?1 ORDER BY opened_at, id"
                ),
                [state],
            )
        })
        .await
    }

    async fn case(&self, id: &str) -> Result<Option<CaseRow>> {
        let id = id.to_string();
        self.run(move |c| {
            Ok(
                cases_where(c, concat!(case_columns!(), " WHERE id = ?1"), [id])?
                    .into_iter()
                    .next(),
            )
        })
        .await
    }

    async fn open_cases_of(&self, household: Uuid) -> Result<Vec<String>> {
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT d.id FROM dup_cases d JOIN dup_case_households h ON h.case_id = d.id
                  WHERE h.household_id = ?1 AND d.state = 'open' ORDER BY d.id",
            )?
            .query_map([household.to_string()], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn close_case(&self, id: &str, closing: &CaseClosing) -> Result<bool> {
        let (id, k) = (id.to_string(), closing.clone());
        self.run(move |c| {
            let n = c
                .prepare_cached(
                    "UPDATE dup_cases SET state = ?2, closed_at = ?3, closed_by = ?4, kept = ?5, note = ?6
                      WHERE id = ?1 AND state = 'open'",
                )?
                .execute(params![
                    id,
                    k.state,
                    k.at,
                    k.by,
                    k.kept.map(|u| u.to_string()),
                    k.note
                ])?;
            Ok(n == 1)
        })
        .await
    }

    async fn dismissed_pairs(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>> {
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        self.run(move |c| {
            let mut out = BTreeSet::new();
            for id in &ids {
                for (a, b) in c
                    .prepare_cached(
                        "SELECT household_a, household_b FROM possible_dismissed
                          WHERE household_a = ?1 OR household_b = ?1",
                    )?
                    .query_map([id], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?
                {
                    out.insert((uuid_of(&a)?, uuid_of(&b)?));
                }
            }
            Ok(out.into_iter().collect())
        })
        .await
    }

    async fn dismiss_pair(
        &self,
        a: Uuid,
        b: Uuid,
        by: &str,
        note: Option<&str>,
        at: i64,
    ) -> Result<()> {
        let (by, note) = (by.to_string(), note.map(str::to_string));
        self.run(move |c| {
            c.prepare_cached(
                "INSERT INTO possible_dismissed (household_a, household_b, dismissed_by, dismissed_at, note)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            )?
            .execute(params![a.to_string(), b.to_string(), by, at, note])?;
            Ok(())
        })
        .await
    }

    async fn summaries_of(&self, ids: &[Uuid]) -> Result<Vec<HouseholdSummary>> {
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        self.run(move |c| {
            let mut out = Vec::new();
            for id in &ids {
                let mut stmt = c.prepare_cached(
                    "SELECT id, area, ref, head_name, head_id_number, member_count, status, conflict_count, updated_at
                       FROM households WHERE id = ?1",
                )?;
                let mut rows = stmt.query([id])?;
                if let Some(r) = rows.next()? {
                    out.push(list_row(r)?);
                }
            }
            Ok(out)
        })
        .await
    }
}
