//! The compact form of automerge changes pushed to the registry: what the registry already knows is
//! not sent again.
//!
//! A 5-field edit is one automerge change chunk of about 200 bytes, and a third of it is framing the
//! registry can rebuild: the chunk magic (4 bytes), its type and length (3), the 32-byte hash of every
//! dependency, which is a change the registry holds (usually the head it acknowledged), and the
//! 16-byte actor id, which the registry knows (bound to the pushing device, or already in the
//! document). The compact form keeps everything else byte for byte and shortens those to prefixes:
//!
//! ```text
//! compact = chunk*                       (to the end of the bytes; so two compact forms concatenate)
//! chunk   = checksum:4 ndeps:varint (dep-prefix:8){ndeps} actor rest:bytes
//! actor   = 0 actor-id:bytes | k:u8 actor-prefix:k     (k in 1..=16)
//! rest    = the change chunk's body after its actor (seq, time, message, ops, ...), unchanged
//! ```
//! The receiver resolves each prefix against what it holds ([`Holdings`]) and the changes earlier in
//! the same bytes, rebuilds the chunk exactly, and checks it against the sender's checksum (the first
//! 4 bytes of the change hash). The hash is computed from the rebuilt bytes, so a prefix can only ever
//! resolve to a change or actor the receiver already has: nothing is trusted that was not checked.
//! Should two held values share a prefix, every combination is tried against the checksum. Anything
//! this module does not understand is sent in the raw form instead.

use crate::codec::{DecodeError, Reader, Writer};
use crate::inspect::CHUNK_MAGIC;
use crate::limits::MAX_CHANGE_DEPS;
use sha2::{Digest, Sha256};

/// automerge's chunk type of an uncompressed change.
const CHANGE_CHUNK: u8 = 1;
/// Bytes of a dependency hash kept in the compact form.
pub const PREFIX: usize = 8;
/// Bytes of an actor id kept in the compact form.
pub const ACTOR_PREFIX: usize = 4;
/// Most combinations of candidates tried when prefixes are ambiguous (each costs a hash of the chunk,
/// so this bounds what a device registering look-alike actors can make the registry do).
const MAX_COMBINATIONS: usize = 16;

/// What the receiver holds, to resolve prefixes.
pub trait Holdings {
    /// Hashes of changes held that start with `prefix` (usually one; none when the change is not
    /// held).
    fn hashes(&mut self, prefix: &[u8; PREFIX]) -> Vec<[u8; 32]>;
    /// Actor ids known that start with `prefix`.
    fn actors(&mut self, prefix: &[u8]) -> Vec<Vec<u8>>;
}

/// Why compact changes could not be rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    /// The bytes are not a compact form.
    #[error("malformed compact changes: {0}")]
    Malformed(#[from] DecodeError),
    /// A dependency is not a change the receiver holds.
    #[error("a change depends on history the registry does not have")]
    UnknownDependency,
    /// An abbreviated actor is none the receiver knows.
    #[error("a change was made by an actor the registry does not know for this device")]
    UnknownActor,
    /// The rebuilt change does not match the sender's checksum.
    #[error("a rebuilt change does not match its checksum")]
    Checksum,
}

/// One change chunk split into what the compact form keeps.
struct Parsed<'a> {
    checksum: [u8; 4],
    deps: Vec<[u8; 32]>,
    actor: &'a [u8],
    rest: &'a [u8],
}

fn uleb(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// The body of a change chunk with these deps, actor and rest.
fn body(deps: &[[u8; 32]], actor: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(4 + 32 * deps.len() + actor.len() + rest.len());
    uleb(deps.len() as u64, &mut b);
    for d in deps {
        b.extend_from_slice(d);
    }
    uleb(actor.len() as u64, &mut b);
    b.extend_from_slice(actor);
    b.extend_from_slice(rest);
    b
}

/// The change hash of a chunk body (automerge: SHA-256 of type, LEB128 length and body).
fn hash_of(body: &[u8]) -> [u8; 32] {
    let mut head = vec![CHANGE_CHUNK];
    uleb(body.len() as u64, &mut head);
    let mut h = Sha256::new();
    h.update(&head);
    h.update(body);
    h.finalize().into()
}

/// The full chunk: magic, checksum, type, length, body.
fn chunk(checksum: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 12);
    out.extend_from_slice(&CHUNK_MAGIC);
    out.extend_from_slice(checksum);
    out.push(CHANGE_CHUNK);
    uleb(body.len() as u64, &mut out);
    out.extend_from_slice(body);
    out
}

/// Splits concatenated raw change chunks; `None` for anything else (documents, compressed chunks).
fn parse(raw: &[u8]) -> Option<Vec<Parsed<'_>>> {
    let mut r = Reader::new(raw);
    let mut out = Vec::new();
    while r.remaining() > 0 {
        let start = raw.len() - r.remaining();
        let magic = r.take_bytes(4).ok()?;
        if magic != CHUNK_MAGIC {
            return None;
        }
        let checksum: [u8; 4] = r.take_bytes(4).ok()?.try_into().ok()?;
        if r.u8().ok()? != CHANGE_CHUNK {
            return None;
        }
        let len = usize::try_from(r.varint().ok()?).ok()?;
        let body = r.take_bytes(len).ok()?;
        let end = raw.len() - r.remaining();
        let mut b = Reader::new(body);
        let n = b.count(32).ok()?;
        let deps = (0..n)
            .map(|_| b.hash())
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        let actor = b.bytes().ok()?;
        let rest = b.take_bytes(b.remaining()).ok()?;
        // Only chunks this module rebuilds byte for byte (minimal LEB128 lengths) are compacted.
        if chunk(&checksum, &self::body(&deps, actor, rest)) != raw[start..end] {
            return None;
        }
        out.push(Parsed {
            checksum,
            deps,
            actor,
            rest,
        });
    }
    Some(out)
}

/// The compact form of concatenated raw automerge change chunks (what `save_after` returns), or
/// `None` when the bytes hold anything else (send them raw).
pub fn abbreviate(raw: &[u8]) -> Option<Vec<u8>> {
    let chunks = parse(raw)?;
    let mut w = Writer::new();
    for c in &chunks {
        for b in c.checksum {
            w.u8(b);
        }
        w.varint(c.deps.len() as u64);
        for d in &c.deps {
            for b in &d[..PREFIX] {
                w.u8(*b);
            }
        }
        if c.actor.len() > ACTOR_PREFIX && c.actor.len() <= 64 {
            w.u8(ACTOR_PREFIX as u8);
            for b in &c.actor[..ACTOR_PREFIX] {
                w.u8(*b);
            }
        } else {
            w.u8(0);
            w.bytes(c.actor);
        }
        w.bytes(c.rest);
    }
    Some(w.into_inner())
}

/// Rebuilds the raw change chunks from their compact form, resolving prefixes with `held`.
pub fn expand(compact: &[u8], held: &mut impl Holdings) -> Result<Vec<u8>, ExpandError> {
    let mut r = Reader::new(compact);
    let mut out = Vec::with_capacity(compact.len() + 64);
    // Changes (hash, actor) rebuilt so far: later ones may depend on them.
    let mut here: Vec<([u8; 32], Vec<u8>)> = Vec::new();
    while r.remaining() > 0 {
        let checksum: [u8; 4] = r
            .take_bytes(4)?
            .try_into()
            .map_err(|_| DecodeError::Truncated)?;
        let n = r.count(PREFIX)?;
        if n > MAX_CHANGE_DEPS {
            return Err(DecodeError::Invalid("more dependencies than a change has").into());
        }
        let mut deps: Vec<Vec<[u8; 32]>> = Vec::with_capacity(n);
        for _ in 0..n {
            let p: [u8; PREFIX] = r
                .take_bytes(PREFIX)?
                .try_into()
                .map_err(|_| DecodeError::Truncated)?;
            // Distinct candidates only (the same change may appear twice when a registry merges
            // two pushes of one household).
            let mut c: Vec<[u8; 32]> = Vec::new();
            for (h, _) in &here {
                if h[..PREFIX] == p && !c.contains(h) {
                    c.push(*h);
                }
            }
            for h in held.hashes(&p) {
                if h[..PREFIX] == p && !c.contains(&h) {
                    c.push(h);
                }
            }
            if c.is_empty() {
                return Err(ExpandError::UnknownDependency);
            }
            deps.push(c);
        }
        let actors: Vec<Vec<u8>> = match r.u8()? {
            0 => vec![r.bytes()?.to_vec()],
            k if usize::from(k) <= 16 => {
                let p = r.take_bytes(usize::from(k))?;
                // Distinct candidates only: a batch of many changes by one actor lists it once (each
                // duplicate would multiply the combinations tried and trip the bound below).
                let mut c: Vec<Vec<u8>> = Vec::new();
                for (_, a) in &here {
                    if a.starts_with(p) && !c.contains(a) {
                        c.push(a.clone());
                    }
                }
                for a in held.actors(p) {
                    if a.starts_with(p) && a.len() <= 64 && !c.contains(&a) {
                        c.push(a);
                    }
                }
                if c.is_empty() {
                    return Err(ExpandError::UnknownActor);
                }
                c
            }
            _ => return Err(DecodeError::Invalid("actor prefix").into()),
        };
        let rest = r.bytes()?;
        let combos = deps
            .iter()
            .map(Vec::len)
            .chain([actors.len()])
            .try_fold(1usize, |acc, k| acc.checked_mul(k))
            .filter(|&k| k <= MAX_COMBINATIONS)
            .ok_or(ExpandError::Checksum)?;
        let mut found = None;
        for mut k in 0..combos {
            let mut pick = |len: usize| {
                let i = k % len;
                k /= len;
                i
            };
            let d: Vec<[u8; 32]> = deps.iter().map(|c| c[pick(c.len())]).collect();
            let a = &actors[pick(actors.len())];
            let b = body(&d, a, rest);
            let h = hash_of(&b);
            if h[..4] == checksum {
                found = Some((b, h, a.clone()));
                break;
            }
        }
        let (b, h, a) = found.ok_or(ExpandError::Checksum)?;
        out.extend_from_slice(&chunk(&checksum, &b));
        here.push((h, a));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ChangeHash, ROOT};

    fn doc_with_edits() -> (AutoCommit, Vec<ChangeHash>) {
        let mut d = AutoCommit::new();
        d.put(ROOT, "q00", "first").unwrap();
        d.commit();
        let acked = d.get_heads();
        for i in 0..3 {
            d.put(ROOT, "q01", format!("edit {i}")).unwrap();
            d.put(ROOT, "q02", i).unwrap();
            d.commit();
        }
        (d, acked)
    }

    /// Holdings from lists.
    struct Held(Vec<[u8; 32]>, Vec<Vec<u8>>);

    impl Holdings for Held {
        fn hashes(&mut self, prefix: &[u8; PREFIX]) -> Vec<[u8; 32]> {
            self.0
                .iter()
                .filter(|h| h[..PREFIX] == *prefix)
                .copied()
                .collect()
        }
        fn actors(&mut self, prefix: &[u8]) -> Vec<Vec<u8>> {
            self.1
                .iter()
                .filter(|a| a.starts_with(prefix))
                .cloned()
                .collect()
        }
    }

    fn held(d: &AutoCommit, acked: &[ChangeHash]) -> Held {
        Held(
            acked.iter().map(|h| h.0).collect(),
            vec![d.get_actor().to_bytes().to_vec()],
        )
    }

    #[test]
    fn a_long_run_of_one_actors_changes_rebuilds() {
        // A surveyor's keystrokes: dozens of changes by one actor pushed in one batch.
        let mut d = AutoCommit::new();
        d.put(ROOT, "q00", "first").unwrap();
        d.commit();
        let acked = d.get_heads();
        for i in 0..60 {
            d.put(ROOT, "name", format!("Ayesha {i}")).unwrap();
            d.commit();
        }
        let raw = d.save_after(&acked);
        let compact = abbreviate(&raw).expect("plain change chunks");
        assert_eq!(expand(&compact, &mut held(&d, &acked)).unwrap(), raw);
    }

    #[test]
    fn compact_changes_rebuild_exactly_from_what_the_receiver_holds() {
        let (mut d, acked) = doc_with_edits();
        let raw = d.save_after(&acked);
        let compact = abbreviate(&raw).expect("plain change chunks");
        assert!(
            compact.len() + 3 * 40 <= raw.len(),
            "{} vs {}",
            compact.len(),
            raw.len()
        );
        let rebuilt = expand(&compact, &mut held(&d, &acked)).unwrap();
        assert_eq!(rebuilt, raw);
        // Concatenated compact forms are a compact form of the concatenation.
        let mut twice = compact.clone();
        twice.extend_from_slice(&compact);
        let mut raw2 = raw.clone();
        raw2.extend_from_slice(&raw);
        assert_eq!(expand(&twice, &mut held(&d, &acked)).unwrap(), raw2);
    }

    #[test]
    fn unknown_history_and_tampering_are_errors() {
        let (mut d, acked) = doc_with_edits();
        let raw = d.save_after(&acked);
        let compact = abbreviate(&raw).unwrap();
        let mut h = held(&d, &acked);
        let actors = h.1.clone();
        assert_eq!(
            expand(&compact, &mut Held(Vec::new(), actors.clone())),
            Err(ExpandError::UnknownDependency)
        );
        assert_eq!(
            expand(&compact, &mut Held(h.0.clone(), Vec::new())),
            Err(ExpandError::UnknownActor)
        );
        let mut bad = compact.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        assert_eq!(expand(&bad, &mut h), Err(ExpandError::Checksum));
        // A wrong hash or actor sharing the prefix is never taken for the right one.
        let mut twin = h.0[0];
        twin[31] ^= 1;
        assert_eq!(
            expand(&compact, &mut Held(vec![twin], actors.clone())),
            Err(ExpandError::Checksum)
        );
        let mut other = actors[0].clone();
        other[15] ^= 1;
        assert_eq!(
            expand(&compact, &mut Held(h.0.clone(), vec![other.clone()])),
            Err(ExpandError::Checksum)
        );
        // Both candidates offered: the ones matching the checksum win.
        let mut both = Held(vec![twin, h.0[0]], vec![other, actors[0].clone()]);
        assert_eq!(expand(&compact, &mut both).unwrap(), raw);
    }

    #[test]
    fn documents_and_garbage_are_not_compacted() {
        let (mut d, _) = doc_with_edits();
        assert!(abbreviate(&d.save()).is_none());
        assert!(abbreviate(b"not automerge").is_none());
        assert_eq!(abbreviate(b""), Some(Vec::new()));
    }
}
