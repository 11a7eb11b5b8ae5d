//! The Shumari sync protocol on its own: how a device and the registry (later: a district hub, a USB
//! bundle) exchange household documents. Both sides link this crate and nothing of each other: the
//! device engine (`shumari-sync`) adds the store, retries and an HTTP client; the registry
//! (`shumari-registry`) adds storage, scope and the HTTP server.
//!
//! - [`message`]: one request and one response per endpoint, the [`PROTOCOL_VERSION`], refusal codes
//!   ([`RefusalCode`]) and roles ([`Role`]);
//! - [`codec`]: the wire format (hand-written, bounds-checked, one compressed frame per message; fuzzed);
//! - [`compact`]: the compact form of pushed automerge changes;
//! - [`check`]: the consistency check's bucket digests;
//! - [`signing`]: change signatures, the records that prove a change's author whoever delivers it;
//! - [`transport`]: the [`Transport`] trait (bytes in, bytes out, per endpoint);
//! - [`bundle`]: USB bundles, the same messages in a signed file encrypted to its recipient.
//!
//! # The protocol, end to end
//! Every household is an automerge document. Automerge changes are content-addressed, so sending a
//! change twice is harmless: the whole protocol leans on that for idempotence and resumption.
//!
//! 1. **Enroll** (`/v1/enroll`, once): the device redeems a one-time code printed by an administrator
//!    and receives a bearer token (the registry stores only its hash), its user id, role and areas.
//! 2. **Register actors** (`/v1/actors`): each store open uses a fresh automerge actor id. Before
//!    pushing, the device binds its new actors (and once its public key) to itself. The registry
//!    refuses any pushed change whose actor is bound to no device, or to another device that did not
//!    sign it (7.), so no device can forge another's edits.
//! 3. **Push** (`/v1/push`, push before pull): for every household whose heads differ from the heads the
//!    registry acknowledged, the changes since those heads (`save_after`), in the [`compact`] form
//!    that leaves out what the registry holds (dependency hashes, chunk framing). Many households per
//!    request; each request is one compressed frame under the chunk cap (64 KiB by default), so round
//!    trips grow with bytes, never with households. The answer has a status per household: accepted, or
//!    refused with a [`RefusalCode`] (`out_of_scope`, `forged_actor`, `bad_document`, ...), and a
//!    refusal never blocks the rest. Accepted heads are stored as acknowledged right away: a cut sync
//!    resumes there.
//! 4. **Pull** (`/v1/pull`): the registry keeps an append-only log with a sequence number per entry.
//!    The device sends its [`message::Cursor`] and receives, in pages under the cap, the entries after
//!    it that fall in its scope, minus its own (no echo). A device's first pull is served from compact
//!    snapshots of the scope's documents, not their history, and resumes by id. A household moved out
//!    of the scope arrives as `removed` and is dropped from the device. The cursor is saved after every
//!    page.
//! 5. **Check** (on the same pull): every pull carries one 8-byte digest of the 16 bucket digests of
//!    the device's (id, heads). When a pull delivers nothing, the registry compares it with its own for
//!    the scope and answers `Consistent` (an up-to-date device learns that in one round trip of a few
//!    dozen bytes) or its 16 bucket digests, from which the device finds the buckets that differ.
//!    For those, `/v1/check` compares heads per document; the registry sends what
//!    the device lacks, asks for what it lacks (`want`: the device pushes those whole next round) and
//!    names households the device should not hold.
//! 6. **Tokens rotate and can be cut off** (`/v1/token`): once its token is a day old the device swaps
//!    it for a new one at the start of a round; the registry keeps the old one valid until the new one
//!    is first used, so a cut connection never locks a device out. A token expires (90 days by
//!    default) unless rotated; a revoked device, a disabled user's device and an expired token are
//!    refused on every endpoint with HTTP 401 and the code `revoked` or `expired`
//!    ([`message::CODE_REVOKED`], [`message::CODE_EXPIRED`]), which the device does not retry.
//! 7. **Signed**: every change carries its author device's Ed25519 signature ([`signing`]): the
//!    device registers its public key with its actors, pushes a (hash, signature) record beside each
//!    change, and asks for the records of what it pulls so it can relay it. The registry accepts a
//!    change from any device in scope that brings it, iff the record verifies against the key of the
//!    device its actor is registered to (a device without a key yet may push its own unsigned); so a
//!    colleague's tablet holding a change the registry lost can push it again.
//! 8. **By hand** ([`bundle`]): the same messages in a file on a USB stick for a tablet that never
//!    sees a network — upward the actors, pushes and cursor a sync would send, downward the pages
//!    a pull would give and the registry's heads —, encrypted to the recipient, signed by the
//!    sender, checked whole before anything is applied. The registry's bundle key reaches devices
//!    in the enrollment answer and on a pull's last page, each behind a flag the device sets.
//! 9. **Relayed by hubs** (`/v1/hub/devices`): a district hub is a device of role `hub` that runs a
//!    registry for its own tablets. Before pushing their changes upstream it registers each tablet
//!    (user, public key, short id, actors; [`message::HubDevicesRequest`]), held to the hub's
//!    district; the changes then verify upstream as any relay's (7.), and the hub pulls its
//!    district's feed with records to pass down (`shumari-hub`).
//! 10. **Versioned**: every frame carries [`PROTOCOL_VERSION`]; another version gets
//!     `unsupported_version` (HTTP 426) telling the user to update.
//!
//! The same sequence among any number of devices converges: every replica ends with the same changes,
//! hence the same heads; concurrent writes of one field stay visible as a conflict until resolved.
//!
//! Errors outside a message (no token, an old client, a body too large) travel as HTTP statuses with a
//! JSON [`ErrorBody`] `{code, message}`.

pub mod bundle;
pub mod check;
pub mod codec;
pub mod compact;
pub mod inspect;
pub mod limits;
pub mod message;
pub mod offline_code;
pub mod signing;
pub mod transport;

pub use codec::DecodeError;
pub use message::{
    Endpoint, ErrorBody, Message, Refusal, RefusalCode, Role, UnknownRole, CONTENT_TYPE,
    DEFAULT_CHUNK_BYTES, PROTOCOL_VERSION, VERSION_HEADER,
};
pub use transport::{Transport, TransportError};
