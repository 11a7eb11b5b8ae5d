//! Scores, models, rescoring runs and duplicate cases on PostgreSQL (see the module above). Lists
//! travel as array parameters (`= ANY($1)`), one round trip per statement.

use super::{CaseClosing, CaseRow, CaseStore, JobRow, ScoreRow, ScoreStore};
use crate::storage::postgres::{summary_row, uuid_of, PgStorage};
use crate::storage::{HouseholdSummary, Result};
use std::collections::{BTreeSet, HashMap};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

/// The case columns `case_rows` reads, as a literal for `concat!` (statements stay fixed text).
macro_rules! case_columns {
    () => {
        "SELECT id, id_number, area, state, opened_at, closed_at, closed_by, kept, note, kind, detail FROM dup_cases"
    };
}

/// The job columns `job_row` reads.
macro_rules! job_columns {
    () => {
        "SELECT id, model_version, total, done, started_at, finished_at, error FROM pmt_jobs"
    };
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn job_row(r: &Row) -> JobRow {
    JobRow {
        id: r.get(0),
        model_version: r.get(1),
        total: to_u64(r.get(2)),
        done: to_u64(r.get(3)),
        started_at: r.get(4),
        finished_at: r.get(5),
        error: r.get(6),
    }
}

/// Case rows with their households (one more query for all of them).
async fn case_rows<C: GenericClient>(c: &C, rows: Vec<Row>) -> Result<Vec<CaseRow>> {
    let ids: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let mut households: HashMap<String, Vec<Uuid>> = HashMap::new();
    for r in c
        .query(
            "SELECT case_id, household_id FROM dup_case_households WHERE case_id = ANY($1)
              ORDER BY household_id",
            &[&ids],
        )
        .await?
    {
        households
            .entry(r.get(0))
            .or_default()
            .push(uuid_of(r.get(1))?);
    }
    rows.iter()
        .map(|r| {
            let id: String = r.get(0);
            let kept: Option<String> = r.get(7);
            Ok(CaseRow {
                households: households.remove(&id).unwrap_or_default(),
                id,
                id_number: r.get(1),
                area: r.get(2),
                state: r.get(3),
                opened_at: r.get(4),
                closed_at: r.get(5),
                closed_by: r.get(6),
                kept: kept.as_deref().map(uuid_of).transpose()?,
                note: r.get(8),
                kind: r.get(9),
                detail: r.get(10),
            })
        })
        .collect()
}

fn pairs(rows: Vec<Row>) -> Result<Vec<(String, Uuid)>> {
    rows.iter()
        .map(|r| Ok((r.get(0), uuid_of(r.get(1))?)))
        .collect()
}

impl ScoreStore for PgStorage {
    async fn current_model(&self) -> Result<Option<(String, String)>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT model_version, source FROM pmt_models ORDER BY installed_at DESC, model_version LIMIT 1",
            &[],
        )
        .await?
        .map(|r| (r.get(0), r.get(1))))
    }

    async fn current_model_version(&self) -> Result<Option<String>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT model_version FROM pmt_models ORDER BY installed_at DESC, model_version LIMIT 1",
            &[],
        )
        .await?
        .map(|r| r.get(0)))
    }

    async fn install_model(&self, version: &str, source: &str, now: i64) -> Result<()> {
        let c = self.conn().await;
        // Installed later than anything before, even within one millisecond.
        c.execute(
            "INSERT INTO pmt_models (model_version, source, installed_at)
             VALUES ($1, $2, greatest($3, (SELECT coalesce(max(installed_at), 0) + 1 FROM pmt_models)))
             ON CONFLICT (model_version) DO UPDATE SET source = excluded.source, installed_at = excluded.installed_at",
            &[&version, &source, &now],
        )
        .await?;
        Ok(())
    }

    async fn put_scores(&self, rows: Vec<ScoreRow>) -> Result<()> {
        let ids: Vec<String> = rows.iter().map(|r| r.household_id.to_string()).collect();
        let versions: Vec<&str> = rows.iter().map(|r| r.model_version.as_str()).collect();
        let scores: Vec<f64> = rows.iter().map(|r| r.score).collect();
        let bands: Vec<&str> = rows.iter().map(|r| r.band.as_str()).collect();
        let contributions: Vec<&str> = rows.iter().map(|r| r.contributions.as_str()).collect();
        let programmes: Vec<&str> = rows.iter().map(|r| r.programmes.as_str()).collect();
        let at: Vec<i64> = rows.iter().map(|r| r.scored_at).collect();
        let c = self.conn().await;
        c.execute(
            "INSERT INTO pmt_scores (household_id, model_version, score, band, contributions, programmes, scored_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::text[], $6::text[], $7::int8[])
             ON CONFLICT (household_id) DO UPDATE SET model_version = excluded.model_version,
                score = excluded.score, band = excluded.band, contributions = excluded.contributions,
                programmes = excluded.programmes, scored_at = excluded.scored_at",
            &[&ids, &versions, &scores, &bands, &contributions, &programmes, &at],
        )
        .await?;
        Ok(())
    }

    async fn score_of(&self, id: Uuid) -> Result<Option<ScoreRow>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT model_version, score, band, contributions, programmes, scored_at
               FROM pmt_scores WHERE household_id = $1",
            &[&id.to_string()],
        )
        .await?
        .map(|r| ScoreRow {
            household_id: id,
            model_version: r.get(0),
            score: r.get(1),
            band: r.get(2),
            contributions: r.get(3),
            programmes: r.get(4),
            scored_at: r.get(5),
        }))
    }

    async fn household_ids(&self, after: Option<Uuid>, limit: usize) -> Result<Vec<Uuid>> {
        let after = after.map(|u| u.to_string()).unwrap_or_default();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.conn().await;
        c.query(
            "SELECT id FROM households WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after, &limit],
        )
        .await?
        .iter()
        .map(|r| uuid_of(r.get(0)))
        .collect()
    }

    async fn unscored(&self, limit: usize) -> Result<Vec<Uuid>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.conn().await;
        c.query(
            "SELECT h.id FROM households h LEFT JOIN pmt_scores s ON s.household_id = h.id
              WHERE s.household_id IS NULL LIMIT $1",
            &[&limit],
        )
        .await?
        .iter()
        .map(|r| uuid_of(r.get(0)))
        .collect()
    }

    async fn household_count(&self) -> Result<u64> {
        let c = self.conn().await;
        Ok(to_u64(
            c.query_one("SELECT count(*) FROM households", &[])
                .await?
                .get(0),
        ))
    }

    async fn put_job(&self, job: &JobRow) -> Result<()> {
        let c = self.conn().await;
        c.execute(
            "INSERT INTO pmt_jobs (id, model_version, total, done, started_at, finished_at, error)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (id) DO UPDATE SET total = excluded.total, done = excluded.done,
                finished_at = excluded.finished_at, error = excluded.error",
            &[
                &job.id,
                &job.model_version,
                &to_i64(job.total),
                &to_i64(job.done),
                &job.started_at,
                &job.finished_at,
                &job.error,
            ],
        )
        .await?;
        Ok(())
    }

    async fn job(&self, id: &str) -> Result<Option<JobRow>> {
        let c = self.conn().await;
        Ok(
            c.query_opt(concat!(job_columns!(), " WHERE id = $1"), &[&id])
                .await?
                .as_ref()
                .map(job_row),
        )
    }

    async fn jobs(&self, limit: usize) -> Result<Vec<JobRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.conn().await;
        Ok(c.query(
            concat!(
                job_columns!(),
                " ORDER BY started_at DESC, id DESC LIMIT $1"
            ),
            &[&limit],
        )
        .await?
        .iter()
        .map(job_row)
        .collect())
    }
}

impl CaseStore for PgStorage {
    async fn sharing_id_numbers(&self, ids: &[Uuid]) -> Result<Vec<(String, Uuid)>> {
        let keys: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT m1.id_number, m1.household_id, m2.household_id
                   FROM member_ids m1 JOIN member_ids m2 ON m2.id_number = m1.id_number
                  WHERE m1.household_id = ANY($1) AND m2.household_id <> m1.household_id",
                &[&keys],
            )
            .await?;
        let mut out = BTreeSet::new();
        for r in &rows {
            let n: String = r.get(0);
            out.insert((n.clone(), uuid_of(r.get(1))?));
            out.insert((n, uuid_of(r.get(2))?));
        }
        Ok(out.into_iter().collect())
    }

    async fn all_shared_id_numbers(&self) -> Result<Vec<(String, Uuid)>> {
        let c = self.conn().await;
        pairs(
            c.query(
                "SELECT DISTINCT id_number, household_id FROM member_ids
                  WHERE id_number IN (SELECT id_number FROM member_ids GROUP BY id_number
                                       HAVING count(DISTINCT household_id) > 1)
                  ORDER BY id_number, household_id",
                &[],
            )
            .await?,
        )
    }

    async fn cases_of_numbers(&self, numbers: &[String]) -> Result<Vec<CaseRow>> {
        let c = self.conn().await;
        let rows = c
            .query(
                concat!(
                    case_columns!(),
                    " WHERE id_number = ANY($1) ORDER BY opened_at, id"
                ),
                &[&numbers],
            )
            .await?;
        case_rows(&*c, rows).await
    }

    async fn open_case(&self, case: &CaseRow) -> Result<()> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        // Another process may have opened the number's case a moment ago: then this one is not.
        let n = tx
            .execute(
                "INSERT INTO dup_cases (id, id_number, area, state, opened_at, kind, detail)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                &[
                    &case.id,
                    &case.id_number,
                    &case.area,
                    &case.state,
                    &case.opened_at,
                    &case.kind,
                    &case.detail,
                ],
            )
            .await?;
        if n == 0 {
            return Ok(());
        }
        let hs: Vec<String> = case.households.iter().map(Uuid::to_string).collect();
        tx.execute(
            "INSERT INTO dup_case_households (case_id, household_id)
             SELECT $1, h FROM unnest($2::text[]) AS h ON CONFLICT DO NOTHING",
            &[&case.id, &hs],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_case_households(&self, case_id: &str, households: &[Uuid]) -> Result<()> {
        let hs: Vec<String> = households.iter().map(Uuid::to_string).collect();
        let c = self.conn().await;
        c.execute(
            "INSERT INTO dup_case_households (case_id, household_id)
             SELECT $1, h FROM unnest($2::text[]) AS h ON CONFLICT DO NOTHING",
            &[&case_id, &hs],
        )
        .await?;
        Ok(())
    }

    async fn cases(&self, state: Option<&str>) -> Result<Vec<CaseRow>> {
        let c = self.conn().await;
        let rows = c
            .query(
                concat!(
                    case_columns!(),
                    " WHERE $1::text IS NULL OR state = $1 ORDER BY opened_at, id"
                ),
                &[&state],
            )
            .await?;
        case_rows(&*c, rows).await
    }

    async fn case(&self, id: &str) -> Result<Option<CaseRow>> {
        let c = self.conn().await;
        let rows = c
            .query(concat!(case_columns!(), " WHERE id = $1"), &[&id])
            .await?;
        Ok(case_rows(&*c, rows).await?.into_iter().next())
    }

    async fn open_cases_of(&self, household: Uuid) -> Result<Vec<String>> {
        let c = self.conn().await;
        Ok(c.query(
            "SELECT d.id FROM dup_cases d JOIN dup_case_households h ON h.case_id = d.id
              WHERE h.household_id = $1 AND d.state = 'open' ORDER BY d.id",
            &[&household.to_string()],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
    }

    async fn close_case(&self, id: &str, closing: &CaseClosing) -> Result<bool> {
        let c = self.conn().await;
        let n = c
            .execute(
                "UPDATE dup_cases SET state = $2, closed_at = $3, closed_by = $4, kept = $5, note = $6
                  WHERE id = $1 AND state = 'open'",
                &[
                    &id,
                    &closing.state,
                    &closing.at,
                    &closing.by,
                    &closing.kept.map(|u| u.to_string()),
                    &closing.note,
                ],
            )
            .await?;
        Ok(n == 1)
    }

    async fn dismissed_pairs(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>> {
        let keys: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let c = self.conn().await;
        c.query(
            "SELECT household_a, household_b FROM possible_dismissed
              WHERE household_a = ANY($1) OR household_b = ANY($1)",
            &[&keys],
        )
        .await?
        .iter()
        .map(|r| Ok((uuid_of(r.get(0))?, uuid_of(r.get(1))?)))
        .collect()
    }

    async fn dismiss_pair(
        &self,
        a: Uuid,
        b: Uuid,
        by: &str,
        note: Option<&str>,
        at: i64,
    ) -> Result<()> {
        let c = self.conn().await;
        c.execute(
            "INSERT INTO possible_dismissed (household_a, household_b, dismissed_by, dismissed_at, note)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[&a.to_string(), &b.to_string(), &by, &at, &note],
        )
        .await?;
        Ok(())
    }

    async fn summaries_of(&self, ids: &[Uuid]) -> Result<Vec<HouseholdSummary>> {
        let keys: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let c = self.conn().await;
        c.query(
            "SELECT id, area, ref, head_name, head_id_number, member_count, status, conflict_count, updated_at
               FROM households WHERE id = ANY($1) ORDER BY ref COLLATE \"C\"",
            &[&keys],
        )
        .await?
        .iter()
        .map(summary_row)
        .collect()
    }
}
