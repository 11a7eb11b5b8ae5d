//! Protocol messages, one request and one response per endpoint, and their encoding.
//!
//! Every message travels in a [`crate::codec`] frame carrying [`PROTOCOL_VERSION`]; a registry that
//! receives another version answers `unsupported_version` (HTTP 426) telling the device to update.
//! One file per exchange: `enroll.rs` (enrollment and actors), `push.rs`, `pull.rs` (the feed and the
//! check's first step), `repair.rs` (the check's second step), `token.rs` (token rotation and the
//! codes of a cut-off device), `hub.rs` (a district hub registering its tablets), `forms.rs` (questionnaires besides the household one and the reports filled with them); `refusal.rs` and `role.rs` are the shared vocabulary. Everything is
//! re-exported here.
//!
//! Signatures ([`crate::signing`]) were added without a new version, the way the assignments were:
//! an earlier device's requests read as before (no key, no signatures, not asking for them), and
//! the registry sends signatures only to a device that asks, behind a flag bit an earlier build
//! never receives.

mod assignments;
mod enroll;
mod forms;
mod hub;
mod pull;
mod push;
mod refusal;
mod repair;
mod role;
mod token;

pub use enroll::{ActorsRequest, ActorsResponse, EnrollRequest, EnrollResponse, KeyOutcome};
pub use forms::{
    answers_naming_replaced, FormSubmission, HeldForm, PublishedForm, ReportReview,
    SubmissionOutcome, REPLACES_KEY,
};
pub use hub::{
    DirectoryDevice, DirectoryUser, HubDevice, HubDevicesRequest, HubDevicesResponse,
    HubDirectoryRequest, HubDirectoryResponse,
};
pub use pull::{CheckVerdict, Cursor, PullRequest, PullResponse, BUCKETS};
pub use push::{ChangeEncoding, DocOutcome, PushDoc, PushRequest, PushResponse};
pub use refusal::{Refusal, RefusalCode};
pub use repair::{CheckRequest, CheckResponse};
pub use role::{Role, UnknownRole};
pub use token::{TokenRequest, TokenResponse, CODE_EXPIRED, CODE_REVOKED};

use crate::codec::{frame, unframe, DecodeError, Reader, Writer};
use crate::signing::SignedChange;
use automerge::ChangeHash;
use uuid::Uuid;

/// The protocol version this build speaks. Version 2: frames deflated or stored (no gzip), pushes
/// without heads and with compact changes, acceptances without heads, one pull digest.
pub const PROTOCOL_VERSION: u16 = 2;

/// Default cap on one request or response, compressed (fits a 2G link's patience).
pub const DEFAULT_CHUNK_BYTES: usize = 64 * 1024;

/// HTTP content type of frames.
pub const CONTENT_TYPE: &str = "application/x-shumari-sync";
/// HTTP header naming the protocol version (also inside every frame), so that a registry can tell an
/// old client to update before reading its body.
pub const VERSION_HEADER: &str = "x-shumari-protocol";

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
    /// Swap the device token for a new one.
    Token,
    /// A district hub registers the tablets it serves (`hub.rs`).
    HubDevices,
    /// A district hub learns its district's users and devices (`hub.rs`).
    HubDirectory,
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
            Endpoint::Token => "/v1/token",
            Endpoint::HubDevices => "/v1/hub/devices",
            Endpoint::HubDirectory => "/v1/hub/directory",
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

pub(crate) fn write_heads(w: &mut Writer, h: &[[u8; 32]]) {
    w.varint(h.len() as u64);
    for x in h {
        w.hash(x);
    }
}

pub(crate) fn read_heads(r: &mut Reader<'_>) -> Result<Heads, DecodeError> {
    let n = r.count(32)?;
    (0..n).map(|_| r.hash()).collect()
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
    /// Signatures the sender holds for these changes, sent only to a device that asked for them
    /// ([`PullRequest::signatures`], [`CheckRequest::signatures`]) so that it can relay the changes.
    pub signatures: Vec<SignedChange>,
}

impl DocChanges {
    pub(super) fn write(&self, w: &mut Writer) {
        w.uuid(&self.id);
        w.bytes(&self.changes);
        write_heads(w, &self.heads);
    }
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(DocChanges {
            id: r.uuid()?,
            changes: r.bytes()?.to_vec(),
            heads: read_heads(r)?,
            signatures: Vec::new(),
        })
    }
    /// Bytes this takes in a payload (before compression), for chunking.
    pub fn wire_len(&self) -> usize {
        16 + self.changes.len()
            + 32 * self.heads.len()
            + 6
            + crate::signing::RECORD_LEN * self.signatures.len()
    }
}

/// The flag bit, beside a response's `more` bit, saying that signature lists follow the documents
/// (set only for a device that asked, so an earlier build never sees it).
pub(super) const SIGNED: u8 = 2;

/// Whether any of `docs` carries signatures.
pub(super) fn any_signed(docs: &[DocChanges]) -> bool {
    docs.iter().any(|d| !d.signatures.is_empty())
}

/// One signature list per document, in order.
pub(super) fn write_doc_signatures(w: &mut Writer, docs: &[DocChanges]) {
    for d in docs {
        crate::signing::write_records(w, &d.signatures);
    }
}

/// Reads what [`write_doc_signatures`] wrote into `docs`.
pub(super) fn read_doc_signatures(
    r: &mut Reader<'_>,
    docs: &mut [DocChanges],
) -> Result<(), DecodeError> {
    for d in docs {
        d.signatures = crate::signing::read_records(r)?;
    }
    Ok(())
}

pub(super) fn write_docs(w: &mut Writer, docs: &[DocChanges]) {
    w.varint(docs.len() as u64);
    for d in docs {
        d.write(w);
    }
}

pub(super) fn read_docs(r: &mut Reader<'_>) -> Result<Vec<DocChanges>, DecodeError> {
    let n = r.count(18)?;
    (0..n).map(|_| DocChanges::read(r)).collect()
}

pub(super) fn write_ids(w: &mut Writer, ids: &[Uuid]) {
    w.varint(ids.len() as u64);
    for id in ids {
        w.uuid(id);
    }
}

pub(super) fn read_ids(r: &mut Reader<'_>) -> Result<Vec<Uuid>, DecodeError> {
    let n = r.count(16)?;
    (0..n).map(|_| r.uuid()).collect()
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
                    signatures: vec![crate::signing::DeviceKey::from_secret([5; 32]).sign(&[6; 32])],
                },
            ],
            submissions: Vec::new(),
        };
        assert_eq!(PushRequest::decode(&push.encode()).unwrap(), push);
        let pull = PullResponse {
            docs: vec![],
            removed: vec![id],
            cursor: Cursor {
                seq: 9,
                snapshot: Some((4, Some(("PK60301-UC002".into(), id)))),
                started: true,
            },
            more: true,
            check: CheckVerdict::Differs(vec![[1; 8], [3; 8]]),
            assignments: None,
            bundle_key: None,
            forms: None,
            reviews: None,
        };
        assert_eq!(PullResponse::decode(&pull.encode()).unwrap(), pull);
        // The page that ends the feed carries the assignments, areas and households alike.
        let last = PullResponse {
            more: false,
            assignments: Some(vec![
                shumari_domain::Assignment {
                    id: "a-1".into(),
                    surveyor: "u-2".into(),
                    work: shumari_domain::Work::Area {
                        code: "PK60301-UC002".into(),
                        target: Some(40),
                    },
                    assigned_by: "u-1".into(),
                    assigned_by_name: "Sana".into(),
                    assigned_at: 1_750_000_000_000,
                },
                shumari_domain::Assignment {
                    id: "a-2".into(),
                    surveyor: "u-2".into(),
                    work: shumari_domain::Work::Household {
                        id,
                        reference: "PK60301-AB12-7".into(),
                        area: "PK60301".into(),
                    },
                    assigned_by: "u-1".into(),
                    assigned_by_name: "سنا".into(),
                    assigned_at: 0,
                },
            ]),
            ..pull.clone()
        };
        assert_eq!(PullResponse::decode(&last.encode()).unwrap(), last);
        let empty = PullResponse {
            assignments: Some(vec![]),
            ..pull.clone()
        };
        assert_eq!(PullResponse::decode(&empty.encode()).unwrap(), empty);
        // The registry's bundle key rides on the last page behind its own flag bit.
        let keyed = PullResponse {
            bundle_key: Some([7; 32]),
            ..last.clone()
        };
        assert_eq!(PullResponse::decode(&keyed.encode()).unwrap(), keyed);
        // And the forms of the device's areas after it, behind another flag bit; without them
        // the page is byte for byte what an earlier registry sends.
        let with_forms = PullResponse {
            forms: Some(vec![PublishedForm {
                form_id: "meal_centre_daily".into(),
                version: "1".into(),
                title: "Meal centre daily report".into(),
                file_name: "meal_centre_daily.toml".into(),
                source: b"[settings]".to_vec(),
            }]),
            ..keyed.clone()
        };
        assert_eq!(
            PullResponse::decode(&with_forms.encode()).unwrap(),
            with_forms
        );
        assert!(with_forms.encode().len() > keyed.encode().len());
        // Reviewers' decisions on the device's reports trail the assignments; none is no bytes.
        let reviewed = PullResponse {
            reviews: Some(vec![ReportReview {
                id,
                decision: "returned".into(),
                note: "میلز کی گنتی دوبارہ کریں".into(),
                by: "Sana".into(),
                at: 1_780_000_000_000,
                seq: 41,
            }]),
            ..with_forms.clone()
        };
        assert_eq!(PullResponse::decode(&reviewed.encode()).unwrap(), reviewed);
        let none = PullResponse {
            reviews: Some(vec![]),
            ..with_forms.clone()
        };
        assert_eq!(none.encode(), with_forms.encode());
        let c = pull.cursor;
        assert_eq!(Cursor::from_token(&c.to_token()), c);
        assert_eq!(Cursor::from_token("zz"), Cursor::default());
        // A cursor saved while snapshots were sent by id alone (tag 2: position, id) restarts the
        // snapshot at the same log position; what was sent is sent again and merges to nothing.
        let mut w = crate::codec::Writer::new();
        w.varint(9);
        w.u8(1);
        w.u8(2);
        w.varint(4);
        w.uuid(&id);
        let old = hex::encode(w.into_inner());
        assert_eq!(
            Cursor::from_token(&old),
            Cursor {
                seq: 9,
                snapshot: Some((4, None)),
                started: true,
            }
        );
    }

    #[test]
    fn a_lone_edit_and_a_quiet_pull_cost_few_bytes() {
        // Framing only: 7 bytes of frame, 1 of count, 16 of id, 1 of encoding, 1-2 of length.
        let push = PushRequest {
            docs: vec![PushDoc::raw(Uuid::now_v7(), vec![0xab; 100])],
            submissions: Vec::new(),
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
            assignments: false,
            signatures: false,
            bundle_key: false,
            forms: false,
            held_forms: Vec::new(),
            reviews_after: None,
        };
        assert!(pull.encode().len() <= 24, "{}", pull.encode().len());
        // Asking for the assignments costs one byte, and a request without it still reads.
        let asking = PullRequest {
            assignments: true,
            ..pull.clone()
        };
        assert_eq!(asking.encode().len(), pull.encode().len() + 1);
        assert_eq!(PullRequest::decode(&asking.encode()).unwrap(), asking);
        assert_eq!(PullRequest::decode(&pull.encode()).unwrap(), pull);
        // Asking for signatures too costs nothing more: the same byte.
        let both = PullRequest {
            signatures: true,
            ..asking.clone()
        };
        assert_eq!(both.encode().len(), asking.encode().len());
        assert_eq!(PullRequest::decode(&both.encode()).unwrap(), both);
        // Asking for forms is bit 8 of the same byte; an earlier registry reads the request as
        // before (it looks at bits 1, 2 and 4 only).
        let forms = PullRequest {
            forms: true,
            ..both.clone()
        };
        assert_eq!(forms.encode().len(), both.encode().len());
        assert_eq!(PullRequest::decode(&forms.encode()).unwrap(), forms);
        // The versions a device holds follow the flag byte; a request without them (an earlier
        // device's, or one holding none) is byte for byte what it was and reads as holding none.
        let holding = PullRequest {
            held_forms: vec![
                HeldForm {
                    form_id: "meal_centre_daily".into(),
                    version: "2026110101".into(),
                },
                HeldForm {
                    form_id: "shelter".into(),
                    version: "3".into(),
                },
            ],
            ..forms.clone()
        };
        assert_eq!(PullRequest::decode(&holding.encode()).unwrap(), holding);
        assert!(holding.encode().len() > forms.encode().len());
        assert!(PullRequest::decode(&forms.encode())
            .unwrap()
            .held_forms
            .is_empty());
        // An earlier device's request, written field by field without the list, reads the same.
        let mut w = Writer::new();
        w.varint(100_000); // the cursor: seq, started, no snapshot
        w.u8(1);
        w.u8(0);
        w.varint(u64::from(forms.max_bytes));
        for b in forms.digest {
            w.u8(b);
        }
        w.u8(1 | 2 | 8);
        assert_eq!(
            forms.encode(),
            frame(PROTOCOL_VERSION, PullRequest::KIND, &w.into_inner())
        );
        // A list cut short, or one longer than the bound, is refused.
        let mut cut = Writer::new();
        cut.varint(100_000); // the cursor: seq, started, no snapshot
        cut.u8(1);
        cut.u8(0);
        cut.varint(u64::from(forms.max_bytes));
        for b in forms.digest {
            cut.u8(b);
        }
        cut.u8(8);
        cut.varint(2);
        cut.str("meal_centre_daily");
        let cut = frame(PROTOCOL_VERSION, PullRequest::KIND, &cut.into_inner());
        assert!(PullRequest::decode(&cut).is_err());
        let mut long = Writer::new();
        long.varint(100_000); // the cursor: seq, started, no snapshot
        long.u8(1);
        long.u8(0);
        long.varint(u64::from(forms.max_bytes));
        for b in forms.digest {
            long.u8(b);
        }
        long.u8(8);
        long.varint(crate::limits::MAX_HELD_FORMS as u64 + 1);
        for _ in 0..=crate::limits::MAX_HELD_FORMS {
            long.str("f");
            long.str("1");
        }
        let long = frame(PROTOCOL_VERSION, PullRequest::KIND, &long.into_inner());
        assert!(PullRequest::decode(&long).is_err());
        // A device taking reviewers' decisions names the last it holds after the held forms,
        // which are then written even when it holds none; without it, the request is as before.
        for held in [Vec::new(), holding.held_forms.clone()] {
            for after in [0, 1, 300_000] {
                let asking = PullRequest {
                    held_forms: held.clone(),
                    reviews_after: Some(after),
                    ..forms.clone()
                };
                assert_eq!(PullRequest::decode(&asking.encode()).unwrap(), asking);
            }
        }
        assert_eq!(
            PullRequest::decode(&forms.encode()).unwrap().reviews_after,
            None
        );
        // The flag without its number is cut short.
        let mut flagged = Writer::new();
        flagged.varint(100_000);
        flagged.u8(1);
        flagged.u8(0);
        flagged.varint(u64::from(forms.max_bytes));
        for b in forms.digest {
            flagged.u8(b);
        }
        flagged.u8(8 | 16);
        flagged.varint(0);
        let flagged = frame(PROTOCOL_VERSION, PullRequest::KIND, &flagged.into_inner());
        assert!(PullRequest::decode(&flagged).is_err());
        // A push without reports is byte for byte an earlier device's.
        let plain = PushRequest {
            docs: vec![PushDoc::raw(Uuid::nil(), vec![1, 2, 3])],
            submissions: Vec::new(),
        };
        let mut w = Writer::new();
        w.varint(1);
        w.uuid(&Uuid::nil());
        w.u8(0);
        w.bytes(&[1, 2, 3]);
        assert_eq!(
            plain.encode(),
            frame(PROTOCOL_VERSION, PushRequest::KIND, &w.into_inner())
        );
        let ok = PushResponse {
            results: vec![(Uuid::now_v7(), DocOutcome::Accepted)],
            submissions: Vec::new(),
        };
        assert!(ok.encode().len() <= 7 + 1 + 17);
    }

    #[test]
    fn enrollment_carries_the_role_by_name_and_refuses_an_unknown_one() {
        let resp = EnrollResponse {
            token: "t".into(),
            device_id: "d".into(),
            user_id: "u".into(),
            user_name: "Name".into(),
            role: Role::District,
            areas: vec!["PK101".into()],
            short_id: "K7QD2".into(),
            bundle_key: None,
        };
        assert_eq!(EnrollResponse::decode(&resp.encode()).unwrap(), resp);
        let keyed = EnrollResponse {
            bundle_key: Some([3; 32]),
            ..resp.clone()
        };
        assert_eq!(EnrollResponse::decode(&keyed.encode()).unwrap(), keyed);
        // The same payload with another role name written by hand.
        let mut w = Writer::new();
        for f in ["t", "d", "u", "Name", "admin"] {
            w.str(f);
        }
        w.varint(0);
        let f = frame(PROTOCOL_VERSION, EnrollResponse::KIND, &w.into_inner());
        assert_eq!(
            EnrollResponse::decode(&f),
            Err(DecodeError::Invalid("role"))
        );
    }

    #[test]
    fn token_rotation_round_trips() {
        let resp = TokenResponse {
            token: "new".into(),
            expires_at: 1_800_000_000_000,
        };
        assert_eq!(TokenResponse::decode(&resp.encode()).unwrap(), resp);
        assert_eq!(
            TokenRequest::decode(&TokenRequest.encode()),
            Ok(TokenRequest)
        );
        assert!(TokenRequest::decode(&resp.encode()).is_err());
    }

    #[test]
    fn a_frame_of_another_kind_is_refused() {
        let push = PushRequest {
            docs: vec![],
            submissions: Vec::new(),
        }
        .encode();
        assert!(PullRequest::decode(&push).is_err());
    }
}
