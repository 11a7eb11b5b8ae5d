use crate::error::CmdResult;
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
