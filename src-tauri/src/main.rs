//! The Shumari field app: a Tauri 2 window showing the Svelte UI (../ui/dist), with every command
//! delegated to `shumari_app::App`. Only this crate knows Tauri.
//!
//! The data directory is `SHUMARI_DATA_DIR` when set (tests run two instances side by side), else the
//! platform's app data directory.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod error;

use commands::{
    assignments, bundles, conflicts, households, interview, preview, reports, session, settings,
    sync,
};
use std::path::PathBuf;
use tauri::Manager;

fn data_dir(app: &tauri::App) -> Result<PathBuf, Box<dyn std::error::Error>> {
    if let Some(d) = std::env::var_os("SHUMARI_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    Ok(app.path().app_data_dir()?)
}

fn main() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let dir = data_dir(app)?;
            app.manage(shumari_app::App::new(dir));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            session::session_status,
            session::enroll,
            session::unlock,
            session::lock,
            households::list_areas,
            households::household_counts,
            households::list_households,
            households::create_household,
            households::left_area_households,
            households::export_left_area,
            assignments::my_assignments,
            reports::device_forms,
            reports::list_reports,
            reports::start_report,
            reports::open_report,
            reports::report_answer,
            reports::submit_report,
            reports::correct_report,
            households::export_unsent,
            interview::get_form,
            interview::open_interview,
            interview::enter_section,
            interview::set_answer,
            interview::add_member,
            interview::remove_member,
            interview::mark_complete,
            conflicts::list_conflicts,
            conflicts::resolve_conflict,
            sync::sync_status,
            sync::sync_now,
            settings::get_settings,
            settings::set_settings,
            settings::store_info,
            settings::back_up_now,
            bundles::save_bundle,
            bundles::load_bundle,
            preview::open_preview,
            preview::preview_answer,
            preview::preview_add_row,
            preview::preview_remove_row,
            preview::close_preview,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("shumari-field-app: {e}");
        std::process::exit(1);
    }
}
