//! `shumari registry flags list [--area A] [--kind K] [--json] --as USER`: the data-quality flags
//! standing on the households a user may read, each with its reason in plain words (the console's
//! flag filter and `GET /v1/flags` read the same service). The registry computes the flags as
//! households are merged; thresholds are the settings file's `[quality]` table.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use shumari_registry::service::FlagKind;

/// `registry flags ...`.
#[derive(Debug, clap::Subcommand)]
pub enum FlagsCmd {
    /// Lists the flagged households with each flag's reason.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only this area (and what is under it).
        #[arg(long)]
        area: Option<String>,
        /// Only this kind: short_interview, gps_missing, gps_inaccurate, gps_far, many_per_day,
        /// identical_assets, edited_after_approval.
        #[arg(long)]
        kind: Option<String>,
        /// Read as this user (their areas only).
        #[arg(long = "as")]
        as_user: String,
        /// Urdu reasons instead of English (in the table; `--json` holds both).
        #[arg(long)]
        urdu: bool,
    },
}

/// Runs a flags subcommand on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &FlagsCmd) -> anyhow::Result<i32> {
    let FlagsCmd::List {
        db,
        area,
        kind,
        as_user,
        urdu,
    } = cmd;
    let kind = kind
        .as_deref()
        .map(|k| FlagKind::parse(k).ok_or_else(|| crate::exit::bad(format!("no flag kind `{k}`"))))
        .transpose()?;
    let reg = open_db(rt, db)?;
    let flags = rt
        .block_on(async {
            let user = reg.acting_user(as_user).await?;
            reg.flags_list(&user, area.as_deref(), kind, 10_000).await
        })
        .map_err(to_anyhow)?;
    if cli.json {
        crate::output::json(&flags)?;
        return Ok(0);
    }
    let mut t = crate::output::table(&["household", "area", "flag", "reason"]);
    for f in &flags {
        let (title, reason) = if *urdu {
            (&f.title_ur, &f.reason_ur)
        } else {
            (&f.title_en, &f.reason_en)
        };
        t.add_row(vec![
            f.household.to_string(),
            f.area.clone(),
            title.clone(),
            reason.clone(),
        ]);
    }
    println!("{t}");
    Ok(0)
}
