//! Questionnaires besides the household one (a service point's daily report): the forms sync
//! brought, and the reports filled with them.
use crate::error::CmdResult;
use serde_json::Value;
use shumari_app::form_preview::PreviewState;
use shumari_app::reports::{DeviceForm, ReportOpened, ReportView};
use shumari_app::App;
use tauri::State;

#[tauri::command(async)]
pub fn device_forms(app: State<'_, App>) -> CmdResult<Vec<DeviceForm>> {
    app.device_forms()
}

#[tauri::command(async)]
pub fn list_reports(app: State<'_, App>, form_id: Option<String>) -> CmdResult<Vec<ReportView>> {
    app.list_reports(form_id.as_deref())
}

#[tauri::command(async)]
pub fn start_report(
    app: State<'_, App>,
    form_id: String,
    area: Option<String>,
) -> CmdResult<ReportOpened> {
    app.start_report(&form_id, area.as_deref())
}

#[tauri::command(async)]
pub fn open_report(app: State<'_, App>, id: String) -> CmdResult<ReportOpened> {
    app.open_report(&id)
}

#[tauri::command(async)]
pub fn report_answer(
    app: State<'_, App>,
    id: String,
    field: String,
    value: Value,
) -> CmdResult<PreviewState> {
    app.report_answer(&id, &field, value)
}

#[tauri::command(async)]
pub fn submit_report(app: State<'_, App>, id: String) -> CmdResult<ReportView> {
    app.submit_report(&id)
}

#[tauri::command(async)]
pub fn correct_report(app: State<'_, App>, id: String) -> CmdResult<ReportOpened> {
    app.correct_report(&id)
}
