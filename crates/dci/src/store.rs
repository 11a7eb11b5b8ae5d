//! The DCI API's own rows (migration V21 of both registry backends): system clients, their access
//! tokens and the asynchronous searches' transactions. They live in the registry's database, reached
//! through the registry's connection ([`SqliteStorage::with_connection`],
//! [`PgStorage::connection`]); no registry table is read or written here — household data comes
//! only through the registry's service functions (`search.rs`).
//!
//! Every method is one statement (so one transaction) with bound parameters.

use shumari_registry::storage::postgres::PgStorage;
use shumari_registry::storage::StorageError;
use shumari_registry::{AnyStorage, SqliteStorage, Storage};
use std::future::Future;

/// A storage failure.
pub type Result<T> = std::result::Result<T, StorageError>;

/// A system client as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRow {
    /// Client id (`client_id` of the OAuth2 grant).
    pub id: String,
    /// A name for people.
    pub name: String,
    /// The registry user whose role and areas scope the client's reads.
    pub user_id: String,
    /// SHA-256 of the client's secret.
    pub secret_hash: Vec<u8>,
    /// The client's Ed25519 public key (32 bytes).
    pub public_key: Vec<u8>,
    /// Where callbacks go (`{callback_url}/registry/on-search`), if the client takes them.
    pub callback_url: Option<String>,
    /// When it was added (ms since epoch).
    pub created_at: i64,
}

/// An asynchronous request as stored: ids, states and counts, never a query's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnRow {
    /// The client.
    pub client_id: String,
    /// The client's transaction id.
    pub transaction_id: String,
    /// The registry's correlation id.
    pub correlation_id: String,
    /// `search`.
    pub action: String,
    /// `pdng` until answered, then `succ` or `rjct`.
    pub state: String,
    /// Records answered.
    pub records: i64,
    /// The HTTP status the callback got (`None`: not called, or it could not be reached).
    pub callback_status: Option<i64>,
    /// When it was accepted (ms since epoch).
    pub created_at: i64,
    /// When it was answered.
    pub finished_at: Option<i64>,
}

/// The DCI API's rows. Implemented for both registry backends and [`AnyStorage`].
pub trait DciStore: Storage {
    /// Adds a client.
    fn add_client(&self, c: &ClientRow) -> impl Future<Output = Result<()>> + Send;
    /// A client by id.
    fn client(&self, id: &str) -> impl Future<Output = Result<Option<ClientRow>>> + Send;
    /// Every client, by id.
    fn clients(&self) -> impl Future<Output = Result<Vec<ClientRow>>> + Send;
    /// Stores an access token's hash for `client_id` until `expires_at`.
    fn add_token(
        &self,
        hash: [u8; 32],
        client_id: &str,
        expires_at: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Deletes every token of `client_id` (a revoked client's tokens stop working at once);
    /// returns how many there were.
    fn drop_tokens(&self, client_id: &str) -> impl Future<Output = Result<u64>> + Send;
    /// The client of a token that has not expired at `now`.
    fn token_client(
        &self,
        hash: [u8; 32],
        now: i64,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Records an accepted transaction; `false` when the client already used its id.
    fn add_txn(&self, t: &TxnRow) -> impl Future<Output = Result<bool>> + Send;
    /// Records how a transaction ended.
    fn finish_txn(
        &self,
        client_id: &str,
        transaction_id: &str,
        state: &str,
        records: i64,
        callback_status: Option<i64>,
        at: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// A client's transaction.
    fn txn(
        &self,
        client_id: &str,
        transaction_id: &str,
    ) -> impl Future<Output = Result<Option<TxnRow>>> + Send;
}

/// The client columns' `SELECT`, as a literal so statements are whole literals (`concat!`).
macro_rules! client_select {
    () => {
        "SELECT id, name, user_id, secret_hash, public_key, callback_url, created_at FROM dci_clients"
    };
}

/// The transaction columns' `SELECT`.
macro_rules! txn_select {
    () => {
        "SELECT client_id, transaction_id, correlation_id, action, state, records, callback_status, created_at, finished_at FROM dci_transactions"
    };
}

fn client_of_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClientRow> {
    Ok(ClientRow {
        id: r.get(0)?,
        name: r.get(1)?,
        user_id: r.get(2)?,
        secret_hash: r.get(3)?,
        public_key: r.get(4)?,
        callback_url: r.get(5)?,
        created_at: r.get(6)?,
    })
}

fn txn_of_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<TxnRow> {
    Ok(TxnRow {
        client_id: r.get(0)?,
        transaction_id: r.get(1)?,
        correlation_id: r.get(2)?,
        action: r.get(3)?,
        state: r.get(4)?,
        records: r.get(5)?,
        callback_status: r.get(6)?,
        created_at: r.get(7)?,
        finished_at: r.get(8)?,
    })
}

impl DciStore for SqliteStorage {
    async fn add_client(&self, c: &ClientRow) -> Result<()> {
        let c = c.clone();
        self.with_connection(move |conn| {
            conn.execute(
                "INSERT INTO dci_clients (id, name, user_id, secret_hash, public_key, callback_url, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![c.id, c.name, c.user_id, c.secret_hash, c.public_key, c.callback_url, c.created_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn client(&self, id: &str) -> Result<Option<ClientRow>> {
        let id = id.to_string();
        self.with_connection(move |conn| {
            use rusqlite::OptionalExtension;
            Ok(conn
                .query_row(
                    concat!(client_select!(), " WHERE id = ?1"),
                    [id],
                    client_of_sqlite,
                )
                .optional()?)
        })
        .await
    }

    async fn clients(&self) -> Result<Vec<ClientRow>> {
        self.with_connection(|conn| {
            let mut st = conn.prepare(concat!(client_select!(), " ORDER BY id"))?;
            let rows = st.query_map([], client_of_sqlite)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn add_token(&self, hash: [u8; 32], client_id: &str, expires_at: i64) -> Result<()> {
        let client_id = client_id.to_string();
        self.with_connection(move |conn| {
            conn.execute(
                "INSERT INTO dci_tokens (token_hash, client_id, expires_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![hash.to_vec(), client_id, expires_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn drop_tokens(&self, client_id: &str) -> Result<u64> {
        let client_id = client_id.to_string();
        self.with_connection(move |conn| {
            let n = conn.execute("DELETE FROM dci_tokens WHERE client_id = ?1", [client_id])?;
            Ok(n as u64)
        })
        .await
    }

    async fn token_client(&self, hash: [u8; 32], now: i64) -> Result<Option<String>> {
        self.with_connection(move |conn| {
            use rusqlite::OptionalExtension;
            Ok(conn
                .query_row(
                    "SELECT client_id FROM dci_tokens WHERE token_hash = ?1 AND expires_at > ?2",
                    rusqlite::params![hash.to_vec(), now],
                    |r| r.get(0),
                )
                .optional()?)
        })
        .await
    }

    async fn add_txn(&self, t: &TxnRow) -> Result<bool> {
        let t = t.clone();
        self.with_connection(move |conn| {
            let n = conn.execute(
                "INSERT INTO dci_transactions (client_id, transaction_id, correlation_id, action, state, records, callback_status, created_at, finished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (client_id, transaction_id) DO NOTHING",
                rusqlite::params![t.client_id, t.transaction_id, t.correlation_id, t.action, t.state, t.records, t.callback_status, t.created_at, t.finished_at],
            )?;
            Ok(n == 1)
        })
        .await
    }

    async fn finish_txn(
        &self,
        client_id: &str,
        transaction_id: &str,
        state: &str,
        records: i64,
        callback_status: Option<i64>,
        at: i64,
    ) -> Result<()> {
        let (c, t, s) = (
            client_id.to_string(),
            transaction_id.to_string(),
            state.to_string(),
        );
        self.with_connection(move |conn| {
            conn.execute(
                "UPDATE dci_transactions SET state = ?3, records = ?4, callback_status = ?5, finished_at = ?6 WHERE client_id = ?1 AND transaction_id = ?2",
                rusqlite::params![c, t, s, records, callback_status, at],
            )?;
            Ok(())
        })
        .await
    }

    async fn txn(&self, client_id: &str, transaction_id: &str) -> Result<Option<TxnRow>> {
        let (c, t) = (client_id.to_string(), transaction_id.to_string());
        self.with_connection(move |conn| {
            use rusqlite::OptionalExtension;
            Ok(conn
                .query_row(
                    concat!(
                        txn_select!(),
                        " WHERE client_id = ?1 AND transaction_id = ?2"
                    ),
                    [c, t],
                    txn_of_sqlite,
                )
                .optional()?)
        })
        .await
    }
}

fn client_of_pg(r: &tokio_postgres::Row) -> ClientRow {
    ClientRow {
        id: r.get(0),
        name: r.get(1),
        user_id: r.get(2),
        secret_hash: r.get(3),
        public_key: r.get(4),
        callback_url: r.get(5),
        created_at: r.get(6),
    }
}

fn txn_of_pg(r: &tokio_postgres::Row) -> TxnRow {
    TxnRow {
        client_id: r.get(0),
        transaction_id: r.get(1),
        correlation_id: r.get(2),
        action: r.get(3),
        state: r.get(4),
        records: r.get(5),
        callback_status: r.get(6),
        created_at: r.get(7),
        finished_at: r.get(8),
    }
}

impl DciStore for PgStorage {
    async fn add_client(&self, c: &ClientRow) -> Result<()> {
        self.connection()
            .await
            .execute(
                "INSERT INTO dci_clients (id, name, user_id, secret_hash, public_key, callback_url, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&c.id, &c.name, &c.user_id, &c.secret_hash, &c.public_key, &c.callback_url, &c.created_at],
            )
            .await?;
        Ok(())
    }

    async fn client(&self, id: &str) -> Result<Option<ClientRow>> {
        let row = self
            .connection()
            .await
            .query_opt(concat!(client_select!(), " WHERE id = $1"), &[&id])
            .await?;
        Ok(row.as_ref().map(client_of_pg))
    }

    async fn clients(&self) -> Result<Vec<ClientRow>> {
        let rows = self
            .connection()
            .await
            .query(concat!(client_select!(), " ORDER BY id COLLATE \"C\""), &[])
            .await?;
        Ok(rows.iter().map(client_of_pg).collect())
    }

    async fn add_token(&self, hash: [u8; 32], client_id: &str, expires_at: i64) -> Result<()> {
        self.connection()
            .await
            .execute(
                "INSERT INTO dci_tokens (token_hash, client_id, expires_at) VALUES ($1, $2, $3)",
                &[&hash.as_slice(), &client_id, &expires_at],
            )
            .await?;
        Ok(())
    }

    async fn drop_tokens(&self, client_id: &str) -> Result<u64> {
        Ok(self
            .connection()
            .await
            .execute("DELETE FROM dci_tokens WHERE client_id = $1", &[&client_id])
            .await?)
    }

    async fn token_client(&self, hash: [u8; 32], now: i64) -> Result<Option<String>> {
        let row = self
            .connection()
            .await
            .query_opt(
                "SELECT client_id FROM dci_tokens WHERE token_hash = $1 AND expires_at > $2",
                &[&hash.as_slice(), &now],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn add_txn(&self, t: &TxnRow) -> Result<bool> {
        let n = self
            .connection()
            .await
            .execute(
                "INSERT INTO dci_transactions (client_id, transaction_id, correlation_id, action, state, records, callback_status, created_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (client_id, transaction_id) DO NOTHING",
                &[&t.client_id, &t.transaction_id, &t.correlation_id, &t.action, &t.state, &t.records, &t.callback_status, &t.created_at, &t.finished_at],
            )
            .await?;
        Ok(n == 1)
    }

    async fn finish_txn(
        &self,
        client_id: &str,
        transaction_id: &str,
        state: &str,
        records: i64,
        callback_status: Option<i64>,
        at: i64,
    ) -> Result<()> {
        self.connection()
            .await
            .execute(
                "UPDATE dci_transactions SET state = $3, records = $4, callback_status = $5, finished_at = $6 WHERE client_id = $1 AND transaction_id = $2",
                &[&client_id, &transaction_id, &state, &records, &callback_status, &at],
            )
            .await?;
        Ok(())
    }

    async fn txn(&self, client_id: &str, transaction_id: &str) -> Result<Option<TxnRow>> {
        let row = self
            .connection()
            .await
            .query_opt(
                concat!(
                    txn_select!(),
                    " WHERE client_id = $1 AND transaction_id = $2"
                ),
                &[&client_id, &transaction_id],
            )
            .await?;
        Ok(row.as_ref().map(txn_of_pg))
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

impl DciStore for AnyStorage {
    async fn add_client(&self, c: &ClientRow) -> Result<()> {
        delegate!(self.add_client(c))
    }
    async fn client(&self, id: &str) -> Result<Option<ClientRow>> {
        delegate!(self.client(id))
    }
    async fn clients(&self) -> Result<Vec<ClientRow>> {
        delegate!(self.clients())
    }
    async fn add_token(&self, hash: [u8; 32], client_id: &str, expires_at: i64) -> Result<()> {
        delegate!(self.add_token(hash, client_id, expires_at))
    }
    async fn drop_tokens(&self, client_id: &str) -> Result<u64> {
        delegate!(self.drop_tokens(client_id))
    }
    async fn token_client(&self, hash: [u8; 32], now: i64) -> Result<Option<String>> {
        delegate!(self.token_client(hash, now))
    }
    async fn add_txn(&self, t: &TxnRow) -> Result<bool> {
        delegate!(self.add_txn(t))
    }
    async fn finish_txn(
        &self,
        client_id: &str,
        transaction_id: &str,
        state: &str,
        records: i64,
        callback_status: Option<i64>,
        at: i64,
    ) -> Result<()> {
        delegate!(self.finish_txn(
            client_id,
            transaction_id,
            state,
            records,
            callback_status,
            at
        ))
    }
    async fn txn(&self, client_id: &str, transaction_id: &str) -> Result<Option<TxnRow>> {
        delegate!(self.txn(client_id, transaction_id))
    }
}
