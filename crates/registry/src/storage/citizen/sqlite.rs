//! [`CitizenStore`] on SQLite (see the module above).

use super::{AttemptRule, CitizenStore, IssueRow, LookUp};
use crate::storage::sqlite::SqliteStorage;
use crate::storage::Result;
use rusqlite::{params, OptionalExtension};

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
            let mut st = c.prepare_cached(
                "SELECT m.household_id, m.issued, h.heads FROM member_ids m
                   JOIN households h ON h.id = m.household_id WHERE m.id_number = ?1",
            )?;
            let rows = st
                .query_map([digits], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(id, issued, heads)| {
                    uuid::Uuid::parse_str(&id)
                        .map(|household| IssueRow {
                            household,
                            issued,
                            heads,
                        })
                        .map_err(|e| {
                            crate::storage::StorageError::Other(format!("bad household id: {e}"))
                        })
                })
                .collect::<Result<Vec<_>>>()
                .map(LookUp::Rows)
        })
        .await
    }

    async fn note_failures(
        &self,
        keys: &[(Vec<u8>, AttemptRule)],
        now: i64,
    ) -> Result<Option<i64>> {
        let keys = keys.to_vec();
        self.run(move |c| {
            let tx = c.transaction()?;
            let mut locked = None;
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
                for (key, rule) in &keys {
                    let until = st.query_row(
                        params![key, now, rule.limit, rule.window_ms, rule.lock_ms],
                        |r| r.get::<_, Option<i64>>(0),
                    )?;
                    locked = locked.max(until);
                }
            }
            tx.commit()?;
            Ok(locked)
        })
        .await
    }
}
