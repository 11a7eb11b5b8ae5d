//! Assignments from the command line: `shumari registry assign area|household|withdraw` and
//! `shumari registry assignments` at the registry (as the user `--as` names, their role and areas
//! checked by the registry's service, as in the console), and `shumari household assignments` on a
//! device (what the registry last sent with a sync, with progress counted from the device's own
//! households).

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use shumari_domain::assignment::Work;
use shumari_registry::service::{AssignWhat, Overview};

/// `registry assign ...`.
#[derive(Debug, clap::Subcommand)]
pub enum AssignCmd {
    /// Assigns an area (a tehsil, union council or village code, everything under it included).
    Area {
        #[command(flatten)]
        who: Assigner,
        /// The area's code.
        code: String,
        /// The surveyor's user id.
        #[arg(long = "to")]
        to: String,
        /// How many households are expected (otherwise: as many as the area holds).
        #[arg(long)]
        target: Option<u32>,
    },
    /// Assigns one household (a re-visit) by id or reference number.
    Household {
        #[command(flatten)]
        who: Assigner,
        /// Household id or reference number.
        id: String,
        /// The surveyor's user id.
        #[arg(long = "to")]
        to: String,
    },
    /// Withdraws an assignment; the tablet drops it at its next sync.
    Withdraw {
        #[command(flatten)]
        who: Assigner,
        /// The assignment's id.
        assignment: String,
    },
}

/// Who assigns.
#[derive(Debug, Clone, clap::Args)]
pub struct Assigner {
    #[command(flatten)]
    db: DbArgs,
    /// The assigning user's id (a supervisor or district officer).
    #[arg(long = "as")]
    as_user: String,
}

/// `registry assignments`: the assignments in the user's areas with progress, coverage per
/// surveyor and the unassigned areas.
#[derive(Debug, Clone, clap::Args)]
pub struct AssignmentsArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The reading user's id (their areas only).
    #[arg(long = "as")]
    as_user: String,
    /// Only this surveyor's assignments.
    #[arg(long)]
    user: Option<String>,
}

/// Runs `registry assign ...` on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &AssignCmd) -> anyhow::Result<i32> {
    let (who, to, what) = match cmd {
        AssignCmd::Area {
            who,
            code,
            to,
            target,
        } => (
            who,
            to,
            AssignWhat::Area {
                code: code.clone(),
                target: *target,
            },
        ),
        AssignCmd::Household { who, id, to } => (who, to, AssignWhat::Household(id.clone())),
        AssignCmd::Withdraw { who, assignment } => {
            let reg = open_db(rt, &who.db)?;
            rt.block_on(async {
                let user = reg.acting_user(&who.as_user).await?;
                reg.withdraw_assignment(&user, assignment).await
            })
            .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&serde_json::json!({"withdrawn": assignment}))?;
            } else {
                println!("assignment {assignment} withdrawn; the tablet drops it at its next sync");
            }
            return Ok(0);
        }
    };
    let reg = open_db(rt, &who.db)?;
    let made = rt
        .block_on(async {
            let user = reg.acting_user(&who.as_user).await?;
            reg.assign(&user, to, what).await
        })
        .map_err(to_anyhow)?;
    if cli.json {
        crate::output::json(&made)?;
    } else {
        println!(
            "assigned {} to {} (assignment {}); the tablet receives it on its next sync",
            describe(&made.work),
            made.surveyor,
            made.id
        );
    }
    Ok(0)
}

/// Runs `registry assignments` on `rt`.
pub fn list(
    cli: &Cli,
    rt: &tokio::runtime::Runtime,
    args: &AssignmentsArgs,
) -> anyhow::Result<i32> {
    let reg = open_db(rt, &args.db)?;
    let overview = rt
        .block_on(async {
            let user = reg.acting_user(&args.as_user).await?;
            reg.assignment_overview(&user, args.user.as_deref()).await
        })
        .map_err(to_anyhow)?;
    if cli.json {
        crate::output::json(&overview)?;
    } else {
        print_overview(&overview);
    }
    Ok(0)
}

fn describe(w: &Work) -> String {
    match w {
        Work::Area {
            code,
            target: Some(t),
        } => format!("area {code} (target {t})"),
        Work::Area { code, target: None } => format!("area {code}"),
        Work::Household { reference, .. } => format!("household {reference}"),
    }
}

fn print_overview(o: &Overview) {
    println!(
        "{:<38} {:<24} {:<32} {:>11}",
        "ASSIGNMENT", "SURVEYOR", "WORK", "DONE/TOTAL"
    );
    for a in &o.assignments {
        println!(
            "{:<38} {:<24} {:<32} {:>11}",
            a.assignment.id,
            a.surveyor_name,
            describe(&a.assignment.work),
            format!("{}/{}", a.progress.done, a.progress.total)
        );
    }
    println!();
    println!("{:<24} {:>11} {:>11}", "SURVEYOR", "ASSIGNED", "DONE/TOTAL");
    for c in &o.coverage {
        println!(
            "{:<24} {:>11} {:>11}",
            c.name,
            c.assignments,
            format!("{}/{}", c.progress.done, c.progress.total)
        );
    }
    println!();
    println!(
        "unassigned: {} households in {} areas",
        o.unassigned_households,
        o.unassigned.len()
    );
    for u in &o.unassigned {
        println!(
            "  {:<24} {:>6} households, {} done",
            u.area, u.households, u.done
        );
    }
    if o.left_off > 0 {
        println!(
            "({} lists were cut at {} rows)",
            o.left_off,
            shumari_registry::service::MAX_LISTED
        );
    }
}

/// `shumari household assignments`: this device's assignments with progress.
pub fn device(cli: &Cli) -> anyhow::Result<i32> {
    let rows = crate::pin::open_app(cli)?.assignments()?;
    if cli.json {
        crate::output::json(&rows)?;
        return Ok(0);
    }
    if rows.is_empty() {
        println!("No assignments (they arrive with a sync).");
    }
    for a in rows {
        let what = match (&a.reference, a.target) {
            (Some(r), _) => format!("household {r} in {}", a.area),
            (None, Some(t)) => format!("area {} (target {t})", a.area),
            (None, None) => format!("area {}", a.area),
        };
        println!(
            "{:<40} {:>5}/{:<5} by {}",
            what, a.done, a.total, a.assigned_by
        );
    }
    Ok(0)
}
