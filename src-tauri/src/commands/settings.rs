use crate::error::CmdResult;
use shumari_app::backups::{BackupInfo, StoreInfo};
use shumari_app::{App, Settings};
use tauri::State;

#[tauri::command(async)]
pub fn get_settings(app: State<'_, App>) -> CmdResult<Settings> {
    Ok(app.settings())
}

#[tauri::command(async)]
pub fn set_settings(app: State<'_, App>, settings: Settings) -> CmdResult<Settings> {
    app.set_settings(settings)
}

#[tauri::command(async)]
pub fn store_info(app: State<'_, App>) -> CmdResult<StoreInfo> {
    app.store_info()
}

#[tauri::command(async)]
pub fn back_up_now(app: State<'_, App>) -> CmdResult<BackupInfo> {
    app.back_up_now()
}
