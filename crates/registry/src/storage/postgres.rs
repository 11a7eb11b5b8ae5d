//! The scale backend: PostgreSQL through `tokio-postgres`, a small pool of connections.
//!
//! Same semantics as [`super::sqlite::SqliteStorage`]:
//! - every trait method is one transaction; an ingest batch commits or not as a whole;
//! - an update only lands when the household's heads are still the ones the service loaded
//!   (`UPDATE ... WHERE heads = expected`; under READ COMMITTED a concurrent writer's update makes ours
//!   re-check the row and skip it), so another registry process writing the same household is caught;
//! - migrations are embedded and applied on connect ([`super::migrate`]), and a database at a newer
//!   schema than this binary knows is refused rather than written to;
//! - connections use TLS when the URL says `sslmode=require` ([`tls`]).
//!
//! Batches are written with a handful of statements over arrays (`unnest`), not one statement per row:
//! each statement is a network round trip. Log appends take an EXCLUSIVE lock on `log` until commit, so
//! sequence numbers become visible in order and a device reading the feed never skips an entry that a
//! slower transaction commits later.

mod tls;

use super::{
    access, columns, devices, role_of, AccessEntry, AccessEvent, AuditEntry, DeviceRow,
    DeviceTokens, Disabled, HouseholdSummary, IngestRow, LogEntry, Result, Storage, StorageError,
    StoredDoc, TokenRecord, User, UserRow,
};
use shumari_domain::AreaRange;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Mutex;
use tokio_postgres::{Client, GenericClient, Row};
use uuid::Uuid;

/// Connections opened by [`PgStorage::connect`].
pub const DEFAULT_POOL: usize = 4;

/// PostgreSQL storage.
#[derive(Debug, Clone)]
pub struct PgStorage {
    pool: Arc<Vec<Mutex<Client>>>,
    next: Arc<AtomicUsize>,
}

impl PgStorage {
    /// Connects to `url` (`postgres://user@host:port/db`) with [`DEFAULT_POOL`] connections and
    /// migrates. Must be called inside a tokio runtime: the connections are driven by tasks on it.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, DEFAULT_POOL).await
    }

    /// The same with `size` connections (at least one).
    pub async fn connect_with(url: &str, size: usize) -> Result<Self> {
        let mut first = tls::open_client(url).await?;
        super::migrate::postgres(&mut first).await?;
        let mut pool = vec![Mutex::new(first)];
        for _ in 1..size.max(1) {
            pool.push(Mutex::new(tls::open_client(url).await?));
        }
        Ok(PgStorage {
            pool: Arc::new(pool),
            next: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// A connection of the pool, for a crate beside the registry that keeps its own tables in the
    /// registry's database (their migrations are the registry's, `migrations/registry-postgres/`),
    /// such as `shumari-dci`. It must not touch the registry's own tables.
    pub async fn connection(&self) -> tokio::sync::MutexGuard<'_, Client> {
        self.conn().await
    }

    /// A free connection if there is one, else the next in turn.
    pub(super) async fn conn(&self) -> tokio::sync::MutexGuard<'_, Client> {
        for c in self.pool.iter() {
            if let Ok(g) = c.try_lock() {
                return g;
            }
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.pool.len();
        self.pool[i].lock().await
    }
}

pub(super) fn uuid_of(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| StorageError::Other(format!("bad id in database: {e}")))
}

fn count(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

pub(super) async fn user_with<C: GenericClient>(c: &C, id: &str) -> Result<Option<User>> {
    let Some(row) = c
        .query_opt("SELECT name, role FROM users WHERE id = $1", &[&id])
        .await?
    else {
        return Ok(None);
    };
    let areas = c
        .query(
            "SELECT area FROM user_areas WHERE user_id = $1 ORDER BY area COLLATE \"C\"",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(Some(User {
        id: id.to_string(),
        name: row.get(0),
        role: role_of(row.get(1))?,
        areas,
    }))
}

fn to_stored(r: &Row) -> Result<StoredDoc> {
    Ok(StoredDoc {
        id: uuid_of(r.get(0))?,
        area: r.get(1),
        heads: r.get(2),
        doc: r.get(3),
        last_device: r.get(4),
        conflict_count: count(r.get(5)),
    })
}

/// Column arrays of the households written by one statement.
#[derive(Default)]
struct HouseholdColumns {
    id: Vec<String>,
    area: Vec<String>,
    reference: Vec<String>,
    head_name: Vec<Option<String>>,
    head_id_number: Vec<Option<String>>,
    member_count: Vec<i64>,
    status: Vec<String>,
    conflict_count: Vec<i64>,
    updated_at: Vec<i64>,
    heads: Vec<Vec<u8>>,
    doc: Vec<Vec<u8>>,
    expected: Vec<Vec<u8>>,
}

impl HouseholdColumns {
    fn push(&mut self, row: &IngestRow) {
        let p = &row.projection.summary;
        self.id.push(row.id.to_string());
        self.area.push(p.area.clone());
        self.reference.push(p.reference.clone());
        self.head_name.push(p.head_name.clone());
        self.head_id_number
            .push(p.head_id_number.as_ref().map(|n| n.digits().to_string()));
        self.member_count.push(i64::from(p.member_count));
        self.status.push(p.status.as_str().to_string());
        self.conflict_count.push(i64::from(p.conflict_count));
        self.updated_at.push(p.updated_at.timestamp_millis());
        self.heads.push(row.heads.clone());
        self.doc.push(row.doc.clone());
        self.expected
            .push(row.expected_heads.clone().unwrap_or_default());
    }
}

const INSERT_HOUSEHOLDS: &str = "
    INSERT INTO households (id, area, ref, head_name, head_id_number, member_count, status,
                            conflict_count, heads, doc, last_device, updated_at)
    SELECT v.id, v.area, v.ref, v.head_name, v.head_id_number, v.member_count, v.status,
           v.conflict_count, v.heads, v.doc, $12, v.updated_at
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
                  $7::text[], $8::bigint[], $9::bytea[], $10::bytea[], $11::bigint[])
           AS v(id, area, ref, head_name, head_id_number, member_count, status, conflict_count, heads, doc,
                updated_at)
    ON CONFLICT (id) DO NOTHING
    RETURNING id";

const UPDATE_HOUSEHOLDS: &str = "
    UPDATE households AS h
       SET area = v.area, ref = v.ref, head_name = v.head_name, head_id_number = v.head_id_number,
           member_count = v.member_count, status = v.status, conflict_count = v.conflict_count,
           heads = v.heads, doc = v.doc, last_device = $13, updated_at = v.updated_at
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
                  $7::text[], $8::bigint[], $9::bytea[], $10::bytea[], $11::bytea[], $12::bigint[])
           AS v(id, area, ref, head_name, head_id_number, member_count, status, conflict_count, heads, doc,
                expected, updated_at)
     WHERE h.id = v.id AND h.heads = v.expected
    RETURNING h.id";

/// A list row from `id, area, ref, head_name, head_id_number, member_count, status,
/// conflict_count, updated_at`.
pub(super) fn summary_row(r: &tokio_postgres::Row) -> Result<HouseholdSummary> {
    Ok(HouseholdSummary {
        id: uuid_of(r.get(0))?,
        area: r.get(1),
        reference: r.get(2),
        head_name: r.get(3),
        head_id_number: columns::id_number(r.get(4))?,
        member_count: count(r.get(5)),
        status: columns::status(r.get(6))?,
        conflict_count: count(r.get(7)),
        updated_at: columns::time(r.get(8)),
    })
}

/// The heads of the households under one area (`AreaRange`'s parameters), bytewise as the range
/// requires, through the `households_area_c` index (V7).
pub const SCOPE_HEADS: &str = "SELECT id, area, heads FROM households
  WHERE area COLLATE \"C\" = $1::text
     OR (area COLLATE \"C\" >= $2::text AND area COLLATE \"C\" < $3::text)";

/// Log entries of one district ($1) after a sequence number ($2) of households now under an area
/// (`AreaRange`'s parameters $3-$5, bytewise), in sequence order ($6 at most): a scan of
/// `log_district_seq` (V28), whose expression this repeats.
pub const LOG_IN_DISTRICT: &str = "SELECT seq, household_id, area, prev_area, device_id, changes, heads, signatures
   FROM log
  WHERE substr(area, 1, 5) = $1::text AND seq > $2
    AND (area COLLATE \"C\" = $3::text OR (area COLLATE \"C\" >= $4::text AND area COLLATE \"C\" < $5::text))
  ORDER BY seq LIMIT $6";

/// The same for households that were under the area before the entry moved them
/// (`log_prev_district_seq`).
pub const LOG_LEFT_DISTRICT: &str = "SELECT seq, household_id, area, prev_area, device_id, changes, heads, signatures
   FROM log
  WHERE substr(prev_area, 1, 5) = $1::text AND prev_area IS NOT NULL AND seq > $2
    AND (prev_area COLLATE \"C\" = $3::text OR (prev_area COLLATE \"C\" >= $4::text AND prev_area COLLATE \"C\" < $5::text))
  ORDER BY seq LIMIT $6";

/// A page of a scope's snapshot: households under one area (`AreaRange`'s parameters 1-3) after
/// an (area, id) position (4-5), bytewise in (area, id) order through `households_area_c` (V7).
pub const SNAPSHOT_PAGE: &str = "SELECT id, area, heads, doc, last_device, conflict_count
   FROM households
  WHERE area COLLATE \"C\" >= $1::text AND area COLLATE \"C\" < $3::text
    AND (area COLLATE \"C\" = $1::text OR area COLLATE \"C\" >= $2::text)
    AND (area COLLATE \"C\", id COLLATE \"C\") > ($4::text, $5::text)
  ORDER BY area COLLATE \"C\", id COLLATE \"C\" LIMIT $6";

impl Storage for PgStorage {
    async fn add_user(&self, user: &User, now: i64) -> Result<()> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        tx.execute(
            "INSERT INTO users (id, name, role, created_at) VALUES ($1, $2, $3, $4)",
            &[&user.id, &user.name, &user.role.as_str(), &now],
        )
        .await?;
        tx.execute(
            "INSERT INTO user_areas (user_id, area) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
            &[&user.id, &user.areas],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_user(&self, user: &User) -> Result<bool> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        let n = tx
            .execute(
                "UPDATE users SET name = $2 WHERE id = $1",
                &[&user.id, &user.name],
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        tx.execute("DELETE FROM user_areas WHERE user_id = $1", &[&user.id])
            .await?;
        tx.execute(
            "INSERT INTO user_areas (user_id, area) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
            &[&user.id, &user.areas],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn user(&self, id: &str) -> Result<Option<User>> {
        let c = self.conn().await;
        user_with(&*c, id).await
    }

    async fn add_enroll_code(
        &self,
        user_id: &str,
        code_hash: [u8; 32],
        expires_at: i64,
    ) -> Result<()> {
        let c = self.conn().await;
        c.execute(
            "INSERT INTO enroll_codes (code_hash, user_id, expires_at) VALUES ($1, $2, $3)",
            &[&code_hash.as_slice(), &user_id, &expires_at],
        )
        .await?;
        Ok(())
    }

    async fn redeem_code(
        &self,
        code_hash: [u8; 32],
        now: i64,
        device_id: &str,
        label: &str,
        token_hash: [u8; 32],
    ) -> Result<Option<User>> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        let Some(row) = tx
            .query_opt(
                "UPDATE enroll_codes SET used_at = $2
                  WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
                &[&code_hash.as_slice(), &now],
            )
            .await?
        else {
            return Ok(None);
        };
        let user_id: String = row.get(0);
        tx.execute(
            "INSERT INTO devices (id, user_id, label, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[&device_id, &user_id, &label, &token_hash.as_slice(), &now],
        )
        .await?;
        let user = user_with(&tx, &user_id).await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn device_by_token(&self, token_hash: [u8; 32]) -> Result<Option<TokenRecord>> {
        devices::postgres::by_token(&*self.conn().await, token_hash).await
    }

    async fn device_seen(&self, device_id: &str, forget_previous: bool, now: i64) -> Result<()> {
        devices::postgres::seen(&*self.conn().await, device_id, forget_previous, now).await
    }

    async fn rotate_token(
        &self,
        device_id: &str,
        used_hash: [u8; 32],
        new_hash: [u8; 32],
        now: i64,
    ) -> Result<bool> {
        devices::postgres::rotate(&*self.conn().await, device_id, used_hash, new_hash, now).await
    }

    async fn devices(&self) -> Result<Vec<DeviceRow>> {
        devices::postgres::list(&*self.conn().await).await
    }

    async fn users(&self) -> Result<Vec<UserRow>> {
        devices::postgres::users(&*self.conn().await).await
    }

    async fn device_tokens(&self, user_ids: &[String]) -> Result<Vec<DeviceTokens>> {
        devices::postgres::tokens(&*self.conn().await, user_ids).await
    }

    async fn revoke_device(&self, device_id: &str, now: i64) -> Result<bool> {
        devices::postgres::revoke(&*self.conn().await, device_id, now).await
    }

    async fn disable_user(&self, user_id: &str, now: i64) -> Result<Option<Disabled>> {
        devices::postgres::disable_user(&mut *self.conn().await, user_id, now).await
    }

    async fn user_disabled_at(&self, user_id: &str) -> Result<Option<Option<i64>>> {
        devices::postgres::user_disabled_at(&*self.conn().await, user_id).await
    }

    async fn register_actors(
        &self,
        device_id: &str,
        actors: &[Vec<u8>],
        now: i64,
    ) -> Result<Vec<Option<String>>> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        tx.execute(
            "INSERT INTO actors (actor, device_id, registered_at)
             SELECT unnest($1::bytea[]), $2, $3 ON CONFLICT (actor) DO NOTHING",
            &[&actors, &device_id, &now],
        )
        .await?;
        let owners: HashMap<Vec<u8>, String> = tx
            .query(
                "SELECT actor, device_id FROM actors WHERE actor = ANY($1)",
                &[&actors],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        tx.commit().await?;
        actors
            .iter()
            .map(|a| match owners.get(a) {
                Some(d) if d == device_id => Ok(None),
                Some(d) => Ok(Some(d.clone())),
                None => Err(StorageError::Other("an actor was not registered".into())),
            })
            .collect()
    }

    async fn actor_devices(&self, actors: &[Vec<u8>]) -> Result<Vec<(Vec<u8>, String)>> {
        let c = self.conn().await;
        let owners: HashMap<Vec<u8>, String> = c
            .query(
                "SELECT actor, device_id FROM actors WHERE actor = ANY($1)",
                &[&actors],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        Ok(actors
            .iter()
            .filter_map(|a| owners.get(a).map(|d| (a.clone(), d.clone())))
            .collect())
    }

    async fn device_actors(&self, device_id: &str) -> Result<Vec<Vec<u8>>> {
        let c = self.conn().await;
        Ok(c.query(
            "SELECT actor FROM actors WHERE device_id = $1",
            &[&device_id],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
    }

    async fn device_short_id(&self, device_id: &str) -> Result<Option<String>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT short_id FROM device_short_ids WHERE device_id = $1",
            &[&device_id],
        )
        .await?
        .map(|r| r.get(0)))
    }

    async fn device_of_short_id(&self, short_id: &str) -> Result<Option<String>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT device_id FROM device_short_ids WHERE short_id = $1",
            &[&short_id],
        )
        .await?
        .map(|r| r.get(0)))
    }

    async fn claim_short_id(
        &self,
        device_id: &str,
        short_id: &str,
        now: i64,
    ) -> Result<Option<String>> {
        let c = self.conn().await;
        // A device holds at most one: the UNIQUE(device_id) makes a second claim a no-op too.
        c.execute(
            "INSERT INTO device_short_ids (short_id, device_id, granted_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&short_id, &device_id, &now],
        )
        .await?;
        Ok(c.query_opt(
            "SELECT short_id FROM device_short_ids WHERE device_id = $1",
            &[&device_id],
        )
        .await?
        .map(|r| r.get(0)))
    }

    async fn refs_in_use(&self, refs: &[String]) -> Result<Vec<(String, Uuid)>> {
        let c = self.conn().await;
        c.query(
            "SELECT ref, id FROM households WHERE ref = ANY($1)",
            &[&refs],
        )
        .await?
        .iter()
        .map(|r| Ok((r.get(0), uuid_of(r.get(1))?)))
        .collect()
    }

    async fn load_docs(&self, ids: &[Uuid]) -> Result<Vec<Option<StoredDoc>>> {
        let keys: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let c = self.conn().await;
        let mut found: HashMap<Uuid, StoredDoc> = HashMap::new();
        for r in c
            .query(
                "SELECT id, area, heads, doc, last_device, conflict_count FROM households WHERE id = ANY($1)",
                &[&keys],
            )
            .await?
        {
            let d = to_stored(&r)?;
            found.insert(d.id, d);
        }
        Ok(ids.iter().map(|id| found.remove(id)).collect())
    }

    async fn commit_ingest(
        &self,
        device_id: &str,
        user_id: &str,
        rows: Vec<IngestRow>,
        now: i64,
    ) -> Result<Vec<Uuid>> {
        // The service merges duplicates, so ids in a batch are distinct: one array statement may
        // write them all.
        let (mut new, mut old) = (HouseholdColumns::default(), HouseholdColumns::default());
        for row in &rows {
            match row.expected_heads {
                None => new.push(row),
                Some(_) => old.push(row),
            }
        }
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        let mut written: HashSet<String> = HashSet::new();
        if !new.id.is_empty() {
            let n = &new;
            for r in tx
                .query(
                    INSERT_HOUSEHOLDS,
                    &[
                        &n.id,
                        &n.area,
                        &n.reference,
                        &n.head_name,
                        &n.head_id_number,
                        &n.member_count,
                        &n.status,
                        &n.conflict_count,
                        &n.heads,
                        &n.doc,
                        &n.updated_at,
                        &device_id,
                    ],
                )
                .await?
            {
                written.insert(r.get(0));
            }
        }
        if !old.id.is_empty() {
            let o = &old;
            for r in tx
                .query(
                    UPDATE_HOUSEHOLDS,
                    &[
                        &o.id,
                        &o.area,
                        &o.reference,
                        &o.head_name,
                        &o.head_id_number,
                        &o.member_count,
                        &o.status,
                        &o.conflict_count,
                        &o.heads,
                        &o.doc,
                        &o.expected,
                        &o.updated_at,
                        &device_id,
                    ],
                )
                .await?
            {
                written.insert(r.get(0));
            }
        }
        let mut stale = Vec::new();
        let mut ids = Vec::new();
        let (mut m_hh, mut m_num, mut m_issued) =
            (Vec::new(), Vec::new(), Vec::<Option<String>>::new());
        let (mut l_id, mut l_area, mut l_prev, mut l_changes, mut l_heads) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut a_hash, mut a_hh, mut a_actor) = (Vec::new(), Vec::new(), Vec::new());
        let mut l_signed: Vec<Option<Vec<u8>>> = Vec::new();
        let mut citizen_rows = Vec::new();
        for row in rows {
            let id = row.id.to_string();
            if !written.contains(&id) {
                stale.push(row.id);
                continue;
            }
            for m in &row.projection.id_numbers {
                m_hh.push(id.clone());
                m_num.push(m.digits().to_string());
                m_issued.push(row.projection.id_issued.get(m.digits()).cloned());
            }
            // The citizen status page's row, beside the ID-number index (storage/citizen/row.rs).
            citizen_rows.push(super::citizen::CitizenRow::of(&row.projection));
            let p = row.projection.summary;
            for (hash, actor) in row.audit {
                a_hash.push(hash.to_vec());
                a_hh.push(id.clone());
                a_actor.push(actor);
            }
            l_prev.push(row.prev_area.filter(|a| *a != p.area));
            l_area.push(p.area);
            l_signed.push(
                (!row.signatures.is_empty()).then(|| shumari_proto::signing::pack(&row.signatures)),
            );
            l_changes.push(row.log_changes);
            l_heads.push(row.heads);
            l_id.push(id.clone());
            ids.push(id);
        }
        if !ids.is_empty() {
            tx.execute(
                "DELETE FROM member_ids WHERE household_id = ANY($1)",
                &[&ids],
            )
            .await?;
            tx.execute(
                "INSERT INTO member_ids (household_id, id_number, issued)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[])",
                &[&m_hh, &m_num, &m_issued],
            )
            .await?;
            super::citizen::postgres::write_rows(&tx, &ids, citizen_rows).await?;
            tx.execute(
                "INSERT INTO audit (change_hash, household_id, actor, device_id, user_id, at)
                 SELECT v.h, v.id, v.a, $4, $5, $6 FROM unnest($1::bytea[], $2::text[], $3::bytea[]) AS v(h, id, a)
                 ON CONFLICT (change_hash) DO NOTHING",
                &[&a_hash, &a_hh, &a_actor, &device_id, &user_id, &now],
            )
            .await?;
            // Held to commit: sequence numbers are taken and made visible in order (see module docs).
            tx.batch_execute("LOCK TABLE log IN EXCLUSIVE MODE").await?;
            tx.execute(
                "INSERT INTO log (household_id, area, prev_area, device_id, changes, heads, at, signatures)
                 SELECT v.id, v.area, v.prev, $6, v.changes, v.heads, $7, v.signed
                   FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bytea[], $8::bytea[])
                        WITH ORDINALITY AS v(id, area, prev, changes, heads, signed, n)
                  ORDER BY v.n",
                &[
                    &l_id, &l_area, &l_prev, &l_changes, &l_heads, &device_id, &now, &l_signed,
                ],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(stale)
    }

    async fn read_log_in(
        &self,
        district: &str,
        range: &AreaRange,
        after: u64,
        limit: usize,
    ) -> Result<Vec<LogEntry>> {
        let c = self.conn().await;
        let mut out = Vec::new();
        for sql in [LOG_IN_DISTRICT, LOG_LEFT_DISTRICT] {
            let rows = c
                .query(
                    sql,
                    &[
                        &district,
                        &(after as i64),
                        &range.code,
                        &range.from,
                        &range.until,
                        &(limit as i64),
                    ],
                )
                .await?;
            for r in &rows {
                out.push(LogEntry {
                    seq: r.get::<_, i64>(0) as u64,
                    id: uuid_of(r.get(1))?,
                    area: r.get(2),
                    prev_area: r.get(3),
                    device_id: r.get(4),
                    changes: r.get(5),
                    heads: r.get(6),
                    signatures: r
                        .get::<_, Option<Vec<u8>>>(7)
                        .map(|b| shumari_proto::signing::unpack(&b))
                        .unwrap_or_default(),
                });
            }
        }
        Ok(super::first_by_seq(out, limit))
    }

    async fn max_seq(&self) -> Result<u64> {
        let c = self.conn().await;
        let v: i64 = c
            .query_one("SELECT coalesce(max(seq), 0)::BIGINT FROM log", &[])
            .await?
            .get(0);
        Ok(v as u64)
    }

    async fn snapshot_page(
        &self,
        area: &str,
        after: Option<(String, Uuid)>,
        limit: usize,
    ) -> Result<Vec<StoredDoc>> {
        let r = AreaRange::of(area);
        let (after_area, after_id) = match after {
            Some((a, id)) => (a, id.to_string()),
            None => (r.code.clone(), String::new()),
        };
        let c = self.conn().await;
        c.query(
            SNAPSHOT_PAGE,
            &[
                &r.code,
                &r.from,
                &r.until,
                &after_area,
                &after_id,
                &(limit as i64),
            ],
        )
        .await?
        .iter()
        .map(to_stored)
        .collect()
    }

    async fn all_heads(&self) -> Result<Vec<(Uuid, String, Vec<u8>)>> {
        let c = self.conn().await;
        c.query("SELECT id, area, heads FROM households", &[])
            .await?
            .iter()
            .map(|r| Ok((uuid_of(r.get(0))?, r.get(1), r.get(2))))
            .collect()
    }

    async fn heads_in(&self, area: &str) -> Result<Vec<(Uuid, String, Vec<u8>)>> {
        let r = AreaRange::of(area);
        let c = self.conn().await;
        c.query(SCOPE_HEADS, &[&r.code, &r.from, &r.until])
            .await?
            .iter()
            .map(|r| Ok((uuid_of(r.get(0))?, r.get(1), r.get(2))))
            .collect()
    }

    async fn list(&self, area: Option<&str>) -> Result<Vec<HouseholdSummary>> {
        let area = area.map(AreaRange::of);
        let bound = |f: fn(&AreaRange) -> &str| area.as_ref().map(f);
        let (code, from, until) = (bound(|a| &a.code), bound(|a| &a.from), bound(|a| &a.until));
        let c = self.conn().await;
        // Bytewise comparison (COLLATE "C"), as the domain's AreaRange requires.
        c.query(
            "SELECT id, area, ref, head_name, head_id_number, member_count, status, conflict_count, updated_at
               FROM households
              WHERE ($1::text IS NULL OR area = $1
                     OR (area COLLATE \"C\" >= $2::text AND area COLLATE \"C\" < $3::text))
              ORDER BY ref COLLATE \"C\"",
            &[&code, &from, &until],
        )
        .await?
        .iter()
        .map(summary_row)
        .collect()
    }

    async fn with_id_number(&self, digits: &str) -> Result<Vec<HouseholdSummary>> {
        let c = self.conn().await;
        c.query(
            "SELECT id, area, ref, head_name, head_id_number, member_count, status, conflict_count, updated_at
               FROM households
              WHERE id IN (SELECT household_id FROM member_ids WHERE id_number = $1)
              ORDER BY ref COLLATE \"C\"",
            &[&digits],
        )
        .await?
        .iter()
        .map(summary_row)
        .collect()
    }

    async fn resolve(&self, id_or_ref: &str) -> Result<Option<Uuid>> {
        let s = id_or_ref.trim();
        let c = self.conn().await;
        c.query_opt(
            "SELECT id FROM households WHERE id = $1 OR ref = $1 LIMIT 1",
            &[&s],
        )
        .await?
        .map(|r| uuid_of(r.get(0)))
        .transpose()
    }

    async fn audit(&self, id: Uuid) -> Result<Vec<AuditEntry>> {
        let c = self.conn().await;
        Ok(c.query(
            "SELECT change_hash, actor, device_id, user_id, at FROM audit
                  WHERE household_id = $1 ORDER BY at, change_hash",
            &[&id.to_string()],
        )
        .await?
        .iter()
        .map(|r| AuditEntry {
            change: hex::encode(r.get::<_, Vec<u8>>(0)),
            actor: hex::encode(r.get::<_, Vec<u8>>(1)),
            device_id: r.get(2),
            user_id: r.get(3),
            at: r.get(4),
        })
        .collect())
    }

    async fn append_access(&self, events: &[AccessEvent], now: i64) -> Result<Vec<AccessEntry>> {
        access::postgres::append(&mut *self.conn().await, events, now).await
    }

    async fn access_page(&self, after: u64, limit: usize) -> Result<Vec<AccessEntry>> {
        access::postgres::page(&*self.conn().await, after, limit).await
    }

    async fn registry_actor(&self, candidate: &[u8], now: i64) -> Result<Vec<u8>> {
        super::registry_actor::postgres(&*self.conn().await, candidate, now).await
    }

    #[cfg(any(test, feature = "test-support"))]
    async fn counts(&self) -> Result<(u64, u64)> {
        let c = self.conn().await;
        let r = c
            .query_one(
                "SELECT (SELECT count(*) FROM log), (SELECT count(*) FROM audit)",
                &[],
            )
            .await?;
        Ok((r.get::<_, i64>(0) as u64, r.get::<_, i64>(1) as u64))
    }

    #[cfg(any(test, feature = "test-support"))]
    async fn lose_households(&self, ids: &[Uuid]) -> Result<()> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        for id in ids {
            let id = id.to_string();
            for sql in [
                "DELETE FROM households WHERE id = $1",
                "DELETE FROM member_ids WHERE household_id = $1",
                "DELETE FROM citizen_rows WHERE household_id = $1",
                "DELETE FROM pmt_scores WHERE household_id = $1",
                "DELETE FROM quality_facts WHERE household_id = $1",
                "DELETE FROM quality_flags WHERE household_id = $1",
                "DELETE FROM log WHERE household_id = $1",
                "DELETE FROM audit WHERE household_id = $1",
            ] {
                tx.execute(sql, &[&id]).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn schema_version(&self) -> Result<i64> {
        let c = self.conn().await;
        let r = c
            .query_one(
                "SELECT coalesce(max(version), 0)::bigint FROM refinery_schema_history",
                &[],
            )
            .await?;
        Ok(r.get::<_, i64>(0))
    }

    fn expected_schema(&self) -> i64 {
        super::migrate::postgres_schema_version()
    }

    fn pool_use(&self) -> (usize, usize) {
        let busy = self.pool.iter().filter(|c| c.try_lock().is_err()).count();
        (self.pool.len(), busy)
    }

    async fn close(&self) -> Result<()> {
        // Connections close when the registry is dropped; the server keeps nothing to flush.
        Ok(())
    }
}
