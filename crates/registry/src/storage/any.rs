//! The backend a database URL names, chosen at run time: `sqlite:PATH` (or a bare path) for the
//! embedded default, `postgres://...` for scale. [`AnyStorage`] is itself a [`Storage`], so a program
//! (the CLI's `registry` commands) holds one `Registry<AnyStorage>` whatever `--db` says, instead of
//! being generic over the backend. Tests and benchmarks that want one backend use it directly.

use super::postgres::PgStorage;
use super::sqlite::SqliteStorage;
use super::{
    AccessEntry, AccessEvent, AuditEntry, DeviceRow, DeviceTokens, Disabled, HouseholdSummary,
    IngestRow, LogEntry, Result, Storage, StorageError, StoredDoc, TokenRecord, User, UserRow,
};
use shumari_domain::AreaRange;
use std::fmt;
use std::path::PathBuf;
use uuid::Uuid;

/// Where the registry's database is.
#[derive(Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (may hold a password: never shown).
    Postgres(String),
}

impl DbUrl {
    /// `postgres://...` or `postgresql://...` is PostgreSQL; `sqlite:PATH` or anything else a file.
    pub fn parse(url: &str) -> DbUrl {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DbUrl::Postgres(url.to_string())
        } else {
            DbUrl::Sqlite(PathBuf::from(url.strip_prefix("sqlite:").unwrap_or(url)))
        }
    }
}

/// Names the database without its connection string, which may hold a password.
impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbUrl::Sqlite(p) => write!(f, "{}", p.display()),
            DbUrl::Postgres(_) => f.write_str("the PostgreSQL database"),
        }
    }
}

/// The same as [`fmt::Display`]: a connection string must not reach logs through `{:?}` either.
impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbUrl({self})")
    }
}

/// One of the backends.
#[derive(Debug, Clone)]
pub enum AnyStorage {
    /// Embedded.
    Sqlite(SqliteStorage),
    /// At scale.
    Postgres(PgStorage),
}

impl AnyStorage {
    /// Opens (creating and migrating as needed) the database `db` names. PostgreSQL connections are
    /// driven by tasks on the current runtime, which must outlive the storage.
    pub async fn open(db: &DbUrl) -> Result<Self> {
        Self::open_keyed(db, None).await
    }

    /// The same, with an SQLite database encrypted under `key` (SQLCipher). PostgreSQL is encrypted
    /// at rest by its host (disk encryption), so a key given for it is refused.
    pub async fn open_keyed(db: &DbUrl, key: Option<&str>) -> Result<Self> {
        Ok(match db {
            DbUrl::Sqlite(path) => AnyStorage::Sqlite(SqliteStorage::open_keyed(path, key)?),
            DbUrl::Postgres(_) if key.is_some() => {
                return Err(StorageError::Other(
                    "a database key encrypts an SQLite registry only; encrypt PostgreSQL's disk instead"
                        .into(),
                ))
            }
            DbUrl::Postgres(url) => AnyStorage::Postgres(PgStorage::connect(url).await?),
        })
    }
}

/// Calls the same method on whichever backend this is.
macro_rules! delegate {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match $self {
            AnyStorage::Sqlite(s) => s.$method($($arg),*).await,
            AnyStorage::Postgres(s) => s.$method($($arg),*).await,
        }
    };
}

impl Storage for AnyStorage {
    async fn add_user(&self, user: &User, now: i64) -> Result<()> {
        delegate!(self.add_user(user, now))
    }

    async fn update_user(&self, user: &User) -> Result<bool> {
        delegate!(self.update_user(user))
    }

    async fn user(&self, id: &str) -> Result<Option<User>> {
        delegate!(self.user(id))
    }

    async fn add_enroll_code(
        &self,
        user_id: &str,
        code_hash: [u8; 32],
        expires_at: i64,
    ) -> Result<()> {
        delegate!(self.add_enroll_code(user_id, code_hash, expires_at))
    }

    async fn redeem_code(
        &self,
        code_hash: [u8; 32],
        now: i64,
        device_id: &str,
        label: &str,
        token_hash: [u8; 32],
    ) -> Result<Option<User>> {
        delegate!(self.redeem_code(code_hash, now, device_id, label, token_hash))
    }

    async fn device_by_token(&self, token_hash: [u8; 32]) -> Result<Option<TokenRecord>> {
        delegate!(self.device_by_token(token_hash))
    }

    async fn device_seen(&self, device_id: &str, forget_previous: bool, now: i64) -> Result<()> {
        delegate!(self.device_seen(device_id, forget_previous, now))
    }

    async fn rotate_token(
        &self,
        device_id: &str,
        used_hash: [u8; 32],
        new_hash: [u8; 32],
        now: i64,
    ) -> Result<bool> {
        delegate!(self.rotate_token(device_id, used_hash, new_hash, now))
    }

    async fn devices(&self) -> Result<Vec<DeviceRow>> {
        delegate!(self.devices())
    }

    async fn users(&self) -> Result<Vec<UserRow>> {
        delegate!(self.users())
    }

    async fn device_tokens(&self, user_ids: &[String]) -> Result<Vec<DeviceTokens>> {
        delegate!(self.device_tokens(user_ids))
    }

    async fn revoke_device(&self, device_id: &str, now: i64) -> Result<bool> {
        delegate!(self.revoke_device(device_id, now))
    }

    async fn disable_user(&self, user_id: &str, now: i64) -> Result<Option<Disabled>> {
        delegate!(self.disable_user(user_id, now))
    }

    async fn user_disabled_at(&self, user_id: &str) -> Result<Option<Option<i64>>> {
        delegate!(self.user_disabled_at(user_id))
    }

    async fn register_actors(
        &self,
        device_id: &str,
        actors: &[Vec<u8>],
        now: i64,
    ) -> Result<Vec<Option<String>>> {
        delegate!(self.register_actors(device_id, actors, now))
    }

    async fn actor_devices(&self, actors: &[Vec<u8>]) -> Result<Vec<(Vec<u8>, String)>> {
        delegate!(self.actor_devices(actors))
    }

    async fn device_actors(&self, device_id: &str) -> Result<Vec<Vec<u8>>> {
        delegate!(self.device_actors(device_id))
    }

    async fn device_short_id(&self, device_id: &str) -> Result<Option<String>> {
        delegate!(self.device_short_id(device_id))
    }

    async fn device_of_short_id(&self, short_id: &str) -> Result<Option<String>> {
        delegate!(self.device_of_short_id(short_id))
    }

    async fn claim_short_id(
        &self,
        device_id: &str,
        short_id: &str,
        now: i64,
    ) -> Result<Option<String>> {
        delegate!(self.claim_short_id(device_id, short_id, now))
    }

    async fn refs_in_use(&self, refs: &[String]) -> Result<Vec<(String, Uuid)>> {
        delegate!(self.refs_in_use(refs))
    }

    async fn load_docs(&self, ids: &[Uuid]) -> Result<Vec<Option<StoredDoc>>> {
        delegate!(self.load_docs(ids))
    }

    async fn commit_ingest(
        &self,
        device_id: &str,
        user_id: &str,
        rows: Vec<IngestRow>,
        now: i64,
    ) -> Result<Vec<Uuid>> {
        delegate!(self.commit_ingest(device_id, user_id, rows, now))
    }

    async fn read_log_in(
        &self,
        district: &str,
        range: &AreaRange,
        after: u64,
        limit: usize,
    ) -> Result<Vec<LogEntry>> {
        delegate!(self.read_log_in(district, range, after, limit))
    }

    async fn max_seq(&self) -> Result<u64> {
        delegate!(self.max_seq())
    }

    async fn snapshot_page(
        &self,
        area: &str,
        after: Option<(String, Uuid)>,
        limit: usize,
    ) -> Result<Vec<StoredDoc>> {
        delegate!(self.snapshot_page(area, after, limit))
    }

    async fn all_heads(&self) -> Result<Vec<(Uuid, String, Vec<u8>)>> {
        delegate!(self.all_heads())
    }

    async fn heads_in(&self, area: &str) -> Result<Vec<(Uuid, String, Vec<u8>)>> {
        delegate!(self.heads_in(area))
    }

    async fn list(&self, area_prefix: Option<&str>) -> Result<Vec<HouseholdSummary>> {
        delegate!(self.list(area_prefix))
    }

    async fn with_id_number(&self, digits: &str) -> Result<Vec<HouseholdSummary>> {
        delegate!(self.with_id_number(digits))
    }

    async fn resolve(&self, id_or_ref: &str) -> Result<Option<Uuid>> {
        delegate!(self.resolve(id_or_ref))
    }

    async fn audit(&self, id: Uuid) -> Result<Vec<AuditEntry>> {
        delegate!(self.audit(id))
    }

    async fn append_access(&self, events: &[AccessEvent], now: i64) -> Result<Vec<AccessEntry>> {
        delegate!(self.append_access(events, now))
    }

    async fn access_page(&self, after: u64, limit: usize) -> Result<Vec<AccessEntry>> {
        delegate!(self.access_page(after, limit))
    }

    async fn registry_actor(&self, candidate: &[u8], now: i64) -> Result<Vec<u8>> {
        delegate!(self.registry_actor(candidate, now))
    }

    #[cfg(any(test, feature = "test-support"))]
    async fn counts(&self) -> Result<(u64, u64)> {
        delegate!(self.counts())
    }

    #[cfg(any(test, feature = "test-support"))]
    async fn lose_households(&self, ids: &[Uuid]) -> Result<()> {
        delegate!(self.lose_households(ids))
    }

    async fn schema_version(&self) -> Result<i64> {
        delegate!(self.schema_version())
    }

    fn expected_schema(&self) -> i64 {
        match self {
            AnyStorage::Sqlite(s) => s.expected_schema(),
            AnyStorage::Postgres(s) => s.expected_schema(),
        }
    }

    fn pool_use(&self) -> (usize, usize) {
        match self {
            AnyStorage::Sqlite(s) => s.pool_use(),
            AnyStorage::Postgres(s) => s.pool_use(),
        }
    }

    async fn close(&self) -> Result<()> {
        delegate!(self.close())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend_and_never_show_a_password() {
        assert_eq!(
            DbUrl::parse("sqlite:/var/lib/r.db"),
            DbUrl::Sqlite("/var/lib/r.db".into())
        );
        assert_eq!(DbUrl::parse("r.db"), DbUrl::Sqlite("r.db".into()));
        let pg = DbUrl::parse("postgresql://u:s3cret@h/db");
        assert!(matches!(pg, DbUrl::Postgres(_)));
        assert!(!pg.to_string().contains("s3cret"));
        assert!(!format!("{pg:?}").contains("s3cret"));
    }

    #[tokio::test]
    async fn a_sqlite_url_opens_a_working_registry_store() {
        let dir = tempfile::tempdir().unwrap();
        let db = DbUrl::parse(&format!("sqlite:{}", dir.path().join("r.db").display()));
        let s = AnyStorage::open(&db).await.unwrap();
        assert!(matches!(s, AnyStorage::Sqlite(_)));
        let user = User {
            id: "u-1".into(),
            name: "Admin".into(),
            role: shumari_proto::Role::District,
            areas: vec!["PK101".into()],
        };
        s.add_user(&user, 1).await.unwrap();
        assert_eq!(s.user("u-1").await.unwrap(), Some(user));
        assert_eq!(s.max_seq().await.unwrap(), 0);
    }
}
