use crate::error::CmdResult;
use shumari_app::assignments::AssignmentView;
use shumari_app::App;
use tauri::State;

#[tauri::command(async)]
pub fn my_assignments(app: State<'_, App>) -> CmdResult<Vec<AssignmentView>> {
    app.assignments()
}
