//! What the registry above lacks: per household, the changes after the heads it is known to hold,
//! with the signature records the hub's log keeps for them.
//!
//! A household needs pushing when one of the hub's heads is not among the heads acknowledged
//! upstream ([`crate::state::UpstreamState::acked`]). The acknowledged set is the heads the registry
//! above accepted from a push or sent in its feed (possibly more than one such set merged, hence
//! not always exactly the hub's heads); every change after it is sent raw, because the compact form
//! names actors by prefixes the receiver resolves among the pusher's own and a hub has none. The
//! tablets signed every change they pushed here, so each goes with its author's record; a hub that
//! altered one could not make the record match.

use crate::error::Result;
use shumari_domain::automerge::{AutoCommit, ChangeHash};
use shumari_proto::message::PushDoc;
use shumari_registry::storage::{heads_vec, Storage};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// One household to push and the heads it leads to.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The push's document (raw changes with their records).
    pub doc: PushDoc,
    /// The hub's heads once the registry above has these changes.
    pub heads: Vec<[u8; 32]>,
}

/// Households are read this many at a time.
const BATCH: usize = 64;

/// Every household whose heads the registry above has not acknowledged.
pub async fn outgoing<S: Storage>(
    storage: &S,
    acked: &HashMap<Uuid, Vec<[u8; 32]>>,
) -> Result<Vec<Outgoing>> {
    let waiting: Vec<Uuid> = storage
        .all_heads()
        .await?
        .into_iter()
        .filter(|(id, _, heads)| {
            let known: HashSet<&[u8; 32]> = acked.get(id).into_iter().flatten().collect();
            heads_vec(heads).iter().any(|h| !known.contains(h))
        })
        .map(|(id, _, _)| id)
        .collect();
    let mut out = Vec::with_capacity(waiting.len());
    for ids in waiting.chunks(BATCH) {
        let docs = storage.load_docs(ids).await?;
        let mut records: HashMap<Uuid, Vec<_>> = storage
            .household_signatures(ids)
            .await?
            .into_iter()
            .collect();
        for doc in docs.into_iter().flatten() {
            let Ok(mut am) = AutoCommit::load(&doc.doc) else {
                tracing::error!(household = %doc.id, "a stored household could not be loaded");
                continue;
            };
            let since: Vec<ChangeHash> = acked
                .get(&doc.id)
                .into_iter()
                .flatten()
                .map(|h| ChangeHash(*h))
                .filter(|h| am.get_change_by_hash(h).is_some())
                .collect();
            let new: HashSet<[u8; 32]> = am
                .get_changes_meta(&since)
                .into_iter()
                .map(|m| m.hash.0)
                .collect();
            if new.is_empty() {
                continue;
            }
            let signatures = records
                .remove(&doc.id)
                .unwrap_or_default()
                .into_iter()
                .filter(|r| new.contains(&r.hash))
                .collect();
            let changes = am.save_after(&since);
            out.push(Outgoing {
                doc: PushDoc::raw(doc.id, changes).signed(signatures),
                heads: am.get_heads().iter().map(|h| h.0).collect(),
            });
        }
    }
    Ok(out)
}
