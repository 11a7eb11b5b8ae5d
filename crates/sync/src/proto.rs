//! Protocol messages, one request and one response per endpoint, and their encoding.
//!
//! Every message travels in a [`crate::codec`] frame carrying [`PROTOCOL_VERSION`]; a registry that
//! receives another version answers `unsupported_version` (HTTP 426) telling the device to update.

use crate::codec::{frame, unframe, DecodeError, Reader, Writer};
use automerge::ChangeHash;
use uuid::Uuid;

/// The protocol version this build speaks. Version 2: frames deflated or stored (no gzip), pushes
/// without heads and with compact changes, acceptances without heads, one pull digest.
pub const PROTOCOL_VERSION: u16 = 2;

/// Default cap on one request or response, compressed (fits a 2G link's patience).
pub const DEFAULT_CHUNK_BYTES: usize = 64 * 1024;

/// A document's heads on the wire.
pub type Heads = Vec<[u8; 32]>;

/// Converts automerge heads to wire heads.
pub fn heads_to_wire(h: &[ChangeHash]) -> Heads {
    h.iter().map(|c| c.0).collect()
}

/// Converts wire heads to automerge heads.
pub fn heads_from_wire(h: &[[u8; 32]]) -> Vec<ChangeHash> {
    h.iter().map(|b| ChangeHash(*b)).collect()
}

/// The endpoints; each is one request/response pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Redeem an enrollment code for a device token.
    Enroll,
    /// Bind automerge actor ids to this device.
    Actors,
    /// Send changes.
    Push,
    /// Receive the scope's feed after a cursor.
    Pull,
    /// Compare per-document heads in buckets that differ.
    Check,
}

impl Endpoint {
    /// The HTTP path.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Enroll => "/v1/enroll",
            Endpoint::Actors => "/v1/actors",
            Endpoint::Push => "/v1/push",
            Endpoint::Pull => "/v1/pull",
            Endpoint::Check => "/v1/check",
        }
    }
}

/// A message with a frame kind.
pub trait Message: Sized {
    /// Frame kind byte.
    const KIND: u8;
    /// Writes the fields.
    fn write(&self, w: &mut Writer);
    /// Reads the fields.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
    /// Encodes into a compressed frame.
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.write(&mut w);
        frame(PROTOCOL_VERSION, Self::KIND, &w.into_inner())
    }
    /// Decodes a frame; never panics on any input.
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let payload = unframe(bytes, PROTOCOL_VERSION, Self::KIND)?;
        let mut r = Reader::new(&payload);
        let m = Self::read(&mut r)?;
        r.finish()?;
        Ok(m)
    }
}

fn write_heads(w: &mut Writer, h: &[[u8; 32]]) {
    w.varint(h.len() as u64);
    for x in h {
        w.hash(x);
    }
}

fn read_heads(r: &mut Reader<'_>) -> Result<Heads, DecodeError> {
    let n = r.count(32)?;
    (0..n).map(|_| r.hash()).collect()
}

/// A refusal with a machine code and an explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// e.g. `out_of_scope`, `forged_actor`, `bad_document`.
    pub code: String,
    /// In plain words.
    pub message: String,
}

impl Refusal {
    fn write(&self, w: &mut Writer) {
        w.str(&self.code);
        w.str(&self.message);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Refusal {
            code: r.str()?,
            message: r.str()?,
        })
    }
}

/// `POST /v1/enroll`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollRequest {
    /// The one-time code an administrator printed.
    pub code: String,
    /// A label for the device (its short id).
    pub label: String,
}

impl Message for EnrollRequest {
    const KIND: u8 = 1;
    fn write(&self, w: &mut Writer) {
        w.str(&self.code);
        w.str(&self.label);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(EnrollRequest {
            code: r.str()?,
            label: r.str()?,
        })
    }
}

/// What enrollment grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollResponse {
    /// Bearer token; shown once, the registry keeps only its hash.
    pub token: String,
    /// The device's id at the registry.
    pub device_id: String,
    /// The user's id (edits are attributed to it).
    pub user_id: String,
    /// The user's name.
    pub user_name: String,
    /// surveyor, supervisor, district, province or federal.
    pub role: String,
    /// Areas the user may read and write.
    pub areas: Vec<String>,
}

impl Message for EnrollResponse {
    const KIND: u8 = 2;
    fn write(&self, w: &mut Writer) {
        w.str(&self.token);
        w.str(&self.device_id);
        w.str(&self.user_id);
        w.str(&self.user_name);
        w.str(&self.role);
        w.varint(self.areas.len() as u64);
        for a in &self.areas {
            w.str(a);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let token = r.str()?;
        let device_id = r.str()?;
        let user_id = r.str()?;
        let user_name = r.str()?;
        let role = r.str()?;
        let n = r.count(1)?;
        let areas = (0..n).map(|_| r.str()).collect::<Result<_, _>>()?;
        Ok(EnrollResponse {
            token,
            device_id,
            user_id,
            user_name,
            role,
            areas,
        })
    }
}

/// `POST /v1/actors`: binds actor ids to the authenticated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorsRequest {
    /// Actor ids (raw bytes).
    pub actors: Vec<Vec<u8>>,
}

impl Message for ActorsRequest {
    const KIND: u8 = 3;
    fn write(&self, w: &mut Writer) {
        w.varint(self.actors.len() as u64);
        for a in &self.actors {
            w.bytes(a);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.count(1)?;
        let actors = (0..n)
            .map(|_| r.bytes().map(<[u8]>::to_vec))
            .collect::<Result<_, _>>()?;
        Ok(ActorsRequest { actors })
    }
}

/// Per actor: `None` when bound to this device (now or before), else why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorsResponse {
    /// In request order.
    pub results: Vec<(Vec<u8>, Option<Refusal>)>,
}

impl Message for ActorsResponse {
    const KIND: u8 = 4;
    fn write(&self, w: &mut Writer) {
        w.varint(self.results.len() as u64);
        for (a, r) in &self.results {
            w.bytes(a);
            match r {
                None => w.u8(0),
                Some(r) => {
                    w.u8(1);
                    r.write(w);
                }
            }
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.count(2)?;
        let mut results = Vec::with_capacity(n);
        for _ in 0..n {
            let a = r.bytes()?.to_vec();
            let refusal = match r.u8()? {
                0 => None,
                1 => Some(Refusal::read(r)?),
                _ => return Err(DecodeError::Invalid("actor result tag")),
            };
            results.push((a, refusal));
        }
        Ok(ActorsResponse { results })
    }
}

/// One document's changes (raw automerge change bytes or a full save) and the heads they lead to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocChanges {
    /// Household id.
    pub id: Uuid,
    /// Change bytes; anything the receiver already has is ignored.
    pub changes: Vec<u8>,
    /// Heads after these changes on the sender.
    pub heads: Heads,
}

impl DocChanges {
    fn write(&self, w: &mut Writer) {
        w.uuid(&self.id);
        w.bytes(&self.changes);
        write_heads(w, &self.heads);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(DocChanges {
            id: r.uuid()?,
            changes: r.bytes()?.to_vec(),
            heads: read_heads(r)?,
        })
    }
    /// Bytes this takes in a payload (before compression), for chunking.
    pub fn wire_len(&self) -> usize {
        16 + self.changes.len() + 32 * self.heads.len() + 6
    }
}

fn write_docs(w: &mut Writer, docs: &[DocChanges]) {
    w.varint(docs.len() as u64);
    for d in docs {
        d.write(w);
    }
}

fn read_docs(r: &mut Reader<'_>) -> Result<Vec<DocChanges>, DecodeError> {
    let n = r.count(18)?;
    (0..n).map(|_| DocChanges::read(r)).collect()
}

fn write_ids(w: &mut Writer, ids: &[Uuid]) {
    w.varint(ids.len() as u64);
    for id in ids {
        w.uuid(id);
    }
}

fn read_ids(r: &mut Reader<'_>) -> Result<Vec<Uuid>, DecodeError> {
    let n = r.count(16)?;
    (0..n).map(|_| r.uuid()).collect()
}

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

/// Where a device is in its scope's feed. Opaque to devices: they store and send it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    /// Last log sequence number delivered.
    pub seq: u64,
    /// While a first sync sends snapshots: the log position they cover and the last id sent.
    pub snapshot: Option<(u64, Option<Uuid>)>,
    /// Whether the device has been through its first (snapshot) sync.
    pub started: bool,
}

impl Cursor {
    fn write(&self, w: &mut Writer) {
        w.varint(self.seq);
        w.u8(u8::from(self.started));
        match self.snapshot {
            None => w.u8(0),
            Some((upto, None)) => {
                w.u8(1);
                w.varint(upto);
            }
            Some((upto, Some(after))) => {
                w.u8(2);
                w.varint(upto);
                w.uuid(&after);
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
            2 => Some((r.varint()?, Some(r.uuid()?))),
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
}

impl Message for PullRequest {
    const KIND: u8 = 7;
    fn write(&self, w: &mut Writer) {
        self.cursor.write(w);
        w.varint(u64::from(self.max_bytes));
        for b in self.digest {
            w.u8(b);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let cursor = Cursor::read(r)?;
        let max_bytes =
            u32::try_from(r.varint()?).map_err(|_| DecodeError::Invalid("max_bytes"))?;
        let digest =
            <[u8; 8]>::try_from(r.take_bytes(8)?).map_err(|_| DecodeError::Invalid("digest"))?;
        Ok(PullRequest {
            cursor,
            max_bytes,
            digest,
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
}

impl Message for PullResponse {
    const KIND: u8 = 8;
    fn write(&self, w: &mut Writer) {
        write_docs(w, &self.docs);
        write_ids(w, &self.removed);
        self.cursor.write(w);
        w.u8(u8::from(self.more));
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
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let docs = read_docs(r)?;
        let removed = read_ids(r)?;
        let cursor = Cursor::read(r)?;
        let more = match r.u8()? {
            0 => false,
            1 => true,
            _ => return Err(DecodeError::Invalid("more")),
        };
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
        Ok(PullResponse {
            docs,
            removed,
            cursor,
            more,
            check,
        })
    }
}

/// `POST /v1/check`: the device's documents in the buckets that differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRequest {
    /// Buckets covered.
    pub buckets: Vec<u8>,
    /// Every document the device holds in those buckets, with its heads.
    pub docs: Vec<(Uuid, Heads)>,
}

impl Message for CheckRequest {
    const KIND: u8 = 9;
    fn write(&self, w: &mut Writer) {
        w.bytes(&self.buckets);
        w.varint(self.docs.len() as u64);
        for (id, h) in &self.docs {
            w.uuid(id);
            write_heads(w, h);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let buckets = r.bytes()?.to_vec();
        let n = r.count(17)?;
        let mut docs = Vec::with_capacity(n);
        for _ in 0..n {
            docs.push((r.uuid()?, read_heads(r)?));
        }
        Ok(CheckRequest { buckets, docs })
    }
}

/// What to repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResponse {
    /// Documents the device lacks or is behind on (full compact saves).
    pub send: Vec<DocChanges>,
    /// Documents the registry lacks or is behind on: push them whole.
    pub want: Vec<Uuid>,
    /// Documents the device holds that are not in its scope.
    pub remove: Vec<Uuid>,
    /// Whether `send` was cut short by the size cap (check again).
    pub more: bool,
}

impl Message for CheckResponse {
    const KIND: u8 = 10;
    fn write(&self, w: &mut Writer) {
        write_docs(w, &self.send);
        write_ids(w, &self.want);
        write_ids(w, &self.remove);
        w.u8(u8::from(self.more));
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let send = read_docs(r)?;
        let want = read_ids(r)?;
        let remove = read_ids(r)?;
        let more = r.u8()? != 0;
        Ok(CheckResponse {
            send,
            want,
            remove,
            more,
        })
    }
}

/// An error body (`{code, message}` as JSON on HTTP).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErrorBody {
    /// Machine code, e.g. `unauthorized`, `unsupported_version`, `bad_request`.
    pub code: String,
    /// In plain words.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let id = Uuid::now_v7();
        let push = PushRequest {
            docs: vec![
                PushDoc::raw(id, vec![1, 2, 3]),
                PushDoc {
                    id,
                    changes: vec![4],
                    encoding: ChangeEncoding::Compact,
                },
            ],
        };
        assert_eq!(PushRequest::decode(&push.encode()).unwrap(), push);
        let pull = PullResponse {
            docs: vec![],
            removed: vec![id],
            cursor: Cursor {
                seq: 9,
                snapshot: Some((4, Some(id))),
                started: true,
            },
            more: true,
            check: CheckVerdict::Differs(vec![[1; 8], [3; 8]]),
        };
        assert_eq!(PullResponse::decode(&pull.encode()).unwrap(), pull);
        let c = pull.cursor;
        assert_eq!(Cursor::from_token(&c.to_token()), c);
        assert_eq!(Cursor::from_token("zz"), Cursor::default());
    }

    #[test]
    fn a_lone_edit_and_a_quiet_pull_cost_few_bytes() {
        // Framing only: 7 bytes of frame, 1 of count, 16 of id, 1 of encoding, 1-2 of length.
        let push = PushRequest {
            docs: vec![PushDoc::raw(Uuid::now_v7(), vec![0xab; 100])],
        };
        assert!(push.encode().len() <= 7 + 1 + 16 + 1 + 1 + 100);
        let pull = PullRequest {
            cursor: Cursor {
                seq: 100_000,
                snapshot: None,
                started: true,
            },
            max_bytes: DEFAULT_CHUNK_BYTES as u32,
            digest: [9; 8],
        };
        assert!(pull.encode().len() <= 24, "{}", pull.encode().len());
        let ok = PushResponse {
            results: vec![(Uuid::now_v7(), DocOutcome::Accepted)],
        };
        assert!(ok.encode().len() <= 7 + 1 + 17);
    }

    #[test]
    fn a_frame_of_another_kind_is_refused() {
        let push = PushRequest { docs: vec![] }.encode();
        assert!(PullRequest::decode(&push).is_err());
    }
}
