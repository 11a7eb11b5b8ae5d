use crate::error::CmdResult;
use shumari_app::{App, ConflictView};
use tauri::State;

#[tauri::command(async)]
pub fn list_conflicts(app: State<'_, App>) -> CmdResult<Vec<ConflictView>> {
    app.list_conflicts()
}

#[tauri::command(async)]
pub fn resolve_conflict(
    app: State<'_, App>,
    household_id: String,
    field: String,
    member_id: Option<String>,
    value_index: usize,
) -> CmdResult<Vec<ConflictView>> {
    app.resolve_conflict(&household_id, &field, member_id.as_deref(), value_index)
}
