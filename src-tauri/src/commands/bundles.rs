//! "Save to USB" and "Load from USB" (`shumari_app::bundles`): the surveyor gives a file path on
//! the stick (no file system permission is granted to the window; the path goes to the app).

use crate::error::CmdResult;
use shumari_app::bundles::{BundleLoaded, BundleSaved};
use shumari_app::App;
use std::path::PathBuf;
use tauri::State;

#[tauri::command(async)]
pub fn save_bundle(app: State<'_, App>, path: PathBuf, all: bool) -> CmdResult<BundleSaved> {
    app.save_bundle(&path, all)
}

#[tauri::command(async)]
pub fn load_bundle(app: State<'_, App>, path: PathBuf) -> CmdResult<BundleLoaded> {
    app.load_bundle(&path)
}
