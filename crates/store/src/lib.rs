//! The surveyor's local store: one encrypted SQLite file holding every household the device knows.
//!
//! - **Encrypted at rest** with SQLCipher. The key is derived from the surveyor's PIN (6+ digits, or an
//!   8+ character passphrase) with Argon2id at 64 MiB and a per-install salt ([`key`]); a store with
//!   cheaper parameters is re-keyed on its next unlock, safely against a kill at any step (`unlock.rs`).
//!   A wrong PIN is [`StoreError::WrongPin`] and changes nothing but the count of failed unlocks
//!   ([`attempts`]: past five, each doubles a wait; nothing is ever wiped).
//! - **Work is not lost to a scope change**: a household the registry moves out of the device's scope
//!   is removed only once the registry holds all its changes ([`Store::remove_local`]).
//! - **One write path.** Households change only through [`Store`] methods, each one transaction that
//!   appends the automerge change and rewrites the projection together, durable when it returns
//!   (WAL + `synchronous = FULL`). A crash at any moment leaves every returned write in place.
//! - **Documents** are stored as a snapshot plus incremental chunks, compacted past a threshold.
//! - **Projection** for listing and search (rows are the domain's `HouseholdSummary`): reference, area,
//!   head's name and CNIC, member count, status, updated time; members with ID numbers; an FTS5 index
//!   of names (English and Urdu) and prefix search over ID digits. "Under an area" is the domain's rule
//!   (`AreaRange`), bound as parameters.
//! - **Signed changes**: the device's Ed25519 secret key and the signature records of the changes it
//!   holds (its own, signed when first sent, and others' received with their changes), so any change
//!   here can be forwarded with its author's signature (`signatures.rs`, migration V4).
//! - **Forms besides the household one**: every version of a form the registry sent, and the
//!   reports filled with them, each opened with the version it was started with (`forms.rs`,
//!   migration V5).
//! - **Migrations** are SQL files in `migrations/store/`, embedded and applied on open ([`migrate`]).
//!
//! ```no_run
//! use shumari_store::{Store, ListFilter};
//! let dir = std::path::Path::new("/tmp/shumari-demo");
//! let store = Store::open(dir, "123456")?;
//! for h in store.list(&ListFilter { search: Some("Ayesha".into()), ..Default::default() })? {
//!     println!("{} {}", h.reference, h.status.as_str());
//! }
//! # Ok::<(), shumari_store::StoreError>(())
//! ```

mod assignments;
pub mod attempts;
mod backup;
pub mod error;
mod feed_cursors;
mod forms;
mod households;
pub mod key;
pub mod migrate;
mod short_id;
mod signatures;
mod store;
mod sync_state;
mod sync_support;
mod unlock;

pub use error::{Result, StoreError};
pub use forms::{Report, ReportDecision, StoredForm};
pub use households::{Created, HouseholdView, ListFilter};
pub use signatures::{ChangeSignature, DeviceKeyRow, Signer};
pub use store::{Device, Store, DB_FILE, KEY_FILE};
pub use sync_state::{LeftScope, OutgoingDoc};
pub use unlock::{UpgradeStop, KEY_FILE_NEXT};
