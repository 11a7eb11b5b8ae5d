use crate::error::CmdResult;
use shumari_app::{App, AreaInfo, ExportedFile, HouseholdSummary, StatusCounts};
use tauri::State;

#[tauri::command(async)]
pub fn list_areas(app: State<'_, App>) -> CmdResult<Vec<AreaInfo>> {
    app.list_areas()
}

#[tauri::command(async)]
pub fn household_counts(app: State<'_, App>) -> CmdResult<StatusCounts> {
    app.household_counts()
}

#[tauri::command(async)]
pub fn list_households(
    app: State<'_, App>,
    query: String,
    status: Option<String>,
    area_code: Option<String>,
) -> CmdResult<Vec<HouseholdSummary>> {
    app.list_households(&query, status.as_deref(), area_code.as_deref())
}

#[tauri::command(async)]
pub fn create_household(app: State<'_, App>, area_code: String) -> CmdResult<HouseholdSummary> {
    app.create_household(&area_code)
}

#[tauri::command(async)]
pub fn left_area_households(app: State<'_, App>) -> CmdResult<Vec<HouseholdSummary>> {
    app.left_area_households()
}

#[tauri::command(async)]
pub fn export_left_area(app: State<'_, App>) -> CmdResult<ExportedFile> {
    app.export_left_area()
}

#[tauri::command(async)]
pub fn export_unsent(app: State<'_, App>) -> CmdResult<ExportedFile> {
    app.export_unsent()
}
