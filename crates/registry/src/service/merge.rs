//! One pushed household merged into the registry's copy, CPU only (no IO), so that a batch's
//! households can be merged in parallel: rebuild compact changes from what the registry holds, apply
//! them, read the projection, and say what to store or why not.

use super::bounds;
use crate::storage::{heads_blob, IngestRow, StoredDoc};
use automerge::{AutoCommit, ChangeHash, ReadDoc};
use shumari_domain::{HouseholdDoc, Status};
use shumari_proto::compact::{self, ExpandError, PREFIX};
use shumari_proto::message::{ChangeEncoding, PushDoc};
use shumari_proto::{Refusal, RefusalCode};
use std::collections::BTreeMap;

/// What processing one pushed document produced, before the scope and actor checks.
pub(super) enum Prepared {
    /// Nothing new (a replay).
    Noop,
    Refused(Refusal),
    Ready {
        row: Box<IngestRow>,
        /// Actor of each new change, with the author recorded for it.
        actors: BTreeMap<Vec<u8>, Option<String>>,
        /// The registry's status for the household before the push (`None`: a new household).
        before: Option<Status>,
    },
}

/// What the registry holds for one pushed document, to rebuild its compact changes: the stored
/// document's changes and actors, and the actors bound to the pushing device.
struct Held<'a> {
    am: &'a mut AutoCommit,
    device_actors: &'a [Vec<u8>],
}

impl compact::Holdings for Held<'_> {
    /// The document's heads first (a device nearly always builds on the heads it was acknowledged),
    /// else any change in its history.
    fn hashes(&mut self, prefix: &[u8; PREFIX]) -> Vec<[u8; 32]> {
        let heads: Vec<[u8; 32]> = self
            .am
            .get_heads()
            .into_iter()
            .map(|h| h.0)
            .filter(|h| h[..PREFIX] == *prefix)
            .collect();
        if !heads.is_empty() {
            return heads;
        }
        self.am
            .get_changes_meta(&[])
            .into_iter()
            .map(|m| m.hash.0)
            .filter(|h| h[..PREFIX] == *prefix)
            .collect()
    }

    /// The device's own actors first, else actors already in the document (older edits by others).
    fn actors(&mut self, prefix: &[u8]) -> Vec<Vec<u8>> {
        let mine: Vec<Vec<u8>> = self
            .device_actors
            .iter()
            .filter(|a| a.starts_with(prefix))
            .cloned()
            .collect();
        if !mine.is_empty() {
            return mine;
        }
        let mut in_doc: Vec<Vec<u8>> = self
            .am
            .get_changes_meta(&[])
            .into_iter()
            .map(|m| m.actor.to_bytes().to_vec())
            .filter(|a| a.starts_with(prefix))
            .collect();
        in_doc.sort();
        in_doc.dedup();
        in_doc
    }
}

/// A pushed document's changes in the compact form, when they can be.
pub(super) fn compact_of(d: &PushDoc) -> Option<Vec<u8>> {
    match d.encoding {
        ChangeEncoding::Compact => Some(d.changes.clone()),
        ChangeEncoding::Raw => compact::abbreviate(&d.changes),
    }
}

fn missing_history() -> Prepared {
    Prepared::Refused(Refusal::new(
        RefusalCode::MissingHistory,
        "the changes build on history the registry does not have; send the whole document",
    ))
}

/// The raw automerge bytes of a pushed document. Compact changes are rebuilt byte for byte from the
/// hashes the registry holds (and checked against the device's checksums) before automerge sees them.
fn changes_of(
    d: &PushDoc,
    am: &mut AutoCommit,
    device_actors: &[Vec<u8>],
) -> Result<Vec<u8>, Prepared> {
    match d.encoding {
        ChangeEncoding::Raw => Ok(d.changes.clone()),
        ChangeEncoding::Compact => {
            let mut held = Held { am, device_actors };
            compact::expand(&d.changes, &mut held).map_err(|e| match e {
                ExpandError::UnknownDependency => missing_history(),
                ExpandError::UnknownActor => Prepared::Refused(Refusal::new(
                    RefusalCode::ForgedActor,
                    "a change was made by an automerge actor not registered to this device; \
                     a device may only push its own edits",
                )),
                e => Prepared::Refused(Refusal::new(
                    RefusalCode::BadDocument,
                    format!("the changes could not be read: {e}"),
                )),
            })
        }
    }
}

/// Applies pushed changes to the stored document (CPU only, no IO). `device_actors` are the actors
/// bound to the pushing device; `budget` is what the push's households may cost together.
pub(super) fn prepare(
    d: &PushDoc,
    stored: Option<&StoredDoc>,
    device_actors: &[Vec<u8>],
    budget: &bounds::PushBudget,
) -> Prepared {
    let bad = |m: String| Prepared::Refused(Refusal::new(RefusalCode::BadDocument, m));
    let mut am = match stored {
        Some(s) => match AutoCommit::load(&s.doc) {
            Ok(a) => a,
            Err(e) => return bad(format!("the registry's copy could not be read: {e}")),
        },
        None => AutoCommit::new(),
    };
    let before = am.get_heads();
    // A stored document passed the projection when it was stored, so it has a status.
    let before_status = stored.and_then(|_| shumari_domain::doc::status(&am).ok());
    let id = d.id;
    let changes = match changes_of(d, &mut am, device_actors) {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    // Measured before automerge expands anything (compressed parts, run lengths).
    if let Err(r) = bounds::pushed(&changes, budget) {
        return Prepared::Refused(r);
    }
    // A new household's changes are loaded as a document (automerge's bulk path), several times faster
    // than applying them one by one to an empty document; existing ones get the changes applied.
    let loaded = if stored.is_none() {
        AutoCommit::load(&changes).map(|a| am = a)
    } else {
        am.load_incremental(&changes).map(|_| ())
    };
    if let Err(e) = loaded {
        return bad(format!("the changes are not valid automerge data: {e}"));
    }
    if !am.get_missing_deps(&[]).is_empty() {
        return missing_history();
    }
    let after = am.get_heads();
    if after == before {
        if stored.is_none() {
            return bad("no changes were sent for a new household".into());
        }
        return Prepared::Noop;
    }
    // Metadata only (hash, actor, deps): rebuilding the changes themselves cost as much as a load.
    let new_changes: Vec<_> = am
        .get_changes_meta(&before)
        .into_iter()
        .map(|m| m.into_owned())
        .collect();
    let actors: BTreeMap<Vec<u8>, Option<String>> = new_changes
        .iter()
        .map(|c| {
            let author = am
                .get_author_for_actor(&c.actor)
                .map(|a| String::from_utf8_lossy(a.as_bytes()).into_owned());
            (c.actor.to_bytes().to_vec(), author)
        })
        .collect();
    let audit: Vec<([u8; 32], Vec<u8>)> = new_changes
        .iter()
        .map(|c| (c.hash.0, c.actor.to_bytes().to_vec()))
        .collect();
    // A linear extension of a conflict-free document cannot create a conflict: skip the scan.
    let linear = {
        let mut tip: Vec<ChangeHash> = before.clone();
        tip.sort();
        new_changes.iter().all(|c| {
            let mut deps = c.deps.clone();
            deps.sort();
            let ok = deps == tip;
            tip = vec![c.hash];
            ok
        })
    };
    drop(new_changes);
    if let Err(r) = bounds::merged_shape(&am) {
        return Prepared::Refused(r);
    }
    let known_conflicts = stored.map(|s| s.conflict_count).unwrap_or(0);
    let mut hd = match HouseholdDoc::from_automerge(am) {
        Ok(h) => h,
        Err(e) => return bad(format!("not a household document: {e}")),
    };
    let conflicts = if linear && known_conflicts == 0 {
        0
    } else {
        match hd.conflicts() {
            Ok(c) => c.len() as u32,
            Err(e) => return bad(format!("not a household document: {e}")),
        }
    };
    let projection = match hd.projection(conflicts) {
        Ok(p) if p.summary.id == id => p,
        Ok(_) => return bad("the document's id does not match the household id".into()),
        Err(e) => return bad(format!("not a household document: {e}")),
    };
    // For a new household the pushed bytes are exactly its changes (automerge just validated them by
    // loading them); an existing one logs only what was new to the registry.
    let log_changes = if stored.is_none() {
        changes
    } else {
        hd.automerge().save_after(&before)
    };
    let doc = hd.save();
    if let Err(r) = bounds::merged(conflicts, &doc) {
        return Prepared::Refused(r);
    }
    let heads = heads_blob(&hd.heads().iter().map(|h| h.0).collect::<Vec<_>>());
    Prepared::Ready {
        row: Box::new(IngestRow {
            id,
            expected_heads: stored.map(|s| s.heads.clone()),
            prev_area: stored.map(|s| s.area.clone()),
            doc,
            heads,
            projection,
            log_changes,
            audit,
            signatures: Vec::new(),
        }),
        actors,
        before: before_status,
    }
}
