//! The Shumari registry as a library: the protocol service ([`service::Registry`]), its HTTP face
//! ([`http::app`], [`http::launch`]) and storage behind [`storage::Storage`] with SQLite and
//! PostgreSQL backends, either chosen at run time from a database URL ([`AnyStorage`], [`DbUrl`]).
//!
//! The registry keeps, per household, the merged automerge document and a projection (area, reference,
//! head's name and CNIC, status, members' ID numbers), plus an append-only change log with a sequence
//! number per entry that feeds each device's pull, and an audit trail of which device and user made
//! which change. It speaks the protocol of `shumari_proto` (explained there end to end) and links
//! nothing of the device side: no encrypted store, no PIN hashing, no HTTP client.
//!
//! Service errors are [`RegistryError`]s; [`http::HttpError`] gives each its HTTP status and JSON body.
//! Logs (`tracing`) carry ids, counts and codes only: never names or ID numbers.
//!
//! The `test-support` feature adds what tests need to look inside (`Storage::counts`); only test
//! code enables it.

pub mod error;
pub mod http;
pub mod memory;
pub mod metrics;
pub mod scope;
pub mod service;
pub mod storage;

pub use error::RegistryError;
pub use http::{
    app, app_with, check_plain_listen, launch, launch_router, launch_tls, launch_tls_router,
    HttpError, RateLimits, ServeError, TlsSettings,
};
pub use memory::InMemoryTransport;
pub use metrics::Metrics;
pub use service::{Config, HouseholdDetail, QualitySettings, Registry, ReviewRequest, Reviewed};
pub use shumari_proto::Role;
pub use storage::any::{AnyStorage, DbUrl};
pub use storage::sqlite::SqliteStorage;
pub use storage::Storage;
