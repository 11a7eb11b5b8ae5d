//! Automerge bytes from another party, measured before automerge parses them.
//!
//! automerge trusts the bytes it loads more than a registry can afford to: it inflates a compressed
//! change chunk or a deflated document column to whatever size it says (a few KiB can become
//! gigabytes inside `AutoCommit::load`), and its columns are run-length encoded, so a few bytes can
//! describe millions of operations, each an allocation once loaded. [`inspect`] walks the chunks the
//! way automerge will, without building anything: it inflates what is compressed through a bounded
//! reader (keeping at most [`Bounds::inflated_bytes`]), and sums every column's run lengths without
//! expanding them. Bytes that pass describe at most [`Bounds::ops`] operations in at most
//! [`Bounds::inflated_bytes`] inflated bytes; anything else is refused before automerge sees it.
//!
//! The binary format (automerge's storage format, as of 0.12):
//! ```text
//! chunk    = magic:85 6f 4a 83  checksum:4  type:u8  len:uleb  body:len
//! type     = 0 document | 1 change | 2 compressed change (body is a DEFLATEd change body) | 3 bundle
//! change   = deps:(uleb n, hash:32 * n) actor:bytes seq:uleb start_op:uleb time:sleb message:bytes
//!            other-actors:(uleb n, bytes * n) ops-columns column-data extra
//! document = actors:(uleb n, bytes * n) heads:(uleb n, hash:32 * n) change-columns ops-columns
//!            change-column-data ops-column-data head-indices
//! columns  = uleb n, (spec:uleb u32, len:uleb) * n     spec = id << 4 | deflate:0x08 | type:0..7
//! ```
//! Column types and how their values are counted: group, actor, integer, value metadata (RLE of
//! uleb), delta (RLE of sleb), string (RLE of length-prefixed bytes), boolean (alternating run
//! lengths), value (raw bytes, counted by the metadata column). An RLE column is records of a sleb
//! count `n`: `n > 0` repeats the next value `n` times, `n < 0` is followed by `-n` literal values,
//! `0` by a uleb count of nulls. Bundles (type 3) are experimental in automerge and never sent by
//! Shumari: they are refused.

use crate::codec::{DecodeError, Reader};
use crate::limits::{MAX_CHANGE_DEPS, MAX_INFLATED_BYTES, MAX_OPS};
use flate2::read::DeflateDecoder;
use std::io::Read;

/// automerge's chunk magic.
pub(crate) const CHUNK_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const DOCUMENT: u8 = 0;
const CHANGE: u8 = 1;
const COMPRESSED_CHANGE: u8 = 2;
const BUNDLE: u8 = 3;
/// Column spec bit: the column's data is DEFLATEd.
const DEFLATE_BIT: u32 = 0x08;

/// What one household's automerge bytes may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Bytes all compressed parts may inflate to, together.
    pub inflated_bytes: usize,
    /// Operations (and a document's change records) all chunks may describe, together.
    pub ops: u64,
}

impl Bounds {
    /// The bounds of one household ([`crate::limits`]).
    pub const HOUSEHOLD: Bounds = Bounds {
        inflated_bytes: MAX_INFLATED_BYTES,
        ops: MAX_OPS,
    };
}

/// Why automerge bytes were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BytesError {
    /// Not automerge's format (automerge would refuse it too).
    #[error("not automerge data: {0}")]
    Malformed(&'static str),
    /// Compressed parts inflate beyond the bound.
    #[error("the compressed data inflates to more than {limit} bytes")]
    Inflates {
        /// The bound, in bytes.
        limit: usize,
    },
    /// The columns describe more operations than the bound.
    #[error("the data describes more than {limit} operations")]
    TooManyOps {
        /// The bound.
        limit: u64,
    },
    /// A change names more dependencies than any real change has.
    #[error("a change names more than {limit} dependencies")]
    TooManyDeps {
        /// The bound.
        limit: usize,
    },
    /// A chunk type Shumari never sends.
    #[error("automerge bundle chunks are not accepted")]
    Bundle,
}

impl From<DecodeError> for BytesError {
    fn from(_: DecodeError) -> Self {
        BytesError::Malformed("a length runs past the end of the data")
    }
}

/// What the bytes hold, once measured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// Chunks (documents and changes).
    pub chunks: usize,
    /// Bytes inflated from compressed parts.
    pub inflated: usize,
    /// Operations and change records described.
    pub ops: u64,
    /// Actors named: a document's actor table, each change's author and the others it names.
    pub actors: usize,
    /// Dependencies named by the changes.
    pub deps: u64,
}

/// Measures `bytes` (concatenated automerge chunks, as `save`, `save_after` or a concatenation of
/// them) against `bounds`, without building anything.
pub fn inspect(bytes: &[u8], bounds: Bounds) -> Result<Shape, BytesError> {
    let mut m = Measure {
        bounds,
        shape: Shape::default(),
    };
    let mut r = Reader::new(bytes);
    while r.remaining() > 0 {
        if r.take_bytes(4)? != CHUNK_MAGIC {
            return Err(BytesError::Malformed("bad chunk magic"));
        }
        r.take_bytes(4)?; // checksum: automerge checks it
        let kind = r.u8()?;
        let len = usize::try_from(r.varint()?).map_err(|_| BytesError::Malformed("length"))?;
        let body = r.take_bytes(len)?;
        match kind {
            CHANGE => m.change(body)?,
            COMPRESSED_CHANGE => {
                let inflated = m.inflate(body)?;
                m.change(&inflated)?;
            }
            DOCUMENT => m.document(body)?,
            BUNDLE => return Err(BytesError::Bundle),
            _ => return Err(BytesError::Malformed("unknown chunk type")),
        }
        m.shape.chunks += 1;
    }
    Ok(m.shape)
}

struct Measure {
    bounds: Bounds,
    shape: Shape,
}

impl Measure {
    /// Inflates `data`, holding at most what is left of the bound (plus one byte, to tell).
    fn inflate(&mut self, data: &[u8]) -> Result<Vec<u8>, BytesError> {
        let left = self.bounds.inflated_bytes - self.shape.inflated;
        let mut out = Vec::new();
        DeflateDecoder::new(data)
            .take(left as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|_| BytesError::Malformed("bad DEFLATE data"))?;
        if out.len() > left {
            return Err(BytesError::Inflates {
                limit: self.bounds.inflated_bytes,
            });
        }
        self.shape.inflated += out.len();
        Ok(out)
    }

    /// Adds `n` rows to the operations described.
    fn add_ops(&mut self, n: u64) -> Result<(), BytesError> {
        self.shape.ops = self.shape.ops.saturating_add(n);
        if self.shape.ops > self.bounds.ops {
            return Err(BytesError::TooManyOps {
                limit: self.bounds.ops,
            });
        }
        Ok(())
    }

    /// The most values any of `specs`' columns holds (the rows they describe), inflating deflated
    /// columns when `inflate` (a document) and refusing them otherwise (automerge does for changes).
    fn columns(
        &mut self,
        r: &mut Reader<'_>,
        specs: &[(u32, usize)],
        inflate: bool,
    ) -> Result<u64, BytesError> {
        let mut rows = 0u64;
        let limit = self.bounds.ops - self.shape.ops;
        for &(spec, len) in specs {
            let data = r.take_bytes(len)?;
            let owned;
            let data = if spec & DEFLATE_BIT == 0 {
                data
            } else if inflate {
                owned = self.inflate(data)?;
                &owned[..]
            } else {
                return Err(BytesError::Malformed("a compressed column in a change"));
            };
            rows = rows.max(count_values(spec, data, limit)?);
        }
        Ok(rows)
    }

    fn change(&mut self, body: &[u8]) -> Result<(), BytesError> {
        let mut r = Reader::new(body);
        let deps = r.count(32)?;
        if deps > MAX_CHANGE_DEPS {
            return Err(BytesError::TooManyDeps {
                limit: MAX_CHANGE_DEPS,
            });
        }
        r.take_bytes(32 * deps)?;
        self.shape.deps += deps as u64;
        r.bytes()?; // actor
        self.shape.actors += 1;
        r.varint()?; // seq
        r.varint()?; // start op
        skip_leb(&mut r)?; // time
        r.bytes()?; // message
        let others = r.count(1)?;
        self.shape.actors += others;
        for _ in 0..others {
            r.bytes()?;
        }
        let specs = column_specs(&mut r)?;
        let rows = self.columns(&mut r, &specs, false)?;
        self.add_ops(rows)
    }

    fn document(&mut self, body: &[u8]) -> Result<(), BytesError> {
        let mut r = Reader::new(body);
        let actors = r.count(1)?;
        self.shape.actors += actors;
        for _ in 0..actors {
            r.bytes()?;
        }
        let heads = r.count(32)?;
        r.take_bytes(32 * heads)?;
        let change_specs = column_specs(&mut r)?;
        let op_specs = column_specs(&mut r)?;
        let changes = self.columns(&mut r, &change_specs, true)?;
        self.add_ops(changes)?;
        let ops = self.columns(&mut r, &op_specs, true)?;
        self.add_ops(ops)
    }
}

/// A column metadata list: (spec, data length) per column.
fn column_specs(r: &mut Reader<'_>) -> Result<Vec<(u32, usize)>, BytesError> {
    let n = r.count(2)?;
    (0..n)
        .map(|_| {
            let spec = u32::try_from(r.varint()?).map_err(|_| BytesError::Malformed("spec"))?;
            let len = usize::try_from(r.varint()?).map_err(|_| BytesError::Malformed("length"))?;
            Ok((spec, len))
        })
        .collect()
}

/// Skips one LEB128 number (signed or not).
fn skip_leb(r: &mut Reader<'_>) -> Result<(), BytesError> {
    for _ in 0..10 {
        if r.u8()? & 0x80 == 0 {
            return Ok(());
        }
    }
    Err(BytesError::Malformed("LEB128 number too long"))
}

/// A signed LEB128 number.
fn sleb(r: &mut Reader<'_>) -> Result<i64, BytesError> {
    let mut v: i64 = 0;
    let mut shift = 0u32;
    loop {
        if shift >= 64 {
            return Err(BytesError::Malformed("LEB128 number too long"));
        }
        let b = r.u8()?;
        v |= i64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            if shift < 64 && b & 0x40 != 0 {
                v |= -1i64 << shift;
            }
            return Ok(v);
        }
    }
}

/// How many values the column `spec` holds in `data`, failing as soon as it passes `limit`.
fn count_values(spec: u32, data: &[u8], limit: u64) -> Result<u64, BytesError> {
    let mut r = Reader::new(data);
    let mut n = 0u64;
    let mut add = |k: u64| {
        n = n.saturating_add(k);
        if n > limit {
            Err(BytesError::TooManyOps { limit })
        } else {
            Ok(())
        }
    };
    match spec & 0x07 {
        // Raw values: their count is the metadata column's.
        7 => {}
        // Boolean: alternating run lengths.
        4 => {
            while r.remaining() > 0 {
                add(r.varint()?)?;
            }
        }
        t => {
            let skip_value = |r: &mut Reader<'_>| -> Result<(), BytesError> {
                if t == 5 {
                    r.bytes()?;
                    Ok(())
                } else {
                    skip_leb(r)
                }
            };
            while r.remaining() > 0 {
                let k = sleb(&mut r)?;
                if k > 0 {
                    skip_value(&mut r)?;
                    add(k.unsigned_abs())?;
                } else if k < 0 {
                    // Each literal takes at least a byte: the loop ends with the data.
                    for _ in 0..k.unsigned_abs() {
                        skip_value(&mut r)?;
                    }
                    add(k.unsigned_abs())?;
                } else {
                    add(r.varint()?)?;
                }
            }
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};
    use flate2::write::DeflateEncoder;
    use flate2::Compression;
    use sha2::{Digest, Sha256};
    use std::io::Write;

    /// A chunk with its checksum: kind and body, the body's length a LEB128 varint (the codec's).
    fn chunk(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut w = crate::codec::Writer::new();
        w.u8(kind);
        w.bytes(body);
        let rest = w.into_inner();
        let hash: [u8; 32] = Sha256::digest(&rest).into();
        [&CHUNK_MAGIC[..], &hash[..4], &rest].concat()
    }

    fn deflate_zeros(n: usize) -> Vec<u8> {
        let mut e = DeflateEncoder::new(Vec::new(), Compression::best());
        let block = vec![0u8; 1 << 20];
        let mut left = n;
        while left > 0 {
            let k = left.min(block.len());
            e.write_all(&block[..k]).unwrap();
            left -= k;
        }
        e.finish().unwrap()
    }

    fn household() -> AutoCommit {
        let mut d = AutoCommit::new();
        for i in 0..60 {
            d.put(ROOT, format!("q{i:02}"), format!("answer {i}"))
                .unwrap();
        }
        d.commit();
        d.put(ROOT, "q01", "revisited").unwrap();
        d.commit();
        d
    }

    #[test]
    fn what_automerge_writes_passes_and_is_measured() {
        let mut d = household();
        let saved = d.save();
        let shape = inspect(&saved, Bounds::HOUSEHOLD).unwrap();
        assert_eq!(shape.chunks, 1);
        assert_eq!(shape.actors, 1);
        assert!(shape.ops >= 61, "{shape:?}");
        let changes = d.save_after(&[]);
        let shape = inspect(&changes, Bounds::HOUSEHOLD).unwrap();
        assert_eq!(shape.chunks, 2);
        assert_eq!(shape.deps, 1);
        assert!(shape.ops >= 61, "{shape:?}");
        let mut both = saved.clone();
        both.extend_from_slice(&changes);
        assert_eq!(inspect(&both, Bounds::HOUSEHOLD).unwrap().chunks, 3);
        assert_eq!(inspect(&[], Bounds::HOUSEHOLD).unwrap(), Shape::default());
    }

    #[test]
    fn a_compressed_change_inflating_past_the_bound_is_refused_without_inflating_it() {
        let bomb = chunk(COMPRESSED_CHANGE, &deflate_zeros(64 << 20));
        assert!(bomb.len() < 128 * 1024, "{}", bomb.len());
        assert_eq!(
            inspect(&bomb, Bounds::HOUSEHOLD),
            Err(BytesError::Inflates {
                limit: MAX_INFLATED_BYTES
            })
        );
    }

    #[test]
    fn a_document_with_a_deflated_column_inflating_past_the_bound_is_refused() {
        let column = deflate_zeros(8 << 20);
        let mut w = crate::codec::Writer::new();
        w.u8(0); // no actors
        w.u8(0); // no heads
        w.u8(1); // one change column ...
        w.varint(u64::from(1u32 << 4 | DEFLATE_BIT)); // ... group column, deflated
        w.varint(column.len() as u64);
        w.u8(0); // no op columns
        let mut body = w.into_inner();
        body.extend_from_slice(&column);
        assert_eq!(
            inspect(&chunk(DOCUMENT, &body), Bounds::HOUSEHOLD),
            Err(BytesError::Inflates {
                limit: MAX_INFLATED_BYTES
            })
        );
    }

    #[test]
    fn a_run_length_describing_millions_of_operations_is_refused() {
        // An op column (type integer) whose one run repeats a value ten million times.
        let mut column = Vec::new();
        column.extend_from_slice(&[0x80, 0xad, 0xe2, 0x04]); // sleb 10_000_000
        column.push(1);
        let mut body = vec![0]; // no deps
        body.extend_from_slice(&[1, 0xaa]); // actor
        body.extend_from_slice(&[1, 1, 0, 0, 0]); // seq, start op, time, message, other actors
        let mut w = crate::codec::Writer::new();
        w.u8(1); // one op column ...
        w.varint(u64::from(2u32 << 4 | 2)); // ... integer
        w.bytes(&column);
        body.extend_from_slice(&w.into_inner());
        assert_eq!(
            inspect(&chunk(CHANGE, &body), Bounds::HOUSEHOLD),
            Err(BytesError::TooManyOps { limit: MAX_OPS })
        );
    }

    #[test]
    fn bundles_garbage_and_truncations_are_refused() {
        assert_eq!(
            inspect(&chunk(BUNDLE, &[0, 0]), Bounds::HOUSEHOLD),
            Err(BytesError::Bundle)
        );
        assert!(inspect(b"not automerge", Bounds::HOUSEHOLD).is_err());
        let saved = household().save();
        for cut in [1, 9, saved.len() / 2, saved.len() - 1] {
            assert!(inspect(&saved[..cut], Bounds::HOUSEHOLD).is_err(), "{cut}");
        }
    }
}
