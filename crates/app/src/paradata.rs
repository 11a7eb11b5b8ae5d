//! Paradata: how the interview was made, recorded as the surveyor works (the household document's
//! `para_*` keys, `shumari_domain::Paradata`), for the registry's data-quality flags.
//!
//! - **Start and device**: the first time a draft (or returned) household's interview is opened, the
//!   time and this device's id are recorded, once; the form's `start` and `deviceid` questions, under
//!   whatever names it gives them, get the same values (`Form::metadata_answers`).
//! - **End**: every completion records its time, with the form's `end` questions, in the change that
//!   marks the household complete.
//! - **Time per section**: the UI says which section the surveyor is on ([`App::enter_section`]);
//!   the app keeps the section and when it was entered in memory and, when the surveyor moves on,
//!   adds the seconds spent to that section's counter in one small change (never per keystroke).
//! - **Edits after completion**: an answer saved while the household is complete, submitted,
//!   approved or rejected is counted, with its time, in the change that saves it. A returned
//!   household is being fixed on request, so its edits are not counted.
//!
//! Nothing is recorded on an approved or rejected household except with an answer the surveyor
//! saves: the registry refuses a surveyor's changes to an approved household, and bookkeeping must
//! never be the reason a tablet's push is refused.

use crate::error::{AppError, Result};
use crate::questionnaire::engine_form;
use crate::App;
use chrono::{DateTime, Utc};
use serde_json::json;
use shumari_domain::doc::Editor;
use shumari_domain::{FieldPath, Paradata, Status};
use shumari_store::Store;
use std::time::SystemTime;
use uuid::Uuid;

/// The section the surveyor is on, since when.
#[derive(Debug, Clone)]
pub(crate) struct SectionVisit {
    household: Uuid,
    section: String,
    since: SystemTime,
}

/// This device's id: the one the registry gave it at enrollment, else its short id.
fn device_id(store: &Store) -> Result<String> {
    Ok(store
        .kv_get(shumari_sync::engine::KEY_DEVICE)?
        .unwrap_or_else(|| store.device().short_id.clone()))
}

/// Whether bookkeeping may be written on a household in `status` (see the module docs).
fn may_record(status: Status) -> bool {
    !matches!(status, Status::Approved | Status::Rejected)
}

/// Whether an answer saved in `status` counts as an edit after completion.
pub(crate) fn is_late_edit(status: Status) -> bool {
    matches!(
        status,
        Status::Complete | Status::Submitted | Status::Approved | Status::Rejected
    )
}

/// Writes the form's metadata answers for what `p` holds.
fn write_metadata(e: &mut Editor<'_>, p: &Paradata) -> shumari_domain::Result<()> {
    for (name, value) in engine_form().metadata_answers(p) {
        e.set(&FieldPath::Answer(name), &json!(value))?;
    }
    Ok(())
}

impl App {
    /// The time now, from the app's clock.
    pub(crate) fn now_utc(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(self.clock.now())
    }

    /// Records the interview's first opening (see the module docs); nothing when it is recorded
    /// already or the household is past draft.
    pub(crate) fn record_opening(&self, store: &mut Store, id: Uuid) -> Result<()> {
        let view = store.get(&id.to_string())?;
        let status = view.household.status;
        if view.paradata.start.is_some() || !matches!(status, Status::Draft | Status::Returned) {
            return Ok(());
        }
        let at = self.now_utc();
        let device = device_id(store)?;
        let p = Paradata {
            start: Some(at),
            device_id: Some(device.clone()),
            ..Paradata::default()
        };
        store.edit_household(&id.to_string(), "interview opened", |e| {
            if e.interview_opened(at, &device)? {
                write_metadata(e, &p)?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Records a completion at `at` inside the change that marks the household complete.
    pub(crate) fn record_completion(
        e: &mut Editor<'_>,
        at: DateTime<Utc>,
    ) -> shumari_domain::Result<()> {
        e.interview_completed(at)?;
        write_metadata(
            e,
            &Paradata {
                end: Some(at),
                ..Paradata::default()
            },
        )
    }

    /// The surveyor is now on `section` of household `household_id` (`None`: they left the
    /// interview). The time spent in the section they were on is added to its counter in one change.
    pub fn enter_section(&self, household_id: &str, section: Option<&str>) -> Result<()> {
        let id = Uuid::parse_str(household_id)
            .map_err(|_| AppError::NotFound(format!("household {household_id}")))?;
        let now = self.clock.now();
        let next = section.map(|s| SectionVisit {
            household: id,
            section: s.to_string(),
            since: now,
        });
        let previous = {
            let mut visit = self.section.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::replace(&mut *visit, next)
        };
        let Some(prev) = previous else {
            return Ok(());
        };
        let secs = now
            .duration_since(prev.since)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        if secs == 0 {
            return Ok(());
        }
        self.with_store(|store| {
            let status = store.get(&prev.household.to_string())?.household.status;
            if may_record(status) {
                store.edit_household(&prev.household.to_string(), "section time", |e| {
                    e.section_time(&prev.section, secs)
                })?;
            }
            Ok(())
        })
    }

    /// A household's paradata.
    pub fn paradata(&self, household_id: &str) -> Result<Paradata> {
        self.with_store(|store| Ok(store.get(household_id)?.paradata))
    }
}
