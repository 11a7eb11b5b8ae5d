//! One file per domain; each command is a one-line delegation to `shumari_app::App`. All are
//! `async` (run on Tauri's thread pool, not the main thread), so a slow disk never freezes the window.

pub mod assignments;
pub mod bundles;
pub mod conflicts;
pub mod households;
pub mod interview;
pub mod preview;
pub mod reports;
pub mod session;
pub mod settings;
pub mod sync;
