//! `shumari registry pmt rescore | show | jobs`: the proxy means test at the registry.
//!
//! `rescore` scores every household again with the model in force, printing a progress line per page
//! (with `--json`, one JSON object per line: the job as recorded, which the console reads too); with
//! `--model FILE` it first installs that model (TOML, checked as the tablet checks it) as the one in
//! force, so a running `registry serve` scores new pushes with it as well. `show` prints one
//! household's registry score: score, band, each variable's points and the model version.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use anyhow::Context;
use shumari_registry::service::PmtJob;
use std::path::PathBuf;

/// `registry pmt ...`.
#[derive(Debug, clap::Subcommand)]
pub enum PmtCmd {
    /// Scores every household again with the model in force (after installing --model).
    Rescore {
        #[command(flatten)]
        db: DbArgs,
        /// A new PMT model (TOML) to install first.
        #[arg(long, value_name = "MODEL.toml")]
        model: Option<PathBuf>,
    },
    /// Shows one household's registry score.
    Show {
        #[command(flatten)]
        db: DbArgs,
        /// Household id or reference number.
        id: String,
    },
    /// Lists the latest rescoring runs and their progress.
    Jobs {
        #[command(flatten)]
        db: DbArgs,
    },
}

fn progress_line(j: &PmtJob) -> String {
    format!(
        "{} {}: {}/{} households scored with {}",
        j.id, j.state, j.done, j.total, j.model_version
    )
}

/// Runs a pmt subcommand on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &PmtCmd) -> anyhow::Result<i32> {
    match cmd {
        PmtCmd::Rescore { db, model } => {
            let reg = open_db(rt, db)?;
            if let Some(path) = model {
                let source = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let version = rt
                    .block_on(reg.install_pmt_model(&source))
                    .map_err(to_anyhow)?;
                if !cli.json {
                    println!("installed PMT model {version}");
                }
            }
            let json = cli.json;
            let job = rt
                .block_on(reg.rescore(move |j| {
                    if json {
                        // One object per line, so a script follows the progress as it comes.
                        println!("{}", serde_json::to_string(j).unwrap_or_default());
                    } else {
                        println!("{}", progress_line(j));
                    }
                }))
                .map_err(to_anyhow)?;
            Ok(if job.state == "done" { 0 } else { 1 })
        }
        PmtCmd::Show { db, id } => {
            let reg = open_db(rt, db)?;
            let s = rt.block_on(reg.pmt_show(None, id)).map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&s)?;
                return Ok(0);
            }
            println!(
                "score {:.2} ({}), model {}{}",
                s.score,
                s.band,
                s.model_version,
                if s.current {
                    ""
                } else {
                    " (not the model in force: rescore)"
                }
            );
            let mut t = crate::output::table(&["variable", "value", "points"]);
            for c in &s.contributions {
                let value = match &c.value {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(v) => v.clone(),
                    other => other.to_string(),
                };
                t.add_row(vec![c.label_en.clone(), value, format!("{:+.2}", c.points)]);
            }
            println!("{t}");
            for p in &s.programmes {
                println!(
                    "{}: {} (cut-off {:.1})",
                    p.programme,
                    if p.eligible {
                        "eligible"
                    } else {
                        "not eligible"
                    },
                    p.threshold
                );
            }
            Ok(0)
        }
        PmtCmd::Jobs { db } => {
            let reg = open_db(rt, db)?;
            let jobs = rt.block_on(reg.pmt_jobs(20)).map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&jobs)?;
            } else {
                for j in &jobs {
                    println!("{}", progress_line(j));
                }
            }
            Ok(0)
        }
    }
}
