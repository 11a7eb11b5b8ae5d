//! Getting the PIN and the data directory.

use crate::cli::Cli;
use crate::exit::bad;
use std::io::IsTerminal;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// The data directory: `--data-dir`, `SHUMARI_DATA_DIR`, or the platform's data directory.
pub fn data_dir(cli: &Cli) -> anyhow::Result<PathBuf> {
    if let Some(d) = &cli.data_dir {
        return Ok(d.clone());
    }
    directories::ProjectDirs::from("pk", "Shumari", "shumari")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or_else(|| bad("no data directory: give --data-dir or set SHUMARI_DATA_DIR"))
}

/// The PIN from `SHUMARI_PIN`, or asked for on the terminal (twice when `confirm`), in memory that is
/// wiped when it is dropped.
pub fn pin(confirm: bool) -> anyhow::Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var("SHUMARI_PIN") {
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(bad(
            "no PIN: set SHUMARI_PIN or run on a terminal to be asked",
        ));
    }
    let p = Zeroizing::new(rpassword::prompt_password(if confirm {
        "New PIN: "
    } else {
        "PIN: "
    })?);
    if confirm && *Zeroizing::new(rpassword::prompt_password("PIN again: ")?) != *p {
        return Err(bad("the two PINs differ"));
    }
    Ok(p)
}

/// The field app's use cases over the store in the data directory, unlocked without background sync.
pub fn open_app(cli: &Cli) -> anyhow::Result<shumari_app::App> {
    let dir = data_dir(cli)?;
    if !shumari_store::Store::exists(&dir) {
        return Err(shumari_store::StoreError::NotInitialised(dir.display().to_string()).into());
    }
    let pin = pin(false)?;
    let app = shumari_app::App::new(dir);
    match app.unlock_foreground(&pin) {
        Ok(_) => Ok(app),
        // The store's own wording, which says what the PIN failed to do.
        Err(shumari_app::AppError::WrongPin) => Err(shumari_store::StoreError::WrongPin.into()),
        Err(e) => Err(e.into()),
    }
}

/// Opens the store in the data directory.
pub fn open_store(cli: &Cli) -> anyhow::Result<shumari_store::Store> {
    let dir = data_dir(cli)?;
    if !shumari_store::Store::exists(&dir) {
        return Err(shumari_store::StoreError::NotInitialised(dir.display().to_string()).into());
    }
    Ok(shumari_store::Store::open(&dir, &pin(false)?)?)
}
