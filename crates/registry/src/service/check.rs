//! The consistency check, registry side. A pull that delivered nothing carries the device's root
//! digest; [`Registry::verdict`] answers `Consistent` or the registry's bucket digests. For buckets that
//! differ, `/v1/check` ([`Registry::check`]) compares heads per document and answers what to send the
//! device, what to want from it (it has changes the registry lacks) and what it should not hold.

use super::Registry;
use crate::error::Result;
use crate::storage::{heads_vec, DeviceAuth, Storage, User};
use automerge::{AutoCommit, ChangeHash};
use shumari_proto::check::{bucket_digests, bucket_of, root_digest};
use shumari_proto::message::{CheckRequest, CheckResponse, CheckVerdict, DocChanges, Heads};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

impl<S: Storage> Registry<S> {
    /// (id, heads) of every household in `user`'s scope, by id.
    async fn scope_heads(&self, user: &User) -> Result<Vec<(Uuid, Heads)>> {
        let scope = self.scope(user);
        // One indexed read per outermost area of the user (as the feed and the list read them),
        // so each household of the scope is read once.
        let mut out = BTreeMap::new();
        for area in crate::scope::outermost(&user.areas) {
            for (id, a, h) in self.storage.heads_in(&area).await? {
                if scope.contains(&a) {
                    out.insert(id, heads_vec(&h));
                }
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Compares the device's root digest with the registry's for its scope.
    pub(super) async fn verdict(
        &self,
        auth: &DeviceAuth,
        device: &[u8; 8],
    ) -> Result<CheckVerdict> {
        let mine = bucket_digests(self.scope_heads(&auth.user).await?);
        Ok(if root_digest(&mine) == *device {
            CheckVerdict::Consistent
        } else {
            // The device finds the buckets that differ from these.
            CheckVerdict::Differs(mine)
        })
    }

    /// The households of `differ` whose device copy holds heads the registry's copy lacks, reading
    /// the stored documents 64 at a time.
    async fn devices_ahead(&self, differ: &[(Uuid, &Heads)]) -> Result<Vec<Uuid>> {
        let mut out = Vec::new();
        for chunk in differ.chunks(64) {
            let ids: Vec<Uuid> = chunk.iter().map(|(id, _)| *id).collect();
            let stored = self.storage.load_docs(&ids).await?;
            for ((id, theirs), s) in chunk.iter().zip(stored) {
                let ahead = s.is_some_and(|s| match AutoCommit::load(&s.doc) {
                    Ok(mut am) => theirs
                        .iter()
                        .any(|x| am.get_change_by_hash(&ChangeHash(*x)).is_none()),
                    Err(_) => false,
                });
                if ahead {
                    out.push(*id);
                }
            }
        }
        Ok(out)
    }

    pub(super) async fn check(
        &self,
        auth: &DeviceAuth,
        req: CheckRequest,
    ) -> Result<CheckResponse> {
        let buckets: BTreeSet<u8> = req.buckets.iter().copied().collect();
        let ours: BTreeMap<Uuid, Heads> = self
            .scope_heads(&auth.user)
            .await?
            .into_iter()
            .filter(|(id, _)| buckets.contains(&bucket_of(id)))
            .map(|(id, mut h)| {
                h.sort_unstable();
                (id, h)
            })
            .collect();
        let theirs: BTreeMap<Uuid, Heads> = req
            .docs
            .into_iter()
            .map(|(id, mut h)| {
                h.sort_unstable();
                (id, h)
            })
            .collect();
        let mut to_send = Vec::new();
        let mut differ = Vec::new();
        for (id, h) in &ours {
            match theirs.get(id) {
                Some(t) if t == h => {}
                Some(t) => {
                    to_send.push(*id);
                    differ.push((*id, t));
                }
                None => to_send.push(*id),
            }
        }
        // If the device has heads we lack, we want its document too.
        let mut want = self.devices_ahead(&differ).await?;
        let mut remove = Vec::new();
        let unknown: Vec<Uuid> = theirs
            .keys()
            .filter(|id| !ours.contains_key(id))
            .copied()
            .collect();
        if !unknown.is_empty() {
            for (id, s) in unknown.iter().zip(self.storage.load_docs(&unknown).await?) {
                match s {
                    // Held by the registry but outside this device's scope.
                    Some(_) => remove.push(*id),
                    None => want.push(*id),
                }
            }
        }
        let (send, more) = self.whole_docs(&to_send, req.signatures).await?;
        Ok(CheckResponse {
            send,
            want,
            remove,
            more,
        })
    }

    /// The stored documents of `ids` up to the size cap, and whether some were left out; with
    /// `signed`, each with the signature records the log holds for it.
    async fn whole_docs(&self, ids: &[Uuid], signed: bool) -> Result<(Vec<DocChanges>, bool)> {
        let cap = self.config.chunk_bytes * 9 / 10;
        let mut send = Vec::new();
        let mut used = 0;
        for chunk in ids.chunks(64) {
            let docs: Vec<_> = self
                .storage
                .load_docs(chunk)
                .await?
                .into_iter()
                .flatten()
                .collect();
            let mut records = self
                .records_of(&docs.iter().map(|d| d.id).collect::<Vec<_>>(), signed)
                .await?;
            for s in docs {
                let signatures = records.remove(&s.id).unwrap_or_default();
                let cost = s.doc.len() + 64 + shumari_proto::signing::RECORD_LEN * signatures.len();
                if !send.is_empty() && used + cost > cap {
                    return Ok((send, true));
                }
                used += cost;
                send.push(DocChanges {
                    id: s.id,
                    changes: s.doc,
                    heads: heads_vec(&s.heads),
                    signatures,
                });
            }
        }
        Ok((send, false))
    }

    /// The signature records of these households, when the device asked for them (`signed`).
    pub(super) async fn records_of(
        &self,
        ids: &[Uuid],
        signed: bool,
    ) -> Result<std::collections::HashMap<Uuid, Vec<shumari_proto::signing::SignedChange>>> {
        if !signed || ids.is_empty() {
            return Ok(Default::default());
        }
        Ok(self
            .storage
            .household_signatures(ids)
            .await?
            .into_iter()
            .collect())
    }
}
