//! `shumari registry grievance list | show | file | note | resolve | escalate`: citizens' grievances
//! from the command line (the console calls the same service).
//!
//! Every command but `escalate` acts `--as` a user and sees what that user sees: a district
//! officer the grievances of their areas, a provincial monitor the escalated ones. `file` files on
//! a citizen's behalf (channel `console`, or `community` for a community organisation) for a
//! household (`--household`, id or reference) or, when the citizen was not found, an area;
//! `--received` is the amount a citizen says they received (`paid_less`), in rupees. `escalate`
//! escalates every grievance past its SLA to its province (`registry serve` does it on a timer);
//! `--at` reckons as of another time (RFC 3339). SMS go out through the `[sms]` gateway of the
//! settings file, if any.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use shumari_domain::money::Paisa;
use shumari_registry::service::{
    Category, GrievanceDetail, GrievanceFilter, GrievanceStatus, NewGrievance,
};

/// `registry grievance ...`.
#[derive(Debug, clap::Subcommand)]
pub enum GrievanceCmd {
    /// Lists the grievances in your areas (a provincial monitor: the escalated ones).
    List {
        #[command(flatten)]
        db: DbArgs,
        /// open, in_progress, escalated, resolved or closed.
        #[arg(long)]
        status: Option<String>,
        /// not_paid, paid_less, wrong_data, excluded_wrongly, agent_misconduct or other.
        #[arg(long)]
        category: Option<String>,
        /// Only those open past their due time.
        #[arg(long)]
        overdue: bool,
        /// Start after this tracking number (the previous page's last).
        #[arg(long)]
        after: Option<String>,
        /// At most this many (200 at most).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Act as this user (their areas only).
        #[arg(long = "as")]
        as_user: String,
    },
    /// Shows one grievance with its history.
    Show {
        #[command(flatten)]
        db: DbArgs,
        /// Tracking number.
        tracking: String,
        /// Act as this user.
        #[arg(long = "as")]
        as_user: String,
    },
    /// Files a grievance on a citizen's behalf.
    File {
        #[command(flatten)]
        db: DbArgs,
        /// The household it concerns (id or reference).
        #[arg(long, required_unless_present = "area")]
        household: Option<String>,
        /// The area, when the citizen's household was not found.
        #[arg(long)]
        area: Option<String>,
        /// not_paid, paid_less, wrong_data, excluded_wrongly, agent_misconduct or other.
        #[arg(long)]
        category: String,
        /// console, or community for a community organisation.
        #[arg(long, default_value = "console")]
        channel: String,
        /// The citizen's words.
        #[arg(long)]
        text: String,
        /// The citizen's phone number (notices go to it).
        #[arg(long)]
        phone: String,
        /// The payment reference it concerns.
        #[arg(long)]
        payment: Option<String>,
        /// For paid_less: what the citizen received, in rupees (e.g. 9,000).
        #[arg(long)]
        received: Option<String>,
        /// The filing user's id.
        #[arg(long = "as")]
        as_user: String,
    },
    /// Adds a note (an open grievance moves to in progress).
    Note {
        #[command(flatten)]
        db: DbArgs,
        /// Tracking number.
        tracking: String,
        /// The note.
        #[arg(long)]
        text: String,
        /// A district officer or provincial monitor.
        #[arg(long = "as")]
        as_user: String,
    },
    /// Resolves a grievance; the citizen reads the resolution.
    Resolve {
        #[command(flatten)]
        db: DbArgs,
        /// Tracking number.
        tracking: String,
        /// What was done, in words for the citizen.
        #[arg(long)]
        resolution: String,
        /// A district officer or provincial monitor.
        #[arg(long = "as")]
        as_user: String,
    },
    /// Escalates every grievance past its SLA to its province.
    Escalate {
        #[command(flatten)]
        db: DbArgs,
        /// Reckon as of this time (RFC 3339) instead of now.
        #[arg(long)]
        at: Option<String>,
    },
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn print_detail(d: &GrievanceDetail) {
    let g = &d.grievance;
    println!(
        "{}  {}  {}",
        g.tracking,
        g.category.as_str(),
        g.status.as_str()
    );
    println!(
        "district {}  area {}  channel {}",
        g.district,
        g.area,
        g.channel.as_str()
    );
    println!(
        "filed {}  due {}{}",
        g.filed_at.format("%Y-%m-%d %H:%M"),
        g.due_at.format("%Y-%m-%d %H:%M"),
        if g.overdue { "  OVERDUE" } else { "" }
    );
    if let Some(h) = g.household {
        println!("household {h}");
    }
    if let Some(p) = &g.payment_reference {
        println!("payment {p}");
    }
    if let Some(a) = g.reported_amount {
        println!("received {a}");
    }
    println!("phone {}", g.phone);
    println!("citizen: {}", g.text);
    if let Some(r) = &g.resolution {
        println!("resolution: {r}");
    }
    let mut t = crate::output::table(&["at", "what", "by", "text"]);
    for e in &d.history {
        t.add_row(vec![
            e.at.format("%Y-%m-%d %H:%M").to_string(),
            e.kind.clone(),
            e.by.clone(),
            e.text.clone(),
        ]);
    }
    println!("{t}");
}

/// Runs a grievance subcommand on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &GrievanceCmd) -> anyhow::Result<i32> {
    match cmd {
        GrievanceCmd::List {
            db,
            status,
            category,
            overdue,
            after,
            limit,
            as_user,
        } => {
            let filter = GrievanceFilter {
                status: status
                    .as_deref()
                    .map(GrievanceStatus::parse)
                    .transpose()
                    .map_err(to_anyhow)?,
                category: category
                    .as_deref()
                    .map(Category::parse)
                    .transpose()
                    .map_err(to_anyhow)?,
                overdue: *overdue,
                after: after.clone(),
                limit: *limit,
            };
            let reg = open_db(rt, db)?;
            let page = rt
                .block_on(async {
                    let user = reg.acting_user(as_user).await?;
                    reg.grievance_list(&user, &filter, now()).await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&page)?;
            } else {
                let mut t = crate::output::table(&[
                    "tracking", "category", "status", "area", "filed", "due",
                ]);
                for g in &page.grievances {
                    t.add_row(vec![
                        g.tracking.clone(),
                        g.category.as_str().to_string(),
                        g.status.as_str().to_string(),
                        g.area.clone(),
                        g.filed_at.format("%Y-%m-%d").to_string(),
                        format!(
                            "{}{}",
                            g.due_at.format("%Y-%m-%d"),
                            if g.overdue { " OVERDUE" } else { "" }
                        ),
                    ]);
                }
                println!("{t}");
                println!("{} grievance(s)", page.grievances.len());
                if let Some(n) = &page.next {
                    println!("more: --after {n}");
                }
            }
            Ok(0)
        }
        GrievanceCmd::Show {
            db,
            tracking,
            as_user,
        } => {
            let reg = open_db(rt, db)?;
            let d = rt
                .block_on(async {
                    let user = reg.acting_user(as_user).await?;
                    reg.grievance_show(&user, tracking, now()).await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&d)?;
            } else {
                print_detail(&d);
            }
            Ok(0)
        }
        GrievanceCmd::File {
            db,
            household,
            area,
            category,
            channel,
            text,
            phone,
            payment,
            received,
            as_user,
        } => {
            let reported_amount = received
                .as_deref()
                .map(Paisa::parse_rupees)
                .transpose()
                .map_err(|e| crate::exit::bad(e.to_string()))?;
            let new = NewGrievance {
                household: household.clone(),
                area: area.clone(),
                category: category.clone(),
                channel: channel.clone(),
                text: text.clone(),
                phone: phone.clone(),
                payment_reference: payment.clone(),
                reported_amount,
            };
            let reg = open_db(rt, db)?;
            let g = rt
                .block_on(async {
                    let user = reg.acting_user(as_user).await?;
                    reg.file_grievance(&user, new, now()).await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&g)?;
            } else {
                println!(
                    "grievance {} filed with the district office {}; due {}",
                    g.tracking,
                    g.district,
                    g.due_at.format("%Y-%m-%d")
                );
            }
            Ok(0)
        }
        GrievanceCmd::Note {
            db,
            tracking,
            text,
            as_user,
        } => {
            let reg = open_db(rt, db)?;
            let d = rt
                .block_on(async {
                    let user = reg.acting_user(as_user).await?;
                    reg.grievance_note(&user, tracking, text, now()).await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&d)?;
            } else {
                println!(
                    "note added to {}; it is {}",
                    d.grievance.tracking,
                    d.grievance.status.as_str()
                );
            }
            Ok(0)
        }
        GrievanceCmd::Resolve {
            db,
            tracking,
            resolution,
            as_user,
        } => {
            let reg = open_db(rt, db)?;
            let d = rt
                .block_on(async {
                    let user = reg.acting_user(as_user).await?;
                    reg.grievance_resolve(&user, tracking, resolution, now())
                        .await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&d)?;
            } else {
                println!("grievance {} is resolved", d.grievance.tracking);
            }
            Ok(0)
        }
        GrievanceCmd::Escalate { db, at } => {
            let at = match at {
                Some(t) => chrono::DateTime::parse_from_rfc3339(t)
                    .map_err(|e| crate::exit::bad(format!("--at {t}: {e}")))?
                    .timestamp_millis(),
                None => now(),
            };
            let reg = open_db(rt, db)?;
            let done = rt.block_on(reg.escalate_overdue(at)).map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&serde_json::json!({ "escalated": done }))?;
            } else {
                for t in &done {
                    println!("{t}");
                }
                println!("{} grievance(s) escalated to their province", done.len());
            }
            Ok(0)
        }
    }
}

/// What `registry serve` runs beside the server: every `escalate_every_minutes` (the
/// `[grievances]` settings), the grievances past their SLA are escalated. With several registries
/// on one database each escalates what it finds first; none is escalated twice.
pub(crate) fn spawn_escalation(
    reg: std::sync::Arc<shumari_registry::Registry<shumari_registry::AnyStorage>>,
) -> tokio::task::JoinHandle<()> {
    let minutes = reg.config().grievances.escalate_every_minutes.max(1);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(minutes * 60));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            match reg.escalate_overdue(now()).await {
                Ok(done) if !done.is_empty() => {
                    tracing::info!(count = done.len(), "grievances past their SLA escalated");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "escalating overdue grievances failed"),
            }
        }
    })
}
