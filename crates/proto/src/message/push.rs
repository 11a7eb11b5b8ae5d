//! Pushing changes (`/v1/push`) and the per-household outcome.

use super::{Message, Refusal};
use crate::codec::{DecodeError, Reader, Writer};
use uuid::Uuid;

/// How a pushed document's changes are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeEncoding {
    /// Raw automerge bytes (change chunks or a whole save).
    Raw,
    /// [`crate::compact`] form: change chunks without what the registry already holds.
    Compact,
}

/// One pushed document. No heads: the registry computes them, and the device remembers its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushDoc {
    /// Household id.
    pub id: Uuid,
    /// Change bytes in `encoding`; anything the registry already has is ignored.
    pub changes: Vec<u8>,
    /// How `changes` is encoded.
    pub encoding: ChangeEncoding,
}

impl PushDoc {
    /// Raw automerge bytes.
    pub fn raw(id: Uuid, changes: Vec<u8>) -> Self {
        PushDoc {
            id,
            changes,
            encoding: ChangeEncoding::Raw,
        }
    }

    /// The smaller encoding of raw change bytes: compact when they are plain change chunks.
    pub fn best(id: Uuid, changes: Vec<u8>) -> Self {
        match crate::compact::abbreviate(&changes) {
            Some(c) if c.len() < changes.len() => PushDoc {
                id,
                changes: c,
                encoding: ChangeEncoding::Compact,
            },
            _ => PushDoc::raw(id, changes),
        }
    }

    /// Bytes this takes in a payload (before compression), for chunking.
    pub fn wire_len(&self) -> usize {
        16 + 1 + self.changes.len() + 5
    }

    fn write(&self, w: &mut Writer) {
        w.uuid(&self.id);
        w.u8(match self.encoding {
            ChangeEncoding::Raw => 0,
            ChangeEncoding::Compact => 1,
        });
        w.bytes(&self.changes);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let id = r.uuid()?;
        let encoding = match r.u8()? {
            0 => ChangeEncoding::Raw,
            1 => ChangeEncoding::Compact,
            _ => return Err(DecodeError::Invalid("change encoding")),
        };
        Ok(PushDoc {
            id,
            changes: r.bytes()?.to_vec(),
            encoding,
        })
    }
}

/// `POST /v1/push`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRequest {
    /// Documents with changes the registry has not acknowledged.
    pub docs: Vec<PushDoc>,
}

impl Message for PushRequest {
    const KIND: u8 = 5;
    fn write(&self, w: &mut Writer) {
        w.varint(self.docs.len() as u64);
        for d in &self.docs {
            d.write(w);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.count(18)?;
        Ok(PushRequest {
            docs: (0..n).map(|_| PushDoc::read(r)).collect::<Result<_, _>>()?,
        })
    }
}

/// The outcome for one pushed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocOutcome {
    /// Stored (the device acknowledges the heads it sent).
    Accepted,
    /// Refused; nothing of this document was stored.
    Refused(Refusal),
}

/// Per-document outcomes, in request order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushResponse {
    /// One per pushed document.
    pub results: Vec<(Uuid, DocOutcome)>,
}

impl Message for PushResponse {
    const KIND: u8 = 6;
    fn write(&self, w: &mut Writer) {
        w.varint(self.results.len() as u64);
        for (id, o) in &self.results {
            w.uuid(id);
            match o {
                DocOutcome::Accepted => w.u8(0),
                DocOutcome::Refused(r) => {
                    w.u8(1);
                    r.write(w);
                }
            }
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.count(17)?;
        let mut results = Vec::with_capacity(n);
        for _ in 0..n {
            let id = r.uuid()?;
            let o = match r.u8()? {
                0 => DocOutcome::Accepted,
                1 => DocOutcome::Refused(Refusal::read(r)?),
                _ => return Err(DecodeError::Invalid("outcome tag")),
            };
            results.push((id, o));
        }
        Ok(PushResponse { results })
    }
}
