use crate::error::CmdResult;
use shumari_app::{App, SessionInfo};
use tauri::State;
use zeroize::Zeroizing;

#[tauri::command(async)]
pub fn session_status(app: State<'_, App>) -> CmdResult<SessionInfo> {
    Ok(app.session_status())
}

#[tauri::command(async)]
pub fn enroll(
    app: State<'_, App>,
    registry_url: String,
    code: String,
    pin: String,
    ca_pem: Option<String>,
) -> CmdResult<SessionInfo> {
    // Wiped from memory when the command returns.
    let pin = Zeroizing::new(pin);
    app.enroll_with_ca(&registry_url, &code, &pin, ca_pem.as_deref())
}

#[tauri::command(async)]
pub fn unlock(app: State<'_, App>, pin: String) -> CmdResult<SessionInfo> {
    let pin = Zeroizing::new(pin);
    app.unlock(&pin)
}

#[tauri::command(async)]
pub fn lock(app: State<'_, App>) -> CmdResult<()> {
    app.lock();
    Ok(())
}
