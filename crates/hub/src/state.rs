//! What the hub remembers about the registry above it, in its own database (registry migrations
//! V24, V29 and V30): its enrollment there (`hub_upstream`: URL, token and when it was received,
//! device id, user, areas, the feed's cursor, the last reviewer's decision held from above), per
//! household the heads the registry above is known
//! to hold (`hub_upstream_acked`), per tablet how many of its actors were registered there
//! (`hub_registered`), which of the reports its tablets submitted the registry above has answered
//! (`hub_forwarded_reports`, V29), the households the registry above said left the hub's
//! district (`hub_left_scope`, V30), and the assignments it holds because the registry above
//! listed them (`hub_assignments_above`, V30).
//!
//! The hub's registry writes households through its own connection; these tables are this
//! crate's alone, written through a second connection to the same SQLite file. Nothing here needs
//! to commit with a household: every step of a round is idempotent (changes are content-addressed,
//! a replayed page or push changes nothing), so a crash between a household's write and the
//! bookkeeping that follows costs a repeat, never a loss.

use crate::error::{HubError, Result};
use rusqlite::{params, Connection, OptionalExtension};
use shumari_proto::message::Cursor;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;
use uuid::Uuid;

/// The hub's enrollment with the registry above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The registry above (base URL).
    pub url: String,
    /// The hub's device token there (never logged or printed).
    pub token: String,
    /// The hub's device id there.
    pub device_id: String,
    /// The hub's user there (role `hub`).
    pub user_id: String,
    /// The district(s) the hub serves.
    pub areas: Vec<String>,
}

/// The hub's upstream bookkeeping.
#[derive(Debug)]
pub struct UpstreamState {
    conn: Connection,
}

fn heads_blob(h: &[[u8; 32]]) -> Vec<u8> {
    h.iter().flatten().copied().collect()
}

fn heads_of(b: &[u8]) -> Vec<[u8; 32]> {
    b.chunks_exact(32)
        .filter_map(|c| <[u8; 32]>::try_from(c).ok())
        .collect()
}

impl UpstreamState {
    /// Opens the hub's tables in the SQLite database at `path` (the registry made them when it
    /// opened the database).
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        // The registry's own connections write the same file.
        conn.busy_timeout(Duration::from_secs(30))?;
        Ok(UpstreamState { conn })
    }

    /// The enrollment, once made.
    pub fn link(&self) -> Result<Option<Link>> {
        let row = self
            .conn
            .query_row(
                "SELECT url, token, device_id, user_id, areas FROM hub_upstream WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(url, token, device_id, user_id, areas)| {
            let areas: Vec<String> = serde_json::from_str(&areas)
                .map_err(|e| HubError::Corrupt(format!("hub areas: {e}")))?;
            Ok(Link {
                url,
                token,
                device_id,
                user_id,
                areas,
            })
        })
        .transpose()
    }

    /// Keeps the enrollment (a hub enrolls once; enrolling again replaces it and starts the feed
    /// over, which replays harmlessly).
    pub fn set_link(&self, link: &Link) -> Result<()> {
        let areas = serde_json::to_string(&link.areas)
            .map_err(|e| HubError::Corrupt(format!("hub areas: {e}")))?;
        self.conn.execute(
            "INSERT INTO hub_upstream (id, url, token, device_id, user_id, areas, cursor,
                                       token_received_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, '', ?6)
             ON CONFLICT (id) DO UPDATE SET url = excluded.url, token = excluded.token,
               device_id = excluded.device_id, user_id = excluded.user_id,
               areas = excluded.areas, cursor = '',
               token_received_at = excluded.token_received_at",
            params![
                link.url,
                link.token,
                link.device_id,
                link.user_id,
                areas,
                crate::apply::now_ms()
            ],
        )?;
        Ok(())
    }

    /// When the hub received its current token upstream (ms since the epoch, its own clock); `None`
    /// for a hub enrolled before tokens rotated.
    pub fn token_received_at(&self) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT token_received_at FROM hub_upstream WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Keeps `token` as the hub's token upstream, received at `at`: one statement, so the hub holds
    /// either the old token or the new one, never neither.
    pub fn set_token(&self, token: &str, at: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE hub_upstream SET token = ?1, token_received_at = ?2 WHERE id = 1",
            params![token, at],
        )?;
        Ok(())
    }

    /// Records `at` as when the current token was received (a registry above that does not
    /// rotate is asked again a rotation period later).
    pub fn stamp_token(&self, at: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE hub_upstream SET token_received_at = ?1 WHERE id = 1",
            [at],
        )?;
        Ok(())
    }

    /// The households the registry above said left the hub's district.
    pub fn left_scope(&self) -> Result<HashSet<Uuid>> {
        let mut stmt = self
            .conn
            .prepare("SELECT household_id FROM hub_left_scope")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = HashSet::new();
        for row in rows {
            if let Ok(id) = Uuid::parse_str(&row?) {
                out.insert(id);
            }
        }
        Ok(out)
    }

    /// Records that `ids` left the hub's district (`left`), or came back into it (`!left`).
    pub fn set_left_scope(&mut self, ids: &[Uuid], left: bool, at: i64) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut add = tx.prepare_cached(
                "INSERT INTO hub_left_scope (household_id, at) VALUES (?1, ?2)
                 ON CONFLICT (household_id) DO NOTHING",
            )?;
            let mut drop =
                tx.prepare_cached("DELETE FROM hub_left_scope WHERE household_id = ?1")?;
            for id in ids {
                if left {
                    add.execute(params![id.to_string(), at])?;
                } else {
                    drop.execute([id.to_string()])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Where the hub is in the upstream feed.
    pub fn cursor(&self) -> Result<Cursor> {
        let c: Option<String> = self
            .conn
            .query_row("SELECT cursor FROM hub_upstream WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(Cursor::from_token(&c.unwrap_or_default()))
    }

    /// Moves the cursor (after the page it ends was applied).
    pub fn set_cursor(&self, c: &Cursor) -> Result<()> {
        self.conn.execute(
            "UPDATE hub_upstream SET cursor = ?1 WHERE id = 1",
            [c.to_token()],
        )?;
        Ok(())
    }

    /// Records the time of a round that went through (ms since the epoch).
    pub fn set_last_sync(&self, at: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE hub_upstream SET last_sync_at = ?1 WHERE id = 1",
            [at],
        )?;
        Ok(())
    }

    /// The time of the last round that went through.
    pub fn last_sync(&self) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT last_sync_at FROM hub_upstream WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Every household's acknowledged heads.
    pub fn acked(&self) -> Result<HashMap<Uuid, Vec<[u8; 32]>>> {
        let mut stmt = self
            .conn
            .prepare("SELECT household_id, heads FROM hub_upstream_acked")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, heads) = row?;
            if let Ok(id) = Uuid::parse_str(&id) {
                out.insert(id, heads_of(&heads));
            }
        }
        Ok(out)
    }

    /// Records heads the registry above holds, one transaction for the batch.
    pub fn set_acked(&mut self, acks: &[(Uuid, Vec<[u8; 32]>)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO hub_upstream_acked (household_id, heads) VALUES (?1, ?2)
                 ON CONFLICT (household_id) DO UPDATE SET heads = excluded.heads",
            )?;
            for (id, heads) in acks {
                stmt.execute(params![id.to_string(), heads_blob(heads)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// How many actors of each tablet the registry above has bound.
    pub fn registered(&self) -> Result<HashMap<String, usize>> {
        let mut stmt = self
            .conn
            .prepare("SELECT device_id, actors FROM hub_registered")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, n) = row?;
            out.insert(id, usize::try_from(n).unwrap_or(0));
        }
        Ok(out)
    }

    /// Records that the registry above bound `actors` actors of tablet `device_id`.
    pub fn set_registered(&self, device_id: &str, actors: usize) -> Result<()> {
        self.conn.execute(
            "INSERT INTO hub_registered (device_id, actors) VALUES (?1, ?2)
             ON CONFLICT (device_id) DO UPDATE SET actors = excluded.actors",
            params![device_id, i64::try_from(actors).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    /// The number of the last reviewer's decision the hub holds from the registry above (0 before
    /// any).
    pub fn reviews_after(&self) -> Result<u64> {
        let upto: Option<i64> = self
            .conn
            .query_row(
                "SELECT reviews_after FROM hub_upstream WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(upto.and_then(|u| u64::try_from(u).ok()).unwrap_or(0))
    }

    /// Keeps the number of the last decision held from above (never moves back).
    pub fn set_reviews_after(&self, upto: u64) -> Result<()> {
        self.conn.execute(
            "UPDATE hub_upstream SET reviews_after = max(reviews_after, ?1) WHERE id = 1",
            params![i64::try_from(upto).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    /// The ids of the assignments the hub holds because the registry above listed them.
    pub fn assignments_above(&self) -> Result<HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT assignment_id FROM hub_assignments_above")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Remembers that the assignment `id` came from above.
    pub fn remember_assignment_above(&self, id: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO hub_assignments_above (assignment_id) VALUES (?1)
             ON CONFLICT (assignment_id) DO NOTHING",
            [id],
        )?;
        Ok(())
    }

    /// Forgets the assignment `id` (withdrawn at the hub because the list above dropped it).
    pub fn forget_assignment_above(&self, id: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM hub_assignments_above WHERE assignment_id = ?1",
            [id],
        )?;
        Ok(())
    }

    /// The reports the registry above has answered (stored or refused), by id.
    pub fn forwarded_reports(&self) -> Result<HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT report_id FROM hub_forwarded_reports")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Records the registry above's answers to reports (`None`: stored), one transaction.
    pub fn set_forwarded_reports(
        &mut self,
        answers: &[(Uuid, Option<String>)],
        at: i64,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO hub_forwarded_reports (report_id, refused, forwarded_at)
                 VALUES (?1, ?2, ?3) ON CONFLICT (report_id) DO NOTHING",
            )?;
            for (id, refused) in answers {
                stmt.execute(params![id.to_string(), refused, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
