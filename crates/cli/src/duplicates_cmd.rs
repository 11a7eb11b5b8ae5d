//! `shumari registry duplicates list | resolve | scan | possible | dismiss-possible`: the duplicates
//! queue from the command line (the console calls the same service).
//!
//! A case is one CNIC/B-form number carried by members of several households. `resolve CASE --as
//! USER` closes it as that user (a supervisor or district officer over every household of the case):
//! `--keep HOUSEHOLD` keeps the member there and removes it from the other households (the removal
//! reaches the tablets on their next sync), `--data-error` records that the number was written
//! wrongly, `--dismiss` that it is no duplicate. `scan` looks for shared numbers over the whole
//! registry (pushes are checked as they arrive). `possible --area` lists households whose heads'
//! names match after normalisation and that share a phone number, the head's father's or husband's
//! name, or a GPS point within 50 m, with the names' similarity; `dismiss-possible A B` sets a pair
//! aside.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use shumari_registry::service::{CaseState, DuplicateCase, PossibleDuplicate, Resolution};

/// `registry duplicates ...`.
#[derive(Debug, clap::Subcommand)]
pub enum DuplicatesCmd {
    /// Lists the cases (open ones unless --state says otherwise).
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only cases with a household in this area (and what is under it).
        #[arg(long)]
        area: Option<String>,
        /// open, resolved, data_error, dismissed or all.
        #[arg(long, default_value = "open")]
        state: String,
        /// Act as this user (their areas only).
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Closes a case.
    Resolve {
        #[command(flatten)]
        db: DbArgs,
        /// Case id.
        case: String,
        /// Keep the member in this household (id or reference); remove it from the others.
        #[arg(long, required_unless_present_any = ["data_error", "dismiss"], conflicts_with_all = ["data_error", "dismiss"])]
        keep: Option<String>,
        /// The number was recorded wrongly: nothing is removed.
        #[arg(long, conflicts_with = "dismiss")]
        data_error: bool,
        /// Not a duplicate.
        #[arg(long)]
        dismiss: bool,
        /// A note kept with the case.
        #[arg(long, default_value = "")]
        note: String,
        /// The resolving user's id (a supervisor or district officer).
        #[arg(long = "as")]
        as_user: String,
    },
    /// Looks for shared ID numbers over the whole registry and opens cases.
    Scan {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Lists possible duplicates in an area: heads' names alike and another attribute shared.
    Possible {
        #[command(flatten)]
        db: DbArgs,
        /// The area (and what is under it).
        #[arg(long)]
        area: String,
        /// Act as this user (their areas only).
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Sets a possible-duplicate pair aside as two different households.
    DismissPossible {
        #[command(flatten)]
        db: DbArgs,
        /// One household (id or reference).
        a: String,
        /// The other.
        b: String,
        /// A note.
        #[arg(long, default_value = "")]
        note: String,
        /// The dismissing user's id (a supervisor or district officer).
        #[arg(long = "as")]
        as_user: String,
    },
}

fn print_possible(pairs: &[PossibleDuplicate]) {
    let mut t = crate::output::table(&["household", "head", "household", "head", "names", "also"]);
    for p in pairs {
        let [a, b] = &p.households;
        t.add_row(vec![
            a.reference.clone(),
            a.head_name.clone().unwrap_or_default(),
            b.reference.clone(),
            b.head_name.clone().unwrap_or_default(),
            format!("{:.2}", p.name_similarity),
            p.also.join(", "),
        ]);
    }
    println!("{t}");
    println!("{} possible duplicate(s)", pairs.len());
}

fn print_cases(cases: &[DuplicateCase]) {
    let mut t = crate::output::table(&["case", "CNIC/B-form", "district", "state", "households"]);
    for c in cases {
        let households: Vec<String> = c
            .households
            .iter()
            .map(|h| match &h.household {
                Some(r) => format!(
                    "{} ({})",
                    r.reference,
                    r.head_name.as_deref().unwrap_or("no head")
                ),
                None => format!("{} (outside your areas)", h.id),
            })
            .collect();
        t.add_row(vec![
            c.id.clone(),
            c.id_number.clone(),
            c.area.clone(),
            c.state.as_str().to_string(),
            households.join("\n"),
        ]);
    }
    println!("{t}");
    println!("{} case(s)", cases.len());
}

/// Runs a duplicates subcommand on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &DuplicatesCmd) -> anyhow::Result<i32> {
    match cmd {
        DuplicatesCmd::List {
            db,
            area,
            state,
            as_user,
        } => {
            let state = match state.as_str() {
                "all" => None,
                s => Some(CaseState::parse(s).map_err(to_anyhow)?),
            };
            let reg = open_db(rt, db)?;
            let cases = rt
                .block_on(async {
                    let user = match as_user {
                        Some(id) => Some(reg.acting_user(id).await?),
                        None => None,
                    };
                    reg.duplicates_list(user.as_ref(), area.as_deref(), state)
                        .await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&cases)?;
            } else {
                print_cases(&cases);
            }
            Ok(0)
        }
        DuplicatesCmd::Resolve {
            db,
            case,
            keep,
            data_error,
            dismiss,
            note,
            as_user,
        } => {
            let note = note.clone();
            let resolution = match (keep, data_error, dismiss) {
                (Some(h), _, _) => Resolution::Keep {
                    household: h.clone(),
                    note,
                },
                (None, true, _) => Resolution::DataError { note },
                _ => Resolution::Dismiss { note },
            };
            let reg = open_db(rt, db)?;
            let done = rt
                .block_on(async {
                    let user = reg.acting_user(as_user).await?;
                    reg.resolve_duplicate(&user, case, resolution).await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&done)?;
            } else {
                println!(
                    "case {} is {}{}",
                    done.id,
                    done.state.as_str(),
                    if done.kept.is_some() {
                        "; the tablets receive the removal on their next sync"
                    } else {
                        ""
                    }
                );
            }
            Ok(0)
        }
        DuplicatesCmd::Possible { db, area, as_user } => {
            let reg = open_db(rt, db)?;
            let pairs = rt
                .block_on(async {
                    let user = match as_user {
                        Some(id) => Some(reg.acting_user(id).await?),
                        None => None,
                    };
                    reg.possible_duplicates(user.as_ref(), area).await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&pairs)?;
            } else {
                print_possible(&pairs);
            }
            Ok(0)
        }
        DuplicatesCmd::DismissPossible {
            db,
            a,
            b,
            note,
            as_user,
        } => {
            let reg = open_db(rt, db)?;
            rt.block_on(async {
                let user = reg.acting_user(as_user).await?;
                reg.dismiss_possible_duplicate(&user, a, b, note).await
            })
            .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&serde_json::json!({ "dismissed": [a, b] }))?;
            } else {
                println!("{a} and {b} are set aside as different households");
            }
            Ok(0)
        }
        DuplicatesCmd::Scan { db } => {
            let reg = open_db(rt, db)?;
            let n = rt.block_on(reg.scan_duplicates()).map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&serde_json::json!({ "cases": n }))?;
            } else {
                println!("{n} case(s) opened or extended");
            }
            Ok(0)
        }
    }
}
