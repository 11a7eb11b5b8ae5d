//! The device side of the Shumari sync protocol: the client engine ([`engine`]: rotate the token when
//! due ([`rotation`]), register actors, push, pull, check and repair against the device's encrypted
//! store, with chunking, resumption and backoff), its errors ([`error`]: a revoked or expired device is
//! its own [`SyncError`] variant, never retried) and the HTTP transport ([`http`], blocking reqwest).
//!
//! The protocol itself — messages, wire codec, compact changes, consistency digests, the
//! [`Transport`] trait — is the `shumari-proto` crate, which explains it end to end; the registry links
//! that crate, not this one. Its modules are re-exported here under their old names so that
//! `shumari_sync::proto::PushRequest` and `crate::codec::…` keep working.
//!
//! # Signed changes
//!
//! Every change a device makes is signed by it, so the registry can accept the change from whoever
//! delivers it: the device itself, a colleague's tablet that holds it, later a district hub or a USB
//! bundle. The pieces:
//!
//! 1. **A key per device.** [`enroll`] makes an Ed25519 key pair from the operating system's
//!    randomness and keeps the secret in the encrypted store; the public key goes to the registry with
//!    the store's actors (`/v1/actors`). A store enrolled before keys existed makes and registers one at
//!    its next sync ([`identity`]).
//! 2. **A signature per change.** The message signed is `b"shumari-change-v1"` followed by the
//!    automerge change hash, which covers the change's actor, sequence number, dependencies and
//!    operations ([`shumari_proto::signing`]). A change is signed the first time it is sent and the
//!    record (hash, signature) is kept in the store beside it.
//! 3. **Records travel with changes.** A push carries, per household, the record of every change
//!    it sends: its own and those it relays. The device asks the registry for records on every pull
//!    and check, and keeps them, so whatever it holds it can forward with its author's signature.
//! 4. **The registry checks the author, not the messenger.** A change new to the registry is
//!    accepted iff its record verifies against the key of the device its actor is registered to; a
//!    device without a key (not yet upgraded) may still push its own changes unsigned. Anything else
//!    is refused for the household (`bad_signature`, `unsigned_change`) and put on the access trail.
//!
//! A relay is just a push of changes made elsewhere with their records:
//!
//! ```
//! use shumari_proto::signing::{self, DeviceKey};
//! use shumari_proto::message::{Message, PushDoc, PushRequest};
//! // Device A signs its change (the engine does this when it first sends the change).
//! let a = DeviceKey::from_secret([1; 32]);
//! let change_hash = [42u8; 32];
//! let record = a.sign(&change_hash);
//! // Device B relays A's change bytes with A's record, untouched.
//! let id = uuid::Uuid::now_v7();
//! let push = PushRequest {
//!     docs: vec![PushDoc::raw(id, vec![/* A's raw change chunk */]).signed(vec![record.clone()])],
//!     submissions: Vec::new(),
//! };
//! let received = PushRequest::decode(&push.encode()).unwrap();
//! // The registry looks A's key up through the change's actor and checks the record.
//! assert!(signing::verify(&a.public(), &received.docs[0].signatures[0]));
//! // Signed by B instead, the same change would be refused: only its author's device can sign it.
//! let b = DeviceKey::from_secret([2; 32]);
//! assert!(!signing::verify(&a.public(), &b.sign(&change_hash)));
//! ```
//!
//! What a device would send for some households, records included, is
//! [`identity::signed_unsent`]: the same documents the next push sends, for a relay, a hub or a file.
//!
//! # USB bundles
//!
//! A tablet that never sees a network syncs by file ([`bundle`]; the format is
//! [`shumari_proto::bundle`]). A bundle is the protocol's own messages carried by hand: upward, the
//! actors to bind, the documents the next push would send (records included, so relayed changes
//! keep their authors' signatures) and the device's cursor; downward, the pages a pull from that
//! cursor would give and the registry's heads for the scope, which acknowledge what the device sent.
//! The body is encrypted with `age` to the recipient's key (an X25519 key derived from its Ed25519
//! key: the device's signing key, the registry's bundle key learnt at enrollment or on a pull) and the
//! file is signed by its sender, so a relay, a stick or a courier sees nothing and can change
//! nothing. The receiver checks the whole file before it applies anything, then applies it with the
//! code that serves the online exchange: importing twice changes nothing.
//!
//! ```
//! use shumari_proto::bundle::{self, Contents, Direction, Header, Part, REGISTRY};
//! use shumari_proto::message::{PushDoc, PushRequest};
//! use shumari_proto::signing::DeviceKey;
//! let tablet = DeviceKey::from_secret([1; 32]);
//! let registry = DeviceKey::from_secret([2; 32]); // its public half is what tablets learn
//! // The tablet's push, with its signature record, sealed for the registry.
//! let id = uuid::Uuid::now_v7();
//! let push = PushRequest {
//!     docs: vec![PushDoc::raw(id, vec![/* raw change chunk */]).signed(vec![tablet.sign(&[9; 32])])],
//!     submissions: Vec::new(),
//! };
//! let header = Header::new(Direction::Up, "tablet-7", tablet.public(), REGISTRY, registry.public(), 0);
//! let file = bundle::seal(&header, &Contents { parts: vec![Part::Push(push.clone())] }, &tablet).unwrap();
//! // At the registry: the sender's key is the one the tablet registered, never the file's claim.
//! let contents = bundle::parse(&file).unwrap().open(&registry, &tablet.public()).unwrap();
//! assert_eq!(contents.parts, vec![Part::Push(push)]);
//! // One byte changed on the stick: refused before anything is applied.
//! let mut damaged = file.clone();
//! damaged[40] ^= 1;
//! assert_eq!(bundle::parse(&damaged).unwrap_err().code(), "corrupted");
//! ```
//!
//! # District hubs
//!
//! A district hub (crate `shumari-hub`, `shumari hub serve`) is a registry to the tablets below it
//! and a device to the registry above it. Nothing in this engine knows about hubs: a tablet syncs
//! with its district's hub over the office LAN exactly as with the centre (same routes, same
//! messages, same checks), and with whichever of the two it reaches, in any order. What makes that
//! safe is the signing above: the hub pushes its tablets' changes upward raw, with their authors'
//! records, and never signs anything itself, so the centre verifies each change against the key
//! of the tablet that made it, however many hubs it passed through (a district hub below a
//! province hub is the same code). The consistency check (a digest in every pull, then
//! `/v1/check`) repairs whatever a device's cursor skipped when it moved between registries.
//!
//! A tablet can even enroll at a hub whose link upward is down, with an **offline code** the centre
//! issued in advance ([`shumari_proto::offline_code`]): signed with the centre's bundle key, which the
//! hub learnt at its own enrollment, and checked by the hub without asking anyone.
//!
//! ```
//! use shumari_proto::message::Role;
//! use shumari_proto::offline_code::{OfflineCode, OfflineCodeError};
//! use shumari_proto::signing::{self, DeviceKey};
//! // At the centre, before the field season: a code for one surveyor's tablet.
//! let centre = DeviceKey::from_secret([3; 32]);
//! let code = OfflineCode {
//!     id: [7; 16],
//!     user_id: "u-42".into(),
//!     user_name: "Amina".into(),
//!     role: Role::Surveyor,
//!     areas: vec!["PK60301".into()],
//!     expires_at: 2_000,
//! };
//! let typed: String = code.sign(&centre).chars().filter(|c| *c != '-').collect();
//! // At the hub, link down: the centre's public key is all it needs.
//! assert_eq!(OfflineCode::verify(&typed, &centre.public(), 1_000).unwrap(), code);
//! assert_eq!(OfflineCode::verify(&typed, &centre.public(), 2_000).unwrap_err(), OfflineCodeError::Expired);
//! let other = DeviceKey::from_secret([4; 32]);
//! assert_eq!(OfflineCode::verify(&typed, &other.public(), 1_000).unwrap_err(), OfflineCodeError::BadSignature);
//!
//! // Later the tablet edits; its change travels tablet -> hub -> centre with its record untouched.
//! let tablet = DeviceKey::from_secret([1; 32]);
//! let record = tablet.sign(&[42; 32]);
//! let at_the_centre = record.clone(); // the hub forwards records, it never signs
//! assert!(signing::verify(&tablet.public(), &at_the_centre));
//! // A hub that altered the change (so its hash) is caught: the record no longer fits.
//! let altered = signing::SignedChange { hash: [43; 32], ..at_the_centre };
//! assert!(!signing::verify(&tablet.public(), &altered));
//! ```
//!
//! The engine never stands in the surveyor's way: it takes the device's store for one short local
//! step at a time ([`access`]), never across a request, and acknowledges the heads it sent, so edits
//! made while a batch is in flight stay waiting for the next round.

pub mod access;
pub mod bundle;
pub mod engine;
pub mod error;
pub mod http;
pub mod identity;
pub mod rotation;

pub use shumari_proto::message as proto;
pub use shumari_proto::{check, codec, compact, transport};

pub use access::{SharedStore, StoreAccess};
pub use engine::{
    enroll, enroll_with, sync, sync_with, Options, Progress, Refused, Report, Retry, SyncError,
};
pub use http::{check_registry_url, HttpTransport, RegistryUrlError};
pub use shumari_proto::{Endpoint, Transport, TransportError, PROTOCOL_VERSION};
