//! Data-quality facts and flags on PostgreSQL (see the module above). Lists travel as array
//! parameters (`= ANY($1)`, `unnest`), one round trip per statement; area ranges compare with
//! `COLLATE "C"`, the bytewise order of the domain's `AreaRange` and of the flags' area index.

use super::{FactRow, FlagRow, QualityStore};
use crate::storage::postgres::{uuid_of, PgStorage};
use crate::storage::Result;
use shumari_domain::AreaRange;
use tokio_postgres::Row;
use uuid::Uuid;

fn flag_rows(rows: &[Row]) -> Result<Vec<FlagRow>> {
    rows.iter()
        .map(|r| {
            Ok(FlagRow {
                household_id: uuid_of(r.get(0))?,
                kind: r.get(1),
                area: r.get(2),
                detail: r.get(3),
                flagged_at: r.get(4),
            })
        })
        .collect()
}

fn id_list(rows: &[Row]) -> Result<Vec<(Uuid, String)>> {
    rows.iter()
        .map(|r| Ok((uuid_of(r.get(0))?, r.get(1))))
        .collect()
}

impl QualityStore for PgStorage {
    async fn facts_of(&self, ids: &[Uuid]) -> Result<Vec<FactRow>> {
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let c = self.conn().await;
        c.query(
            "SELECT household_id, area, tehsil, surveyor, day, asset_print, lat, lon, duration_secs
               FROM quality_facts WHERE household_id = ANY($1)",
            &[&ids],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(FactRow {
                household_id: uuid_of(r.get(0))?,
                area: r.get(1),
                tehsil: r.get(2),
                surveyor: r.get(3),
                day: r.get(4),
                asset_print: r.get(5),
                lat: r.get(6),
                lon: r.get(7),
                duration_secs: r.get(8),
            })
        })
        .collect()
    }

    async fn put_facts(&self, rows: Vec<FactRow>) -> Result<()> {
        let ids: Vec<String> = rows.iter().map(|r| r.household_id.to_string()).collect();
        let areas: Vec<&str> = rows.iter().map(|r| r.area.as_str()).collect();
        let tehsils: Vec<&str> = rows.iter().map(|r| r.tehsil.as_str()).collect();
        let surveyors: Vec<&str> = rows.iter().map(|r| r.surveyor.as_str()).collect();
        let days: Vec<&str> = rows.iter().map(|r| r.day.as_str()).collect();
        let prints: Vec<Option<&str>> = rows.iter().map(|r| r.asset_print.as_deref()).collect();
        let lats: Vec<Option<f64>> = rows.iter().map(|r| r.lat).collect();
        let lons: Vec<Option<f64>> = rows.iter().map(|r| r.lon).collect();
        let durations: Vec<Option<i64>> = rows.iter().map(|r| r.duration_secs).collect();
        let c = self.conn().await;
        c.execute(
            "INSERT INTO quality_facts (household_id, area, tehsil, surveyor, day, asset_print, lat, lon,
                                        duration_secs)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                  $6::text[], $7::float8[], $8::float8[], $9::int8[])
             ON CONFLICT (household_id) DO UPDATE SET area = excluded.area,
                tehsil = excluded.tehsil, surveyor = excluded.surveyor, day = excluded.day,
                asset_print = excluded.asset_print, lat = excluded.lat, lon = excluded.lon,
                duration_secs = excluded.duration_secs",
            &[&ids, &areas, &tehsils, &surveyors, &days, &prints, &lats, &lons, &durations],
        )
        .await?;
        Ok(())
    }

    async fn households_on_day(&self, surveyor: &str, day: &str) -> Result<Vec<(Uuid, String)>> {
        let c = self.conn().await;
        id_list(
            &c.query(
                "SELECT household_id, area FROM quality_facts WHERE surveyor = $1 AND day = $2
                  ORDER BY household_id",
                &[&surveyor, &day],
            )
            .await?,
        )
    }

    async fn households_with_assets(
        &self,
        surveyor: &str,
        print: &str,
    ) -> Result<Vec<(Uuid, String)>> {
        let c = self.conn().await;
        id_list(
            &c.query(
                "SELECT household_id, area FROM quality_facts WHERE surveyor = $1 AND asset_print = $2
                  ORDER BY household_id",
                &[&surveyor, &print],
            )
            .await?,
        )
    }

    async fn tehsil_points(&self, tehsil: &str) -> Result<Vec<(Uuid, String, f64, f64)>> {
        let c = self.conn().await;
        c.query(
            "SELECT household_id, area, lat, lon FROM quality_facts
              WHERE tehsil = $1 AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY household_id",
            &[&tehsil],
        )
        .await?
        .iter()
        .map(|r| Ok((uuid_of(r.get(0))?, r.get(1), r.get(2), r.get(3))))
        .collect()
    }

    async fn replace_flags(
        &self,
        households: Vec<Uuid>,
        kinds: Vec<String>,
        rows: Vec<FlagRow>,
    ) -> Result<()> {
        let hs: Vec<String> = households.iter().map(Uuid::to_string).collect();
        let ids: Vec<String> = rows.iter().map(|r| r.household_id.to_string()).collect();
        let row_kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
        let areas: Vec<&str> = rows.iter().map(|r| r.area.as_str()).collect();
        let details: Vec<&str> = rows.iter().map(|r| r.detail.as_str()).collect();
        let at: Vec<i64> = rows.iter().map(|r| r.flagged_at).collect();
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        tx.execute(
            "DELETE FROM quality_flags f
              WHERE f.household_id = ANY($1) AND f.kind = ANY($2)
                AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS k(h, kind)
                                 WHERE k.h = f.household_id AND k.kind = f.kind)",
            &[&hs, &kinds, &ids, &row_kinds],
        )
        .await?;
        tx.execute(
            "INSERT INTO quality_flags (household_id, kind, area, detail, flagged_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[])
             ON CONFLICT (household_id, kind) DO UPDATE SET area = excluded.area,
                detail = excluded.detail",
            &[&ids, &row_kinds, &areas, &details, &at],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn flags_of(&self, ids: &[Uuid]) -> Result<Vec<FlagRow>> {
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let c = self.conn().await;
        flag_rows(
            &c.query(
                "SELECT household_id, kind, area, detail, flagged_at FROM quality_flags
                  WHERE household_id = ANY($1) ORDER BY household_id, kind",
                &[&ids],
            )
            .await?,
        )
    }

    async fn flags_in(
        &self,
        range: &AreaRange,
        kind: Option<&str>,
        after: Option<(String, Uuid)>,
        limit: usize,
    ) -> Result<Vec<FlagRow>> {
        let (after_area, after_id) = match after {
            Some((a, id)) => (Some(a), Some(id.to_string())),
            None => (None, None),
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.conn().await;
        flag_rows(
            &c.query(
                "SELECT household_id, kind, area, detail, flagged_at FROM quality_flags
                  WHERE (area COLLATE \"C\" = $1::text
                         OR (area COLLATE \"C\" >= $2::text AND area COLLATE \"C\" < $3::text))
                    AND ($4::text IS NULL OR kind = $4::text)
                    AND ($5::text IS NULL OR area COLLATE \"C\" > $5::text
                         OR (area = $5::text AND household_id COLLATE \"C\" > $6::text))
                  ORDER BY area COLLATE \"C\", household_id COLLATE \"C\", kind LIMIT $7",
                &[
                    &range.code,
                    &range.from,
                    &range.until,
                    &kind,
                    &after_area,
                    &after_id,
                    &limit,
                ],
            )
            .await?,
        )
    }

    async fn unflagged(&self, limit: usize) -> Result<Vec<Uuid>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.conn().await;
        c.query(
            "SELECT h.id FROM households h LEFT JOIN quality_facts f ON f.household_id = h.id
              WHERE f.household_id IS NULL LIMIT $1",
            &[&limit],
        )
        .await?
        .iter()
        .map(|r| uuid_of(r.get(0)))
        .collect()
    }

    async fn flagged_count(&self, range: &AreaRange) -> Result<u64> {
        let c = self.conn().await;
        let n: i64 = c
            .query_one(
                "SELECT count(DISTINCT household_id) FROM quality_flags
                  WHERE area COLLATE \"C\" = $1::text
                     OR (area COLLATE \"C\" >= $2::text AND area COLLATE \"C\" < $3::text)",
                &[&range.code, &range.from, &range.until],
            )
            .await?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
