//! The consistency check's digests: documents are split into [`BUCKETS`] buckets by a hash of their id;
//! each bucket's digest covers the sorted (id, sorted heads) of its documents. Equal digests mean equal
//! holdings with overwhelming probability; only buckets that differ are compared document by document.

use crate::message::{Heads, BUCKETS};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The bucket of a document.
pub fn bucket_of(id: &Uuid) -> u8 {
    let h = Sha256::digest(id.as_bytes());
    h[0] % BUCKETS as u8
}

/// Digests of every bucket for the given documents (any order).
pub fn bucket_digests<I>(docs: I) -> Vec<[u8; 8]>
where
    I: IntoIterator<Item = (Uuid, Heads)>,
{
    let mut buckets: Vec<Vec<(Uuid, Heads)>> = vec![Vec::new(); BUCKETS];
    for (id, mut heads) in docs {
        heads.sort_unstable();
        heads.dedup();
        buckets[bucket_of(&id) as usize].push((id, heads));
    }
    buckets
        .into_iter()
        .map(|mut b| {
            b.sort_unstable_by_key(|x| x.0);
            let mut h = Sha256::new();
            for (id, heads) in &b {
                h.update(id.as_bytes());
                h.update((heads.len() as u32).to_be_bytes());
                for x in heads {
                    h.update(x);
                }
            }
            let d = h.finalize();
            let mut out = [0u8; 8];
            out.copy_from_slice(&d[..8]);
            out
        })
        .collect()
}

/// One digest over all bucket digests: what a pull carries, so that an up-to-date device proves it in
/// 8 bytes (the registry answers with its bucket digests only when they differ).
pub fn root_digest(buckets: &[[u8; 8]]) -> [u8; 8] {
    let mut h = Sha256::new();
    for b in buckets {
        h.update(b);
    }
    let d = h.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&d[..8]);
    out
}

/// Indices of buckets whose digests differ (a missing list differs everywhere).
pub fn differing(a: &[[u8; 8]], b: &[[u8; 8]]) -> Vec<u8> {
    (0..BUCKETS)
        .filter(|&i| a.get(i) != b.get(i) || a.get(i).is_none())
        .map(|i| i as u8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_ignore_order_and_see_head_changes() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let x = bucket_digests(vec![(a, vec![[1; 32], [2; 32]]), (b, vec![])]);
        let y = bucket_digests(vec![(b, vec![]), (a, vec![[2; 32], [1; 32]])]);
        assert_eq!(x, y);
        let z = bucket_digests(vec![(b, vec![]), (a, vec![[3; 32]])]);
        assert_eq!(differing(&x, &z), vec![bucket_of(&a)]);
        assert_eq!(root_digest(&x), root_digest(&y));
        assert_ne!(root_digest(&x), root_digest(&z));
    }
}
