//! The surveyor's local store: one encrypted SQLite file holding every household the device knows.
//!
//! - **Encrypted at rest** with SQLCipher. The key is derived from the surveyor's PIN with Argon2id and a
//!   per-install salt ([`key`]); a wrong PIN is [`StoreError::WrongPin`] and touches nothing.
//! - **One write path.** Households change only through [`Store`] methods, each one transaction that
//!   appends the automerge change and rewrites the projection together, durable when it returns
//!   (WAL + `synchronous = FULL`). A crash at any moment leaves every returned write in place.
//! - **Documents** are stored as a snapshot plus incremental chunks, compacted past a threshold.
//! - **Projection** for listing and search (rows are the domain's `HouseholdSummary`): reference, area,
//!   head's name and CNIC, member count, status, updated time; members with ID numbers; an FTS5 index
//!   of names (English and Urdu) and prefix search over ID digits. "Under an area" is the domain's rule
//!   (`AreaRange`), bound as parameters.
//! - **Migrations** are SQL files in `migrations/store/`, embedded and applied on open ([`migrate`]).
//!
//! ```no_run
//! use shumari_store::{Store, ListFilter};
//! let dir = std::path::Path::new("/tmp/shumari-demo");
//! let store = Store::open(dir, "1234")?;
//! for h in store.list(&ListFilter { search: Some("Ayesha".into()), ..Default::default() })? {
//!     println!("{} {}", h.reference, h.status.as_str());
//! }
//! # Ok::<(), shumari_store::StoreError>(())
//! ```

pub mod error;
mod households;
pub mod key;
pub mod migrate;
mod short_id;
mod store;
mod sync_state;
mod sync_support;

pub use error::{Result, StoreError};
pub use households::{Created, HouseholdView, ListFilter};
pub use store::{Device, Store, DB_FILE, KEY_FILE};
pub use sync_state::OutgoingDoc;
