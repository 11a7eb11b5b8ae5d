//! A subset of the Digital Convergence Initiative's social registry API (spdci.org, v1.0.0; the
//! standard's YAML and examples are vendored in `spec/`), so other social-protection systems can
//! query the registry in the language they already speak. Served by the registry itself:
//! `registry serve` merges [`router`] into the registry's router beside the console and the portal;
//! the registry does not depend on this crate.
//!
//! - `POST /oauth2/client/token`: the OAuth2 client-credentials grant for system clients added with
//!   `shumari registry client add --name N --area CODE... --public-key FILE` ([`clients`]).
//! - `POST /registry/sync/search`: searches by CNIC (`idtype-value`) and by `predicate` over area,
//!   PMT score and household size (and members' age and sex), answered at once with `Group` or
//!   `Member` records in the standard's envelope (header, message, pagination) ([`query`],
//!   [`search`], [`records`], [`envelope`]).
//! - `POST /registry/search`: the same, asynchronous: acknowledged with the transaction's
//!   correlation id, the answer POSTed to the client's `{callback}/registry/on-search`
//!   ([`callback`]); `POST /registry/sync/txn/status` says at once where a transaction is, and
//!   `POST /registry/txn/status` acknowledges and POSTs the same `txn-on-status` envelope to the
//!   client's `{callback}/registry/txn/on-status`.
//! - `shumari registry client list` and `client revoke` ([`clients`]): a revoked client's tokens
//!   stop working at once.
//!
//! Every message carries an Ed25519 signature verified against the client's registered key
//! ([`signature`]); every read is scoped to the client's areas by the registry user behind it and
//! recorded on the registry's access trail (one `dci.search` row per request, plus the registry's
//! own rows for each household shown; never a CNIC). The crate's tables are its own ([`store`],
//! migration V21); household data comes only through the registry's service functions.

pub mod callback;
pub mod clients;
pub mod envelope;
pub mod error;
pub mod query;
pub mod records;
mod routes;
pub mod search;
pub mod signature;
pub mod store;

pub use clients::{
    add_client, list_clients, parse_public_key, revoke_client, ClientInfo, NewClient,
};
pub use error::DciError;
pub use store::DciStore;

use shumari_registry::Registry;
use std::sync::Arc;

/// How the DCI API is set up.
#[derive(Debug, Clone)]
pub struct DciConfig {
    /// The registry's `sender_id` in answers.
    pub sender_id: String,
    /// Lifetime of an access token.
    pub token_ttl_secs: i64,
    /// Records per page at most.
    pub max_page: usize,
    /// Households read in full per request item at most (narrow by area beyond).
    pub max_scan: usize,
}

impl Default for DciConfig {
    fn default() -> Self {
        DciConfig {
            sender_id: "shumari-registry".into(),
            token_ttl_secs: 3600,
            max_page: 100,
            max_scan: 2000,
        }
    }
}

/// The registry and the settings, shared by the handlers.
#[derive(Debug)]
pub struct Dci<S: DciStore> {
    /// The registry.
    pub reg: Arc<Registry<S>>,
    /// The settings.
    pub config: DciConfig,
    /// For callbacks.
    http: reqwest::Client,
}

/// The DCI routes, to merge into the registry's router (`shumari_registry::app_with`).
pub fn router<S: DciStore>(reg: Arc<Registry<S>>, config: DciConfig) -> axum::Router {
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap_or_default();
    routes::router(Arc::new(Dci { reg, config, http }))
}
