//! Writing what the registry above sends into the hub's registry, so the hub's tablets receive it.
//!
//! A page of the upstream feed carries, per household, changes (or on the first round a whole
//! document) with the registry's heads after them and the signature records of the changes. Each
//! is merged into the hub's stored copy and written through the registry's one write path,
//! [`Storage::commit_ingest`], as the device [`UPSTREAM_DEVICE`]: the new changes become a log
//! entry of their own, with their records, which the hub's feed then delivers to every tablet in
//! scope (the feed skips only a device's own entries). Nothing here is checked as a push from a
//! tablet is: the registry above already checked it, and it is the one party the hub trusts
//! (authenticated by its TLS certificate and the hub's token).
//!
//! Idempotent: a change the hub holds is ignored by automerge, and a household the page brings
//! nothing new to is not written at all, so a page applied twice (a round cut between applying
//! and moving the cursor) leaves no second log entry or audit row. A household a tablet pushed
//! meanwhile (its heads moved) is merged again, as ingest does.

use crate::error::{HubError, Result};
use shumari_domain::automerge::{AutoCommit, ChangeHash};
use shumari_domain::HouseholdDoc;
use shumari_proto::message::DocChanges;
use shumari_registry::storage::{heads_blob, IngestRow, Storage, StoredDoc};
use std::collections::HashSet;
use uuid::Uuid;

/// The device id the changes from the registry above are logged under at the hub (device ids
/// are never this word).
pub const UPSTREAM_DEVICE: &str = "upstream";

/// What a page did to one household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Household.
    pub id: Uuid,
    /// The hub's heads after the page.
    pub heads: Vec<[u8; 32]>,
    /// Whether the page brought changes the hub lacked.
    pub changed: bool,
}

fn bad(id: Uuid, e: impl std::fmt::Display) -> HubError {
    HubError::Document {
        id: id.to_string(),
        message: e.to_string(),
    }
}

fn wire(h: &[ChangeHash]) -> Vec<[u8; 32]> {
    h.iter().map(|c| c.0).collect()
}

/// Merges one household; `None` when nothing new arrived (the hub's heads are returned then).
fn merge(d: &DocChanges, stored: Option<&StoredDoc>) -> Result<(Option<IngestRow>, Vec<[u8; 32]>)> {
    let mut am = match stored {
        Some(s) => AutoCommit::load(&s.doc).map_err(|e| bad(d.id, e))?,
        None => AutoCommit::new(),
    };
    let before = am.get_heads();
    am.load_incremental(&d.changes).map_err(|e| bad(d.id, e))?;
    let after = am.get_heads();
    if after == before {
        return Ok((None, wire(&after)));
    }
    let metas = am.get_changes_meta(&before);
    let new: HashSet<[u8; 32]> = metas.iter().map(|m| m.hash.0).collect();
    let audit = metas
        .iter()
        .map(|m| (m.hash.0, m.actor.to_bytes().to_vec()))
        .collect();
    let log_changes = am.save_after(&before);
    let mut hd = HouseholdDoc::from_automerge(am).map_err(|e| bad(d.id, e))?;
    let household_id = hd.household().map_err(|e| bad(d.id, e))?.id;
    if household_id != d.id {
        return Err(bad(d.id, "the document belongs to another household"));
    }
    let conflicts =
        u32::try_from(hd.conflicts().map_err(|e| bad(d.id, e))?.len()).unwrap_or(u32::MAX);
    let projection = hd.projection(conflicts).map_err(|e| bad(d.id, e))?;
    let heads = wire(&hd.heads());
    let row = IngestRow {
        id: d.id,
        expected_heads: stored.map(|s| s.heads.clone()),
        prev_area: stored.map(|s| s.area.clone()),
        doc: hd.save(),
        heads: heads_blob(&heads),
        projection,
        log_changes,
        audit,
        signatures: d
            .signatures
            .iter()
            .filter(|r| new.contains(&r.hash))
            .cloned()
            .collect(),
    };
    Ok((Some(row), heads))
}

/// Applies a page's documents to the hub's registry; per household, the heads after.
pub async fn apply_page<S: Storage>(storage: &S, docs: &[DocChanges]) -> Result<Vec<Applied>> {
    let docs = one_per_household(docs);
    let mut out = Vec::with_capacity(docs.len());
    let mut pending: Vec<&DocChanges> = docs.iter().collect();
    // A household a tablet wrote meanwhile is merged again on its new copy.
    for _attempt in 0..5 {
        if pending.is_empty() {
            break;
        }
        let ids: Vec<Uuid> = pending.iter().map(|d| d.id).collect();
        let stored = storage.load_docs(&ids).await?;
        let mut rows = Vec::new();
        let mut written = Vec::new();
        for (d, s) in pending.iter().zip(&stored) {
            let (row, heads) = merge(d, s.as_ref())?;
            match row {
                Some(row) => {
                    rows.push(row);
                    written.push(Applied {
                        id: d.id,
                        heads,
                        changed: true,
                    });
                }
                None => out.push(Applied {
                    id: d.id,
                    heads,
                    changed: false,
                }),
            }
        }
        let stale: HashSet<Uuid> = storage
            .commit_ingest(UPSTREAM_DEVICE, UPSTREAM_DEVICE, rows, now_ms())
            .await?
            .into_iter()
            .collect();
        out.extend(written.into_iter().filter(|a| !stale.contains(&a.id)));
        pending.retain(|d| stale.contains(&d.id));
    }
    if let Some(d) = pending.first() {
        return Err(bad(
            d.id,
            "kept changing while the hub applied it; sync again",
        ));
    }
    Ok(out)
}

/// A household edited several times appears once per log entry on a page: its entries are
/// applied together (automerge reads the chunks one after another).
fn one_per_household(docs: &[DocChanges]) -> Vec<DocChanges> {
    let mut out: Vec<DocChanges> = Vec::with_capacity(docs.len());
    let mut at = std::collections::HashMap::new();
    for d in docs {
        match at.get(&d.id) {
            Some(&i) => {
                let x: &mut DocChanges = &mut out[i];
                x.changes.extend_from_slice(&d.changes);
                x.signatures.extend(d.signatures.iter().cloned());
                x.heads.clone_from(&d.heads);
            }
            None => {
                at.insert(d.id, out.len());
                out.push(d.clone());
            }
        }
    }
    out
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
