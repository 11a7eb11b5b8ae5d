//! USB bundles: the protocol's messages in a file, for a tablet that never sees a network.
//!
//! A bundle carries exactly what the wire carries, in the same frames ([`crate::codec`]): upward,
//! from a device to the registry, the [`ActorsRequest`] and [`PushRequest`]s its next sync would
//! send (documents with their [`crate::signing`] records, and the reports filled with published
//! forms in pushes of their own) and a [`PullRequest`] naming where the device is in its feed;
//! downward, from the registry to one device, the [`PullResponse`] pages a pull would give it
//! (households with their records, the assignments and every form version of the device's areas
//! on the last page) and the
//! heads the registry holds for the device's scope. The receiver applies them with the code that
//! answers or reads those messages online, so a bundle is a sync whose round trips were carried by
//! hand: importing one twice changes nothing, and a change's author is proven by its own signature
//! whoever carried it.
//!
//! # The file
//! ```text
//! bundle   = "SHMB" format:u8 header_len:u32-be header body_len:u64-be body signature:64 checksum:32
//! header   = direction:u8 id:16 sender:str sender_key:32 recipient:str recipient_key:32
//!            created_at:varint households:varint parts:varint          (codec fields)
//! body     = age(X25519, to recipient_key) of: count:varint (kind:u8 frame:bytes)*
//! signature= Ed25519 by sender_key of  "shumari-bundle-v1" || SHA-256(everything before it)
//! checksum = SHA-256(everything before it)
//! ```
//! The header is in clear so that the receiver can say whose bundle it is and for whom before it
//! decrypts anything; it names no household and no person. The checksum tells a stick that damaged
//! the file (refused as `corrupted`: copy it again) from someone who changed it (the checksum
//! recomputed, the signature no longer verifying: `tampered`).
//!
//! # Keys: one Ed25519 key per party
//! Every party already has an Ed25519 key: a device the one it signs changes with, the registry its
//! bundle key. The age recipient of a party is derived from that key, the way age's own
//! `ssh-ed25519` recipients are (and libsodium's `crypto_sign_ed25519_pk_to_curve25519`): the
//! X25519 public key is the Montgomery form of the Ed25519 point, the X25519 secret the scalar
//! half of SHA-512 of the Ed25519 seed. So no second key has to be made, kept, registered and
//! rotated: the registry already holds each device's public key (registered at enrollment), and a
//! device learns the registry's at enrollment or its next sync. Native age X25519 stanzas are used
//! rather than age's `ssh` recipients because the keys are raw 32 bytes here, never OpenSSH files,
//! and the `ssh` feature would build an RSA stack for nothing. Using one key for Ed25519 and an
//! X25519 KEM is analysed in Thormarker, "On using the same key pair for Ed25519 and an X25519
//! based KEM" (2021): both stay secure.
//!
//! # Refusals
//! In the order they are checked, each with a plain message ([`BundleError`]): `not_a_bundle`,
//! `truncated`, `corrupted` (checksum, or a body that does not decrypt or decode), `foreign` (for
//! another recipient), `unknown_sender` (a sender the receiver has no key for, or another key than
//! the one it holds), `tampered` (the signature does not verify), `too_large`. Nothing is applied
//! before the whole bundle has passed all of them; what the receiver then refuses per household
//! (out of scope, a bad change signature) is the protocol's own refusal, as online.
//!
//! ```
//! use shumari_proto::bundle::{self, Contents, Direction, Header, Part};
//! use shumari_proto::message::{PushDoc, PushRequest};
//! use shumari_proto::signing::DeviceKey;
//! let device = DeviceKey::from_secret([1; 32]);
//! let registry = DeviceKey::from_secret([2; 32]);
//! let header = Header::new(Direction::Up, "device-1", device.public(), "registry", registry.public(), 1);
//! let push = PushRequest { docs: vec![PushDoc::raw(uuid::Uuid::nil(), vec![1, 2, 3])], submissions: Vec::new() };
//! let file = bundle::seal(&header, &Contents { parts: vec![Part::Push(push.clone())] }, &device).unwrap();
//! // The registry reads the header, finds the device's key, and opens the bundle.
//! let sealed = bundle::parse(&file).unwrap();
//! assert_eq!(sealed.header.sender, "device-1");
//! let contents = sealed.open(&registry, &device.public()).unwrap();
//! assert_eq!(contents.parts, vec![Part::Push(push)]);
//! // Anyone else cannot: another key is told the bundle is not theirs.
//! let other = DeviceKey::from_secret([3; 32]);
//! assert_eq!(sealed.open(&other, &device.public()).unwrap_err().code(), "foreign");
//! ```

use crate::codec::{DecodeError, Reader, Writer};
use crate::limits::{MAX_BUNDLE_BYTES, MAX_BUNDLE_PARTS};
use crate::message::{ActorsRequest, Message, PullRequest, PullResponse, PushRequest};
use crate::signing::{DeviceKey, PUBLIC_KEY_LEN};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use uuid::Uuid;

/// File magic.
pub const MAGIC: &[u8; 4] = b"SHMB";
/// The bundle format this build writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// What is prefixed to a bundle's hash before it is signed (never valid as a change signature,
/// whose prefix is [`crate::signing::DOMAIN`]).
pub const DOMAIN: &[u8] = b"shumari-bundle-v1";
/// The name a bundle gives the registry as its sender or recipient.
pub const REGISTRY: &str = "registry";
/// Conventional file extension.
pub const EXTENSION: &str = "shumari";

const SIGNATURE_LEN: usize = 64;
const CHECKSUM_LEN: usize = 32;
/// Magic, format, header length.
const PREFIX_LEN: usize = 4 + 1 + 4;

/// Which way a bundle travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From a device to the registry: what a push would send.
    Up,
    /// From the registry to one device: what a pull would give.
    Down,
}

/// The clear part of a bundle: whose, for whom, when, and how much.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Which way it travels.
    pub direction: Direction,
    /// The bundle's own id (random), for the receiver's records.
    pub id: Uuid,
    /// The sender: a device id, or [`REGISTRY`].
    pub sender: String,
    /// The sender's Ed25519 public key (the bundle is signed with it).
    pub sender_key: [u8; PUBLIC_KEY_LEN],
    /// The recipient: [`REGISTRY`], or a device id.
    pub recipient: String,
    /// The recipient's Ed25519 public key (the body is encrypted to it).
    pub recipient_key: [u8; PUBLIC_KEY_LEN],
    /// When it was made (ms since the epoch, the sender's clock).
    pub created_at: i64,
    /// Households it carries.
    pub households: u64,
    /// Messages it carries.
    pub parts: u64,
}

impl Header {
    /// A header with a fresh id and nothing counted yet ([`seal`] counts).
    pub fn new(
        direction: Direction,
        sender: &str,
        sender_key: [u8; PUBLIC_KEY_LEN],
        recipient: &str,
        recipient_key: [u8; PUBLIC_KEY_LEN],
        created_at: i64,
    ) -> Self {
        Header {
            direction,
            id: Uuid::new_v4(),
            sender: sender.to_string(),
            sender_key,
            recipient: recipient.to_string(),
            recipient_key,
            created_at,
            households: 0,
            parts: 0,
        }
    }

    fn write(&self, w: &mut Writer) {
        w.u8(match self.direction {
            Direction::Up => 1,
            Direction::Down => 2,
        });
        w.uuid(&self.id);
        w.str(&self.sender);
        w.hash(&self.sender_key);
        w.str(&self.recipient);
        w.hash(&self.recipient_key);
        w.varint(u64::try_from(self.created_at).unwrap_or(0));
        w.varint(self.households);
        w.varint(self.parts);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let direction = match r.u8()? {
            1 => Direction::Up,
            2 => Direction::Down,
            _ => return Err(DecodeError::Invalid("bundle direction")),
        };
        Ok(Header {
            direction,
            id: r.uuid()?,
            sender: r.str()?,
            sender_key: r.hash()?,
            recipient: r.str()?,
            recipient_key: r.hash()?,
            created_at: i64::try_from(r.varint()?)
                .map_err(|_| DecodeError::Invalid("created_at"))?,
            households: r.varint()?,
            parts: r.varint()?,
        })
    }
}

/// One message a bundle carries, in the protocol's own types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Up: actors (and the device's key) to bind to the sender, as `/v1/actors` would.
    Actors(ActorsRequest),
    /// Up: documents with their signature records, as `/v1/push` would.
    Push(PushRequest),
    /// Up: where the sender is in its feed (its cursor), so the registry's next downward bundle
    /// starts there.
    Position(PullRequest),
    /// Down: a page of the feed, as `/v1/pull` would answer.
    Page(PullResponse),
    /// Down: the registry's heads for households of the device's scope (the acknowledgement of
    /// what the device sent in earlier bundles).
    Heads(Vec<(Uuid, crate::message::Heads)>),
}

/// Frame kind of a [`Part::Heads`] list (beside the message kinds 1 to 10).
const HEADS_KIND: u8 = 64;

impl Part {
    /// Households the part carries.
    pub fn households(&self) -> usize {
        match self {
            Part::Push(p) => p.docs.len(),
            Part::Page(p) => p.docs.len(),
            _ => 0,
        }
    }

    fn write(&self, w: &mut Writer) {
        let (kind, frame) = match self {
            Part::Actors(m) => (ActorsRequest::KIND, m.encode()),
            Part::Push(m) => (PushRequest::KIND, m.encode()),
            Part::Position(m) => (PullRequest::KIND, m.encode()),
            Part::Page(m) => (PullResponse::KIND, m.encode()),
            Part::Heads(list) => {
                let mut h = Writer::new();
                h.varint(list.len() as u64);
                for (id, heads) in list {
                    h.uuid(id);
                    crate::message::write_heads(&mut h, heads);
                }
                (HEADS_KIND, h.into_inner())
            }
        };
        w.u8(kind);
        w.bytes(&frame);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let kind = r.u8()?;
        let frame = r.bytes()?;
        Ok(match kind {
            ActorsRequest::KIND => Part::Actors(ActorsRequest::decode(frame)?),
            PushRequest::KIND => Part::Push(PushRequest::decode(frame)?),
            PullRequest::KIND => Part::Position(PullRequest::decode(frame)?),
            PullResponse::KIND => Part::Page(PullResponse::decode(frame)?),
            HEADS_KIND => {
                let mut h = Reader::new(frame);
                let n = h.count(17)?;
                let mut list = Vec::with_capacity(n);
                for _ in 0..n {
                    list.push((h.uuid()?, crate::message::read_heads(&mut h)?));
                }
                h.finish()?;
                Part::Heads(list)
            }
            _ => return Err(DecodeError::Invalid("bundle part kind")),
        })
    }
}

/// What a bundle carries, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contents {
    /// The messages.
    pub parts: Vec<Part>,
}

impl Contents {
    /// Households carried, over all parts.
    pub fn households(&self) -> u64 {
        self.parts.iter().map(|p| p.households() as u64).sum()
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.varint(self.parts.len() as u64);
        for p in &self.parts {
            p.write(&mut w);
        }
        w.into_inner()
    }

    /// Decodes a body; never panics, and allocates nothing a count claims before its bytes exist.
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let n = r.count(2)?;
        if n > MAX_BUNDLE_PARTS {
            return Err(DecodeError::Invalid("bundle parts"));
        }
        let parts = (0..n)
            .map(|_| Part::read(&mut r))
            .collect::<Result<Vec<_>, _>>()?;
        r.finish()?;
        Ok(Contents { parts })
    }
}

/// Why a bundle is refused. Each says what to do in plain words.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not a Shumari bundle at all.
    #[error("this file is not a Shumari bundle")]
    NotABundle,
    /// A bundle of a newer format.
    #[error("this bundle was written by a newer Shumari (format {0}); update Shumari to read it")]
    Format(u8),
    /// The file ends early.
    #[error(
        "the bundle is truncated (the file ends early): copy it again from the sender's device"
    )]
    Truncated,
    /// The bytes were damaged (checksum, decryption or decoding failed).
    #[error("the bundle is corrupted ({0}): copy it again from the sender's device")]
    Corrupted(String),
    /// Made for another recipient.
    #[error("this bundle is foreign: it was made for {0}, not for this {1}")]
    Foreign(String, &'static str),
    /// The sender is not known here, or signed with another key than the one known for it.
    #[error("the bundle's sender ({0}) is unknown here: {1}")]
    UnknownSender(String, &'static str),
    /// The signature does not verify: the file was changed after its sender signed it.
    #[error("the bundle was tampered with: its signature does not match its contents; nothing was applied")]
    Tampered,
    /// Larger than any bundle may be.
    #[error("the bundle is larger than {0} bytes; export a smaller one")]
    TooLarge(usize),
    /// The bundle could not be written.
    #[error("the bundle could not be made: {0}")]
    Seal(String),
}

impl BundleError {
    /// A short machine code for the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::NotABundle => "not_a_bundle",
            BundleError::Format(_) => "unsupported_format",
            BundleError::Truncated => "truncated",
            BundleError::Corrupted(_) => "corrupted",
            BundleError::Foreign(..) => "foreign",
            BundleError::UnknownSender(..) => "unknown_sender",
            BundleError::Tampered => "tampered",
            BundleError::TooLarge(_) => "too_large",
            BundleError::Seal(_) => "seal_failed",
        }
    }
}

/// The age recipient of the party whose Ed25519 public key is `public_key`.
pub fn recipient(public_key: &[u8; PUBLIC_KEY_LEN]) -> Result<age::x25519::Recipient, BundleError> {
    use bech32::ToBase32;
    let key = VerifyingKey::from_bytes(public_key)
        .map_err(|_| BundleError::Seal("the recipient's key is not an Ed25519 key".into()))?;
    let x = key.to_montgomery().to_bytes();
    bech32::encode("age", x.to_base32(), bech32::Variant::Bech32)
        .map_err(|e| BundleError::Seal(e.to_string()))?
        .parse()
        .map_err(|e: &str| BundleError::Seal(e.to_string()))
}

/// The age identity of the holder of `key` (see the module docs for the derivation).
fn identity(key: &DeviceKey) -> Result<age::x25519::Identity, BundleError> {
    use bech32::ToBase32;
    let secret = zeroize::Zeroizing::new(key.secret());
    let scalar = zeroize::Zeroizing::new(SigningKey::from_bytes(&secret).to_scalar_bytes());
    let text = zeroize::Zeroizing::new(
        bech32::encode(
            "age-secret-key-",
            scalar.to_base32(),
            bech32::Variant::Bech32,
        )
        .map_err(|e| BundleError::Seal(e.to_string()))?
        .to_uppercase(),
    );
    text.parse()
        .map_err(|e: &str| BundleError::Seal(e.to_string()))
}

fn signed_message(hash: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + 32);
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(hash);
    m
}

/// Writes a bundle: `contents` encrypted to `header.recipient_key` and signed by `sender`, whose
/// public key must be `header.sender_key`. The header's counts are filled in here.
pub fn seal(
    header: &Header,
    contents: &Contents,
    sender: &DeviceKey,
) -> Result<Vec<u8>, BundleError> {
    if sender.public() != header.sender_key {
        return Err(BundleError::Seal(
            "the header names another sender key than the one signing".into(),
        ));
    }
    let mut header = header.clone();
    header.households = contents.households();
    header.parts = contents.parts.len() as u64;
    let plain = zeroize::Zeroizing::new(contents.encode());
    let to = recipient(&header.recipient_key)?;
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&to as &dyn age::Recipient))
        .map_err(|e| BundleError::Seal(e.to_string()))?;
    let mut body = Vec::with_capacity(plain.len() + 256);
    let seal_io = |e: std::io::Error| BundleError::Seal(e.to_string());
    let mut writer = encryptor.wrap_output(&mut body).map_err(seal_io)?;
    writer.write_all(&plain).map_err(seal_io)?;
    writer.finish().map_err(seal_io)?;

    let mut h = Writer::new();
    header.write(&mut h);
    let h = h.into_inner();
    let mut out = Vec::with_capacity(PREFIX_LEN + h.len() + 8 + body.len() + 96);
    out.extend_from_slice(MAGIC);
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&u32::try_from(h.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(&(body.len() as u64).to_be_bytes());
    out.extend_from_slice(&body);
    let hash: [u8; 32] = Sha256::digest(&out).into();
    let signing = SigningKey::from_bytes(&zeroize::Zeroizing::new(sender.secret()));
    out.extend_from_slice(&signing.sign(&signed_message(&hash)).to_bytes());
    let checksum: [u8; 32] = Sha256::digest(&out).into();
    out.extend_from_slice(&checksum);
    if out.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge(MAX_BUNDLE_BYTES));
    }
    Ok(out)
}

/// A bundle whose structure and checksum are sound, not yet opened.
#[derive(Debug)]
pub struct Sealed<'a> {
    /// The clear header.
    pub header: Header,
    signed: &'a [u8],
    body: &'a [u8],
    signature: [u8; SIGNATURE_LEN],
}

/// Reads a bundle's structure, checksum and header (nothing is decrypted yet): `not_a_bundle`,
/// `truncated`, `corrupted` or `too_large` when they are not sound.
pub fn parse(bytes: &[u8]) -> Result<Sealed<'_>, BundleError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge(MAX_BUNDLE_BYTES));
    }
    if bytes.len() < PREFIX_LEN {
        return if MAGIC.starts_with(&bytes[..bytes.len().min(4)]) && !bytes.is_empty() {
            Err(BundleError::Truncated)
        } else {
            Err(BundleError::NotABundle)
        };
    }
    if &bytes[..4] != MAGIC {
        return Err(BundleError::NotABundle);
    }
    if bytes[4] != FORMAT_VERSION {
        return Err(BundleError::Format(bytes[4]));
    }
    let header_len = u32::from_be_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]) as usize;
    let after_header = PREFIX_LEN.saturating_add(header_len);
    let body_start = after_header.saturating_add(8);
    if bytes.len() < body_start {
        return Err(BundleError::Truncated);
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[after_header..body_start]);
    let body_len = usize::try_from(u64::from_be_bytes(len)).map_err(|_| BundleError::Truncated)?;
    let signed_end = body_start.saturating_add(body_len);
    let end = signed_end.saturating_add(SIGNATURE_LEN + CHECKSUM_LEN);
    if bytes.len() < end {
        return Err(BundleError::Truncated);
    }
    if bytes.len() > end {
        return Err(BundleError::Corrupted(
            "bytes after the end of the bundle".into(),
        ));
    }
    let checked = &bytes[..end - CHECKSUM_LEN];
    let checksum: [u8; 32] = Sha256::digest(checked).into();
    if checksum[..] != bytes[end - CHECKSUM_LEN..] {
        return Err(BundleError::Corrupted("its checksum does not match".into()));
    }
    let mut r = Reader::new(&bytes[PREFIX_LEN..after_header]);
    let header = Header::read(&mut r)
        .and_then(|h| r.finish().map(|()| h))
        .map_err(|e| BundleError::Corrupted(format!("header: {e}")))?;
    let mut signature = [0u8; SIGNATURE_LEN];
    signature.copy_from_slice(&bytes[signed_end..signed_end + SIGNATURE_LEN]);
    Ok(Sealed {
        header,
        signed: &bytes[..signed_end],
        body: &bytes[body_start..signed_end],
        signature,
    })
}

impl Sealed<'_> {
    /// Opens the bundle as the holder of `me`, trusting `sender_key` as the key of
    /// `header.sender` (the key the receiver holds for it, never the header's own claim):
    /// `foreign`, `unknown_sender`, `tampered`, `corrupted` or `too_large` otherwise.
    pub fn open(
        &self,
        me: &DeviceKey,
        sender_key: &[u8; PUBLIC_KEY_LEN],
    ) -> Result<Contents, BundleError> {
        let who = if self.header.recipient == REGISTRY {
            "registry"
        } else {
            "device"
        };
        if self.header.recipient_key != me.public() {
            return Err(BundleError::Foreign(self.header.recipient.clone(), who));
        }
        if self.header.sender_key != *sender_key {
            return Err(BundleError::UnknownSender(
                self.header.sender.clone(),
                "it was signed with another key than the one known for that sender",
            ));
        }
        let key = VerifyingKey::from_bytes(sender_key)
            .map_err(|_| BundleError::UnknownSender(self.header.sender.clone(), "no usable key"))?;
        let hash: [u8; 32] = Sha256::digest(self.signed).into();
        key.verify_strict(
            &signed_message(&hash),
            &Signature::from_bytes(&self.signature),
        )
        .map_err(|_| BundleError::Tampered)?;
        let id = identity(me)?;
        let decryptor = age::Decryptor::new_buffered(self.body)
            .map_err(|e| BundleError::Corrupted(format!("encryption header: {e}")))?;
        let mut reader = decryptor
            .decrypt(std::iter::once(&id as &dyn age::Identity))
            .map_err(|e| match e {
                age::DecryptError::NoMatchingKeys => {
                    BundleError::Foreign(self.header.recipient.clone(), who)
                }
                e => BundleError::Corrupted(e.to_string()),
            })?;
        let mut plain = zeroize::Zeroizing::new(Vec::new());
        (&mut reader)
            .take(MAX_BUNDLE_BYTES as u64 + 1)
            .read_to_end(&mut plain)
            .map_err(|e| BundleError::Corrupted(e.to_string()))?;
        if plain.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge(MAX_BUNDLE_BYTES));
        }
        Contents::decode(&plain).map_err(|e| BundleError::Corrupted(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Cursor, PushDoc};

    fn keys() -> (DeviceKey, DeviceKey) {
        (
            DeviceKey::from_secret([1; 32]),
            DeviceKey::from_secret([2; 32]),
        )
    }

    fn sample(device: &DeviceKey, registry: &DeviceKey) -> Vec<u8> {
        let header = Header::new(
            Direction::Up,
            "d-1",
            device.public(),
            REGISTRY,
            registry.public(),
            1_750_000_000_000,
        );
        let contents = Contents {
            parts: vec![
                Part::Actors(ActorsRequest {
                    actors: vec![vec![7; 16]],
                    key: None,
                }),
                Part::Push(PushRequest {
                    docs: vec![PushDoc::raw(Uuid::nil(), b"household".repeat(50))
                        .signed(vec![device.sign(&[4; 32])])],
                    submissions: Vec::new(),
                }),
                Part::Position(PullRequest {
                    cursor: Cursor::default(),
                    max_bytes: 0,
                    digest: [0; 8],
                    assignments: false,
                    signatures: false,
                    bundle_key: false,
                    forms: false,
                    held_forms: Vec::new(),
                    reviews_after: None,
                }),
                Part::Heads(vec![(Uuid::nil(), vec![[5; 32]])]),
            ],
        };
        seal(&header, &contents, device).expect("sealed")
    }

    #[test]
    fn a_bundle_opens_for_its_recipient_only() {
        let (device, registry) = keys();
        let file = sample(&device, &registry);
        let sealed = parse(&file).expect("parsed");
        assert_eq!(sealed.header.households, 1);
        assert_eq!(sealed.header.parts, 4);
        let contents = sealed.open(&registry, &device.public()).expect("opened");
        assert_eq!(contents.parts.len(), 4);
        assert_eq!(contents.households(), 1);
        let other = DeviceKey::from_secret([9; 32]);
        assert_eq!(
            sealed.open(&other, &device.public()).unwrap_err().code(),
            "foreign"
        );
        assert_eq!(
            sealed.open(&registry, &other.public()).unwrap_err().code(),
            "unknown_sender"
        );
        // The clear header names no household: the body is encrypted.
        assert!(!file.windows(9).any(|w| w == b"household"));
    }

    #[test]
    fn damage_and_changes_are_told_apart() {
        let (device, registry) = keys();
        let file = sample(&device, &registry);
        assert_eq!(
            parse(&file[..file.len() - 1]).unwrap_err().code(),
            "truncated"
        );
        assert_eq!(parse(&file[..20]).unwrap_err().code(), "truncated");
        assert_eq!(
            parse(b"PK\x03\x04zip file").unwrap_err().code(),
            "not_a_bundle"
        );
        // A flipped byte in the header or the body: the checksum catches it.
        for i in [30usize, file.len() / 2, file.len() - 40] {
            let mut bad = file.clone();
            bad[i] ^= 0x20;
            assert_eq!(parse(&bad).unwrap_err().code(), "corrupted", "byte {i}");
        }
        // A flipped length: the file no longer ends where it says.
        let mut bad = file.clone();
        bad[8] ^= 0x01;
        assert!(parse(&bad).is_err());
        // A deliberate change with the checksum recomputed: the signature catches it.
        let mut changed = file.clone();
        let at = file.len() / 2;
        changed[at] ^= 1;
        let n = changed.len();
        let sum: [u8; 32] = Sha256::digest(&changed[..n - 32]).into();
        changed[n - 32..].copy_from_slice(&sum);
        let sealed = parse(&changed).expect("structure is sound");
        assert_eq!(
            sealed.open(&registry, &device.public()).unwrap_err().code(),
            "tampered"
        );
    }
}
