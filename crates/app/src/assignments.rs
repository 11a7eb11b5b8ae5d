//! "My assignments": the areas and households a supervisor assigned to this device's user, as the
//! registry last sent them with a sync, each with its progress counted on the device from its own
//! households (done = complete or later, the domain's rule), so a household completed here counts
//! at once, before it is sent. Works offline: the list is the store's (`Store::assignments`).

use crate::error::Result;
use crate::App;
use serde::Serialize;
use shumari_domain::assignment::Work;

/// One assignment as the field app and `household assignments` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentView {
    /// The registry's id.
    pub id: String,
    /// `area` or `household`.
    pub kind: String,
    /// The area's code (for a household, the area it is in).
    pub area: String,
    /// The area's name when the device knows it.
    pub area_name: Option<String>,
    /// The household's id (household assignments).
    pub household_id: Option<String>,
    /// The household's reference number (household assignments).
    pub reference: Option<String>,
    /// Households expected (area assignments with a target).
    pub target: Option<u32>,
    /// Who assigned it.
    pub assigned_by: String,
    /// When (RFC 3339, UTC).
    pub assigned_at: String,
    /// Households done.
    pub done: u64,
    /// Households expected.
    pub total: u64,
}

impl App {
    /// This device's assignments with their progress, in the order the registry sent them.
    pub fn assignments(&self) -> Result<Vec<AssignmentView>> {
        self.with_store(|store| {
            let areas = store.areas();
            Ok(store
                .assignments()?
                .into_iter()
                .map(|(a, p)| {
                    let (household_id, reference, target) = match &a.work {
                        Work::Area { target, .. } => (None, None, *target),
                        Work::Household { id, reference, .. } => {
                            (Some(id.to_string()), Some(reference.clone()), None)
                        }
                    };
                    AssignmentView {
                        id: a.id.clone(),
                        kind: a.work.kind().to_string(),
                        area: a.work.area().to_string(),
                        area_name: areas.get(a.work.area()).ok().map(|x| x.name.clone()),
                        household_id,
                        reference,
                        target,
                        assigned_by: a.assigned_by_name.clone(),
                        assigned_at: chrono::DateTime::from_timestamp_millis(a.assigned_at)
                            .unwrap_or_default()
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        done: p.done,
                        total: p.total,
                    }
                })
                .collect())
        })
    }
}
