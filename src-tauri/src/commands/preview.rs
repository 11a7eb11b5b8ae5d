//! "Try a form" on the Settings screen: a form file the surveyor picked, checked and filled in memory.
use crate::error::CmdResult;
use serde_json::Value;
use shumari_app::form_preview::{FormFile, PreviewOpened, PreviewState};
use shumari_app::App;
use tauri::State;

#[tauri::command(async)]
pub fn open_preview(app: State<'_, App>, file: FormFile) -> CmdResult<PreviewOpened> {
    app.open_preview(&file)
}

#[tauri::command(async)]
pub fn preview_answer(
    app: State<'_, App>,
    field: String,
    row: Option<String>,
    value: Value,
) -> CmdResult<PreviewState> {
    app.preview_answer(&field, row.as_deref(), value)
}

#[tauri::command(async)]
pub fn preview_add_row(app: State<'_, App>, repeat: String) -> CmdResult<PreviewState> {
    app.preview_add_row(&repeat)
}

#[tauri::command(async)]
pub fn preview_remove_row(
    app: State<'_, App>,
    repeat: String,
    row: String,
) -> CmdResult<PreviewState> {
    app.preview_remove_row(&repeat, &row)
}

#[tauri::command(async)]
pub fn close_preview(app: State<'_, App>) -> CmdResult<()> {
    app.close_preview();
    Ok(())
}
