//! Declares the app's commands so that each needs an explicit permission: the capability file
//! (capabilities/main.json) then allows exactly the commands the UI calls, and nothing else.
const COMMANDS: &[&str] = &[
    "session_status",
    "enroll",
    "unlock",
    "lock",
    "list_areas",
    "household_counts",
    "list_households",
    "create_household",
    "left_area_households",
    "export_left_area",
    "my_assignments",
    "export_unsent",
    "get_form",
    "open_interview",
    "enter_section",
    "set_answer",
    "add_member",
    "remove_member",
    "mark_complete",
    "list_conflicts",
    "resolve_conflict",
    "sync_status",
    "sync_now",
    "get_settings",
    "set_settings",
    "store_info",
    "back_up_now",
    "save_bundle",
    "load_bundle",
    "open_preview",
    "preview_answer",
    "preview_add_row",
    "preview_remove_row",
    "close_preview",
    "device_forms",
    "list_reports",
    "start_report",
    "open_report",
    "report_answer",
    "submit_report",
    "correct_report",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
