//! [`CitizenStore`] on SQLite (see the module above).

use super::{AttemptRule, CitizenStore, IssueRow};
use crate::storage::sqlite::SqliteStorage;
use crate::storage::Result;
use rusqlite::{params, OptionalExtension};

impl CitizenStore for SqliteStorage {
    async fn id_number_issues(&self, digits: &str) -> Result<Vec<IssueRow>> {
        let digits = digits.to_string();
        self.run(move |c| {
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
                .collect()
        })
        .await
    }

    async fn locked_until(&self, key: &[u8], now: i64) -> Result<Option<i64>> {
        let key = key.to_vec();
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT locked_until FROM citizen_attempts WHERE key = ?1 AND locked_until > ?2",
            )?
            .query_row(params![key, now], |r| r.get(0))
            .optional()?)
        })
        .await
    }

    async fn note_failure(&self, key: &[u8], now: i64, rule: AttemptRule) -> Result<Option<i64>> {
        let key = key.to_vec();
        self.run(move |c| {
            // One statement: a passed window restarts at one failure; reaching the limit sets the
            // lock; a lock already running is kept.
            Ok(c.prepare_cached(
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
            )?
            .query_row(
                params![key, now, rule.limit, rule.window_ms, rule.lock_ms],
                |r| r.get::<_, Option<i64>>(0),
            )?)
        })
        .await
    }
}
