//! The compact form of automerge changes pushed to the registry: what the registry already knows is
//! not sent again.
//!
//! A 5-field edit is one automerge change chunk of about 200 bytes, and a third of it is framing the
//! registry can rebuild: the chunk magic (4 bytes), its type and length (3), and the 32-byte hash of
//! every dependency, which is a change the registry holds (usually the head it acknowledged). The
//! compact form keeps everything else byte for byte and shortens each dependency to an 8-byte prefix:
//!
//! ```text
//! compact = chunk*                       (to the end of the bytes; so two compact forms concatenate)
//! chunk   = checksum:4 ndeps:varint (dep-prefix:8){ndeps} rest:bytes
//! rest    = the change chunk's body after its dependencies (actor, seq, ops, ...), unchanged
//! ```
//! The receiver resolves each prefix against the hashes it holds for the document and the changes
//! earlier in the same bytes, rebuilds the chunk exactly, and checks it against the sender's checksum
//! (the first 4 bytes of the change hash). The hash is computed from the rebuilt bytes, so a prefix can
//! only ever resolve to a change the receiver already has: nothing is trusted that was not checked.
//! Should two held hashes share a prefix (2^-64 per pair), every combination is tried against the
//! checksum. Anything this module does not understand is sent in the raw form instead.

use crate::codec::{DecodeError, Reader, Writer};
use sha2::{Digest, Sha256};

/// automerge's chunk magic.
const CHUNK_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// automerge's chunk type of an uncompressed change.
const CHANGE_CHUNK: u8 = 1;
/// Bytes of a dependency hash kept in the compact form.
pub const PREFIX: usize = 8;
/// Most dependency combinations tried when prefixes are ambiguous.
const MAX_COMBINATIONS: usize = 64;

/// Why compact changes could not be rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    /// The bytes are not a compact form.
    #[error("malformed compact changes: {0}")]
    Malformed(#[from] DecodeError),
    /// A dependency is not a change the receiver holds.
    #[error("a change depends on history the registry does not have")]
    UnknownDependency,
    /// The rebuilt change does not match the sender's checksum.
    #[error("a rebuilt change does not match its checksum")]
    Checksum,
}

/// One change chunk split into what the compact form keeps.
struct Parsed<'a> {
    checksum: [u8; 4],
    deps: Vec<[u8; 32]>,
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

/// The body of a change chunk with these deps and rest.
fn body(deps: &[[u8; 32]], rest: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(2 + 32 * deps.len() + rest.len());
    uleb(deps.len() as u64, &mut b);
    for d in deps {
        b.extend_from_slice(d);
    }
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
        let rest = b.take_bytes(b.remaining()).ok()?;
        // Only chunks this module rebuilds byte for byte (minimal LEB128 lengths) are compacted.
        if chunk(&checksum, &self::body(&deps, rest)) != raw[start..end] {
            return None;
        }
        out.push(Parsed {
            checksum,
            deps,
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
        w.bytes(c.rest);
    }
    Some(w.into_inner())
}

/// Rebuilds the raw change chunks from their compact form. `known` returns the hashes the receiver
/// holds that start with a prefix (usually one; none when it lacks the change).
pub fn expand(
    compact: &[u8],
    mut known: impl FnMut(&[u8; PREFIX]) -> Vec<[u8; 32]>,
) -> Result<Vec<u8>, ExpandError> {
    let mut r = Reader::new(compact);
    let mut out = Vec::with_capacity(compact.len() + 64);
    // Changes rebuilt so far: later ones may depend on them.
    let mut here: Vec<[u8; 32]> = Vec::new();
    while r.remaining() > 0 {
        let checksum: [u8; 4] = r
            .take_bytes(4)?
            .try_into()
            .map_err(|_| DecodeError::Truncated)?;
        let n = r.count(PREFIX)?;
        let mut candidates: Vec<Vec<[u8; 32]>> = Vec::with_capacity(n);
        for _ in 0..n {
            let p: [u8; PREFIX] = r
                .take_bytes(PREFIX)?
                .try_into()
                .map_err(|_| DecodeError::Truncated)?;
            let mut c: Vec<[u8; 32]> = here.iter().filter(|h| h[..PREFIX] == p).copied().collect();
            for h in known(&p) {
                if h[..PREFIX] == p && !c.contains(&h) {
                    c.push(h);
                }
            }
            if c.is_empty() {
                return Err(ExpandError::UnknownDependency);
            }
            candidates.push(c);
        }
        let rest = r.bytes()?;
        let combos = candidates
            .iter()
            .try_fold(1usize, |acc, c| acc.checked_mul(c.len()))
            .filter(|&k| k <= MAX_COMBINATIONS)
            .ok_or(ExpandError::Checksum)?;
        let mut found = None;
        for mut k in 0..combos {
            let deps: Vec<[u8; 32]> = candidates
                .iter()
                .map(|c| {
                    let d = c[k % c.len()];
                    k /= c.len();
                    d
                })
                .collect();
            let b = body(&deps, rest);
            let h = hash_of(&b);
            if h[..4] == checksum {
                found = Some((b, h));
                break;
            }
        }
        let (b, h) = found.ok_or(ExpandError::Checksum)?;
        out.extend_from_slice(&chunk(&checksum, &b));
        here.push(h);
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

    #[test]
    fn compact_changes_rebuild_exactly_from_what_the_receiver_holds() {
        let (mut d, acked) = doc_with_edits();
        let raw = d.save_after(&acked);
        let compact = abbreviate(&raw).expect("plain change chunks");
        assert!(
            compact.len() + 3 * 28 <= raw.len(),
            "{} vs {}",
            compact.len(),
            raw.len()
        );
        let held: Vec<[u8; 32]> = acked.iter().map(|h| h.0).collect();
        let rebuilt = expand(&compact, |p| {
            held.iter().filter(|h| h[..PREFIX] == *p).copied().collect()
        })
        .unwrap();
        assert_eq!(rebuilt, raw);
        // Concatenated compact forms are a compact form of the concatenation.
        let mut twice = compact.clone();
        twice.extend_from_slice(&compact);
        let mut raw2 = raw.clone();
        raw2.extend_from_slice(&raw);
        assert_eq!(expand(&twice, |_| held.clone()).unwrap(), raw2);
    }

    #[test]
    fn unknown_history_and_tampering_are_errors() {
        let (mut d, acked) = doc_with_edits();
        let compact = abbreviate(&d.save_after(&acked)).unwrap();
        assert_eq!(
            expand(&compact, |_| Vec::new()),
            Err(ExpandError::UnknownDependency)
        );
        let held: Vec<[u8; 32]> = acked.iter().map(|h| h.0).collect();
        let mut bad = compact.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        assert_eq!(expand(&bad, |_| held.clone()), Err(ExpandError::Checksum));
        // A wrong hash sharing the prefix is never taken for the right one.
        let mut twin = held[0];
        twin[31] ^= 1;
        assert_eq!(expand(&compact, |_| vec![twin]), Err(ExpandError::Checksum));
        // Both candidates offered: the one matching the checksum wins.
        let raw = d.save_after(&acked);
        assert_eq!(expand(&compact, |_| vec![twin, held[0]]).unwrap(), raw);
    }

    #[test]
    fn documents_and_garbage_are_not_compacted() {
        let (mut d, _) = doc_with_edits();
        assert!(abbreviate(&d.save()).is_none());
        assert!(abbreviate(b"not automerge").is_none());
        assert_eq!(abbreviate(b""), Some(Vec::new()));
    }
}
