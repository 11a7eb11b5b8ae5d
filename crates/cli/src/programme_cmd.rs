//! Programmes from the command line: `shumari registry programme list|check|load`,
//! `registry eligibility run`, `registry enrolment run|show|set`, as the user `--as` names (their
//! role and areas checked by the registry's service, as in the console).
//!
//! `programme check FILE` needs no database: it prints every problem of the file by line (exit
//! status 2), or what the file says. The runs print a progress line per page (with `--json`, one
//! JSON object per line: the job as recorded), like `registry pmt rescore`.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use anyhow::Context;
use shumari_programmes::Programme;
use shumari_registry::service::{EnrolmentStatus, HouseholdProgrammes, ProgrammeJob};
use std::path::PathBuf;

/// Who acts.
#[derive(Debug, Clone, clap::Args)]
pub struct Acting {
    #[command(flatten)]
    db: DbArgs,
    /// The acting user's id (a programme officer; readers for `list` and `show`).
    #[arg(long = "as")]
    as_user: String,
}

/// `registry programme ...`.
#[derive(Debug, clap::Subcommand)]
pub enum ProgrammeCmd {
    /// Lists the programmes in force (the latest version of each).
    List {
        #[command(flatten)]
        who: Acting,
    },
    /// Checks a programme file and prints every problem by line (no database needed).
    Check {
        /// The programme file (TOML).
        file: PathBuf,
    },
    /// Loads a programme file (loading the same file again changes nothing).
    Load {
        #[command(flatten)]
        who: Acting,
        /// The programme file (TOML).
        file: PathBuf,
    },
}

/// `registry eligibility ...`.
#[derive(Debug, clap::Subcommand)]
pub enum EligibilityCmd {
    /// Decides every household in your areas for every programme in force, with progress.
    Run {
        #[command(flatten)]
        who: Acting,
    },
}

/// `registry enrolment ...`.
#[derive(Debug, clap::Subcommand)]
pub enum EnrolmentCmd {
    /// Enrols the eligible households of your areas into a programme, with progress.
    Run {
        #[command(flatten)]
        who: Acting,
        /// The programme's id.
        #[arg(long)]
        programme: String,
    },
    /// A household's eligibility per programme (with the reasons) and its enrolments (with history).
    Show {
        #[command(flatten)]
        who: Acting,
        /// Household id or reference number.
        id: String,
    },
    /// Suspends or exits a household's enrolment (or enrols a suspended one again), with a reason.
    Set {
        #[command(flatten)]
        who: Acting,
        /// Household id or reference number.
        id: String,
        /// The programme's id.
        #[arg(long)]
        programme: String,
        /// suspended, exited, or enrolled (from suspended).
        #[arg(long)]
        status: String,
        /// Why (kept in the enrolment's history).
        #[arg(long)]
        reason: String,
    },
}

fn read(path: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn progress(json: bool) -> impl FnMut(&ProgrammeJob) + Send {
    move |j: &ProgrammeJob| {
        if json {
            // One object per line, so a script follows the progress as it comes.
            println!("{}", serde_json::to_string(j).unwrap_or_default());
        } else {
            let what = if j.kind == "eligibility" {
                "eligible (household, programme) pairs"
            } else {
                "households enrolled"
            };
            println!(
                "{} {}: {}/{} households, {} {what}",
                j.id, j.state, j.done, j.total, j.counted
            );
        }
    }
}

/// Runs `registry programme ...` on `rt`.
pub fn programme(
    cli: &Cli,
    rt: &tokio::runtime::Runtime,
    cmd: &ProgrammeCmd,
) -> anyhow::Result<i32> {
    match cmd {
        ProgrammeCmd::Check { file } => {
            let source = read(file)?;
            match Programme::from_toml_str(&source) {
                Ok(p) => {
                    if cli.json {
                        crate::output::json(&serde_json::json!({
                            "ok": true, "id": p.id, "version": p.version, "issues": [],
                        }))?;
                    } else {
                        println!(
                            "{} {}: the file loads ({}; PMT at most {}; {} instalments a year; {} exclusion rules)",
                            p.id,
                            p.version,
                            p.name.0,
                            p.pmt_at_most,
                            p.instalments_per_year,
                            p.exclusions.len()
                        );
                    }
                    Ok(0)
                }
                Err(e) => {
                    if cli.json {
                        let issues: Vec<_> = e
                            .issues
                            .iter()
                            .map(|i| serde_json::json!({"line": i.line, "message": i.message}))
                            .collect();
                        crate::output::json(&serde_json::json!({"ok": false, "issues": issues}))?;
                    } else {
                        for i in &e.issues {
                            println!("{}:{}: {}", file.display(), i.line, i.message);
                        }
                    }
                    Ok(2)
                }
            }
        }
        ProgrammeCmd::List { who } => {
            let reg = open_db(rt, &who.db)?;
            let list = rt
                .block_on(async {
                    let user = reg.acting_user(&who.as_user).await?;
                    reg.programmes(&user).await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&list)?;
            } else {
                let mut t = crate::output::table(&[
                    "programme",
                    "version",
                    "name",
                    "PMT at most",
                    "a year",
                ]);
                for p in &list {
                    t.add_row(vec![
                        p.id.clone(),
                        p.version.clone(),
                        p.name_en.clone(),
                        p.pmt_at_most.to_string(),
                        p.instalments_per_year.to_string(),
                    ]);
                }
                println!("{t}");
            }
            Ok(0)
        }
        ProgrammeCmd::Load { who, file } => {
            let source = read(file)?;
            let reg = open_db(rt, &who.db)?;
            let out = rt
                .block_on(async {
                    let user = reg.acting_user(&who.as_user).await?;
                    reg.load_programme(&user, &source).await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&out)?;
            } else if out.loaded {
                println!("loaded programme {} version {}", out.id, out.version);
            } else {
                println!(
                    "programme {} version {} was already loaded; nothing changed",
                    out.id, out.version
                );
            }
            Ok(0)
        }
    }
}

/// Runs `registry eligibility ...` on `rt`.
pub fn eligibility(
    cli: &Cli,
    rt: &tokio::runtime::Runtime,
    cmd: &EligibilityCmd,
) -> anyhow::Result<i32> {
    let EligibilityCmd::Run { who } = cmd;
    let reg = open_db(rt, &who.db)?;
    let job = rt
        .block_on(async {
            let user = reg.acting_user(&who.as_user).await?;
            reg.run_eligibility(&user, progress(cli.json)).await
        })
        .map_err(to_anyhow)?;
    Ok(if job.state == "done" { 0 } else { 1 })
}

/// Runs `registry enrolment ...` on `rt`.
pub fn enrolment(
    cli: &Cli,
    rt: &tokio::runtime::Runtime,
    cmd: &EnrolmentCmd,
) -> anyhow::Result<i32> {
    match cmd {
        EnrolmentCmd::Run { who, programme } => {
            let reg = open_db(rt, &who.db)?;
            let job = rt
                .block_on(async {
                    let user = reg.acting_user(&who.as_user).await?;
                    reg.run_enrolment(&user, programme, progress(cli.json))
                        .await
                })
                .map_err(to_anyhow)?;
            Ok(if job.state == "done" { 0 } else { 1 })
        }
        EnrolmentCmd::Show { who, id } => {
            let reg = open_db(rt, &who.db)?;
            let shown = rt
                .block_on(async {
                    let user = reg.acting_user(&who.as_user).await?;
                    reg.enrolment_show(&user, id).await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&shown)?;
            } else {
                print_household(&shown);
            }
            Ok(0)
        }
        EnrolmentCmd::Set {
            who,
            id,
            programme,
            status,
            reason,
        } => {
            let status = EnrolmentStatus::parse(status).map_err(to_anyhow)?;
            let reg = open_db(rt, &who.db)?;
            let e = rt
                .block_on(async {
                    let user = reg.acting_user(&who.as_user).await?;
                    reg.set_enrolment(&user, id, programme, status, reason)
                        .await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&e)?;
            } else {
                println!("{id} is now {} in {}", e.status.as_str(), e.programme);
            }
            Ok(0)
        }
    }
}

fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn print_household(h: &HouseholdProgrammes) {
    println!("household {} ({})", h.reference, h.area);
    for e in &h.eligibility {
        println!(
            "  {}: {} - {}",
            e.programme,
            if e.eligible {
                "eligible"
            } else {
                "not eligible"
            },
            e.reasons
                .iter()
                .map(|r| r.en.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    for n in &h.enrolments {
        println!(
            "  {} {} since {}",
            n.programme,
            n.status.as_str(),
            when(n.since)
        );
        for c in &n.history {
            println!(
                "    {} {} -> {} by {}: {}",
                when(c.at),
                c.from.as_deref().unwrap_or("-"),
                c.to,
                c.by,
                c.reason
            );
        }
    }
}
