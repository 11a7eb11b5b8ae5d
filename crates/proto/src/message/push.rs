//! Pushing changes (`/v1/push`) and the per-household outcome.
//!
//! Signatures ([`crate::signing`]) travel after the documents, one list per document in document
//! order, and only when there is at least one: a push from a device of an earlier build (no
//! signatures) reads as before.

use super::{Message, Refusal};
use crate::codec::{DecodeError, Reader, Writer};
use crate::signing::{read_records, write_records, SignedChange, RECORD_LEN};
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
    /// Signatures of changes in `changes` (the pushing device's own, and others' it relays); a
    /// record for a change the registry holds or that is not in `changes` is ignored.
    pub signatures: Vec<SignedChange>,
}

impl PushDoc {
    /// Raw automerge bytes.
    pub fn raw(id: Uuid, changes: Vec<u8>) -> Self {
        PushDoc {
            id,
            changes,
            encoding: ChangeEncoding::Raw,
            signatures: Vec::new(),
        }
    }

    /// The smaller encoding of raw change bytes: compact when they are plain change chunks.
    pub fn best(id: Uuid, changes: Vec<u8>) -> Self {
        match crate::compact::abbreviate(&changes) {
            Some(c) if c.len() < changes.len() => PushDoc {
                id,
                changes: c,
                encoding: ChangeEncoding::Compact,
                signatures: Vec::new(),
            },
            _ => PushDoc::raw(id, changes),
        }
    }

    /// The same document carrying `signatures`.
    pub fn signed(mut self, signatures: Vec<SignedChange>) -> Self {
        self.signatures = signatures;
        self
    }

    /// Bytes this takes in a payload (before compression), for chunking.
    pub fn wire_len(&self) -> usize {
        16 + 1 + self.changes.len() + 5 + 1 + RECORD_LEN * self.signatures.len()
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
            signatures: Vec::new(),
        })
    }
}

/// `POST /v1/push`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRequest {
    /// Documents with changes the registry has not acknowledged.
    pub docs: Vec<PushDoc>,
    /// Reports filled with published forms (`forms.rs`): a trailing list after the signature
    /// lists (written, empty ones included, whenever reports follow), absent from older devices.
    pub submissions: Vec<super::FormSubmission>,
}

impl Message for PushRequest {
    const KIND: u8 = 5;
    fn write(&self, w: &mut Writer) {
        w.varint(self.docs.len() as u64);
        for d in &self.docs {
            d.write(w);
        }
        if self.docs.iter().any(|d| !d.signatures.is_empty()) || !self.submissions.is_empty() {
            for d in &self.docs {
                write_records(w, &d.signatures);
            }
        }
        if !self.submissions.is_empty() {
            super::forms::write_submissions(w, &self.submissions);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.count(18)?;
        let mut docs = (0..n)
            .map(|_| PushDoc::read(r))
            .collect::<Result<Vec<_>, _>>()?;
        if r.remaining() > 0 {
            for d in &mut docs {
                d.signatures = read_records(r)?;
            }
        }
        let submissions = if r.remaining() > 0 {
            let list = super::forms::read_submissions(r)?;
            // The writer leaves an empty list out, so a present empty one is a stray byte after a
            // whole batch, which must stay an error as it was before reports existed.
            if list.is_empty() {
                return Err(DecodeError::Invalid("empty report list"));
            }
            list
        } else {
            Vec::new()
        };
        Ok(PushRequest { docs, submissions })
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
    /// One per pushed report, in request order (a trailing list, written when the push had
    /// reports; `forms.rs`).
    pub submissions: Vec<super::SubmissionOutcome>,
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
        if !self.submissions.is_empty() {
            super::forms::write_outcomes(w, &self.submissions);
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
        let submissions = if r.remaining() > 0 {
            let list = super::forms::read_outcomes(r)?;
            // Left out when empty, as in the request.
            if list.is_empty() {
                return Err(DecodeError::Invalid("empty report outcome list"));
            }
            list
        } else {
            Vec::new()
        };
        Ok(PushResponse {
            results,
            submissions,
        })
    }
}
