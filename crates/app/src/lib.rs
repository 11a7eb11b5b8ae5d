//! The Shumari field app's use cases, independent of any UI toolkit.
//!
//! `src-tauri` exposes each public method of [`App`] as a one-line Tauri command; tests and the bench
//! call them directly. Everything the surveyor does goes through here:
//!
//! - [`session`]: enroll the device with the registry and set a PIN (or enroll a store made by the
//!   command line); unlock (with the background sync worker, or in the foreground without it); lock;
//!   UI settings.
//! - [`households`]: assigned areas, household counts, list and search, create.
//! - [`interview`]: the questionnaire (`shumari_forms::household_form()`) as JSON, answers saved as
//!   they are typed and judged by the forms engine, the roster, completion, the provisional PMT score.
//! - [`paradata`]: how the interview was made (first opening, completion, device, time per
//!   section, edits after completion), recorded in the household's document.
//! - [`left_area`]: households the registry moved out of this device's area while they held unsent
//!   changes: kept, listed and exported instead of deleted.
//! - [`form_preview`]: "try a form": any XLSForm file checked by the forms engine and filled in
//!   memory only (never a household), evaluated after each answer.
//! - [`reports`]: questionnaires besides the household one (a service point's daily report), as
//!   sync brought them: reports started with the newest version, always reopened with their own,
//!   filled with the preview's renderer and engine, submitted for the next sync.
//! - [`conflicts`]: fields two devices changed concurrently, and choosing the value to keep.
//! - [`bundles`]: "Save to USB" and "Load from USB": sync by encrypted, signed files.
//! - [`sync`]: background sync with backoff, on-demand sync and one foreground round, with progress;
//!   a round holds the store for one short local step at a time, never across network IO, so no
//!   call here ever waits on the network.
//!
//! ```no_run
//! let app = shumari_app::App::new("/tmp/shumari-field".into());
//! app.unlock("123456")?;
//! let hh = app.list_households("", None, None)?;
//! # Ok::<(), shumari_app::AppError>(())
//! ```

mod answers;
pub mod assignments;
pub mod backups;
pub mod bundles;
pub mod conflicts;
pub mod dto;
pub mod error;
pub mod exports;
pub mod form_files;
pub mod form_preview;
mod form_rules;
mod form_view;
pub mod household_records;
pub mod households;
pub mod interview;
pub mod left_area;
pub mod paradata;
pub mod questionnaire;
mod registry_link;
pub mod reports;
pub mod session;
pub mod sync;

pub use dto::*;
pub use error::{AppError, Result};

use shumari_store::Store;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

/// Where the app reads the time: the system clock, or a test's. (Only what decides behaviour — the
/// wait after wrong PINs — reads it here.)
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> SystemTime + Send + Sync>);

impl Clock {
    /// The system's clock.
    pub fn system() -> Self {
        Clock(Arc::new(SystemTime::now))
    }

    /// A clock that asks `f` (tests move it by hand).
    pub fn from_fn(f: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        Clock(Arc::new(f))
    }

    /// The time now.
    pub fn now(&self) -> SystemTime {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// The field app's state: the data directory, the open store (when unlocked) and the sync worker.
/// Cheap to clone; clones share the same state.
#[derive(Debug, Clone)]
pub struct App {
    dir: PathBuf,
    store: Arc<Mutex<Option<Store>>>,
    sync: sync::SyncController,
    form: Arc<questionnaire::FormDef>,
    /// The form being tried on the Settings screen, with its answers (memory only).
    preview: Arc<Mutex<Option<form_preview::Preview>>>,
    clock: Clock,
    /// The interview section the surveyor is on, for the time per section (`paradata.rs`).
    section: Arc<Mutex<Option<paradata::SectionVisit>>>,
}

impl App {
    /// The app over a data directory (created on enrollment).
    pub fn new(dir: PathBuf) -> Self {
        App::with_clock(dir, Clock::system())
    }

    /// The app reading the time from `clock`.
    pub fn with_clock(dir: PathBuf, clock: Clock) -> Self {
        App {
            dir,
            store: Arc::new(Mutex::new(None)),
            sync: sync::SyncController::default(),
            form: Arc::new(questionnaire::form_def(questionnaire::engine_form())),
            preview: Arc::new(Mutex::new(None)),
            clock,
            section: Arc::new(Mutex::new(None)),
        }
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn lock_store(&self) -> MutexGuard<'_, Option<Store>> {
        // A panic while holding the lock cannot leave the store half-written (every write is one SQLite
        // transaction), so a poisoned lock is safe to keep using.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` with the open store, or fails with [`AppError::Locked`].
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let mut guard = self.lock_store();
        let store = guard.as_mut().ok_or(AppError::Locked)?;
        f(store)
    }
}
