//! Data-quality facts and flags on SQLite (see the module above). Statements that take a list run
//! once per item inside one call, on the one connection: cheap for SQLite, and every statement
//! stays fixed.

use super::{FactRow, FlagRow, QualityStore};
use crate::storage::sqlite::{uuid_of, SqliteStorage};
use crate::storage::Result;
use rusqlite::{params, Connection};
use shumari_domain::AreaRange;
use std::collections::BTreeSet;
use uuid::Uuid;

fn flag_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, FlagRow)> {
    Ok((
        r.get(0)?,
        FlagRow {
            household_id: Uuid::nil(),
            kind: r.get(1)?,
            area: r.get(2)?,
            detail: r.get(3)?,
            flagged_at: r.get(4)?,
        },
    ))
}

fn with_ids(rows: Vec<(String, FlagRow)>) -> Result<Vec<FlagRow>> {
    rows.into_iter()
        .map(|(id, mut f)| {
            f.household_id = uuid_of(&id)?;
            Ok(f)
        })
        .collect()
}

fn ids(c: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Vec<(Uuid, String)>> {
    c.prepare_cached(sql)?
        .query_map(p, |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(id, area)| Ok((uuid_of(&id)?, area)))
        .collect()
}

impl QualityStore for SqliteStorage {
    async fn facts_of(&self, ids: &[Uuid]) -> Result<Vec<FactRow>> {
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        self.run(move |c| {
            let mut out = Vec::new();
            let mut stmt = c.prepare_cached(
                "SELECT household_id, area, tehsil, surveyor, day, asset_print, lat, lon,
                        duration_secs
                   FROM quality_facts WHERE household_id = ?1",
            )?;
            for id in &ids {
                let mut rows = stmt.query([id])?;
                if let Some(r) = rows.next()? {
                    out.push(FactRow {
                        household_id: uuid_of(&r.get::<_, String>(0)?)?,
                        area: r.get(1)?,
                        tehsil: r.get(2)?,
                        surveyor: r.get(3)?,
                        day: r.get(4)?,
                        asset_print: r.get(5)?,
                        lat: r.get(6)?,
                        lon: r.get(7)?,
                        duration_secs: r.get(8)?,
                    });
                }
            }
            Ok(out)
        })
        .await
    }

    async fn put_facts(&self, rows: Vec<FactRow>) -> Result<()> {
        self.run(move |c| {
            let tx = c.transaction()?;
            for r in &rows {
                tx.prepare_cached(
                    "INSERT INTO quality_facts (household_id, area, tehsil, surveyor, day, asset_print, lat, lon,
                                                duration_secs)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (household_id) DO UPDATE SET area = excluded.area,
                        tehsil = excluded.tehsil, surveyor = excluded.surveyor, day = excluded.day,
                        asset_print = excluded.asset_print, lat = excluded.lat, lon = excluded.lon,
                        duration_secs = excluded.duration_secs",
                )?
                .execute(params![
                    r.household_id.to_string(),
                    r.area,
                    r.tehsil,
                    r.surveyor,
                    r.day,
                    r.asset_print,
                    r.lat,
                    r.lon,
                    r.duration_secs
                ])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn households_on_day(&self, surveyor: &str, day: &str) -> Result<Vec<(Uuid, String)>> {
        let (surveyor, day) = (surveyor.to_string(), day.to_string());
        self.run(move |c| {
            ids(
                c,
                "SELECT household_id, area FROM quality_facts WHERE surveyor = ?1 AND day = ?2
                  ORDER BY household_id",
                params![surveyor, day],
            )
        })
        .await
    }

    async fn households_with_assets(
        &self,
        surveyor: &str,
        print: &str,
    ) -> Result<Vec<(Uuid, String)>> {
        let (surveyor, print) = (surveyor.to_string(), print.to_string());
        self.run(move |c| {
            ids(
                c,
                "SELECT household_id, area FROM quality_facts WHERE surveyor = ?1 AND asset_print = ?2
                  ORDER BY household_id",
                params![surveyor, print],
            )
        })
        .await
    }

    async fn tehsil_points(&self, tehsil: &str) -> Result<Vec<(Uuid, String, f64, f64)>> {
        let tehsil = tehsil.to_string();
        self.run(move |c| {
            let rows = c
                .prepare_cached(
                    "SELECT household_id, area, lat, lon FROM quality_facts
                      WHERE tehsil = ?1 AND lat IS NOT NULL AND lon IS NOT NULL
                      ORDER BY household_id",
                )?
                .query_map([&tehsil], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, f64>(2)?,
                        r.get::<_, f64>(3)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(id, area, lat, lon)| Ok((uuid_of(&id)?, area, lat, lon)))
                .collect()
        })
        .await
    }

    async fn replace_flags(
        &self,
        households: Vec<Uuid>,
        kinds: Vec<String>,
        rows: Vec<FlagRow>,
    ) -> Result<()> {
        self.run(move |c| {
            let keep: BTreeSet<(String, &str)> = rows
                .iter()
                .map(|r| (r.household_id.to_string(), r.kind.as_str()))
                .collect();
            let tx = c.transaction()?;
            for h in &households {
                let h = h.to_string();
                for k in &kinds {
                    if !keep.contains(&(h.clone(), k.as_str())) {
                        tx.prepare_cached(
                            "DELETE FROM quality_flags WHERE household_id = ?1 AND kind = ?2",
                        )?
                        .execute(params![h, k])?;
                    }
                }
            }
            for r in &rows {
                tx.prepare_cached(
                    "INSERT INTO quality_flags (household_id, kind, area, detail, flagged_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (household_id, kind) DO UPDATE SET area = excluded.area,
                        detail = excluded.detail",
                )?
                .execute(params![
                    r.household_id.to_string(),
                    r.kind,
                    r.area,
                    r.detail,
                    r.flagged_at
                ])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn flags_of(&self, ids: &[Uuid]) -> Result<Vec<FlagRow>> {
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        self.run(move |c| {
            let mut out = Vec::new();
            let mut stmt = c.prepare_cached(
                "SELECT household_id, kind, area, detail, flagged_at FROM quality_flags
                  WHERE household_id = ?1 ORDER BY kind",
            )?;
            for id in &ids {
                out.extend(
                    stmt.query_map([id], flag_row)?
                        .collect::<rusqlite::Result<Vec<_>>>()?,
                );
            }
            with_ids(out)
        })
        .await
    }

    async fn flags_in(
        &self,
        range: &AreaRange,
        kind: Option<&str>,
        after: Option<(String, Uuid)>,
        limit: usize,
    ) -> Result<Vec<FlagRow>> {
        let range = range.clone();
        let kind = kind.map(str::to_string);
        let (after_area, after_id) = match after {
            Some((a, id)) => (Some(a), Some(id.to_string())),
            None => (None, None),
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |c| {
            let rows = c
                .prepare_cached(
                    "SELECT household_id, kind, area, detail, flagged_at FROM quality_flags
                      WHERE (area = ?1 OR (area >= ?2 AND area < ?3))
                        AND (?4 IS NULL OR kind = ?4)
                        AND (?5 IS NULL OR area > ?5 OR (area = ?5 AND household_id > ?6))
                      ORDER BY area, household_id, kind LIMIT ?7",
                )?
                .query_map(
                    params![
                        range.code,
                        range.from,
                        range.until,
                        kind,
                        after_area,
                        after_id,
                        limit
                    ],
                    flag_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            with_ids(rows)
        })
        .await
    }

    async fn unflagged(&self, limit: usize) -> Result<Vec<Uuid>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |c| {
            c.prepare_cached(
                "SELECT h.id FROM households h LEFT JOIN quality_facts f ON f.household_id = h.id
                  WHERE f.household_id IS NULL LIMIT ?1",
            )?
            .query_map([limit], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .iter()
            .map(|s| uuid_of(s))
            .collect()
        })
        .await
    }

    async fn flagged_count(&self, range: &AreaRange) -> Result<u64> {
        let range = range.clone();
        self.run(move |c| {
            let n: i64 = c
                .prepare_cached(
                    "SELECT count(DISTINCT household_id) FROM quality_flags
                      WHERE area = ?1 OR (area >= ?2 AND area < ?3)",
                )?
                .query_row(params![range.code, range.from, range.until], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }
}
