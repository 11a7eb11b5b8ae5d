//! [`CitizenStore`] on PostgreSQL (see the module above).

use super::{AttemptRule, CitizenStore, IssueRow, LookUp};
use crate::storage::postgres::PgStorage;
use crate::storage::Result;

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
            .collect::<Result<Vec<_>>>()
            .map(LookUp::Rows)
    }

    async fn note_failures(
        &self,
        keys: &[(Vec<u8>, AttemptRule)],
        now: i64,
    ) -> Result<Option<i64>> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        let mut locked = None;
        for (key, rule) in keys {
            let limit = i32::try_from(rule.limit).unwrap_or(i32::MAX);
            // The same single upsert as on SQLite; the row lock makes concurrent failures add up.
            let row = tx
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
                    &[key, &now, &limit, &rule.window_ms, &rule.lock_ms],
                )
                .await?;
            locked = locked.max(row.get::<_, Option<i64>>(0));
        }
        tx.commit().await?;
        Ok(locked)
    }
}
