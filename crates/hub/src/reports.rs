//! Reports the hub's tablets submitted, forwarded to the registry above.
//!
//! A tablet's push stores its reports in the hub's registry (`shumari_registry`'s
//! `service/submissions.rs`: checked against the version they were filled with, each id once). A
//! round sends every stored report the registry above has not answered yet ([`waiting`]: the
//! hub's reports less those in `hub_forwarded_reports`, [`crate::state`]) in pushes of their own,
//! and records each answer (stored, or refused with the reason) as soon as it arrives. The
//! registry above stores a report once by id, so a round cut after it stored a push but before
//! the hub recorded the answer sends that push again and nothing is stored twice. A refusal above
//! is final for the hub (the tablet was told "stored" by the hub): it is recorded, logged without
//! the answers, and reported by the round.

use crate::error::Result;
use shumari_proto::message::{answers_naming_replaced, FormSubmission};
use shumari_registry::storage::forms::SubmissionQuery;
use shumari_registry::storage::Storage;
use std::collections::{BTreeSet, HashSet};
use uuid::Uuid;

/// Reports per push upstream (the registry takes up to 1000).
pub const REPORTS_PER_PUSH: usize = 200;

/// Rows read at a time.
const PAGE: usize = 1000;

/// Every report stored in the hub's registry under `areas` that is not in `answered`, by form,
/// area, day and id.
pub async fn waiting<S: Storage>(
    storage: &S,
    areas: &[String],
    answered: &HashSet<String>,
) -> Result<Vec<FormSubmission>> {
    let forms: BTreeSet<String> = storage
        .form_publications()
        .await?
        .into_iter()
        .map(|(f, _, _)| f)
        .collect();
    let mut out = Vec::new();
    // Areas that overlap read a report twice: it is sent once.
    let mut seen = HashSet::new();
    for form_id in &forms {
        for area in areas {
            let mut after = (String::new(), String::new());
            loop {
                let rows = storage
                    .submissions(&SubmissionQuery {
                        form_id: form_id.clone(),
                        area: area.clone(),
                        from_day: String::new(),
                        until_day: String::new(),
                        after: after.clone(),
                        limit: PAGE,
                        // A report replaced by a correction still goes up: the correction
                        // names it, and the registry above needs it first.
                        with_replaced: true,
                    })
                    .await?;
                let full = rows.len() == PAGE;
                if let Some(last) = rows.last() {
                    after = (last.day.clone(), last.id.clone());
                }
                for r in rows {
                    if answered.contains(&r.id) || !seen.insert(r.id.clone()) {
                        continue;
                    }
                    let Ok(id) = Uuid::parse_str(&r.id) else {
                        continue;
                    };
                    out.push(FormSubmission {
                        id,
                        form_id: r.form_id,
                        version: r.version,
                        area: r.area,
                        // A correction names the report it replaces, as its tablet sent it.
                        answers: answers_naming_replaced(&r.answers, r.replaces.as_deref()),
                        filled_at: u64::try_from(r.filled_at).unwrap_or(0),
                    });
                }
                if !full {
                    break;
                }
            }
        }
    }
    Ok(out)
}
