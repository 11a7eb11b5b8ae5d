//! Assignments made above for the district's surveyors, handed to their tablets by the hub.
//!
//! A supervisor at the centre assigns a surveyor an area or a household; the surveyor's tablet
//! receives its user's active assignments on the last page of each pull, from whichever registry
//! it syncs with. For a tablet that syncs with the hub, the hub asks for the district users'
//! assignments in its directory request ([`shumari_proto::message::HubDirectoryRequest`]), and the
//! complete list is written into the hub's registry under the same ids: one new at the hub is
//! stored, and one the hub received before and the list no longer names (withdrawn above, or its
//! surveyor left the district) is withdrawn at the hub. The ids received are remembered
//! (`hub_assignments_above`, V30), so assignments a supervisor made at the hub itself are left
//! alone. The tablets then receive both from the hub exactly as from the centre.
//!
//! Idempotent: the same list applied again writes nothing.

use crate::error::Result;
use crate::state::UpstreamState;
use shumari_domain::assignment::Assignment;
use shumari_registry::storage::Storage;
use std::collections::HashSet;

/// Who an assignment withdrawn because the registry above no longer lists it is recorded as
/// withdrawn by.
pub const WITHDRAWN_ABOVE: &str = "upstream";

/// What a list changed at the hub.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    /// Assignments stored.
    pub added: usize,
    /// Assignments withdrawn.
    pub withdrawn: usize,
}

/// Applies the complete list `list` of the district's active assignments above.
pub async fn apply<S: Storage>(
    storage: &S,
    state: &UpstreamState,
    list: &[Assignment],
    now: i64,
) -> Result<Applied> {
    let mut done = Applied::default();
    let held = state.assignments_above()?;
    let listed: HashSet<&str> = list.iter().map(|a| a.id.as_str()).collect();
    for a in list {
        if held.contains(&a.id) {
            continue;
        }
        // Remembered before it is stored: a cut between the two leaves an id whose assignment
        // the next list stores (`put` below) or withdraws (a missing one withdraws nothing).
        state.remember_assignment_above(&a.id)?;
        if storage.assignment(&a.id).await?.is_none() {
            storage.put_assignment(a).await?;
            done.added += 1;
        }
    }
    for id in held.iter().filter(|id| !listed.contains(id.as_str())) {
        if storage
            .withdraw_assignment(id, WITHDRAWN_ABOVE, now)
            .await?
        {
            done.withdrawn += 1;
        }
        state.forget_assignment_above(id)?;
    }
    Ok(done)
}
