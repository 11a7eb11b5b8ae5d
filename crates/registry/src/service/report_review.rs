//! Review of the reports filled with published forms (`submissions.rs`): a reviewer approves,
//! returns with a note or rejects each report; the decision goes back to the device that sent it.
//!
//! - **Who and where**: the roles that review households (the role table's review steps, asked
//!   through [`Decision::may_decide`] with the report's status as a household status), within
//!   their areas ([`crate::scope`]); a report outside them is "not found", as a household is. Every
//!   decision, and every attempt outside the reviewer's areas, is on the access trail before it is
//!   made (`form.report_review`).
//! - **Steps**: a `submitted` report is approved, returned or rejected; an approved one can be
//!   returned (the household workflow's steps). A returned report is corrected on the tablet as a
//!   new report that names it (`submissions.rs`'s [`super::submissions::REPLACES_KEY`]); it then
//!   reads `replaced` and takes no decision.
//! - **History**: each decision is kept (who, when, the note) beside the report, and the report's
//!   status moves with a compare-and-set, so two reviewers deciding at once never both succeed.
//! - **Back to the device** ([`Registry::decisions_for_device`]): the decisions on a device's
//!   reports ride on the page that ends its feed, those numbered after the last one the device
//!   names in its pull (`PullRequest::reviews_after`). The device names a number only once it has
//!   stored the decisions up to it, so a page lost on the way is sent again by the next pull.

use super::access_audit::{actor_of, AccessAction};
use super::submissions::{submission_of, Submission};
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::forms::DecisionRow;
use crate::storage::{Storage, User};
use serde::Serialize;
use shumari_domain::review::Decision;
use shumari_domain::Status;
use shumari_proto::message::ReportReview;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Decisions one pull carries at most (the rest ride on the next).
pub const MAX_REVIEWS_PER_PULL: usize = 500;

/// A decision on a report, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportDecision {
    /// `approved`, `returned` or `rejected`.
    pub decision: String,
    /// The reviewer's note.
    pub note: String,
    /// The reviewer's user id.
    pub by: String,
    /// The reviewer's name.
    pub by_name: String,
    /// When (ms since epoch).
    pub at: i64,
}

/// One report of a chain with its decisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewedReport {
    /// The report.
    pub report: Submission,
    /// Its decisions, oldest first.
    pub decisions: Vec<ReportDecision>,
}

/// A report with the reports it corrects and those correcting it: the oldest first, the one that
/// stands now last.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportChain {
    /// The report asked for.
    pub id: String,
    /// Every report of the chain, oldest first.
    pub chain: Vec<ReviewedReport>,
}

/// The status a report's status stands for in the role table's review steps (`replaced`: none).
fn as_status(report_status: &str) -> Option<Status> {
    match report_status {
        "submitted" => Some(Status::Submitted),
        "approved" => Some(Status::Approved),
        "returned" => Some(Status::Returned),
        "rejected" => Some(Status::Rejected),
        _ => None,
    }
}

fn decision_of(d: DecisionRow) -> ReportDecision {
    ReportDecision {
        decision: d.decision,
        note: d.note,
        by: d.reviewer_id,
        by_name: d.reviewer_name,
        at: d.decided_at,
    }
}

/// Reports a chain holds at most (a report corrected more often is shown up to here).
const MAX_CHAIN: usize = 50;

impl<S: Storage> Registry<S> {
    /// Records `user`'s decision on the report `id`, with `note` (required to return or reject).
    /// Returns the report's chain as it stands after the decision.
    pub async fn review_report(
        &self,
        user: &User,
        id: &str,
        decision: Decision,
        note: &str,
    ) -> Result<ReportChain> {
        if !decision.may_make(user.role) {
            return Err(RegistryError::Forbidden(format!(
                "a {} may not mark a report {decision}; a supervisor or district officer does",
                user.role.title()
            )));
        }
        let note = decision
            .reason(note, "report", "note")
            .map_err(RegistryError::BadRequest)?;
        let not_found = || RegistryError::NotFound(format!("no report `{id}`"));
        let row = self.storage.submission(id).await?.ok_or_else(not_found)?;
        let in_scope = self.scope(user).contains(&row.area);
        self.record_access(
            AccessAction::ReportReview,
            actor_of(Some(user)),
            Some(id),
            Some(format!(
                "form={} decision={decision} outcome={}",
                row.form_id,
                if in_scope { "decided" } else { "out_of_scope" }
            )),
        )
        .await?;
        if !in_scope {
            return Err(not_found());
        }
        let from = as_status(&row.status).ok_or_else(|| {
            RegistryError::Transition(format!(
                "the report is {}; a corrected report stands in its place",
                row.status
            ))
        })?;
        if !decision.may_decide(user.role, from) {
            return Err(RegistryError::Transition(format!(
                "the report is {}; it can be marked {decision} only when it is {}",
                row.status,
                Status::ALL
                    .into_iter()
                    .filter(|&s| decision.may_decide(user.role, s))
                    .map(Status::as_str)
                    .collect::<Vec<_>>()
                    .join(" or ")
            )));
        }
        let moved = self
            .storage
            .decide_submission(
                &row.status,
                &DecisionRow {
                    seq: 0,
                    submission_id: row.id.clone(),
                    device_id: row.device_id.clone(),
                    decision: decision.as_str().to_string(),
                    note: note.clone(),
                    reviewer_id: user.id.clone(),
                    reviewer_name: user.name.clone(),
                    decided_at: now_ms(),
                },
            )
            .await?;
        if !moved {
            return Err(RegistryError::Transition(
                "the report was decided or corrected meanwhile; look at it again".into(),
            ));
        }
        tracing::info!(form = %row.form_id, decision = %decision, "report reviewed");
        self.chain_of(&row.id).await
    }

    /// The report `id` with the reports it corrects and those correcting it, each with its
    /// decisions, for `user` (a reader of its area; the command line's `None` reads any). On the
    /// access trail as a read of the form's reports.
    pub async fn report_chain(&self, user: Option<&User>, id: &str) -> Result<ReportChain> {
        let not_found = || RegistryError::NotFound(format!("no report `{id}`"));
        let row = self.storage.submission(id).await?.ok_or_else(not_found)?;
        if let Some(u) = user {
            super::programmes::may(u, shumari_domain::roles::Action::ReadHouseholds)?;
            if !self.scope(u).contains(&row.area) {
                return Err(not_found());
            }
        }
        self.record_access(
            AccessAction::SubmissionList,
            actor_of(user),
            Some(&row.form_id),
            Some(format!("report={id}")),
        )
        .await?;
        self.chain_of(id).await
    }

    /// A form's reports about days from `from_day` to `until_day` within `user`'s areas, those
    /// replaced included, at most `limit` per area of theirs, in (day, id) order: the review
    /// queue of a form's page.
    pub async fn form_reports(
        &self,
        user: &User,
        form_id: &str,
        from_day: &str,
        until_day: &str,
        limit: usize,
    ) -> Result<Vec<Submission>> {
        let mut out = Vec::new();
        for area in crate::scope::outermost(&user.areas) {
            out.extend(
                self.submissions_in(
                    Some(user),
                    form_id,
                    &area,
                    from_day,
                    until_day,
                    (String::new(), String::new()),
                    limit,
                )
                .await?,
            );
        }
        out.sort_by(|a, b| (&a.day, &a.id).cmp(&(&b.day, &b.id)));
        Ok(out)
    }

    async fn chain_of(&self, id: &str) -> Result<ReportChain> {
        let not_found = || RegistryError::NotFound(format!("no report `{id}`"));
        let row = self.storage.submission(id).await?.ok_or_else(not_found)?;
        // Back to the first report, then forward to the one that stands.
        let mut older = Vec::new();
        let mut at = row.replaces.clone();
        while let Some(prev) = at {
            if older.len() >= MAX_CHAIN {
                break;
            }
            match self.storage.submission(&prev).await? {
                Some(r) => {
                    at = r.replaces.clone();
                    older.push(r);
                }
                None => break,
            }
        }
        older.reverse();
        let mut rows = older;
        let mut next = self.storage.replacement_of(&row.id).await?;
        rows.push(row);
        while let Some(r) = next {
            if rows.len() >= 2 * MAX_CHAIN {
                break;
            }
            next = self.storage.replacement_of(&r.id).await?;
            rows.push(r);
        }
        let mut chain = Vec::with_capacity(rows.len());
        for r in rows {
            let decisions = self
                .storage
                .submission_decisions(&r.id)
                .await?
                .into_iter()
                .map(decision_of)
                .collect();
            chain.push(ReviewedReport {
                report: submission_of(r),
                decisions,
            });
        }
        Ok(ReportChain {
            id: id.to_string(),
            chain,
        })
    }

    /// The decisions on `device_id`'s reports numbered after `after` (the last one it holds),
    /// the latest per report, in the order they were made, at most [`MAX_REVIEWS_PER_PULL`] read
    /// (the rest ride on the next pull, which names the last of these).
    pub(super) async fn decisions_for_device(
        &self,
        device_id: &str,
        after: u64,
    ) -> Result<Option<Vec<ReportReview>>> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = self
            .storage
            .decisions_after(device_id, after, MAX_REVIEWS_PER_PULL)
            .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        // A report decided twice since the last pull: only where it stands now.
        let mut latest: BTreeMap<String, DecisionRow> = BTreeMap::new();
        for d in rows {
            latest.insert(d.submission_id.clone(), d);
        }
        let mut out: Vec<DecisionRow> = latest.into_values().collect();
        out.sort_by_key(|d| d.seq);
        let reviews = out
            .into_iter()
            .filter_map(|d| {
                Some(ReportReview {
                    id: Uuid::parse_str(&d.submission_id).ok()?,
                    decision: d.decision,
                    note: d.note,
                    by: d.reviewer_name,
                    at: u64::try_from(d.decided_at).unwrap_or(0),
                    seq: u64::try_from(d.seq).unwrap_or(0),
                })
            })
            .collect();
        Ok(Some(reviews))
    }
}
