//! The embedded backend: one SQLite file (WAL), one write connection behind a mutex, work on the
//! blocking pool; short reads on read-only connections of their own (`sqlite_readers.rs`).
//! Admin commands open the same file from another process while `serve` runs; WAL and a busy timeout
//! make that safe.
//!
//! The file holds personal data, so it is created readable by its owner only (0600 on Unix), and an
//! existing one with wider permissions is narrowed on open; SQLite gives its `-wal` and `-shm` files
//! the database file's permissions.

use super::sqlite_checkpoint::Checkpointer;
use super::sqlite_readers::Readers;
use super::{
    access, columns, devices, role_of, AccessEntry, AccessEvent, AuditEntry, DeviceRow,
    DeviceTokens, Disabled, HouseholdSummary, IngestRow, LogEntry, Result, Storage, StorageError,
    StoredDoc, TokenRecord, User, UserRow,
};
use rusqlite::{params, Connection, OptionalExtension};
use shumari_domain::{AreaRange, IdNumber};
use std::path::Path;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// SQLite storage.
#[derive(Debug, Clone)]
pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
    readers: Arc<Readers>,
    _checkpoints: Arc<Checkpointer>,
}

impl SqliteStorage {
    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_keyed(path, None)
    }

    /// The same, encrypted with SQLCipher under `key` when given (SQLCipher derives the page key from
    /// it; the `-wal` file is encrypted too). A database created with a key opens only with that key,
    /// and one created without a key only without one.
    pub fn open_keyed(path: &Path, key: Option<&str>) -> Result<Self> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| StorageError::Other(e.to_string()))?;
            }
        }
        owner_only(path)
            .map_err(|e| StorageError::Other(format!("making {} private: {e}", path.display())))?;
        let mut conn = Connection::open(path)?;
        if let Some(key) = key {
            conn.pragma_update(None, "key", key)?;
        }
        // The first read of a page shows whether the key (or its absence) fits the file.
        if let Err(e) = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        }) {
            return Err(match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::NotADatabase) => StorageError::Other(format!(
                    "{} cannot be read: it is encrypted and the key is missing or wrong \
                     (SHUMARI_DB_KEY_FILE or SHUMARI_DB_KEY), or it was not encrypted and a key was given, \
                     or it is not a registry database",
                    path.display()
                )),
                _ => e.into(),
            });
        }
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // A batch is acknowledged only after its transaction commits. In WAL mode NORMAL keeps every
        // committed transaction across a crash or kill of the registry (the SIGKILL test); only a
        // power loss before the next checkpoint can drop the last ones, and then the devices' next
        // sync finds the difference in the consistency check and pushes those households again
        // (the check's `want`). FULL fsynced every batch for that case alone.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // SQLite's default page cache is 2 MB: at a few hundred thousand households the indexes a
        // look-up descends (member IDs, references, areas) no longer fit, and every look-up pays
        // read() calls into the OS page cache. 64 MiB keeps them in the process (the scale bench's
        // memory row includes it).
        conn.pragma_update(None, "cache_size", -65_536)?;
        // Checkpoints run on their own thread, off every commit's path (`sqlite_checkpoint.rs`);
        // the writer checkpoints itself only when a sustained ingest outruns that thread.
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            super::sqlite_checkpoint::WRITER_BACKSTOP_PAGES,
        )?;
        conn.pragma_update(
            None,
            "journal_size_limit",
            super::sqlite_checkpoint::WAL_SIZE_LIMIT,
        )?;
        super::migrate::sqlite(&mut conn)?;
        Ok(SqliteStorage {
            conn: Arc::new(Mutex::new(conn)),
            readers: Arc::new(Readers::new(path, key)),
            _checkpoints: Arc::new(Checkpointer::start(path, key)?),
        })
    }

    /// Runs `f` on the registry's connection on the blocking pool, for a crate beside the registry
    /// that keeps its own tables in the registry's database (their migrations are the registry's,
    /// `migrations/registry-sqlite/`), such as `shumari-dci`. `f` is one unit of work; it must not
    /// touch the registry's own tables.
    pub async fn with_connection<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        self.run(f).await
    }

    pub(super) async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut c)
        })
        .await
        .map_err(|e| StorageError::Other(e.to_string()))?
    }
}

impl SqliteStorage {
    /// A short read (a few rows found through an index, as the citizen status page makes), on
    /// the calling thread with a read-only connection of its own ([`Readers`]): in WAL mode it
    /// waits for no writer, and sees everything committed before it began.
    pub(super) async fn read_quick<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        self.readers.read(f)
    }

    /// One small transaction of a group commit (the access trail's batch, the citizens' failure
    /// counts): with synchronous=NORMAL in WAL mode its commit appends to the WAL without an
    /// fsync. It runs on the calling thread when the write connection is free, sparing the two
    /// thread switches of the blocking pool, which cost more than the write; when the connection
    /// is busy (an ingest is writing), it waits for it on the blocking pool like [`Self::run`],
    /// never on an async worker. (The WAL's automatic checkpoint, once per thousand pages
    /// written, can land here and fsync: a rare pause of one worker, which the others cover.)
    pub(super) async fn write_quick<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let f = match self.conn.try_lock() {
            Ok(mut c) => return f(&mut c),
            Err(std::sync::TryLockError::Poisoned(p)) => return f(&mut p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => f,
        };
        self.run(f).await
    }
}

/// Creates the database file with mode 0600 when absent (an empty file is a new SQLite database) and
/// narrows the file and its `-wal`/`-shm` companions to 0600 when they are wider.
#[cfg(unix)]
fn owner_only(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let p = std::path::PathBuf::from(name);
        match std::fs::metadata(&p) {
            Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))?;
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Elsewhere the platform's own access control (the directory's ACL) applies.
#[cfg(not(unix))]
fn owner_only(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

pub(super) fn user_with(conn: &Connection, id: &str) -> Result<Option<User>> {
    let row: Option<(String, String)> = conn
        .query_row("SELECT name, role FROM users WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((name, role)) = row else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT area FROM user_areas WHERE user_id = ?1 ORDER BY area")?;
    let areas = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<std::result::Result<Vec<String>, _>>()?;
    Ok(Some(User {
        id: id.to_string(),
        name,
        role: role_of(&role)?,
        areas,
    }))
}

/// (id, area, heads, doc, last_device, conflict_count) as read.
type DocRow = (String, String, Vec<u8>, Vec<u8>, String, u32);

pub(super) fn uuid_of(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| StorageError::Other(format!("bad id in database: {e}")))
}

/// A list row from `SELECT id, area, ref, head_name, head_id_number, member_count, status,
/// conflict_count, updated_at`.
pub(super) fn list_row(r: &rusqlite::Row<'_>) -> Result<HouseholdSummary> {
    Ok(HouseholdSummary {
        id: uuid_of(&r.get::<_, String>(0)?)?,
        area: r.get(1)?,
        reference: r.get(2)?,
        head_name: r.get(3)?,
        head_id_number: columns::id_number(r.get(4)?)?,
        member_count: r.get(5)?,
        status: columns::status(&r.get::<_, String>(6)?)?,
        conflict_count: r.get(7)?,
        updated_at: columns::time(r.get(8)?),
    })
}

fn stored_doc(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn to_stored(t: DocRow) -> Result<StoredDoc> {
    Ok(StoredDoc {
        id: uuid_of(&t.0)?,
        area: t.1,
        heads: t.2,
        doc: t.3,
        last_device: t.4,
        conflict_count: t.5,
    })
}

/// The list rows `sql` selects (the columns `list_row` reads, in its order).
fn summaries(
    c: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<HouseholdSummary>> {
    c.prepare_cached(sql)?
        .query_map(params, |r| Ok(list_row(r)))?
        .collect::<std::result::Result<Vec<_>, _>>()?
        .into_iter()
        .collect()
}

/// The (id, area, heads) rows `sql` selects.
fn heads_rows(
    c: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<(Uuid, String, Vec<u8>)>> {
    c.prepare_cached(sql)?
        .query_map(params, |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
        })?
        .map(|r| {
            let (id, a, h) = r?;
            Ok((uuid_of(&id)?, a, h))
        })
        .collect()
}

/// The heads of the households under one area (`AreaRange`'s parameters), through `households_area`.
pub const SCOPE_HEADS: &str =
    "SELECT id, area, heads FROM households WHERE area = ?1 OR (area >= ?2 AND area < ?3)";

/// The list rows of one area and everything under it (`AreaRange`'s parameters), by reference.
pub const LIST_AREA: &str =
    "SELECT id, area, ref, head_name, head_id_number, member_count, status, conflict_count, updated_at
       FROM households WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2) ORDER BY ref";

/// Every household's list row, by reference (the registry-wide list of an unscoped caller).
const LIST_ALL: &str =
    "SELECT id, area, ref, head_name, head_id_number, member_count, status, conflict_count, updated_at
       FROM households ORDER BY ref";

/// Log entries of one district (1) after a sequence number (2) of households now under an area
/// (`AreaRange`'s parameters 3-5), in sequence order (6 at most): a seek in `log_district_seq`
/// (V28), whose expression this repeats.
pub const LOG_IN_DISTRICT: &str =
    "SELECT seq, household_id, area, prev_area, device_id, changes, heads, signatures FROM log
      WHERE substr(area, 1, 5) = ?1 AND seq > ?2 AND (area = ?3 OR (area >= ?4 AND area < ?5))
      ORDER BY seq LIMIT ?6";

/// The same for households that were under the area before the entry moved them
/// (`log_prev_district_seq`).
pub const LOG_LEFT_DISTRICT: &str =
    "SELECT seq, household_id, area, prev_area, device_id, changes, heads, signatures FROM log
      WHERE substr(prev_area, 1, 5) = ?1 AND prev_area IS NOT NULL AND seq > ?2
        AND (prev_area = ?3 OR (prev_area >= ?4 AND prev_area < ?5))
      ORDER BY seq LIMIT ?6";

/// A page of a scope's snapshot: households under one area (`AreaRange`'s parameters 1-3) after
/// an (area, id) position (4-5), in (area, id) order through `households_area_id` (V7).
pub const SNAPSHOT_PAGE: &str =
    "SELECT id, area, heads, doc, last_device, conflict_count FROM households
      WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2) AND (area, id) > (?4, ?5)
      ORDER BY area, id LIMIT ?6";

impl Storage for SqliteStorage {
    async fn add_user(&self, user: &User, now: i64) -> Result<()> {
        let u = user.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO users (id, name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![u.id, u.name, u.role.as_str(), now],
            )?;
            for a in &u.areas {
                tx.execute(
                    "INSERT OR IGNORE INTO user_areas (user_id, area) VALUES (?1, ?2)",
                    params![u.id, a],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn update_user(&self, user: &User) -> Result<bool> {
        let u = user.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            let n = tx.execute(
                "UPDATE users SET name = ?2 WHERE id = ?1",
                params![u.id, u.name],
            )?;
            if n == 0 {
                return Ok(false);
            }
            tx.execute("DELETE FROM user_areas WHERE user_id = ?1", [&u.id])?;
            for a in &u.areas {
                tx.execute(
                    "INSERT OR IGNORE INTO user_areas (user_id, area) VALUES (?1, ?2)",
                    params![u.id, a],
                )?;
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn user(&self, id: &str) -> Result<Option<User>> {
        let id = id.to_string();
        self.run(move |c| user_with(c, &id)).await
    }

    async fn add_enroll_code(
        &self,
        user_id: &str,
        code_hash: [u8; 32],
        expires_at: i64,
    ) -> Result<()> {
        let user_id = user_id.to_string();
        self.run(move |c| {
            c.execute(
                "INSERT INTO enroll_codes (code_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
                params![code_hash.to_vec(), user_id, expires_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn redeem_code(
        &self,
        code_hash: [u8; 32],
        now: i64,
        device_id: &str,
        label: &str,
        token_hash: [u8; 32],
    ) -> Result<Option<User>> {
        let (device_id, label) = (device_id.to_string(), label.to_string());
        self.run(move |c| {
            let tx = c.transaction()?;
            let user_id: Option<String> = tx
                .query_row(
                    "UPDATE enroll_codes SET used_at = ?2
                      WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2 RETURNING user_id",
                    params![code_hash.to_vec(), now],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(user_id) = user_id else {
                return Ok(None);
            };
            tx.execute(
                "INSERT INTO devices (id, user_id, label, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![device_id, user_id, label, token_hash.to_vec(), now],
            )?;
            let user = user_with(&tx, &user_id)?;
            tx.commit()?;
            Ok(user)
        })
        .await
    }

    async fn device_by_token(&self, token_hash: [u8; 32]) -> Result<Option<TokenRecord>> {
        self.run(move |c| devices::sqlite::by_token(c, token_hash))
            .await
    }

    async fn device_seen(&self, device_id: &str, forget_previous: bool, now: i64) -> Result<()> {
        let device_id = device_id.to_string();
        self.run(move |c| devices::sqlite::seen(c, &device_id, forget_previous, now))
            .await
    }

    async fn rotate_token(
        &self,
        device_id: &str,
        used_hash: [u8; 32],
        new_hash: [u8; 32],
        now: i64,
    ) -> Result<bool> {
        let device_id = device_id.to_string();
        self.run(move |c| devices::sqlite::rotate(c, &device_id, used_hash, new_hash, now))
            .await
    }

    async fn devices(&self) -> Result<Vec<DeviceRow>> {
        self.run(|c| devices::sqlite::list(c)).await
    }

    async fn users(&self) -> Result<Vec<UserRow>> {
        self.run(|c| devices::sqlite::users(c)).await
    }

    async fn device_tokens(&self, user_ids: &[String]) -> Result<Vec<DeviceTokens>> {
        let user_ids = user_ids.to_vec();
        self.run(move |c| devices::sqlite::tokens(c, &user_ids))
            .await
    }

    async fn revoke_device(&self, device_id: &str, now: i64) -> Result<bool> {
        let device_id = device_id.to_string();
        self.run(move |c| devices::sqlite::revoke(c, &device_id, now))
            .await
    }

    async fn disable_user(&self, user_id: &str, now: i64) -> Result<Option<Disabled>> {
        let user_id = user_id.to_string();
        self.run(move |c| devices::sqlite::disable_user(c, &user_id, now))
            .await
    }

    async fn user_disabled_at(&self, user_id: &str) -> Result<Option<Option<i64>>> {
        let user_id = user_id.to_string();
        self.run(move |c| devices::sqlite::user_disabled_at(c, &user_id))
            .await
    }

    async fn register_actors(
        &self,
        device_id: &str,
        actors: &[Vec<u8>],
        now: i64,
    ) -> Result<Vec<Option<String>>> {
        let (device_id, actors) = (device_id.to_string(), actors.to_vec());
        self.run(move |c| {
            let tx = c.transaction()?;
            let mut out = Vec::with_capacity(actors.len());
            for a in &actors {
                tx.execute(
                    "INSERT INTO actors (actor, device_id, registered_at) VALUES (?1, ?2, ?3) ON CONFLICT (actor) DO NOTHING",
                    params![a, device_id, now],
                )?;
                let owner: String = tx.query_row("SELECT device_id FROM actors WHERE actor = ?1", [a], |r| r.get(0))?;
                out.push(if owner == device_id { None } else { Some(owner) });
            }
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    async fn actor_devices(&self, actors: &[Vec<u8>]) -> Result<Vec<(Vec<u8>, String)>> {
        let actors = actors.to_vec();
        self.run(move |c| {
            let mut stmt = c.prepare_cached("SELECT device_id FROM actors WHERE actor = ?1")?;
            let mut out = Vec::new();
            for a in actors {
                if let Some(d) = stmt.query_row([&a], |r| r.get::<_, String>(0)).optional()? {
                    out.push((a, d));
                }
            }
            Ok(out)
        })
        .await
    }

    async fn device_actors(&self, device_id: &str) -> Result<Vec<Vec<u8>>> {
        let device_id = device_id.to_string();
        self.run(move |c| {
            let mut stmt = c.prepare_cached("SELECT actor FROM actors WHERE device_id = ?1")?;
            let rows = stmt.query_map([&device_id], |r| r.get(0))?;
            Ok(rows.collect::<std::result::Result<_, _>>()?)
        })
        .await
    }

    async fn device_short_id(&self, device_id: &str) -> Result<Option<String>> {
        let device_id = device_id.to_string();
        self.run(move |c| {
            Ok(
                c.prepare_cached("SELECT short_id FROM device_short_ids WHERE device_id = ?1")?
                    .query_row([&device_id], |r| r.get(0))
                    .optional()?,
            )
        })
        .await
    }

    async fn device_of_short_id(&self, short_id: &str) -> Result<Option<String>> {
        let short_id = short_id.to_string();
        self.read_quick(move |c| {
            Ok(
                c.prepare_cached("SELECT device_id FROM device_short_ids WHERE short_id = ?1")?
                    .query_row([&short_id], |r| r.get(0))
                    .optional()?,
            )
        })
        .await
    }

    async fn claim_short_id(
        &self,
        device_id: &str,
        short_id: &str,
        now: i64,
    ) -> Result<Option<String>> {
        let (device_id, short_id) = (device_id.to_string(), short_id.to_string());
        self.run(move |c| {
            let tx = c.transaction()?;
            // A device holds at most one: the UNIQUE(device_id) makes a second claim a no-op too.
            tx.execute(
                "INSERT INTO device_short_ids (short_id, device_id, granted_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
                params![short_id, device_id, now],
            )?;
            let held: Option<String> = tx
                .query_row(
                    "SELECT short_id FROM device_short_ids WHERE device_id = ?1",
                    [&device_id],
                    |r| r.get(0),
                )
                .optional()?;
            tx.commit()?;
            Ok(held)
        })
        .await
    }

    async fn refs_in_use(&self, refs: &[String]) -> Result<Vec<(String, Uuid)>> {
        let refs = refs.to_vec();
        self.run(move |c| {
            let mut stmt = c.prepare_cached("SELECT id FROM households WHERE ref = ?1")?;
            let mut out = Vec::new();
            for r in refs {
                let ids = stmt.query_map([&r], |row| row.get::<_, String>(0))?;
                for id in ids {
                    out.push((r.clone(), uuid_of(&id?)?));
                }
            }
            Ok(out)
        })
        .await
    }

    async fn load_docs(&self, ids: &[Uuid]) -> Result<Vec<Option<StoredDoc>>> {
        let ids = ids.to_vec();
        self.run(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, area, heads, doc, last_device, conflict_count FROM households WHERE id = ?1",
            )?;
            ids.iter()
                .map(|id| {
                    stmt.query_row([id.to_string()], stored_doc)
                        .optional()?
                        .map(to_stored)
                        .transpose()
                })
                .collect()
        })
        .await
    }

    async fn commit_ingest(
        &self,
        device_id: &str,
        user_id: &str,
        rows: Vec<IngestRow>,
        now: i64,
    ) -> Result<Vec<Uuid>> {
        let (device_id, user_id) = (device_id.to_string(), user_id.to_string());
        self.run(move |c| {
            let tx = c.transaction()?;
            let mut stale = Vec::new();
            for row in rows {
                let id = row.id.to_string();
                let p = &row.projection.summary;
                let head_id_number = p.head_id_number.as_ref().map(IdNumber::digits);
                let status = p.status.as_str();
                let updated_at = p.updated_at.timestamp_millis();
                let n = match &row.expected_heads {
                    Some(expected) => tx
                        .prepare_cached(
                            "UPDATE households SET area=?2, ref=?3, head_name=?4, head_id_number=?5, member_count=?6,
                               status=?7, conflict_count=?8, heads=?9, doc=?10, last_device=?11, updated_at=?12
                             WHERE id = ?1 AND heads = ?13",
                        )?
                        .execute(params![
                            id, p.area, p.reference, p.head_name, head_id_number, p.member_count, status,
                            p.conflict_count, row.heads, row.doc, device_id, updated_at, expected
                        ])?,
                    None => tx
                        .prepare_cached(
                            "INSERT INTO households (id, area, ref, head_name, head_id_number, member_count, status,
                               conflict_count, heads, doc, last_device, updated_at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (id) DO NOTHING",
                        )?
                        .execute(params![
                            id, p.area, p.reference, p.head_name, head_id_number, p.member_count, status,
                            p.conflict_count, row.heads, row.doc, device_id, updated_at
                        ])?,
                };
                if n == 0 {
                    stale.push(row.id);
                    continue;
                }
                tx.prepare_cached("DELETE FROM member_ids WHERE household_id = ?1")?
                    .execute([&id])?;
                for m in &row.projection.id_numbers {
                    let issued = row.projection.id_issued.get(m.digits());
                    tx.prepare_cached(
                        "INSERT INTO member_ids (household_id, id_number, issued) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![id, m.digits(), issued])?;
                }
                // The citizen status page's row, beside the ID-number index (storage/citizen/row.rs).
                super::citizen::sqlite::write_row(&tx, &id, &row.projection)?;
                let prev_area = row.prev_area.as_ref().filter(|a| **a != p.area);
                let signatures = (!row.signatures.is_empty())
                    .then(|| shumari_proto::signing::pack(&row.signatures));
                tx.prepare_cached(
                    "INSERT INTO log (household_id, area, prev_area, device_id, changes, heads, at, signatures)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![id, p.area, prev_area, device_id, row.log_changes, row.heads, now, signatures])?;
                for (hash, actor) in &row.audit {
                    tx.prepare_cached(
                        "INSERT INTO audit (change_hash, household_id, actor, device_id, user_id, at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (change_hash) DO NOTHING",
                    )?
                    .execute(params![hash.to_vec(), id, actor, device_id, user_id, now])?;
                }
            }
            tx.commit()?;
            Ok(stale)
        })
        .await
    }

    async fn read_log_in(
        &self,
        district: &str,
        range: &AreaRange,
        after: u64,
        limit: usize,
    ) -> Result<Vec<LogEntry>> {
        let (d, r) = (district.to_string(), range.clone());
        self.run(move |c| {
            let mut out = Vec::new();
            for sql in [LOG_IN_DISTRICT, LOG_LEFT_DISTRICT] {
                let mut stmt = c.prepare_cached(sql)?;
                let rows = stmt.query_map(
                    params![d, after as i64, r.code, r.from, r.until, limit as i64],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                            r.get::<_, Option<Vec<u8>>>(7)?,
                        ))
                    },
                )?;
                for row in rows {
                    let (seq, id, area, prev_area, device_id, changes, heads, signed) = row?;
                    out.push(LogEntry {
                        seq: seq as u64,
                        id: uuid_of(&id)?,
                        area,
                        prev_area,
                        device_id,
                        changes,
                        heads,
                        signatures: signed
                            .map(|b| shumari_proto::signing::unpack(&b))
                            .unwrap_or_default(),
                    });
                }
            }
            Ok(super::first_by_seq(out, limit))
        })
        .await
    }

    async fn max_seq(&self) -> Result<u64> {
        self.run(|c| {
            Ok(
                c.query_row("SELECT coalesce(max(seq), 0) FROM log", [], |r| {
                    r.get::<_, i64>(0)
                })? as u64,
            )
        })
        .await
    }

    async fn snapshot_page(
        &self,
        area: &str,
        after: Option<(String, Uuid)>,
        limit: usize,
    ) -> Result<Vec<StoredDoc>> {
        let r = AreaRange::of(area);
        // Before the first row, a position below every code under the area.
        let (after_area, after_id) = match after {
            Some((a, id)) => (a, id.to_string()),
            None => (r.code.clone(), String::new()),
        };
        self.run(move |c| {
            let mut stmt = c.prepare_cached(SNAPSHOT_PAGE)?;
            let rows = stmt.query_map(
                params![r.code, r.from, r.until, after_area, after_id, limit as i64],
                stored_doc,
            )?;
            rows.map(|r| to_stored(r?)).collect()
        })
        .await
    }

    async fn all_heads(&self) -> Result<Vec<(Uuid, String, Vec<u8>)>> {
        self.run(|c| heads_rows(c, "SELECT id, area, heads FROM households", []))
            .await
    }

    async fn heads_in(&self, area: &str) -> Result<Vec<(Uuid, String, Vec<u8>)>> {
        let r = AreaRange::of(area);
        self.run(move |c| heads_rows(c, SCOPE_HEADS, params![r.code, r.from, r.until]))
            .await
    }

    async fn list(&self, area: Option<&str>) -> Result<Vec<HouseholdSummary>> {
        let area = area.map(AreaRange::of);
        // Two statements, so that an area's list is read through the area index (one statement
        // with `?1 IS NULL OR ...` is planned as a scan of the whole table).
        self.run(move |c| match &area {
            Some(r) => summaries(c, LIST_AREA, params![r.code, r.from, r.until]),
            None => summaries(c, LIST_ALL, []),
        })
        .await
    }

    async fn with_id_number(&self, digits: &str) -> Result<Vec<HouseholdSummary>> {
        let digits = digits.to_string();
        self.run(move |c| {
            summaries(
                c,
                "SELECT id, area, ref, head_name, head_id_number, member_count, status, conflict_count, updated_at
                   FROM households
                  WHERE id IN (SELECT household_id FROM member_ids WHERE id_number = ?1)
                  ORDER BY ref",
                [digits],
            )
        })
        .await
    }

    async fn resolve(&self, id_or_ref: &str) -> Result<Option<Uuid>> {
        let s = id_or_ref.trim().to_string();
        self.run(move |c| {
            let id: Option<String> = c
                .query_row(
                    "SELECT id FROM households WHERE id = ?1 OR ref = ?1 LIMIT 1",
                    [&s],
                    |r| r.get(0),
                )
                .optional()?;
            id.map(|i| uuid_of(&i)).transpose()
        })
        .await
    }

    async fn audit(&self, id: Uuid) -> Result<Vec<AuditEntry>> {
        self.run(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT change_hash, actor, device_id, user_id, at FROM audit WHERE household_id = ?1 ORDER BY at, change_hash",
            )?;
            let rows = stmt.query_map([id.to_string()], |r| {
                Ok(AuditEntry {
                    change: hex::encode(r.get::<_, Vec<u8>>(0)?),
                    actor: hex::encode(r.get::<_, Vec<u8>>(1)?),
                    device_id: r.get(2)?,
                    user_id: r.get(3)?,
                    at: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<std::result::Result<_, _>>()?)
        })
        .await
    }

    async fn append_access(&self, events: &[AccessEvent], now: i64) -> Result<Vec<AccessEntry>> {
        let events = events.to_vec();
        self.write_quick(move |c| access::sqlite::append(c, &events, now))
            .await
    }

    async fn access_page(&self, after: u64, limit: usize) -> Result<Vec<AccessEntry>> {
        self.run(move |c| access::sqlite::page(c, after, limit))
            .await
    }

    async fn registry_actor(&self, candidate: &[u8], now: i64) -> Result<Vec<u8>> {
        let candidate = candidate.to_vec();
        self.run(move |c| super::registry_actor::sqlite(c, &candidate, now))
            .await
    }

    #[cfg(any(test, feature = "test-support"))]
    async fn counts(&self) -> Result<(u64, u64)> {
        self.run(|c| {
            let l: i64 = c.query_row("SELECT count(*) FROM log", [], |r| r.get(0))?;
            let a: i64 = c.query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?;
            Ok((l as u64, a as u64))
        })
        .await
    }

    #[cfg(any(test, feature = "test-support"))]
    async fn lose_households(&self, ids: &[Uuid]) -> Result<()> {
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        self.run(move |c| {
            let tx = c.transaction()?;
            for id in &ids {
                for sql in [
                    "DELETE FROM households WHERE id = ?1",
                    "DELETE FROM member_ids WHERE household_id = ?1",
                    "DELETE FROM citizen_rows WHERE household_id = ?1",
                    "DELETE FROM pmt_scores WHERE household_id = ?1",
                    "DELETE FROM quality_facts WHERE household_id = ?1",
                    "DELETE FROM quality_flags WHERE household_id = ?1",
                    "DELETE FROM log WHERE household_id = ?1",
                    "DELETE FROM audit WHERE household_id = ?1",
                ] {
                    tx.execute(sql, [id])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn schema_version(&self) -> Result<i64> {
        self.run(|c| {
            Ok(c.query_row(
                "SELECT coalesce(max(version), 0) FROM refinery_schema_history",
                [],
                |r| r.get(0),
            )?)
        })
        .await
    }

    fn expected_schema(&self) -> i64 {
        super::migrate::sqlite_schema_version()
    }

    fn pool_use(&self) -> (usize, usize) {
        // One connection; it is in use when its mutex is held.
        (1, usize::from(self.conn.try_lock().is_err()))
    }

    async fn close(&self) -> Result<()> {
        self.run(|c| {
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })
        .await
    }
}
