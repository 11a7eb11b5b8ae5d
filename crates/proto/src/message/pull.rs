//! The feed (`/v1/pull`): the cursor, a page of changes, and the consistency check's first step.

use super::{
    any_signed, read_doc_signatures, read_docs, read_ids, write_doc_signatures, write_docs,
    write_ids, DocChanges, Message, SIGNED,
};

/// The flag bit, beside `more` and [`SIGNED`], saying that the registry's bundle key follows the
/// signatures (set only for a device that asked).
const BUNDLE_KEY: u8 = 4;
/// The flag bit saying that the versions of forms the device's areas receive follow the bundle key
/// (set only for a device that asked, `forms.rs`).
const FORMS: u8 = 8;
use crate::codec::{DecodeError, Reader, Writer};
use uuid::Uuid;

/// Where a device is in its scope's feed. Opaque to devices: they store and send it back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cursor {
    /// Last log sequence number delivered.
    pub seq: u64,
    /// While a first sync sends snapshots: the log position they cover and the last household sent,
    /// as (area, id): snapshots go in area order, so the registry resumes through its area index.
    pub snapshot: Option<(u64, Option<(String, Uuid)>)>,
    /// Whether the device has been through its first (snapshot) sync.
    pub started: bool,
}

impl Cursor {
    fn write(&self, w: &mut Writer) {
        w.varint(self.seq);
        w.u8(u8::from(self.started));
        match &self.snapshot {
            None => w.u8(0),
            Some((upto, None)) => {
                w.u8(1);
                w.varint(*upto);
            }
            Some((upto, Some((area, after)))) => {
                w.u8(3);
                w.varint(*upto);
                w.str(area);
                w.uuid(after);
            }
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let seq = r.varint()?;
        let started = match r.u8()? {
            0 => false,
            1 => true,
            _ => return Err(DecodeError::Invalid("cursor flag")),
        };
        let snapshot = match r.u8()? {
            0 => None,
            1 => Some((r.varint()?, None)),
            // A cursor of a registry that sent snapshots by id alone: the snapshot starts over
            // (what was sent is sent again, which merging makes harmless).
            2 => {
                let upto = r.varint()?;
                r.uuid()?;
                Some((upto, None))
            }
            3 => Some((r.varint()?, Some((r.str()?, r.uuid()?)))),
            _ => return Err(DecodeError::Invalid("cursor tag")),
        };
        Ok(Cursor {
            seq,
            snapshot,
            started,
        })
    }

    /// Text form for storing on the device.
    pub fn to_token(&self) -> String {
        let mut w = Writer::new();
        self.write(&mut w);
        hex::encode(w.into_inner())
    }

    /// Parses [`Cursor::to_token`]; anything unreadable starts over (safe: replays change nothing).
    pub fn from_token(s: &str) -> Cursor {
        hex::decode(s)
            .ok()
            .and_then(|b| {
                let mut r = Reader::new(&b);
                Cursor::read(&mut r).ok()
            })
            .unwrap_or_default()
    }
}

/// Number of buckets in the consistency check.
pub const BUCKETS: usize = 16;

/// `POST /v1/pull`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// Where the device is.
    pub cursor: Cursor,
    /// Largest response the device wants (compressed); the registry may send less.
    pub max_bytes: u32,
    /// [`crate::check::root_digest`] of the device's bucket digests: one 8-byte digest of everything
    /// it holds, for the consistency check.
    pub digest: [u8; 8],
    /// The device wants its user's assignments on the page that ends the feed
    /// (`assignments.rs`; a trailing byte, absent from older devices).
    pub assignments: bool,
    /// The device keeps change signatures to relay changes: send them beside the changes (bit 1
    /// of the same trailing byte).
    pub signatures: bool,
    /// The device wants the registry's bundle key ([`crate::bundle`]) on the page that ends the
    /// feed (bit 2 of the same trailing byte).
    pub bundle_key: bool,
    /// The device wants the versions of forms published to its areas on the page that ends the
    /// feed (bit 3 of the same trailing byte, `forms.rs`).
    pub forms: bool,
    /// The versions of forms the device holds, so the registry sends only the others (`forms.rs`;
    /// a list after the flag byte, written when not empty; absent from older devices and from a
    /// device holding none, which receive every version).
    pub held_forms: Vec<super::HeldForm>,
    /// The device takes reviewers' decisions on its reports and holds every one up to this number
    /// (`forms.rs`): the registry sends those after it (flag bit 4, and a number after the held
    /// forms, which are then written even when empty; `None` from older devices).
    pub reviews_after: Option<u64>,
}

impl Message for PullRequest {
    const KIND: u8 = 7;
    fn write(&self, w: &mut Writer) {
        self.cursor.write(w);
        w.varint(u64::from(self.max_bytes));
        for b in self.digest {
            w.u8(b);
        }
        let flags = u8::from(self.assignments)
            | (u8::from(self.signatures) << 1)
            | (u8::from(self.bundle_key) << 2)
            | (u8::from(self.forms) << 3)
            | (u8::from(self.reviews_after.is_some()) << 4);
        if flags != 0 || !self.held_forms.is_empty() {
            w.u8(flags);
        }
        if !self.held_forms.is_empty() || self.reviews_after.is_some() {
            super::forms::write_held(w, &self.held_forms);
        }
        if let Some(after) = self.reviews_after {
            w.varint(after);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let cursor = Cursor::read(r)?;
        let max_bytes =
            u32::try_from(r.varint()?).map_err(|_| DecodeError::Invalid("max_bytes"))?;
        let digest =
            <[u8; 8]>::try_from(r.take_bytes(8)?).map_err(|_| DecodeError::Invalid("digest"))?;
        let flags = if r.remaining() > 0 { r.u8()? } else { 0 };
        let held_forms = if r.remaining() > 0 {
            super::forms::read_held(r)?
        } else {
            Vec::new()
        };
        let reviews_after = if flags & 16 != 0 {
            Some(r.varint()?)
        } else {
            None
        };
        Ok(PullRequest {
            cursor,
            max_bytes,
            digest,
            assignments: flags & 1 != 0,
            signatures: flags & 2 != 0,
            bundle_key: flags & 4 != 0,
            forms: flags & 8 != 0,
            held_forms,
            reviews_after,
        })
    }
}

/// The consistency check's verdict, given only on a pull that delivered nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckVerdict {
    /// Not evaluated (the page carried data; ask again).
    NotChecked,
    /// The device holds exactly what the registry holds in its scope.
    Consistent,
    /// The digests differ: these are the registry's [`BUCKETS`] bucket digests; the device compares
    /// them with its own and sends per-document heads of the buckets that differ to `/v1/check`.
    Differs(Vec<[u8; 8]>),
}

/// A page of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullResponse {
    /// Changes (or, on a first sync, compact snapshots), with the registry's heads after each.
    pub docs: Vec<DocChanges>,
    /// Households that left the device's scope.
    pub removed: Vec<Uuid>,
    /// Where to continue.
    pub cursor: Cursor,
    /// Whether more pages follow.
    pub more: bool,
    /// The consistency check.
    pub check: CheckVerdict,
    /// The user's active assignments, complete, on the page that ends the feed when the device
    /// asked (`None`: not sent; the device keeps what it has).
    pub assignments: Option<Vec<shumari_domain::Assignment>>,
    /// The registry's bundle key, on the page that ends the feed when the device asked and the
    /// registry has one (32 bytes behind a flag bit an earlier build never receives).
    pub bundle_key: Option<[u8; 32]>,
    /// Every version of every form published to the device's areas, on the page that ends the
    /// feed when the device asked (`None`: not sent; the device keeps what it has).
    pub forms: Option<Vec<super::PublishedForm>>,
    /// Reviewers' decisions on reports this device sent that it was not sent before, on the page
    /// that ends the feed (`forms.rs`). A trailing list behind the assignments: written only when
    /// the page carries the assignments too (the registry sends decisions only to a device that
    /// asked for both), and only when there is one; absent, the device has nothing new.
    pub reviews: Option<Vec<super::ReportReview>>,
}

impl Message for PullResponse {
    const KIND: u8 = 8;
    fn write(&self, w: &mut Writer) {
        write_docs(w, &self.docs);
        write_ids(w, &self.removed);
        self.cursor.write(w);
        let signed = any_signed(&self.docs);
        w.u8(u8::from(self.more)
            | if signed { SIGNED } else { 0 }
            | if self.bundle_key.is_some() {
                BUNDLE_KEY
            } else {
                0
            }
            | if self.forms.is_some() { FORMS } else { 0 });
        match &self.check {
            CheckVerdict::NotChecked => w.u8(0),
            CheckVerdict::Consistent => w.u8(1),
            CheckVerdict::Differs(b) => {
                w.u8(2);
                w.varint(b.len() as u64);
                for d in b {
                    for x in d {
                        w.u8(*x);
                    }
                }
            }
        }
        if signed {
            write_doc_signatures(w, &self.docs);
        }
        if let Some(k) = &self.bundle_key {
            w.hash(k);
        }
        if let Some(forms) = &self.forms {
            super::forms::write_forms(w, forms);
        }
        if let Some(list) = &self.assignments {
            super::assignments::write(w, list);
            if let Some(reviews) = self.reviews.as_ref().filter(|v| !v.is_empty()) {
                super::forms::write_reviews(w, reviews);
            }
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut docs = read_docs(r)?;
        let removed = read_ids(r)?;
        let cursor = Cursor::read(r)?;
        let flags = r.u8()?;
        if flags & !(1 | SIGNED | BUNDLE_KEY | FORMS) != 0 {
            return Err(DecodeError::Invalid("more"));
        }
        let more = flags & 1 != 0;
        let check = match r.u8()? {
            0 => CheckVerdict::NotChecked,
            1 => CheckVerdict::Consistent,
            2 => {
                let n = r.count(8)?;
                let mut b = Vec::with_capacity(n);
                for _ in 0..n {
                    b.push(
                        <[u8; 8]>::try_from(r.take_bytes(8)?)
                            .map_err(|_| DecodeError::Invalid("bucket digest"))?,
                    );
                }
                CheckVerdict::Differs(b)
            }
            _ => return Err(DecodeError::Invalid("check tag")),
        };
        if flags & SIGNED != 0 {
            read_doc_signatures(r, &mut docs)?;
        }
        let bundle_key = if flags & BUNDLE_KEY != 0 {
            Some(r.hash()?)
        } else {
            None
        };
        let forms = if flags & FORMS != 0 {
            Some(super::forms::read_forms(r)?)
        } else {
            None
        };
        let assignments = if r.remaining() > 0 {
            Some(super::assignments::read(r)?)
        } else {
            None
        };
        let reviews = if r.remaining() > 0 {
            Some(super::forms::read_reviews(r)?)
        } else {
            None
        };
        Ok(PullResponse {
            docs,
            removed,
            cursor,
            more,
            check,
            assignments,
            bundle_key,
            forms,
            reviews,
        })
    }
}
