//! The Shumari registry as a library: the protocol service ([`service::Registry`]), its HTTP face
//! ([`http::app`], [`http::launch`]) and storage behind [`storage::Storage`] with SQLite and
//! PostgreSQL backends.
//!
//! The registry keeps, per household, the merged automerge document and a projection (area, reference,
//! head's name and CNIC, status, members' ID numbers), plus an append-only change log with a sequence
//! number per entry that feeds each device's pull, and an audit trail of which device and user made
//! which change. See `shumari_sync` for the protocol end to end.
//!
//! Logs (`tracing`) carry ids, counts and codes only: never names or ID numbers.

pub mod error;
pub mod http;
pub mod memory;
pub mod scope;
pub mod service;
pub mod storage;

pub use error::AppError;
pub use http::{app, launch};
pub use memory::InMemoryTransport;
pub use service::{Config, Registry};
pub use storage::sqlite::SqliteStorage;
pub use storage::Storage;
