//! `shumari registry target set|import|list`: the households an administrator expects per area,
//! against which the console's coverage dashboard shows what was enumerated. Without `--as` the
//! command acts as the registry's own command line (an operator on the registry's machine); with
//! it, as that administrator, within their areas. Every change is on the access trail.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use std::path::PathBuf;

/// `registry target ...`.
#[derive(Debug, clap::Subcommand)]
pub enum TargetCmd {
    /// Sets one area's target (0 removes it).
    Set {
        #[command(flatten)]
        db: DbArgs,
        /// The area's code (province, district, tehsil, union council or village).
        #[arg(long)]
        area: String,
        /// Households expected.
        #[arg(long)]
        households: u64,
        /// Act as this administrator (their areas only).
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Sets the targets of a CSV file with the columns `area` and `households`, all or none.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The file.
        file: PathBuf,
        /// Act as this administrator (their areas only).
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Lists the targets in an area and under it.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only this area (and what is under it).
        #[arg(long)]
        area: Option<String>,
    },
}

/// Runs a target subcommand on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &TargetCmd) -> anyhow::Result<i32> {
    let (db, pairs, as_user) = match cmd {
        TargetCmd::Set {
            db,
            area,
            households,
            as_user,
        } => (db, vec![(area.clone(), *households)], as_user),
        TargetCmd::Import { db, file, as_user } => {
            let bytes = std::fs::read(file)
                .map_err(|e| crate::exit::bad(format!("{}: {e}", file.display())))?;
            let pairs = shumari_registry::service::dashboards::parse_targets_csv(&bytes)
                .map_err(|e| crate::exit::bad(format!("{}: {e}", file.display())))?;
            (db, pairs, as_user)
        }
        TargetCmd::List { db, area } => return list(cli, rt, db, area.as_deref()),
    };
    let reg = open_db(rt, db)?;
    let n = rt
        .block_on(async {
            let user = match as_user {
                Some(id) => Some(reg.acting_user(id).await?),
                None => None,
            };
            reg.set_targets(user.as_ref(), &pairs).await
        })
        .map_err(to_anyhow)?;
    if cli.json {
        crate::output::json(&serde_json::json!({ "set": n }))?;
    } else {
        println!("{n} target(s) set");
    }
    Ok(0)
}

fn list(
    cli: &Cli,
    rt: &tokio::runtime::Runtime,
    db: &DbArgs,
    area: Option<&str>,
) -> anyhow::Result<i32> {
    let reg = open_db(rt, db)?;
    let targets = rt.block_on(reg.targets(None, area)).map_err(to_anyhow)?;
    if cli.json {
        let rows: Vec<_> = targets
            .iter()
            .map(|t| serde_json::json!({"area": t.area, "households": t.households, "set_by": t.set_by, "set_at": t.set_at}))
            .collect();
        crate::output::json(&rows)?;
        return Ok(0);
    }
    let mut t = crate::output::table(&["area", "households", "set by"]);
    for x in &targets {
        t.add_row(vec![
            x.area.clone(),
            x.households.to_string(),
            x.set_by.clone(),
        ]);
    }
    println!("{t}");
    Ok(0)
}
