//! [`CitizenStore`] on PostgreSQL (see the module above).

use super::{CitizenRow, CitizenStore, Failures, IssueRow, LookUp, Shown};
use crate::storage::postgres::PgStorage;
use crate::storage::{columns, Result, StorageError};
use uuid::Uuid;

/// Writes the citizen rows of households `ids` (one row each, in order), in the ingest's
/// transaction (called by `commit_ingest` with every household it writes, beside the ID-number
/// index).
pub(crate) async fn write_rows(
    tx: &tokio_postgres::Transaction<'_>,
    ids: &[String],
    rows: Vec<CitizenRow>,
) -> std::result::Result<(), tokio_postgres::Error> {
    let (mut at, mut phone, mut roster) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        at.push(row.surveyed_at);
        phone.push(row.phone);
        roster.push(row.roster);
    }
    tx.execute(
        "INSERT INTO citizen_rows (household_id, surveyed_at, phone, roster)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[])
         ON CONFLICT (household_id) DO UPDATE SET
           surveyed_at = excluded.surveyed_at, phone = excluded.phone, roster = excluded.roster",
        &[&ids, &at, &phone, &roster],
    )
    .await?;
    Ok(())
}

impl CitizenStore for PgStorage {
    async fn look_up(&self, keys: &[Vec<u8>], digits: &str, now: i64) -> Result<LookUp> {
        let c = self.conn().await;
        let locked: Option<i64> = c
            .query_one(
                "SELECT max(locked_until) FROM citizen_attempts
                  WHERE key = ANY($1) AND locked_until > $2",
                &[&keys, &now],
            )
            .await?
            .get(0);
        if let Some(until) = locked {
            return Ok(LookUp::Locked(until));
        }
        let rows = c
            .query(
                "SELECT m.household_id, m.issued, h.ref, h.area, h.status,
                        c.surveyed_at, c.phone, c.roster
                   FROM member_ids m JOIN households h ON h.id = m.household_id
                   LEFT JOIN citizen_rows c ON c.household_id = m.household_id
                  WHERE m.id_number = $1",
                &[&digits],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.get(0);
                let household = Uuid::parse_str(&id)
                    .map_err(|e| StorageError::Other(format!("bad household id: {e}")))?;
                let at: Option<i64> = r.get(5);
                let roster: Option<String> = r.get(7);
                let shown = match (at, roster) {
                    (Some(surveyed_at), Some(roster)) => Some(Shown {
                        reference: r.get(2),
                        area: r.get(3),
                        status: columns::status(r.get(4))?,
                        row: CitizenRow {
                            surveyed_at,
                            phone: r.get(6),
                            roster,
                        },
                    }),
                    _ => None,
                };
                Ok(IssueRow {
                    household,
                    issued: r.get(1),
                    shown,
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(LookUp::Rows)
    }

    async fn without_citizen_row(&self, after: Option<Uuid>, limit: usize) -> Result<Vec<Uuid>> {
        let after = after.map(|a| a.to_string()).unwrap_or_default();
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT h.id FROM households h
                  WHERE h.id > $1::text
                    AND NOT EXISTS (SELECT 1 FROM citizen_rows c WHERE c.household_id = h.id)
                  ORDER BY h.id LIMIT $2",
                &[&after, &(limit as i64)],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Uuid::parse_str(r.get(0))
                    .map_err(|e| StorageError::Other(format!("bad household id: {e}")))
            })
            .collect()
    }

    async fn put_citizen_rows(&self, rows: Vec<(Uuid, Vec<u8>, CitizenRow)>) -> Result<u64> {
        let (mut id, mut heads, mut at, mut phone, mut roster) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (household, h, row) in rows {
            id.push(household.to_string());
            heads.push(h);
            at.push(row.surveyed_at);
            phone.push(row.phone);
            roster.push(row.roster);
        }
        let c = self.conn().await;
        // Only at the heads the row was read from, and never over a row an ingest wrote.
        Ok(c.execute(
            "INSERT INTO citizen_rows (household_id, surveyed_at, phone, roster)
             SELECT v.id, v.at, v.phone, v.roster
               FROM unnest($1::text[], $2::bytea[], $3::bigint[], $4::text[], $5::text[])
                    AS v(id, heads, at, phone, roster)
               JOIN households h ON h.id = v.id AND h.heads = v.heads
             ON CONFLICT (household_id) DO NOTHING",
            &[&id, &heads, &at, &phone, &roster],
        )
        .await?)
    }

    async fn note_failures(&self, batch: &[Failures]) -> Result<Vec<Option<i64>>> {
        // Every key's failures in key order (and, for one key, in the batch's order): two
        // registry processes' batches then take the rows' locks in the same order and cannot
        // deadlock, and each key still counts its failures in the order they came.
        let mut each: Vec<(usize, &Vec<u8>, &super::AttemptRule, i64)> = batch
            .iter()
            .enumerate()
            .flat_map(|(i, f)| f.keys.iter().map(move |(k, r)| (i, k, r, f.now)))
            .collect();
        each.sort_by(|a, b| a.1.cmp(b.1));
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        // The same single upsert as on SQLite; the row lock makes concurrent failures add up.
        let st = tx
            .prepare(
                "INSERT INTO citizen_attempts AS a (key, failures, window_start, locked_until)
                 VALUES ($1::bytea, 1, $2::bigint, CASE WHEN $3::int <= 1 THEN $2::bigint + $5::bigint END)
                 ON CONFLICT (key) DO UPDATE SET
                   failures = CASE WHEN a.window_start + $4 <= $2 THEN 1 ELSE a.failures + 1 END,
                   window_start = CASE WHEN a.window_start + $4 <= $2 THEN $2 ELSE a.window_start END,
                   locked_until = CASE
                     WHEN a.locked_until > $2 THEN a.locked_until
                     WHEN (CASE WHEN a.window_start + $4 <= $2 THEN 1 ELSE a.failures + 1 END) >= $3
                       THEN $2 + $5
                     ELSE NULL END
                 RETURNING locked_until",
            )
            .await?;
        let mut out = vec![None; batch.len()];
        for (i, key, rule, now) in each {
            let limit = i32::try_from(rule.limit).unwrap_or(i32::MAX);
            let row = tx
                .query_one(&st, &[key, &now, &limit, &rule.window_ms, &rule.lock_ms])
                .await?;
            out[i] = out[i].max(row.get::<_, Option<i64>>(0));
        }
        tx.commit().await?;
        Ok(out)
    }
}
