//! `shumari registry payments cycle create | list | show | approve | export | import | reconcile` and
//! `registry payments household`: payment cycles from the command line (the registry's
//! `service/payments.rs` and `payment_results.rs` do the work; the console calls the same service).
//!
//! Every command acts as a named user (`--as USER`), whose role and areas the registry checks: a
//! finance officer approves a cycle someone else prepared and exports its lists, a programme officer
//! imports the bank's results, and anyone who reads payments lists, shows and reconciles.
//! `export CYCLE --out DIR` writes each district's list the user may release as
//! `DIR/<cycle>-<district>.csv` with `<...>.csv.manifest.json` beside it (owner-only files: they
//! hold names and CNICs); `import FILE` applies the bank's result file whole or not at all (a bad
//! line refuses the file, naming its line: exit status 2); `reconcile CYCLE` prints the report per
//! district, or writes it as CSV with `--csv FILE`. Amounts print in rupees; `--json` gives them in
//! paisa.

use crate::cli::Cli;
use crate::identity_cmd::{manifest_path, write_private};
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use anyhow::Context;
use shumari_registry::service::{write_reconciliation, Cycle, CycleState};
use shumari_registry::RegistryError;
use std::path::PathBuf;

/// `registry payments ...`.
#[derive(Debug, clap::Subcommand)]
pub enum PaymentsCmd {
    /// Payment cycles: list, show, approve, export for the bank, import its results, reconcile.
    #[command(subcommand)]
    Cycle(CycleCmd),
    /// A household's payments in every programme and cycle.
    Household {
        #[command(flatten)]
        who: Who,
        /// The household's id or reference number.
        household: String,
    },
}

/// The database and the acting user.
#[derive(Debug, clap::Args)]
pub struct Who {
    #[command(flatten)]
    db: DbArgs,
    /// The acting user's id.
    #[arg(long = "as")]
    as_user: String,
}

/// `registry payments cycle ...`.
#[derive(Debug, clap::Subcommand)]
pub enum CycleCmd {
    /// Prepares a programme's cycle for a period: what each household enrolled under the area is
    /// owed by the programme's rules (a programme officer; a finance officer approves it).
    Create {
        #[command(flatten)]
        who: Who,
        /// The programme id (`registry programme list`).
        #[arg(long)]
        programme: String,
        /// The period, named as the programme's schedule names them (e.g. 2026-Q4).
        #[arg(long)]
        period: String,
        /// The area whose enrolled households are paid (within your areas).
        #[arg(long)]
        area: String,
    },
    /// Lists the payment cycles, newest first.
    List {
        #[command(flatten)]
        who: Who,
    },
    /// Shows one cycle and the districts it pays into.
    Show {
        #[command(flatten)]
        who: Who,
        /// The cycle id.
        cycle: String,
    },
    /// Approves a prepared cycle (a finance officer who did not prepare it).
    Approve {
        #[command(flatten)]
        who: Who,
        /// The cycle id.
        cycle: String,
    },
    /// Writes an approved cycle's lists for the bank, one CSV and manifest per district.
    Export {
        #[command(flatten)]
        who: Who,
        /// The cycle id.
        cycle: String,
        /// The directory to write into.
        #[arg(long)]
        out: PathBuf,
        /// Only this district (default: every district of the cycle in your areas).
        #[arg(long)]
        district: Option<String>,
    },
    /// Applies the bank's result file (reference,cnic,status,amount_paid,date,agent_id,reason).
    Import {
        #[command(flatten)]
        who: Who,
        /// The result file.
        file: PathBuf,
    },
    /// The reconciliation report: planned, paid, failed by reason and unclaimed per district.
    Reconcile {
        #[command(flatten)]
        who: Who,
        /// The cycle id.
        cycle: String,
        /// Only this district.
        #[arg(long)]
        district: Option<String>,
        /// Write the report as CSV to this file instead of printing it.
        #[arg(long)]
        csv: Option<PathBuf>,
    },
}

fn print_cycles(cycles: &[Cycle]) {
    let mut t = crate::output::table(&[
        "cycle",
        "programme",
        "period",
        "state",
        "payments",
        "total",
        "prepared by",
        "approved by",
    ]);
    for c in cycles {
        t.add_row(vec![
            c.id.clone(),
            c.programme_id.clone(),
            c.period.clone(),
            match c.state {
                CycleState::Prepared => "prepared".into(),
                CycleState::Approved => "approved".into(),
            },
            c.payments.to_string(),
            c.total.to_string(),
            c.prepared_by.clone(),
            c.approved_by.clone().unwrap_or_default(),
        ]);
    }
    println!("{t}");
}

/// Runs a payments subcommand on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &PaymentsCmd) -> anyhow::Result<i32> {
    let who = match cmd {
        PaymentsCmd::Household { who, .. } => who,
        PaymentsCmd::Cycle(
            CycleCmd::List { who }
            | CycleCmd::Create { who, .. }
            | CycleCmd::Show { who, .. }
            | CycleCmd::Approve { who, .. }
            | CycleCmd::Export { who, .. }
            | CycleCmd::Import { who, .. }
            | CycleCmd::Reconcile { who, .. },
        ) => who,
    };
    // A file to import is read before the database is opened: a missing file is the user's error.
    let import = match cmd {
        PaymentsCmd::Cycle(CycleCmd::Import { file, .. }) => Some(
            std::fs::read(file)
                .with_context(|| format!("cannot read {}", file.display()))
                .map_err(|e| crate::exit::bad(format!("{e:#}")))?,
        ),
        _ => None,
    };
    let reg = open_db(rt, &who.db)?;
    let user = rt
        .block_on(reg.acting_user(&who.as_user))
        .map_err(to_anyhow)?;
    match cmd {
        PaymentsCmd::Household { household, .. } => {
            let rows = rt
                .block_on(reg.household_payments(&user, household))
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&rows)?;
            } else {
                let mut t = crate::output::table(&[
                    "payment",
                    "programme",
                    "period",
                    "status",
                    "planned",
                    "paid",
                    "date",
                    "reason",
                ]);
                for p in &rows {
                    t.add_row(vec![
                        p.payment_reference.clone(),
                        p.programme_id.clone(),
                        p.period.clone(),
                        p.status.clone(),
                        p.planned.to_string(),
                        p.paid.map(|a| a.to_string()).unwrap_or_default(),
                        p.paid_on.clone().unwrap_or_default(),
                        p.failure_reason.clone().unwrap_or_default(),
                    ]);
                }
                println!("{t}");
            }
        }
        PaymentsCmd::Cycle(CycleCmd::Create {
            programme,
            period,
            area,
            ..
        }) => {
            let c = rt
                .block_on(reg.prepare_cycle(&user, programme, period, area))
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&c)?;
            } else {
                print_cycles(std::slice::from_ref(&c));
                println!("districts: {}", c.districts.join(", "));
            }
        }
        PaymentsCmd::Cycle(CycleCmd::List { .. }) => {
            let cycles = rt.block_on(reg.cycles(&user)).map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&cycles)?;
            } else {
                print_cycles(&cycles);
            }
        }
        PaymentsCmd::Cycle(CycleCmd::Show { cycle, .. } | CycleCmd::Approve { cycle, .. }) => {
            let c = match cmd {
                PaymentsCmd::Cycle(CycleCmd::Approve { .. }) => {
                    rt.block_on(reg.approve_cycle(&user, cycle))
                }
                _ => rt.block_on(reg.cycle_show(&user, cycle)),
            }
            .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&c)?;
            } else {
                print_cycles(std::slice::from_ref(&c));
                println!("districts: {}", c.districts.join(", "));
            }
        }
        PaymentsCmd::Cycle(CycleCmd::Export {
            cycle,
            out,
            district,
            ..
        }) => {
            let districts = match district {
                Some(d) => vec![d.clone()],
                None => {
                    rt.block_on(reg.cycle_show(&user, cycle))
                        .map_err(to_anyhow)?
                        .districts
                }
            };
            std::fs::create_dir_all(out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            let mut written = Vec::new();
            let mut refused = None;
            for d in &districts {
                match rt.block_on(reg.export_cycle(&user, cycle, d)) {
                    Ok(export) => {
                        let path = out.join(format!("{cycle}-{d}.csv"));
                        let mpath = manifest_path(&path);
                        write_private(&path, &export.csv)?;
                        write_private(&mpath, &serde_json::to_vec_pretty(&export.manifest)?)?;
                        if !cli.json {
                            println!(
                                "{d}: {} payment(s), {} written to {} (manifest {})",
                                export.manifest.rows,
                                shumari_domain::money::Paisa(export.manifest.total_paisa),
                                path.display(),
                                mpath.display()
                            );
                        }
                        written.push(export.manifest);
                    }
                    // Without --district, the districts outside the user's areas are skipped.
                    Err(RegistryError::Forbidden(m)) if district.is_none() => {
                        refused.get_or_insert(RegistryError::Forbidden(m));
                    }
                    Err(e) => return Err(to_anyhow(e)),
                }
            }
            if written.is_empty() {
                if let Some(e) = refused {
                    return Err(to_anyhow(e));
                }
            }
            if cli.json {
                crate::output::json(&written)?;
            }
        }
        PaymentsCmd::Cycle(CycleCmd::Import { .. }) => {
            let bytes = import.unwrap_or_default();
            let report = rt
                .block_on(reg.import_bank_file(&user, &bytes))
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&report)?;
            } else if report.already_imported {
                println!("this file was imported before; nothing changed");
            } else {
                println!(
                    "cycle {}: {} row(s): {} paid, {} failed, {} already recorded",
                    report.cycle, report.rows, report.paid, report.failed, report.unchanged
                );
            }
        }
        PaymentsCmd::Cycle(CycleCmd::Reconcile {
            cycle,
            district,
            csv,
            ..
        }) => {
            let report = rt
                .block_on(reg.reconcile_with_reports(&user, cycle, district.as_deref()))
                .map_err(to_anyhow)?;
            if let Some(path) = csv {
                write_private(path, &write_reconciliation(&report))?;
                if !cli.json {
                    println!("reconciliation of {cycle} written to {}", path.display());
                }
            }
            if cli.json {
                crate::output::json(&report)?;
            } else if csv.is_none() {
                let mut t = crate::output::table(&[
                    "district",
                    "planned",
                    "paid",
                    "failed",
                    "unclaimed",
                    "failed by reason",
                ]);
                for d in &report.districts {
                    let fig = |n: u64, a: shumari_domain::money::Paisa| format!("{n} ({a})");
                    t.add_row(vec![
                        d.district.clone(),
                        fig(d.planned_count, d.planned_amount),
                        fig(d.paid_count, d.paid_amount),
                        fig(d.failed_count, d.failed_amount),
                        fig(d.unclaimed_count, d.unclaimed_amount),
                        d.failed_by_reason
                            .iter()
                            .map(|f| format!("{}: {}", f.reason, f.count))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]);
                }
                println!("{} {} ({cycle})\n{t}", report.programme_id, report.period);
                for s in &report.shortfalls {
                    println!(
                        "reported short: {} ({}) {} of {}",
                        s.payment_reference, s.grievance, s.reported, s.planned
                    );
                }
            }
        }
    }
    Ok(0)
}
