//! Programmes, eligibility and enrolment on PostgreSQL (see the module above).

use super::{
    member_of, uuid, ComplianceRow, EligibilityRow, EnrolmentChange, EnrolmentRow, ProgrammeJobRow,
    ProgrammeRow, ProgrammeStore,
};
use crate::storage::postgres::PgStorage;
use crate::storage::Result;
use tokio_postgres::Row;
use uuid::Uuid;

fn programme(r: &Row) -> ProgrammeRow {
    ProgrammeRow {
        id: r.get(0),
        version: r.get(1),
        name_en: r.get(2),
        name_ur: r.get(3),
        source: r.get(4),
        loaded_by: r.get(5),
        loaded_at: r.get(6),
    }
}

fn ids(rows: &[Row]) -> Result<Vec<Uuid>> {
    rows.iter().map(|r| uuid(r.get::<_, &str>(0))).collect()
}

fn id_texts(households: &[Uuid]) -> Vec<String> {
    households.iter().map(Uuid::to_string).collect()
}

impl ProgrammeStore for PgStorage {
    async fn put_programme(&self, p: &ProgrammeRow) -> Result<bool> {
        let c = self.conn().await;
        let n = c
            .execute(
                "INSERT INTO programmes (id, version, name_en, name_ur, source, loaded_by, loaded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id, version) DO NOTHING",
                &[
                    &p.id,
                    &p.version,
                    &p.name_en,
                    &p.name_ur,
                    &p.source,
                    &p.loaded_by,
                    &p.loaded_at,
                ],
            )
            .await?;
        Ok(n == 1)
    }

    async fn programme_version(&self, id: &str, version: &str) -> Result<Option<ProgrammeRow>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT id, version, name_en, name_ur, source, loaded_by, loaded_at
               FROM programmes WHERE id = $1 AND version = $2",
            &[&id, &version],
        )
        .await?
        .map(|r| programme(&r)))
    }

    async fn programmes(&self) -> Result<Vec<ProgrammeRow>> {
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT DISTINCT ON (id) id, version, name_en, name_ur, source, loaded_by, loaded_at
                   FROM programmes ORDER BY id, loaded_at DESC, version DESC",
                &[],
            )
            .await?;
        Ok(rows.iter().map(programme).collect())
    }

    async fn put_eligibility(&self, rows: Vec<EligibilityRow>) -> Result<()> {
        let hs: Vec<String> = rows.iter().map(|r| r.household_id.to_string()).collect();
        let ps: Vec<&str> = rows.iter().map(|r| r.programme_id.as_str()).collect();
        let vs: Vec<&str> = rows.iter().map(|r| r.programme_version.as_str()).collect();
        let es: Vec<bool> = rows.iter().map(|r| r.eligible).collect();
        let rs: Vec<&str> = rows.iter().map(|r| r.reasons.as_str()).collect();
        let ss: Vec<Option<f64>> = rows.iter().map(|r| r.score).collect();
        let ms: Vec<Option<&str>> = rows.iter().map(|r| r.model_version.as_deref()).collect();
        let at: Vec<i64> = rows.iter().map(|r| r.computed_at).collect();
        let c = self.conn().await;
        c.execute(
            "INSERT INTO programme_eligibility (household_id, programme_id, programme_version,
                 eligible, reasons, score, model_version, computed_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[], $5::text[],
                                  $6::float8[], $7::text[], $8::int8[])
             ON CONFLICT (household_id, programme_id) DO UPDATE SET
                 programme_version = excluded.programme_version, eligible = excluded.eligible,
                 reasons = excluded.reasons, score = excluded.score,
                 model_version = excluded.model_version, computed_at = excluded.computed_at",
            &[&hs, &ps, &vs, &es, &rs, &ss, &ms, &at],
        )
        .await?;
        Ok(())
    }

    async fn eligibility_rows(&self, household: Uuid) -> Result<Vec<EligibilityRow>> {
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT programme_id, programme_version, eligible, reasons, score, model_version,
                        computed_at
                   FROM programme_eligibility WHERE household_id = $1 ORDER BY programme_id",
                &[&household.to_string()],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| EligibilityRow {
                household_id: household,
                programme_id: r.get(0),
                programme_version: r.get(1),
                eligible: r.get(2),
                reasons: r.get(3),
                score: r.get(4),
                model_version: r.get(5),
                computed_at: r.get(6),
            })
            .collect())
    }

    async fn eligible_not_enrolled(&self, programme: &str) -> Result<Vec<Uuid>> {
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT e.household_id FROM programme_eligibility e
                  WHERE e.programme_id = $1 AND e.eligible
                    AND NOT EXISTS (SELECT 1 FROM programme_enrolments n
                                     WHERE n.programme_id = e.programme_id
                                       AND n.household_id = e.household_id)
                  ORDER BY e.household_id",
                &[&programme],
            )
            .await?;
        ids(&rows)
    }

    async fn enrol(
        &self,
        programme: &str,
        households: &[Uuid],
        by: &str,
        at: i64,
        reason: &str,
    ) -> Result<u64> {
        let hs = id_texts(households);
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        // Only the rows actually inserted get a history row (a household enrolled meanwhile
        // keeps its one).
        let n = tx
            .execute(
                "WITH added AS (
                     INSERT INTO programme_enrolments (household_id, programme_id, status, since)
                     SELECT h, $2, 'enrolled', $3 FROM unnest($1::text[]) AS h
                     ON CONFLICT DO NOTHING RETURNING household_id)
                 INSERT INTO programme_enrolment_history (household_id, programme_id, from_status,
                     to_status, changed_by, changed_at, reason)
                 SELECT household_id, $2, NULL, 'enrolled', $4, $3, $5 FROM added",
                &[&hs, &programme, &at, &by, &reason],
            )
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn set_enrolment(&self, ch: &EnrolmentChange) -> Result<bool> {
        let h = ch.household_id.to_string();
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        let n = tx
            .execute(
                "UPDATE programme_enrolments SET status = $3, since = $4
                  WHERE household_id = $1 AND programme_id = $2 AND status = $5",
                &[&h, &ch.programme_id, &ch.to, &ch.at, &ch.from],
            )
            .await?;
        if n == 1 {
            tx.execute(
                "INSERT INTO programme_enrolment_history (household_id, programme_id, from_status,
                     to_status, changed_by, changed_at, reason)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &h,
                    &ch.programme_id,
                    &ch.from,
                    &ch.to,
                    &ch.by,
                    &ch.at,
                    &ch.reason,
                ],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn enrolment_rows(&self, household: Uuid) -> Result<Vec<EnrolmentRow>> {
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT programme_id, status, since FROM programme_enrolments
                  WHERE household_id = $1 ORDER BY programme_id",
                &[&household.to_string()],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| EnrolmentRow {
                household_id: household,
                programme_id: r.get(0),
                status: r.get(1),
                since: r.get(2),
            })
            .collect())
    }

    async fn enrolment_history(&self, household: Uuid) -> Result<Vec<EnrolmentChange>> {
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT programme_id, from_status, to_status, changed_by, changed_at, reason
                   FROM programme_enrolment_history WHERE household_id = $1 ORDER BY seq",
                &[&household.to_string()],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| EnrolmentChange {
                household_id: household,
                programme_id: r.get(0),
                from: r.get(1),
                to: r.get(2),
                by: r.get(3),
                at: r.get(4),
                reason: r.get(5),
            })
            .collect())
    }

    async fn eligible_in(&self, programme: &str) -> Result<Vec<Uuid>> {
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT household_id FROM programme_eligibility
                  WHERE programme_id = $1 AND eligible ORDER BY household_id",
                &[&programme],
            )
            .await?;
        ids(&rows)
    }

    async fn enrolled_in(&self, programme: &str) -> Result<Vec<Uuid>> {
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT household_id FROM programme_enrolments
                  WHERE programme_id = $1 AND status = 'enrolled' ORDER BY household_id",
                &[&programme],
            )
            .await?;
        ids(&rows)
    }

    async fn put_compliance(&self, rows: Vec<ComplianceRow>) -> Result<()> {
        let ps: Vec<&str> = rows.iter().map(|r| r.programme_id.as_str()).collect();
        let pe: Vec<&str> = rows.iter().map(|r| r.period.as_str()).collect();
        let hs: Vec<String> = rows.iter().map(|r| r.household_id.to_string()).collect();
        let ms: Vec<String> = rows
            .iter()
            .map(|r| r.member_id.map(|m| m.to_string()).unwrap_or_default())
            .collect();
        let me: Vec<&str> = rows.iter().map(|r| r.measure.as_str()).collect();
        let vs: Vec<f64> = rows.iter().map(|r| r.value).collect();
        let by: Vec<&str> = rows.iter().map(|r| r.recorded_by.as_str()).collect();
        let at: Vec<i64> = rows.iter().map(|r| r.recorded_at).collect();
        let c = self.conn().await;
        c.execute(
            "INSERT INTO programme_compliance (programme_id, period, household_id, member_id,
                 measure, value, recorded_by, recorded_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                  $6::float8[], $7::text[], $8::int8[])
             ON CONFLICT (programme_id, period, household_id, member_id, measure)
             DO UPDATE SET value = excluded.value, recorded_by = excluded.recorded_by,
                           recorded_at = excluded.recorded_at",
            &[&ps, &pe, &hs, &ms, &me, &vs, &by, &at],
        )
        .await?;
        Ok(())
    }

    async fn compliance_of(
        &self,
        programme: &str,
        period: &str,
        households: &[Uuid],
    ) -> Result<Vec<ComplianceRow>> {
        let hs = id_texts(households);
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT household_id, member_id, measure, value, recorded_by, recorded_at
                   FROM programme_compliance
                  WHERE programme_id = $1 AND period = $2 AND household_id = ANY($3)",
                &[&programme, &period, &hs],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ComplianceRow {
                    programme_id: programme.to_string(),
                    period: period.to_string(),
                    household_id: uuid(r.get::<_, &str>(0))?,
                    member_id: member_of(r.get::<_, &str>(1))?,
                    measure: r.get(2),
                    value: r.get(3),
                    recorded_by: r.get(4),
                    recorded_at: r.get(5),
                })
            })
            .collect()
    }

    async fn put_programme_job(&self, j: &ProgrammeJobRow) -> Result<()> {
        let total = i64::try_from(j.total).unwrap_or(i64::MAX);
        let done = i64::try_from(j.done).unwrap_or(i64::MAX);
        let c = self.conn().await;
        c.execute(
            "INSERT INTO programme_jobs (id, kind, programme_id, started_by, total, done,
                 started_at, finished_at, error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO UPDATE SET total = excluded.total, done = excluded.done,
                 finished_at = excluded.finished_at, error = excluded.error",
            &[
                &j.id,
                &j.kind,
                &j.programme_id,
                &j.started_by,
                &total,
                &done,
                &j.started_at,
                &j.finished_at,
                &j.error,
            ],
        )
        .await?;
        Ok(())
    }

    async fn programme_job(&self, id: &str) -> Result<Option<ProgrammeJobRow>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT id, kind, programme_id, started_by, total, done, started_at, finished_at,
                    error FROM programme_jobs WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| ProgrammeJobRow {
            id: r.get(0),
            kind: r.get(1),
            programme_id: r.get(2),
            started_by: r.get(3),
            total: u64::try_from(r.get::<_, i64>(4)).unwrap_or_default(),
            done: u64::try_from(r.get::<_, i64>(5)).unwrap_or_default(),
            started_at: r.get(6),
            finished_at: r.get(7),
            error: r.get(8),
        }))
    }
}
