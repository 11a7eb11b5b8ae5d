//! [`CitizenStore`] on SQLite (see the module above).

use super::{CitizenRow, CitizenStore, Failures, IssueRow, LookUp, Shown};
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{columns, Result, StorageError};
use rusqlite::{params, OptionalExtension, Transaction};
use shumari_domain::Projection;
use uuid::Uuid;

/// Writes household `id`'s citizen row from its projection, in the ingest's transaction (called by
/// `commit_ingest` for every household it writes, beside the ID-number index).
pub(crate) fn write_row(tx: &Transaction<'_>, id: &str, p: &Projection) -> rusqlite::Result<()> {
    let row = CitizenRow::of(p);
    tx.prepare_cached(
        "INSERT INTO citizen_rows (household_id, surveyed_at, phone, roster) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (household_id) DO UPDATE SET
           surveyed_at = excluded.surveyed_at, phone = excluded.phone, roster = excluded.roster",
    )?
    .execute(params![id, row.surveyed_at, row.phone, row.roster])?;
    Ok(())
}

/// The index read: every household holding a number, with its citizen row when it has one.
const LOOK_UP: &str = "SELECT m.household_id, m.issued, h.ref, h.area, h.status,
        c.surveyed_at, c.phone, c.roster
   FROM member_ids m JOIN households h ON h.id = m.household_id
   LEFT JOIN citizen_rows c ON c.household_id = m.household_id
  WHERE m.id_number = ?1";

type LookUpRow = (
    String,
    Option<String>,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
);

impl CitizenStore for SqliteStorage {
    async fn look_up(&self, keys: &[Vec<u8>], digits: &str, now: i64) -> Result<LookUp> {
        let keys = keys.to_vec();
        let digits = digits.to_string();
        self.read_quick(move |c| {
            let mut locked = None;
            let mut st = c.prepare_cached(
                "SELECT locked_until FROM citizen_attempts WHERE key = ?1 AND locked_until > ?2",
            )?;
            for key in &keys {
                let until: Option<i64> =
                    st.query_row(params![key, now], |r| r.get(0)).optional()?;
                locked = locked.max(until);
            }
            if let Some(until) = locked {
                return Ok(LookUp::Locked(until));
            }
            let mut st = c.prepare_cached(LOOK_UP)?;
            let rows = st
                .query_map([digits], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<LookUpRow>>>()?;
            rows.into_iter()
                .map(|(id, issued, reference, area, status, at, phone, roster)| {
                    let household = Uuid::parse_str(&id)
                        .map_err(|e| StorageError::Other(format!("bad household id: {e}")))?;
                    let shown = match (at, roster) {
                        (Some(surveyed_at), Some(roster)) => Some(Shown {
                            reference,
                            area,
                            status: columns::status(&status)?,
                            row: CitizenRow {
                                surveyed_at,
                                phone,
                                roster,
                            },
                        }),
                        _ => None,
                    };
                    Ok(IssueRow {
                        household,
                        issued,
                        shown,
                    })
                })
                .collect::<Result<Vec<_>>>()
                .map(LookUp::Rows)
        })
        .await
    }

    async fn without_citizen_row(&self, after: Option<Uuid>, limit: usize) -> Result<Vec<Uuid>> {
        let after = after.map(|a| a.to_string()).unwrap_or_default();
        self.run(move |c| {
            let mut st = c.prepare_cached(
                "SELECT h.id FROM households h
                  WHERE h.id > ?1
                    AND NOT EXISTS (SELECT 1 FROM citizen_rows c WHERE c.household_id = h.id)
                  ORDER BY h.id LIMIT ?2",
            )?;
            let ids = st
                .query_map(params![after, limit as i64], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids.iter()
                .map(|id| {
                    Uuid::parse_str(id)
                        .map_err(|e| StorageError::Other(format!("bad household id: {e}")))
                })
                .collect()
        })
        .await
    }

    async fn put_citizen_rows(&self, rows: Vec<(Uuid, Vec<u8>, CitizenRow)>) -> Result<u64> {
        self.run(move |c| {
            let tx = c.transaction()?;
            let mut n = 0;
            {
                // Only at the heads the row was read from, and never over a row an ingest wrote.
                let mut st = tx.prepare_cached(
                    "INSERT INTO citizen_rows (household_id, surveyed_at, phone, roster)
                     SELECT id, ?3, ?4, ?5 FROM households WHERE id = ?1 AND heads = ?2
                     ON CONFLICT (household_id) DO NOTHING",
                )?;
                for (id, heads, row) in &rows {
                    n += st.execute(params![
                        id.to_string(),
                        heads,
                        row.surveyed_at,
                        row.phone,
                        row.roster
                    ])? as u64;
                }
            }
            tx.commit()?;
            Ok(n)
        })
        .await
    }

    async fn note_failures(&self, batch: &[Failures]) -> Result<Vec<Option<i64>>> {
        let batch = batch.to_vec();
        self.write_quick(move |c| {
            let tx = c.transaction()?;
            let mut out = Vec::with_capacity(batch.len());
            {
                // One statement per key: a passed window restarts at one failure; reaching the
                // limit sets the lock; a lock already running is kept.
                let mut st = tx.prepare_cached(
                    "INSERT INTO citizen_attempts (key, failures, window_start, locked_until)
                     VALUES (?1, 1, ?2, CASE WHEN ?3 <= 1 THEN ?2 + ?5 END)
                     ON CONFLICT (key) DO UPDATE SET
                       failures = CASE WHEN window_start + ?4 <= ?2 THEN 1 ELSE failures + 1 END,
                       window_start = CASE WHEN window_start + ?4 <= ?2 THEN ?2 ELSE window_start END,
                       locked_until = CASE
                         WHEN locked_until > ?2 THEN locked_until
                         WHEN (CASE WHEN window_start + ?4 <= ?2 THEN 1 ELSE failures + 1 END) >= ?3
                           THEN ?2 + ?5
                         ELSE NULL END
                     RETURNING locked_until",
                )?;
                for Failures { keys, now } in &batch {
                    let mut locked = None;
                    for (key, rule) in keys {
                        let until = st.query_row(
                            params![key, now, rule.limit, rule.window_ms, rule.lock_ms],
                            |r| r.get::<_, Option<i64>>(0),
                        )?;
                        locked = locked.max(until);
                    }
                    out.push(locked);
                }
            }
            tx.commit()?;
            Ok(out)
        })
        .await
    }
}
