//! The web console's accounts from the command line: `registry user add ... --password-stdin` sets
//! the new user's console password (read from standard input, its first line; never a flag, which
//! would show in the process list), and `registry user totp USER` gives a console user a TOTP
//! second factor, printing its `otpauth://` URL once (to type or scan into an authenticator app).

use crate::cli::Cli;
use crate::registry_cmd::{open_db, DbArgs};
use shumari_registry::{AnyStorage, Registry, Role};
use std::io::BufRead;
use zeroize::Zeroizing;

fn to_anyhow(e: shumari_console::AccountError) -> anyhow::Error {
    if e.is_bad_input() {
        crate::exit::bad(e.to_string())
    } else {
        anyhow::Error::new(e)
    }
}

/// The password on standard input's first line, for a user of `role` (refused before anything
/// is stored when the role does not sign in to the console or the password is too short).
pub fn read_password(role: Role) -> anyhow::Result<Zeroizing<String>> {
    if !shumari_console::auth::sign_in::may_use_console(role) {
        return Err(crate::exit::bad(format!(
            "a {} works on a tablet and has no console password",
            role.title()
        )));
    }
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line)?;
    let password = Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string());
    if password.chars().count() < shumari_console::auth::password::MIN_CHARS {
        return Err(crate::exit::bad(format!(
            "the password must have at least {} characters",
            shumari_console::auth::password::MIN_CHARS
        )));
    }
    Ok(password)
}

/// Stores `user_id`'s console password.
pub fn set_password(
    rt: &tokio::runtime::Runtime,
    reg: &Registry<AnyStorage>,
    user_id: &str,
    password: &str,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp_millis();
    rt.block_on(shumari_console::set_password(reg, user_id, password, now))
        .map_err(to_anyhow)
}

/// `registry user totp USER`.
pub fn totp(cli: &Cli, rt: &tokio::runtime::Runtime, db: &DbArgs, id: &str) -> anyhow::Result<i32> {
    let reg = open_db(rt, db)?;
    let now = chrono::Utc::now().timestamp_millis();
    let url = rt
        .block_on(shumari_console::setup_totp(&reg, id, now))
        .map_err(to_anyhow)?;
    if cli.json {
        crate::output::json(&serde_json::json!({ "otpauth_url": url }))?;
    } else {
        println!("{url}");
        eprintln!("Add this to the user's authenticator app now: it is not shown again.");
    }
    Ok(0)
}
