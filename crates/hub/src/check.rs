//! The consistency check upstream, as the device engine runs it: the hub's pull carries the digest
//! of what it holds, and when the registry above answers that its digest differs, `/v1/check`
//! compares heads per household in the buckets that differ and repairs both ways.
//!
//! What the hub holds, for the digest, is every household of its registry except those the
//! registry above said left the hub's district ([`UpstreamState::left_scope`]). The check's answer:
//! - `send`: households the hub lacks or is behind on (whole, with their signature records),
//!   applied like a page of the feed ([`crate::apply`]) and acknowledged;
//! - `want`: households the registry above lacks or is behind on, such as those a centre restored
//!   from an older backup lost: their acknowledgement is forgotten, so the round's next push sends
//!   them whole (with the records the hub keeps, verified above as any relay's);
//! - `remove`: households the hub holds outside its district: recorded as left, as a pull's
//!   `removed` is ([`leave`]).
//!
//! Why the digest at all: the hub's feed cursor and acknowledgements describe what the registry
//! above held when it answered. A registry restored from a backup, or a household changed behind
//! the feed's back, makes them wrong, and only comparing holdings finds that.

use crate::apply::{apply_page, now_ms, Applied};
use crate::error::Result;
use crate::state::UpstreamState;
use shumari_proto::check::{bucket_digests, bucket_of};
use shumari_proto::message::{CheckRequest, DocChanges, Heads, DEFAULT_CHUNK_BYTES};
use shumari_registry::storage::{heads_vec, Storage};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// (id, heads) of every household the hub counts as held in its district.
pub async fn held<S: Storage>(storage: &S, state: &UpstreamState) -> Result<Vec<(Uuid, Heads)>> {
    let left = state.left_scope()?;
    Ok(storage
        .all_heads()
        .await?
        .into_iter()
        .filter(|(id, _, _)| !left.contains(id))
        .map(|(id, _, h)| (id, heads_vec(&h)))
        .collect())
}

/// The bucket digests of what the hub holds (the pull sends their root).
pub async fn digests<S: Storage>(storage: &S, state: &UpstreamState) -> Result<Vec<[u8; 8]>> {
    Ok(bucket_digests(held(storage, state).await?))
}

/// Acknowledges what the registry above holds after it sent `docs` and the hub applied them:
/// its heads for each household, merged with what it was already known to hold when the hub
/// has more.
pub fn acknowledge(
    state: &mut UpstreamState,
    docs: &[DocChanges],
    applied: &[Applied],
) -> Result<()> {
    let sent: HashMap<Uuid, &Vec<[u8; 32]>> = docs.iter().map(|d| (d.id, &d.heads)).collect();
    let known = state.acked()?;
    let acks: Vec<(Uuid, Vec<[u8; 32]>)> = applied
        .iter()
        .filter_map(|a| {
            let theirs = sent.get(&a.id)?;
            let mine: HashSet<&[u8; 32]> = a.heads.iter().collect();
            if theirs.iter().all(|h| mine.contains(h)) && theirs.len() == mine.len() {
                return Some((a.id, (*theirs).clone()));
            }
            let mut all: Vec<[u8; 32]> = known.get(&a.id).cloned().unwrap_or_default();
            all.extend(theirs.iter().copied());
            all.sort_unstable();
            all.dedup();
            Some((a.id, all))
        })
        .collect();
    state.set_acked(&acks)?;
    // A household sent whole again is back in the district.
    let back: Vec<Uuid> = docs.iter().map(|d| d.id).collect();
    state.set_left_scope(&back, false, now_ms())
}

/// Records that `ids` left the hub's district, as a device forgets them: the hub stops counting
/// and pushing them. They stay in the hub's registry (a registry deletes no household), so the
/// hub's tablets keep them, and a change the hub holds for one and the registry above never
/// received stays at the hub; the registry above would refuse it out of scope. Returns how many
/// were new.
pub fn leave(state: &mut UpstreamState, ids: &[Uuid]) -> Result<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let before = state.left_scope()?;
    let new: Vec<Uuid> = ids
        .iter()
        .filter(|id| !before.contains(id))
        .copied()
        .collect();
    state.set_left_scope(&new, true, now_ms())?;
    Ok(new.len())
}

/// The check requests for the buckets that differ: each under the size of a request (hashes do
/// not compress), with every household the hub holds in its buckets.
pub fn requests(held: Vec<(Uuid, Heads)>, buckets: &[u8]) -> Vec<CheckRequest> {
    let wanted: HashSet<u8> = buckets.iter().copied().collect();
    let mut per: HashMap<u8, Vec<(Uuid, Heads)>> = HashMap::new();
    for (id, h) in held {
        let b = bucket_of(&id);
        if wanted.contains(&b) {
            per.entry(b).or_default().push((id, h));
        }
    }
    let budget = DEFAULT_CHUNK_BYTES.saturating_sub(1024).max(4096);
    let mut out: Vec<CheckRequest> = Vec::new();
    let mut size = 0;
    for &b in buckets {
        let docs = per.remove(&b).unwrap_or_default();
        let s: usize = docs.iter().map(|(_, h)| 18 + 32 * h.len()).sum();
        match out.last_mut() {
            Some(r) if size + s <= budget => {
                size += s;
                r.buckets.push(b);
                r.docs.extend(docs);
            }
            _ => {
                size = s;
                out.push(CheckRequest {
                    buckets: vec![b],
                    docs,
                    signatures: true,
                });
            }
        }
    }
    out
}

/// What one check answer did at the hub.
#[derive(Debug, Default)]
pub struct Repaired {
    /// Households that received changes.
    pub pulled: usize,
    /// Households to push whole.
    pub wanted: Vec<Uuid>,
    /// Households that left the district.
    pub removed: usize,
}

/// Applies one check answer: what it sent, what it wants pushed again, what left the district.
pub async fn apply_answer<S: Storage>(
    storage: &S,
    state: &mut UpstreamState,
    send: &[DocChanges],
    want: &[Uuid],
    remove: &[Uuid],
) -> Result<Repaired> {
    let applied = apply_page(storage, send).await?;
    acknowledge(state, send, &applied)?;
    // Forget what the registry above was known to hold: the next push sends these whole.
    let forget: Vec<(Uuid, Vec<[u8; 32]>)> = want.iter().map(|id| (*id, Vec::new())).collect();
    state.set_acked(&forget)?;
    Ok(Repaired {
        pulled: applied.iter().filter(|a| a.changed).count(),
        wanted: want.to_vec(),
        removed: leave(state, remove)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_cover_each_differing_bucket_once_and_only_their_households() {
        let held: Vec<(Uuid, Heads)> = (0..2000u128)
            .map(|n| (Uuid::from_u128(n), vec![[n as u8; 32]; 3]))
            .collect();
        let buckets: Vec<u8> = (0..=255u8).step_by(2).collect();
        let reqs = requests(held.clone(), &buckets);
        let mut seen: Vec<u8> = reqs.iter().flat_map(|r| r.buckets.clone()).collect();
        seen.sort_unstable();
        assert_eq!(seen, buckets);
        let docs: usize = reqs.iter().map(|r| r.docs.len()).sum();
        let expected = held
            .iter()
            .filter(|(id, _)| bucket_of(id).is_multiple_of(2))
            .count();
        assert_eq!(docs, expected);
        for r in &reqs {
            assert!(r
                .docs
                .iter()
                .all(|(id, _)| r.buckets.contains(&bucket_of(id))));
        }
    }
}
