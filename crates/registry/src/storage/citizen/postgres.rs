//! [`CitizenStore`] on PostgreSQL (see the module above).

use super::{AttemptRule, CitizenStore, IssueRow};
use crate::storage::postgres::PgStorage;
use crate::storage::Result;

impl CitizenStore for PgStorage {
    async fn id_number_issues(&self, digits: &str) -> Result<Vec<IssueRow>> {
        let c = self.conn().await;
        let rows = c
            .query(
                "SELECT m.household_id, m.issued, h.heads FROM member_ids m
                   JOIN households h ON h.id = m.household_id WHERE m.id_number = $1",
                &[&digits],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.get(0);
                uuid::Uuid::parse_str(&id)
                    .map(|household| IssueRow {
                        household,
                        issued: r.get(1),
                        heads: r.get(2),
                    })
                    .map_err(|e| {
                        crate::storage::StorageError::Other(format!("bad household id: {e}"))
                    })
            })
            .collect()
    }

    async fn locked_until(&self, key: &[u8], now: i64) -> Result<Option<i64>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT locked_until FROM citizen_attempts WHERE key = $1 AND locked_until > $2",
            &[&key, &now],
        )
        .await?
        .and_then(|r| r.get(0)))
    }

    async fn note_failure(&self, key: &[u8], now: i64, rule: AttemptRule) -> Result<Option<i64>> {
        let c = self.conn().await;
        let limit = i32::try_from(rule.limit).unwrap_or(i32::MAX);
        // The same single upsert as on SQLite; the row lock makes concurrent failures add up.
        let row = c
            .query_one(
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
                &[&key, &now, &limit, &rule.window_ms, &rule.lock_ms],
            )
            .await?;
        Ok(row.get(0))
    }
}
