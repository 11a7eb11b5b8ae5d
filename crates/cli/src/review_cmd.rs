//! `shumari registry review list | approve | return | reject`: the review queue and a reviewer's
//! decisions from the command line, for scripting (the console calls the same service).
//!
//! A decision is made as a named user (`--as USER_ID`): the registry checks that user's role (a
//! supervisor or district officer reviews) and areas, and that the household's status allows the
//! decision (only a submitted household is approved, returned or rejected). The decision is
//! written into the household's document and reaches the surveyor's tablet on its next sync; it is
//! recorded in the access audit trail. `list` without `--as` lists every household, as the
//! registry's operator.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use shumari_domain::review::Decision;
use shumari_domain::Status;
use shumari_registry::ReviewRequest;

/// `registry review ...`.
#[derive(Debug, clap::Subcommand)]
pub enum ReviewCmd {
    /// Lists the households waiting for review (or in another status).
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Status to list: draft, complete, submitted, returned, approved, rejected.
        #[arg(long, default_value = "submitted")]
        status: String,
        /// Only this area (and what is under it).
        #[arg(long)]
        area: Option<String>,
        /// Act as this user (their areas only).
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Approves a submitted household.
    Approve {
        #[command(flatten)]
        who: Decider,
        /// An optional comment.
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Returns a household to its surveyor to correct.
    Return {
        #[command(flatten)]
        who: Decider,
        /// Why (shown on the tablet).
        #[arg(long)]
        comment: String,
        /// A question (field name) to correct; repeat for several.
        #[arg(long = "question")]
        questions: Vec<String>,
    },
    /// Rejects a submitted household (final).
    Reject {
        #[command(flatten)]
        who: Decider,
        /// Why.
        #[arg(long)]
        comment: String,
        /// A question (field name) concerned; repeat for several.
        #[arg(long = "question")]
        questions: Vec<String>,
    },
}

/// Who decides on which household.
#[derive(Debug, Clone, clap::Args)]
pub struct Decider {
    #[command(flatten)]
    db: DbArgs,
    /// The reviewing user's id (a supervisor or district officer).
    #[arg(long = "as")]
    as_user: String,
    /// Household id or reference number.
    id: String,
}

/// Runs a review subcommand on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &ReviewCmd) -> anyhow::Result<i32> {
    let (who, decision, comment, questions) = match cmd {
        ReviewCmd::List {
            db,
            status,
            area,
            as_user,
        } => return list(cli, rt, db, status, area.as_deref(), as_user.as_deref()),
        ReviewCmd::Approve { who, comment } => (who, Decision::Approved, comment, &Vec::new()),
        ReviewCmd::Return {
            who,
            comment,
            questions,
        } => (who, Decision::Returned, comment, questions),
        ReviewCmd::Reject {
            who,
            comment,
            questions,
        } => (who, Decision::Rejected, comment, questions),
    };
    let reg = open_db(rt, &who.db)?;
    let done = rt
        .block_on(async {
            let user = reg.acting_user(&who.as_user).await?;
            let req = ReviewRequest {
                decision,
                comment: comment.clone(),
                questions: questions.clone(),
            };
            reg.review(&user, &who.id, req).await
        })
        .map_err(to_anyhow)?;
    if cli.json {
        crate::output::json(&done)?;
    } else {
        println!(
            "household {} is {} by {}; the tablets receive the decision on their next sync",
            done.reference,
            done.status.as_str(),
            done.review.by_name
        );
    }
    Ok(0)
}

fn list(
    cli: &Cli,
    rt: &tokio::runtime::Runtime,
    db: &DbArgs,
    status: &str,
    area: Option<&str>,
    as_user: Option<&str>,
) -> anyhow::Result<i32> {
    let status = Status::parse(status).map_err(|e| crate::exit::bad(e.to_string()))?;
    let reg = open_db(rt, db)?;
    let rows = rt
        .block_on(async {
            let user = match as_user {
                Some(id) => Some(reg.acting_user(id).await?),
                None => None,
            };
            reg.review_list(user.as_ref(), status, area).await
        })
        .map_err(to_anyhow)?;
    if cli.json {
        crate::output::json(&rows)?;
    } else {
        crate::output::households(&rows);
    }
    Ok(0)
}
