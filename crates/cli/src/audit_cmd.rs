//! `shumari registry audit verify | list`: the registry's access audit trail, read from `--db`
//! (while `serve` runs, too).
//!
//! `verify` walks the hash chain from the first row and exits 0 when it is intact, or 1 naming the
//! first broken link (its sequence number and what is wrong there). It also prints the number of rows
//! and the newest row's hash: noted somewhere else, they show later whether rows were cut off the end,
//! which no chain can show by itself.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use chrono::DateTime;

/// `registry audit ...`.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCmd {
    /// Checks the hash chain; exit status 0 when intact, 1 when a row was changed, removed or forged.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Lists rows, oldest first.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only rows after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: u64,
        /// At most this many rows.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

/// Runs an audit subcommand on `rt`; returns the exit status.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &AuditCmd) -> anyhow::Result<i32> {
    match cmd {
        AuditCmd::Verify { db } => {
            let reg = open_db(rt, db)?;
            let report = rt.block_on(reg.verify_access_audit()).map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&report)?;
            } else {
                match &report.broken {
                    None => println!("the access audit trail is intact: {} rows", report.rows),
                    Some(b) => println!(
                        "the access audit trail is broken at row {}: {} ({} rows before it are intact)",
                        b.seq, b.problem, report.rows
                    ),
                }
                if let Some(head) = &report.head {
                    println!("newest intact row's hash: {head}");
                }
            }
            Ok(if report.broken.is_some() { 1 } else { 0 })
        }
        AuditCmd::List { db, after, limit } => {
            let reg = open_db(rt, db)?;
            let rows = rt
                .block_on(reg.access_audit(*after, *limit))
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&rows)?;
            } else {
                let mut t =
                    crate::output::table(&["seq", "at", "action", "actor", "subject", "detail"]);
                for r in &rows {
                    let at = DateTime::from_timestamp_millis(r.at).unwrap_or_default();
                    t.add_row(vec![
                        r.seq.to_string(),
                        at.to_rfc3339(),
                        r.action.clone(),
                        r.actor.clone(),
                        r.subject.clone().unwrap_or_default(),
                        r.detail.clone().unwrap_or_default(),
                    ]);
                }
                println!("{t}");
                println!("{} rows", rows.len());
            }
            Ok(0)
        }
    }
}
