//! The console's rows on SQLite (see the module above).

use super::{contains_pattern, ConsoleAccount, ConsoleSession, ConsoleStorage, PageQuery};
use crate::storage::sqlite::{list_row, SqliteStorage};
use crate::storage::{columns, HouseholdSummary, Result};
use rusqlite::{params, OptionalExtension};
use shumari_domain::{AreaRange, Status};

/// A page under one area (`AreaRange`'s parameters 1-3) after an (area, id) position (4-5), in
/// (area, id) order through the (area, id) index; status (6) and search (7: a `LIKE` pattern on
/// the head's name, 8: a reference number) are NULL when absent.
const PAGE: &str =
    "SELECT id, area, ref, head_name, head_id_number, member_count, status, conflict_count, updated_at
       FROM households
      WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2) AND (area, id) > (?4, ?5)
        AND (?6 IS NULL OR status = ?6)
        AND (?7 IS NULL OR lower(coalesce(head_name, '')) LIKE ?7 ESCAPE '\\' OR ref = ?8)
        AND (?10 IS NULL OR last_device IN (SELECT id FROM devices WHERE user_id = ?10))
        AND (?11 IS NULL OR updated_at >= ?11) AND (?12 IS NULL OR updated_at < ?12)
      ORDER BY area, id LIMIT ?9";

const AREA_COUNTS: &str = "SELECT area, status, count(*) FROM households
      WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2) GROUP BY area, status ORDER BY area";

const COUNTS: &str = "SELECT status, count(*) FROM households
      WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2) GROUP BY status";

impl ConsoleStorage for SqliteStorage {
    async fn console_account(&self, user_id: &str) -> Result<Option<ConsoleAccount>> {
        let user_id = user_id.to_string();
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT password_hash, totp_secret, failed_count, locked_until
                   FROM console_accounts WHERE user_id = ?1",
            )?
            .query_row([&user_id], |r| {
                Ok(ConsoleAccount {
                    user_id: user_id.clone(),
                    password_hash: r.get(0)?,
                    totp_secret: r.get(1)?,
                    failed: r.get(2)?,
                    locked_until: r.get(3)?,
                })
            })
            .optional()?)
        })
        .await
    }

    async fn set_console_password(&self, user_id: &str, hash: &str, now: i64) -> Result<()> {
        let (user_id, hash) = (user_id.to_string(), hash.to_string());
        self.run(move |c| {
            c.execute(
                "INSERT INTO console_accounts (user_id, password_hash, failed_count, updated_at)
                 VALUES (?1, ?2, 0, ?3)
                 ON CONFLICT (user_id) DO UPDATE SET password_hash = ?2, failed_count = 0,
                        locked_until = NULL, updated_at = ?3",
                params![user_id, hash, now],
            )?;
            Ok(())
        })
        .await
    }

    async fn set_console_totp(
        &self,
        user_id: &str,
        secret: Option<&[u8]>,
        now: i64,
    ) -> Result<bool> {
        let (user_id, secret) = (user_id.to_string(), secret.map(<[u8]>::to_vec));
        self.run(move |c| {
            Ok(c.execute(
                "UPDATE console_accounts SET totp_secret = ?2, updated_at = ?3 WHERE user_id = ?1",
                params![user_id, secret, now],
            )? == 1)
        })
        .await
    }

    async fn console_failure(
        &self,
        user_id: &str,
        max: u32,
        lock_until: i64,
    ) -> Result<Option<i64>> {
        let user_id = user_id.to_string();
        self.run(move |c| {
            // One statement: concurrent failures each count (SET reads the row's old values).
            Ok(c.query_row(
                "UPDATE console_accounts
                    SET failed_count = CASE WHEN failed_count + 1 >= ?2 THEN 0 ELSE failed_count + 1 END,
                        locked_until = CASE WHEN failed_count + 1 >= ?2 THEN ?3 ELSE locked_until END
                  WHERE user_id = ?1
              RETURNING CASE WHEN failed_count = 0 THEN locked_until END",
                params![user_id, max, lock_until],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()?
            .flatten())
        })
        .await
    }

    async fn console_success(&self, user_id: &str) -> Result<()> {
        let user_id = user_id.to_string();
        self.run(move |c| {
            c.execute(
                "UPDATE console_accounts SET failed_count = 0, locked_until = NULL WHERE user_id = ?1",
                [user_id],
            )?;
            Ok(())
        })
        .await
    }

    async fn add_console_session(
        &self,
        id_hash: [u8; 32],
        session: &ConsoleSession,
        now: i64,
    ) -> Result<()> {
        let s = session.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM console_sessions WHERE expires_at < ?1", [now])?;
            tx.execute(
                "INSERT INTO console_sessions
                   (id_hash, user_id, csrf, second_factor_due, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id_hash.to_vec(),
                    s.user_id,
                    s.csrf,
                    s.second_factor_due,
                    now,
                    s.expires_at
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn console_session(&self, id_hash: [u8; 32]) -> Result<Option<ConsoleSession>> {
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT user_id, csrf, second_factor_due, expires_at
                   FROM console_sessions WHERE id_hash = ?1",
            )?
            .query_row([id_hash.to_vec()], |r| {
                Ok(ConsoleSession {
                    user_id: r.get(0)?,
                    csrf: r.get(1)?,
                    second_factor_due: r.get(2)?,
                    expires_at: r.get(3)?,
                })
            })
            .optional()?)
        })
        .await
    }

    async fn console_second_factor_given(&self, id_hash: [u8; 32]) -> Result<()> {
        self.run(move |c| {
            c.execute(
                "UPDATE console_sessions SET second_factor_due = 0 WHERE id_hash = ?1",
                [id_hash.to_vec()],
            )?;
            Ok(())
        })
        .await
    }

    async fn end_console_session(&self, id_hash: [u8; 32]) -> Result<()> {
        self.run(move |c| {
            c.execute(
                "DELETE FROM console_sessions WHERE id_hash = ?1",
                [id_hash.to_vec()],
            )?;
            Ok(())
        })
        .await
    }

    async fn household_page(&self, q: &PageQuery) -> Result<Vec<HouseholdSummary>> {
        let r = AreaRange::of(&q.area);
        let (after_area, after_id) = match &q.after {
            Some((a, id)) => (a.clone(), id.to_string()),
            None => (r.code.clone(), String::new()),
        };
        let status = q.status.map(|s| s.as_str());
        let pattern = q.search.as_deref().map(contains_pattern);
        let reference = q.search.clone();
        let limit = q.limit as i64;
        let (surveyor, from, until) = (q.surveyor.clone(), q.changed_from, q.changed_until);
        self.run(move |c| {
            c.prepare_cached(PAGE)?
                .query_map(
                    params![
                        r.code, r.from, r.until, after_area, after_id, status, pattern, reference,
                        limit, surveyor, from, until
                    ],
                    |r| Ok(list_row(r)),
                )?
                .collect::<std::result::Result<Vec<_>, _>>()?
                .into_iter()
                .collect()
        })
        .await
    }

    async fn status_counts(&self, area: &str) -> Result<Vec<(Status, u64)>> {
        let r = AreaRange::of(area);
        self.run(move |c| {
            c.prepare_cached(COUNTS)?
                .query_map(params![r.code, r.from, r.until], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                })?
                .map(|row| {
                    let (s, n) = row?;
                    Ok((columns::status(&s)?, u64::try_from(n).unwrap_or(0)))
                })
                .collect()
        })
        .await
    }

    async fn area_status_counts(&self, area: &str) -> Result<Vec<(String, Status, u64)>> {
        let r = AreaRange::of(area);
        self.run(move |c| {
            c.prepare_cached(AREA_COUNTS)?
                .query_map(params![r.code, r.from, r.until], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, i64>(2)?,
                    ))
                })?
                .map(|row| {
                    let (a, s, n) = row?;
                    Ok((a, columns::status(&s)?, u64::try_from(n).unwrap_or(0)))
                })
                .collect()
        })
        .await
    }
}
