use crate::error::CmdResult;
use shumari_app::questionnaire::FormDef;
use shumari_app::{App, Interview};
use tauri::State;

#[tauri::command(async)]
pub fn get_form(app: State<'_, App>) -> CmdResult<FormDef> {
    Ok(app.form().clone())
}

#[tauri::command(async)]
pub fn open_interview(app: State<'_, App>, household_id: String) -> CmdResult<Interview> {
    app.open_interview(&household_id)
}

/// The surveyor is now on `section` (`None`: they left the interview), for the time per section.
#[tauri::command(async)]
pub fn enter_section(
    app: State<'_, App>,
    household_id: String,
    section: Option<String>,
) -> CmdResult<()> {
    app.enter_section(&household_id, section.as_deref())
}

#[tauri::command(async)]
pub fn set_answer(
    app: State<'_, App>,
    household_id: String,
    member_id: Option<String>,
    field: String,
    value: serde_json::Value,
) -> CmdResult<Interview> {
    app.set_answer(&household_id, member_id.as_deref(), &field, value)
}

#[tauri::command(async)]
pub fn add_member(app: State<'_, App>, household_id: String) -> CmdResult<Interview> {
    app.add_member(&household_id)
}

#[tauri::command(async)]
pub fn remove_member(
    app: State<'_, App>,
    household_id: String,
    member_id: String,
) -> CmdResult<Interview> {
    app.remove_member(&household_id, &member_id)
}

#[tauri::command(async)]
pub fn mark_complete(app: State<'_, App>, household_id: String) -> CmdResult<Interview> {
    app.mark_complete(&household_id)
}
