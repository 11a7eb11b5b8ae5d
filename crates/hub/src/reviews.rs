//! Reviewers' decisions from the registry above on the reports the hub forwarded, brought down to
//! the hub's tablets.
//!
//! The hub forwards its tablets' reports under its own device ([`crate::reports`]), so the registry
//! above sends the decisions on all of them to the hub, as to any device that names the last
//! decision it holds (`PullRequest::reviews_after`; the number is kept in `hub_upstream`, V30).
//! Each decision is written into the hub's registry as a decision on its copy of the report, for
//! the tablet that sent it (`FormStore::decide_submission`), so that tablet's next pull at the hub
//! brings it like a decision made at the hub. A returned report corrected on the tablet goes up
//! naming the report it replaces, which the registry above now accepts, since it returned it.
//!
//! Applying a decision again changes nothing (a report already at that status is left alone), so
//! a round cut between writing decisions and keeping the number brings them again harmlessly. A
//! decision on a report the hub does not hold (sent to the centre by another path) or already
//! replaced by its correction is skipped.

use crate::error::Result;
use shumari_domain::review::Decision;
use shumari_proto::message::ReportReview;
use shumari_registry::storage::forms::DecisionRow;
use shumari_registry::storage::Storage;

/// Who a decision from above is recorded as made by, at the hub (the reviewer's name travels; the
/// id is the registry above's, which the hub does not hold).
pub const FROM_ABOVE: &str = "upstream";

/// Writes the decisions `reviews` into the hub's registry; returns how many reports moved.
pub async fn apply<S: Storage>(storage: &S, reviews: &[ReportReview]) -> Result<usize> {
    let mut moved = 0;
    for v in reviews {
        if v.decision.parse::<Decision>().is_err() {
            continue;
        }
        let Some(row) = storage.submission(&v.id.to_string()).await? else {
            continue;
        };
        if row.status == v.decision || row.status == "replaced" {
            continue;
        }
        let decision = DecisionRow {
            seq: 0,
            submission_id: row.id.clone(),
            device_id: row.device_id.clone(),
            decision: v.decision.clone(),
            note: v.note.clone(),
            reviewer_id: FROM_ABOVE.into(),
            reviewer_name: v.by.clone(),
            decided_at: i64::try_from(v.at).unwrap_or(i64::MAX),
        };
        if storage.decide_submission(&row.status, &decision).await? {
            moved += 1;
        }
    }
    Ok(moved)
}
