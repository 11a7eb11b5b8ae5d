use crate::error::CmdResult;
use shumari_app::sync::SyncStatus;
use shumari_app::App;
use tauri::State;

#[tauri::command(async)]
pub fn sync_status(app: State<'_, App>) -> CmdResult<SyncStatus> {
    app.sync_status()
}

#[tauri::command(async)]
pub fn sync_now(app: State<'_, App>) -> CmdResult<SyncStatus> {
    app.sync_now()
}
