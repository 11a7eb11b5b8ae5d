//! `shumari registry device list | revoke ID` and `registry user disable ID`: cutting devices off.
//!
//! A revoked device, and every device of a disabled user, is refused by the registry on every
//! request (HTTP 401 `revoked`); disabling a user also cancels their unused enrollment codes. The
//! households such a device holds stay on it. Each command is an admin action recorded in the access
//! audit trail, and works while `serve` runs.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};

/// `registry device ...`.
#[derive(Debug, clap::Subcommand)]
pub enum DeviceCmd {
    /// Lists devices: id, user, label, enrolled, last seen, token expiry and state.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revokes a device: every request it makes is refused from now on.
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        /// Device id (from `device list`).
        id: String,
    },
}

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

/// Runs a device subcommand on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &DeviceCmd) -> anyhow::Result<i32> {
    match cmd {
        DeviceCmd::List { db } => {
            let reg = open_db(rt, db)?;
            let rows = rt.block_on(reg.device_list()).map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&rows)?;
            } else {
                let mut t = crate::output::table(&[
                    "device",
                    "user",
                    "label",
                    "enrolled",
                    "last seen",
                    "expires",
                    "state",
                ]);
                for r in &rows {
                    t.add_row(vec![
                        r.id.clone(),
                        r.user.clone(),
                        r.label.clone(),
                        when(Some(r.enrolled_at)),
                        when(r.last_seen_at),
                        when(Some(r.expires_at)),
                        r.state.to_string(),
                    ]);
                }
                println!("{t}");
                println!("{} devices", rows.len());
            }
            Ok(0)
        }
        DeviceCmd::Revoke { db, id } => {
            let reg = open_db(rt, db)?;
            rt.block_on(reg.revoke_device(id)).map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&serde_json::json!({ "device": id, "revoked": true }))?;
            } else {
                println!("device {id} is revoked: the registry refuses every request from it");
            }
            Ok(0)
        }
    }
}

/// `registry user disable ID`.
pub fn disable_user(
    cli: &Cli,
    rt: &tokio::runtime::Runtime,
    db: &DbArgs,
    id: &str,
) -> anyhow::Result<i32> {
    let reg = open_db(rt, db)?;
    let done = rt.block_on(reg.disable_user(id)).map_err(to_anyhow)?;
    if cli.json {
        crate::output::json(&serde_json::json!({
            "user": id, "disabled": true, "devices": done.devices, "codes_cancelled": done.codes,
        }))?;
    } else {
        println!(
            "user {id} is disabled: {} device(s) refused from now on, {} unused enrollment code(s) cancelled",
            done.devices, done.codes
        );
    }
    Ok(0)
}
