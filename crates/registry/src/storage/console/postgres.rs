//! The console's rows on PostgreSQL (see the module above). Area comparisons are bytewise
//! (`COLLATE "C"`), as the domain's `AreaRange` requires.

use super::{contains_pattern, ConsoleAccount, ConsoleSession, ConsoleStorage, PageQuery};
use crate::storage::postgres::{summary_row, PgStorage};
use crate::storage::{columns, HouseholdSummary, Result};
use shumari_domain::{AreaRange, Status};

const PAGE: &str =
    "SELECT id, area, ref, head_name, head_id_number, member_count, status, conflict_count, updated_at
       FROM households
      WHERE area COLLATE \"C\" >= $1::text AND area COLLATE \"C\" < $3::text
        AND (area COLLATE \"C\" = $1::text OR area COLLATE \"C\" >= $2::text)
        AND (area COLLATE \"C\", id COLLATE \"C\") > ($4::text, $5::text)
        AND ($6::text IS NULL OR status = $6::text)
        AND ($7::text IS NULL OR lower(coalesce(head_name, '')) LIKE $7::text ESCAPE '\\'
             OR ref = $8::text)
        AND ($10::text IS NULL OR last_device IN (SELECT id FROM devices WHERE user_id = $10::text))
        AND ($11::bigint IS NULL OR updated_at >= $11::bigint)
        AND ($12::bigint IS NULL OR updated_at < $12::bigint)
      ORDER BY area COLLATE \"C\", id COLLATE \"C\" LIMIT $9";

const AREA_COUNTS: &str = "SELECT area, status, count(*) FROM households
      WHERE area COLLATE \"C\" >= $1::text AND area COLLATE \"C\" < $3::text
        AND (area COLLATE \"C\" = $1::text OR area COLLATE \"C\" >= $2::text)
      GROUP BY area, status ORDER BY area COLLATE \"C\"";

const COUNTS: &str = "SELECT status, count(*) FROM households
      WHERE area COLLATE \"C\" >= $1::text AND area COLLATE \"C\" < $3::text
        AND (area COLLATE \"C\" = $1::text OR area COLLATE \"C\" >= $2::text)
      GROUP BY status";

fn failures(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

impl ConsoleStorage for PgStorage {
    async fn console_account(&self, user_id: &str) -> Result<Option<ConsoleAccount>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT password_hash, totp_secret, failed_count, locked_until
               FROM console_accounts WHERE user_id = $1",
            &[&user_id],
        )
        .await?
        .map(|r| ConsoleAccount {
            user_id: user_id.to_string(),
            password_hash: r.get(0),
            totp_secret: r.get(1),
            failed: failures(r.get(2)),
            locked_until: r.get(3),
        }))
    }

    async fn set_console_password(&self, user_id: &str, hash: &str, now: i64) -> Result<()> {
        let c = self.conn().await;
        c.execute(
            "INSERT INTO console_accounts (user_id, password_hash, failed_count, updated_at)
             VALUES ($1, $2, 0, $3)
             ON CONFLICT (user_id) DO UPDATE SET password_hash = $2, failed_count = 0,
                    locked_until = NULL, updated_at = $3",
            &[&user_id, &hash, &now],
        )
        .await?;
        Ok(())
    }

    async fn set_console_totp(
        &self,
        user_id: &str,
        secret: Option<&[u8]>,
        now: i64,
    ) -> Result<bool> {
        let c = self.conn().await;
        Ok(c.execute(
            "UPDATE console_accounts SET totp_secret = $2, updated_at = $3 WHERE user_id = $1",
            &[&user_id, &secret, &now],
        )
        .await?
            == 1)
    }

    async fn console_failure(
        &self,
        user_id: &str,
        max: u32,
        lock_until: i64,
    ) -> Result<Option<i64>> {
        let c = self.conn().await;
        let max = i32::try_from(max).unwrap_or(i32::MAX);
        Ok(c.query_opt(
            "UPDATE console_accounts
                SET failed_count = CASE WHEN failed_count + 1 >= $2 THEN 0 ELSE failed_count + 1 END,
                    locked_until = CASE WHEN failed_count + 1 >= $2 THEN $3 ELSE locked_until END
              WHERE user_id = $1
          RETURNING CASE WHEN failed_count = 0 THEN locked_until END",
            &[&user_id, &max, &lock_until],
        )
        .await?
        .and_then(|r| r.get::<_, Option<i64>>(0)))
    }

    async fn console_success(&self, user_id: &str) -> Result<()> {
        let c = self.conn().await;
        c.execute(
            "UPDATE console_accounts SET failed_count = 0, locked_until = NULL WHERE user_id = $1",
            &[&user_id],
        )
        .await?;
        Ok(())
    }

    async fn add_console_session(
        &self,
        id_hash: [u8; 32],
        session: &ConsoleSession,
        now: i64,
    ) -> Result<()> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        tx.execute(
            "DELETE FROM console_sessions WHERE expires_at < $1",
            &[&now],
        )
        .await?;
        tx.execute(
            "INSERT INTO console_sessions
               (id_hash, user_id, csrf, second_factor_due, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &id_hash.as_slice(),
                &session.user_id,
                &session.csrf,
                &session.second_factor_due,
                &now,
                &session.expires_at,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn console_session(&self, id_hash: [u8; 32]) -> Result<Option<ConsoleSession>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT user_id, csrf, second_factor_due, expires_at
               FROM console_sessions WHERE id_hash = $1",
            &[&id_hash.as_slice()],
        )
        .await?
        .map(|r| ConsoleSession {
            user_id: r.get(0),
            csrf: r.get(1),
            second_factor_due: r.get(2),
            expires_at: r.get(3),
        }))
    }

    async fn console_second_factor_given(&self, id_hash: [u8; 32]) -> Result<()> {
        let c = self.conn().await;
        c.execute(
            "UPDATE console_sessions SET second_factor_due = FALSE WHERE id_hash = $1",
            &[&id_hash.as_slice()],
        )
        .await?;
        Ok(())
    }

    async fn end_console_session(&self, id_hash: [u8; 32]) -> Result<()> {
        let c = self.conn().await;
        c.execute(
            "DELETE FROM console_sessions WHERE id_hash = $1",
            &[&id_hash.as_slice()],
        )
        .await?;
        Ok(())
    }

    async fn household_page(&self, q: &PageQuery) -> Result<Vec<HouseholdSummary>> {
        let r = AreaRange::of(&q.area);
        let (after_area, after_id) = match &q.after {
            Some((a, id)) => (a.clone(), id.to_string()),
            None => (r.code.clone(), String::new()),
        };
        let status = q.status.map(|s| s.as_str().to_string());
        let pattern = q.search.as_deref().map(contains_pattern);
        let limit = q.limit as i64;
        let c = self.conn().await;
        c.query(
            PAGE,
            &[
                &r.code,
                &r.from,
                &r.until,
                &after_area,
                &after_id,
                &status,
                &pattern,
                &q.search,
                &limit,
                &q.surveyor,
                &q.changed_from,
                &q.changed_until,
            ],
        )
        .await?
        .iter()
        .map(summary_row)
        .collect()
    }

    async fn status_counts(&self, area: &str) -> Result<Vec<(Status, u64)>> {
        let r = AreaRange::of(area);
        let c = self.conn().await;
        c.query(COUNTS, &[&r.code, &r.from, &r.until])
            .await?
            .iter()
            .map(|row| {
                let n: i64 = row.get(1);
                Ok((columns::status(row.get(0))?, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }

    async fn area_status_counts(&self, area: &str) -> Result<Vec<(String, Status, u64)>> {
        let r = AreaRange::of(area);
        let c = self.conn().await;
        c.query(AREA_COUNTS, &[&r.code, &r.from, &r.until])
            .await?
            .iter()
            .map(|row| {
                let n: i64 = row.get(2);
                Ok((
                    row.get(0),
                    columns::status(row.get(1))?,
                    u64::try_from(n).unwrap_or(0),
                ))
            })
            .collect()
    }
}
