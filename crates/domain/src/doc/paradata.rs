//! Paradata: how the interview was made, recorded by the field app beside the answers.
//!
//! When the interview was first opened and last completed, on which device, the seconds spent in
//! each section, and the answers changed after completion. The registry reads it to flag interviews
//! that were too short or edited late (`shumari_registry`'s `service/flags.rs`).
//!
//! Every key is a flat root entry named in [`keys`] with the `para_` prefix (a nested map created on
//! two tablets would never merge). Seconds per section and the count of late edits are automerge
//! *counters*: a visit recorded on one tablet and a visit on another add up instead of one
//! overwriting the other. The start and the device are written once, by the first tablet to open the
//! interview; the end by every completion (the last one wins, like ODK's `end`).
//!
//! The keys are bookkeeping, not answers: the conflict scan skips them.

use super::keys;
use super::read::{get_scalar, get_str, time_of};
use super::Editor;
use crate::error::Result;
use crate::household::GeoPoint;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ReadDoc, ScalarValue, Value as AmValue, ROOT};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A household's paradata as read from its document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Paradata {
    /// When the interview was first opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<DateTime<Utc>>,
    /// When it was last marked complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<DateTime<Utc>>,
    /// The device it was first opened on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// Seconds spent in each section, by section name.
    #[serde(default)]
    pub sections: BTreeMap<String, u64>,
    /// Answers changed while the household was complete or later.
    #[serde(default)]
    pub edits_after_complete: u64,
    /// When the last of those changes was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_edit_after_complete: Option<DateTime<Utc>>,
    /// The accuracy radius of the household's GPS fix in metres, when the device reported one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps_accuracy: Option<f64>,
}

impl Paradata {
    /// Seconds from the first opening to the last completion (`None` without both, or when the end
    /// is before the start, as after a clock change).
    pub fn duration_secs(&self) -> Option<i64> {
        let secs = (self.end? - self.start?).num_seconds();
        (secs >= 0).then_some(secs)
    }

    /// Seconds recorded in all sections together.
    pub fn section_secs(&self) -> u64 {
        self.sections.values().sum()
    }
}

/// Whether a root key is paradata (skipped by the conflict scan).
pub(super) fn is_paradata(key: &str) -> bool {
    key.starts_with(keys::PARADATA_PREFIX)
}

fn counter(d: &AutoCommit, key: &str) -> Result<Option<i64>> {
    Ok(match get_scalar(d, &ROOT, key)? {
        Some(ScalarValue::Counter(c)) => Some(i64::from(&c)),
        Some(ScalarValue::Int(i)) => Some(i),
        _ => None,
    })
}

fn time(d: &AutoCommit, key: &str) -> Result<Option<DateTime<Utc>>> {
    Ok(get_scalar(d, &ROOT, key)?.map(|v| time_of(Some(&v))))
}

/// Reads the paradata (absent keys read as nothing recorded).
pub(super) fn paradata(d: &AutoCommit, gps: Option<&GeoPoint>) -> Result<Paradata> {
    let mut sections = BTreeMap::new();
    for key in d.keys(&ROOT) {
        if let Some(name) = key.strip_prefix(keys::PARA_SECTION_PREFIX) {
            let secs = counter(d, &key)?.unwrap_or(0);
            sections.insert(name.to_string(), u64::try_from(secs).unwrap_or(0));
        }
    }
    Ok(Paradata {
        start: time(d, keys::PARA_START)?,
        end: time(d, keys::PARA_END)?,
        device_id: get_str(d, &ROOT, keys::PARA_DEVICE)?,
        sections,
        edits_after_complete: counter(d, keys::PARA_EDITS_AFTER_COMPLETE)?
            .map_or(0, |n| u64::try_from(n).unwrap_or(0)),
        last_edit_after_complete: time(d, keys::PARA_LAST_EDIT_AFTER_COMPLETE)?,
        gps_accuracy: gps.and_then(|g| g.accuracy),
    })
}

impl Editor<'_> {
    fn has(&self, key: &str) -> Result<bool> {
        Ok(self.doc.get(&ROOT, key)?.is_some())
    }

    /// Adds `by` to the counter at `key`, creating it when absent.
    fn add_to_counter(&mut self, key: &str, by: i64) -> Result<()> {
        match self.doc.get(&ROOT, key)? {
            Some((AmValue::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Counter(_)) => {
                self.doc.increment(&ROOT, key, by)?;
            }
            _ => self.doc.put(&ROOT, key, ScalarValue::counter(by))?,
        }
        Ok(())
    }

    /// Records that the interview was opened at `at` on `device`, unless an opening is recorded
    /// already. Returns whether it wrote anything.
    pub fn interview_opened(&mut self, at: DateTime<Utc>, device: &str) -> Result<bool> {
        if self.has(keys::PARA_START)? {
            return Ok(false);
        }
        self.doc.put(
            &ROOT,
            keys::PARA_START,
            ScalarValue::Timestamp(at.timestamp_millis()),
        )?;
        if !self.has(keys::PARA_DEVICE)? {
            self.doc.put(&ROOT, keys::PARA_DEVICE, device)?;
        }
        Ok(true)
    }

    /// Records that the interview was completed at `at`.
    pub fn interview_completed(&mut self, at: DateTime<Utc>) -> Result<()> {
        self.put_resolving(
            &ROOT,
            keys::PARA_END,
            ScalarValue::Timestamp(at.timestamp_millis()),
        )
    }

    /// Adds `secs` seconds spent in `section`.
    pub fn section_time(&mut self, section: &str, secs: u64) -> Result<()> {
        let key = format!("{}{section}", keys::PARA_SECTION_PREFIX);
        self.add_to_counter(&key, i64::try_from(secs).unwrap_or(i64::MAX))
    }

    /// Counts one answer changed at `at` while the household was complete or later.
    pub fn edit_after_completion(&mut self, at: DateTime<Utc>) -> Result<()> {
        self.add_to_counter(keys::PARA_EDITS_AFTER_COMPLETE, 1)?;
        self.put_resolving(
            &ROOT,
            keys::PARA_LAST_EDIT_AFTER_COMPLETE,
            ScalarValue::Timestamp(at.timestamp_millis()),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::doc::{EditContext, HouseholdDoc};
    use crate::{AreaRegistry, HouseholdInput, NewHousehold};
    use automerge::ActorId;
    use chrono::{Duration, TimeZone, Utc};

    fn at(min: i64) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap() + Duration::minutes(min)
    }

    fn doc() -> (HouseholdDoc, AreaRegistry) {
        let areas = AreaRegistry::builtin();
        let ctx = EditContext::new("u1", at(0));
        let input: HouseholdInput = serde_json::from_value(serde_json::json!({
            "area": "PK10101",
            "members": [{"name": "Bilal Khan", "relation": "head", "sex": "male", "age": 35}]
        }))
        .unwrap();
        let nh = NewHousehold::from_input(&input, None, &areas, "PK10101-K7QD2-1", "f", "1", &ctx)
            .unwrap();
        let hd = HouseholdDoc::create(&nh.household, ActorId::random(), &ctx).unwrap();
        (hd, areas)
    }

    #[test]
    fn opening_completing_sections_and_late_edits_are_read_back() {
        let (mut hd, areas) = doc();
        let ctx = EditContext::new("u1", at(1));
        hd.edit(&areas, &ctx, "open", |e| {
            assert!(e.interview_opened(at(1), "DEV-A")?);
            // A second opening keeps the first.
            assert!(!e.interview_opened(at(5), "DEV-B")?);
            e.section_time("identification", 90)?;
            e.section_time("identification", 30)?;
            e.section_time("assets", 45)?;
            e.interview_completed(at(20))?;
            e.edit_after_completion(at(30))?;
            e.edit_after_completion(at(31))
        })
        .unwrap();
        let p = hd.paradata().unwrap();
        assert_eq!(p.start, Some(at(1)));
        assert_eq!(p.end, Some(at(20)));
        assert_eq!(p.device_id.as_deref(), Some("DEV-A"));
        assert_eq!(p.sections.get("identification"), Some(&120));
        assert_eq!(p.sections.get("assets"), Some(&45));
        assert_eq!(p.section_secs(), 165);
        assert_eq!(p.edits_after_complete, 2);
        assert_eq!(p.last_edit_after_complete, Some(at(31)));
        assert_eq!(p.duration_secs(), Some(19 * 60));
        assert!(hd.conflicts().unwrap().is_empty());
    }

    #[test]
    fn section_seconds_recorded_on_two_tablets_add_up() {
        let (mut a, areas) = doc();
        a.edit(&areas, &EditContext::new("u1", at(1)), "s", |e| {
            e.section_time("roster", 10)
        })
        .unwrap();
        let bytes = a.save();
        let mut b = HouseholdDoc::load(&bytes, ActorId::random(), "u2").unwrap();
        a.edit(&areas, &EditContext::new("u1", at(2)), "s", |e| {
            e.section_time("roster", 5)
        })
        .unwrap();
        b.edit(&areas, &EditContext::new("u2", at(2)), "s", |e| {
            e.section_time("roster", 7)
        })
        .unwrap();
        a.automerge().merge(b.automerge()).unwrap();
        assert_eq!(a.paradata().unwrap().sections.get("roster"), Some(&22));
        assert!(a.conflicts().unwrap().is_empty());
    }

    #[test]
    fn nothing_recorded_reads_as_empty() {
        let (hd, _) = doc();
        let p = hd.paradata().unwrap();
        assert_eq!(p.start, None);
        assert_eq!(p.duration_secs(), None);
        assert!(p.sections.is_empty());
        assert_eq!(p.edits_after_complete, 0);
    }
}
