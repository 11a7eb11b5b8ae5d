//! Programmes, eligibility and enrolment on SQLite (see the module above).

use super::{
    member_of, uuid, ComplianceRow, EligibilityRow, EnrolmentChange, EnrolmentRow, ProgrammeJobRow,
    ProgrammeRow, ProgrammeStore,
};
use crate::storage::sqlite::SqliteStorage;
use crate::storage::Result;
use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

fn programme(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProgrammeRow> {
    Ok(ProgrammeRow {
        id: r.get(0)?,
        version: r.get(1)?,
        name_en: r.get(2)?,
        name_ur: r.get(3)?,
        source: r.get(4)?,
        loaded_by: r.get(5)?,
        loaded_at: r.get(6)?,
    })
}

fn ids(rows: Vec<String>) -> Result<Vec<Uuid>> {
    rows.iter().map(|s| uuid(s)).collect()
}

impl ProgrammeStore for SqliteStorage {
    async fn put_programme(&self, p: &ProgrammeRow) -> Result<bool> {
        let p = p.clone();
        self.run(move |c| {
            let n = c
                .prepare_cached(
                    "INSERT INTO programmes (id, version, name_en, name_ur, source, loaded_by, loaded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id, version) DO NOTHING",
                )?
                .execute(params![
                    p.id,
                    p.version,
                    p.name_en,
                    p.name_ur,
                    p.source,
                    p.loaded_by,
                    p.loaded_at
                ])?;
            Ok(n == 1)
        })
        .await
    }

    async fn programme_version(&self, id: &str, version: &str) -> Result<Option<ProgrammeRow>> {
        let (id, version) = (id.to_string(), version.to_string());
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT id, version, name_en, name_ur, source, loaded_by, loaded_at
                   FROM programmes WHERE id = ?1 AND version = ?2",
            )?
            .query_row(params![id, version], programme)
            .optional()?)
        })
        .await
    }

    async fn programmes(&self) -> Result<Vec<ProgrammeRow>> {
        self.read_quick(move |c| {
            Ok(c.prepare_cached(
                "SELECT id, version, name_en, name_ur, source, loaded_by, loaded_at
                   FROM programmes p
                  WHERE version = (SELECT q.version FROM programmes q WHERE q.id = p.id
                                    ORDER BY q.loaded_at DESC, q.version DESC LIMIT 1)
                  ORDER BY id",
            )?
            .query_map([], programme)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn put_eligibility(&self, rows: Vec<EligibilityRow>) -> Result<()> {
        self.run(move |c| {
            let tx = c.transaction()?;
            for r in &rows {
                tx.prepare_cached(
                    "INSERT INTO programme_eligibility (household_id, programme_id, programme_version,
                         eligible, reasons, score, model_version, computed_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (household_id, programme_id) DO UPDATE SET
                         programme_version = excluded.programme_version, eligible = excluded.eligible,
                         reasons = excluded.reasons, score = excluded.score,
                         model_version = excluded.model_version, computed_at = excluded.computed_at",
                )?
                .execute(params![
                    r.household_id.to_string(),
                    r.programme_id,
                    r.programme_version,
                    r.eligible,
                    r.reasons,
                    r.score,
                    r.model_version,
                    r.computed_at
                ])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn eligibility_rows(&self, household: Uuid) -> Result<Vec<EligibilityRow>> {
        self.read_quick(move |c| {
            Ok(c.prepare_cached(
                "SELECT programme_id, programme_version, eligible, reasons, score, model_version,
                        computed_at
                   FROM programme_eligibility WHERE household_id = ?1 ORDER BY programme_id",
            )?
            .query_map([household.to_string()], |r| {
                Ok(EligibilityRow {
                    household_id: household,
                    programme_id: r.get(0)?,
                    programme_version: r.get(1)?,
                    eligible: r.get(2)?,
                    reasons: r.get(3)?,
                    score: r.get(4)?,
                    model_version: r.get(5)?,
                    computed_at: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn eligible_not_enrolled(&self, programme: &str) -> Result<Vec<Uuid>> {
        let programme = programme.to_string();
        self.run(move |c| {
            let rows = c
                .prepare_cached(
                    "SELECT e.household_id FROM programme_eligibility e
                      WHERE e.programme_id = ?1 AND e.eligible = 1
                        AND NOT EXISTS (SELECT 1 FROM programme_enrolments n
                                         WHERE n.programme_id = e.programme_id
                                           AND n.household_id = e.household_id)
                      ORDER BY e.household_id",
                )?
                .query_map([programme], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids(rows)
        })
        .await
    }

    async fn enrol(
        &self,
        programme: &str,
        households: &[Uuid],
        by: &str,
        at: i64,
        reason: &str,
    ) -> Result<u64> {
        let (programme, by, reason) = (programme.to_string(), by.to_string(), reason.to_string());
        let households = households.to_vec();
        self.run(move |c| {
            let tx = c.transaction()?;
            let mut n = 0u64;
            for h in &households {
                let h = h.to_string();
                let added = tx
                    .prepare_cached(
                        "INSERT INTO programme_enrolments (household_id, programme_id, status, since)
                         VALUES (?1, ?2, 'enrolled', ?3) ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![h, programme, at])?;
                if added == 1 {
                    tx.prepare_cached(
                        "INSERT INTO programme_enrolment_history (household_id, programme_id,
                             from_status, to_status, changed_by, changed_at, reason)
                         VALUES (?1, ?2, NULL, 'enrolled', ?3, ?4, ?5)",
                    )?
                    .execute(params![h, programme, by, at, reason])?;
                    n += 1;
                }
            }
            tx.commit()?;
            Ok(n)
        })
        .await
    }

    async fn set_enrolment(&self, ch: &EnrolmentChange) -> Result<bool> {
        let ch = ch.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            let h = ch.household_id.to_string();
            let n = tx
                .prepare_cached(
                    "UPDATE programme_enrolments SET status = ?3, since = ?4
                      WHERE household_id = ?1 AND programme_id = ?2 AND status = ?5",
                )?
                .execute(params![h, ch.programme_id, ch.to, ch.at, ch.from])?;
            if n == 1 {
                tx.prepare_cached(
                    "INSERT INTO programme_enrolment_history (household_id, programme_id,
                         from_status, to_status, changed_by, changed_at, reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    h,
                    ch.programme_id,
                    ch.from,
                    ch.to,
                    ch.by,
                    ch.at,
                    ch.reason
                ])?;
            }
            tx.commit()?;
            Ok(n == 1)
        })
        .await
    }

    async fn enrolment_rows(&self, household: Uuid) -> Result<Vec<EnrolmentRow>> {
        self.read_quick(move |c| {
            Ok(c.prepare_cached(
                "SELECT programme_id, status, since FROM programme_enrolments
                  WHERE household_id = ?1 ORDER BY programme_id",
            )?
            .query_map([household.to_string()], |r| {
                Ok(EnrolmentRow {
                    household_id: household,
                    programme_id: r.get(0)?,
                    status: r.get(1)?,
                    since: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn enrolment_history(&self, household: Uuid) -> Result<Vec<EnrolmentChange>> {
        self.read_quick(move |c| {
            Ok(c.prepare_cached(
                "SELECT programme_id, from_status, to_status, changed_by, changed_at, reason
                   FROM programme_enrolment_history WHERE household_id = ?1 ORDER BY seq",
            )?
            .query_map([household.to_string()], |r| {
                Ok(EnrolmentChange {
                    household_id: household,
                    programme_id: r.get(0)?,
                    from: r.get(1)?,
                    to: r.get(2)?,
                    by: r.get(3)?,
                    at: r.get(4)?,
                    reason: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn eligible_in(&self, programme: &str) -> Result<Vec<Uuid>> {
        let programme = programme.to_string();
        self.run(move |c| {
            let rows = c
                .prepare_cached(
                    "SELECT household_id FROM programme_eligibility
                      WHERE programme_id = ?1 AND eligible = 1 ORDER BY household_id",
                )?
                .query_map([programme], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids(rows)
        })
        .await
    }

    async fn enrolled_in(&self, programme: &str) -> Result<Vec<Uuid>> {
        let programme = programme.to_string();
        self.run(move |c| {
            let rows = c
                .prepare_cached(
                    "SELECT household_id FROM programme_enrolments
                      WHERE programme_id = ?1 AND status = 'enrolled' ORDER BY household_id",
                )?
                .query_map([programme], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids(rows)
        })
        .await
    }

    async fn put_compliance(&self, rows: Vec<ComplianceRow>) -> Result<()> {
        self.run(move |c| {
            let tx = c.transaction()?;
            for r in &rows {
                tx.prepare_cached(
                    "INSERT INTO programme_compliance (programme_id, period, household_id, member_id,
                         measure, value, recorded_by, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (programme_id, period, household_id, member_id, measure)
                     DO UPDATE SET value = excluded.value, recorded_by = excluded.recorded_by,
                                   recorded_at = excluded.recorded_at",
                )?
                .execute(params![
                    r.programme_id,
                    r.period,
                    r.household_id.to_string(),
                    r.member_id.map(|m| m.to_string()).unwrap_or_default(),
                    r.measure,
                    r.value,
                    r.recorded_by,
                    r.recorded_at
                ])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn compliance_of(
        &self,
        programme: &str,
        period: &str,
        households: &[Uuid],
    ) -> Result<Vec<ComplianceRow>> {
        let (programme, period) = (programme.to_string(), period.to_string());
        let households = households.to_vec();
        self.run(move |c| {
            let mut out = Vec::new();
            let mut st = c.prepare_cached(
                "SELECT member_id, measure, value, recorded_by, recorded_at FROM programme_compliance
                  WHERE programme_id = ?1 AND period = ?2 AND household_id = ?3",
            )?;
            for h in households {
                let rows = st
                    .query_map(params![programme, period, h.to_string()], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, f64>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, i64>(4)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                for (m, measure, value, recorded_by, recorded_at) in rows {
                    out.push(ComplianceRow {
                        programme_id: programme.clone(),
                        period: period.clone(),
                        household_id: h,
                        member_id: member_of(&m)?,
                        measure,
                        value,
                        recorded_by,
                        recorded_at,
                    });
                }
            }
            Ok(out)
        })
        .await
    }

    async fn put_programme_job(&self, j: &ProgrammeJobRow) -> Result<()> {
        let j = j.clone();
        self.run(move |c| {
            c.prepare_cached(
                "INSERT INTO programme_jobs (id, kind, programme_id, started_by, total, done,
                     started_at, finished_at, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (id) DO UPDATE SET total = excluded.total, done = excluded.done,
                     finished_at = excluded.finished_at, error = excluded.error",
            )?
            .execute(params![
                j.id,
                j.kind,
                j.programme_id,
                j.started_by,
                i64::try_from(j.total).unwrap_or(i64::MAX),
                i64::try_from(j.done).unwrap_or(i64::MAX),
                j.started_at,
                j.finished_at,
                j.error
            ])?;
            Ok(())
        })
        .await
    }

    async fn programme_job(&self, id: &str) -> Result<Option<ProgrammeJobRow>> {
        let id = id.to_string();
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT id, kind, programme_id, started_by, total, done, started_at, finished_at,
                        error FROM programme_jobs WHERE id = ?1",
            )?
            .query_row([id], |r| {
                Ok(ProgrammeJobRow {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    programme_id: r.get(2)?,
                    started_by: r.get(3)?,
                    total: u64::try_from(r.get::<_, i64>(4)?).unwrap_or_default(),
                    done: u64::try_from(r.get::<_, i64>(5)?).unwrap_or_default(),
                    started_at: r.get(6)?,
                    finished_at: r.get(7)?,
                    error: r.get(8)?,
                })
            })
            .optional()?)
        })
        .await
    }
}
