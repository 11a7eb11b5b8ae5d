//! A district hub: the registry a district office's tablets sync with over the office LAN, which
//! carries their work to the registry above (the centre, or a province hub) whenever a link exists,
//! and brings the centre's work (review decisions, the submitted mark, colleagues' households)
//! down to them.
//!
//! # What a hub is
//! The same binary in two roles at once:
//! - **a registry for its tablets**: `shumari hub serve` serves the registry's sync routes from the
//!   hub's own SQLite database, exactly as `registry serve` does, so a tablet enrolls and syncs
//!   with a hub as with the centre (same protocol, same checks: scope, roles, signatures);
//! - **a device of the registry above**: `shumari hub enroll --code` redeems a code made there for
//!   a user of role `hub` (see the role table: it may enroll and push like a tablet, holds its
//!   district, and makes no status step of its own), and each upstream round pushes and pulls
//!   like a tablet would, with the hub's token.
//!
//! ```text
//!  tablets ──LAN──▶ hub registry (SQLite) ──round──▶ registry above (centre)
//!    ▲  sync as with        │   ▲                 push: tablets' changes, raw, with their
//!    │  the centre          │   │                       authors' signature records
//!    └──── feed ◀───────────┘   └──── pull ◀───── feed of the hub's district, with records
//! ```
//!
//! # The design: an upstream client over the hub's registry storage
//! Two designs were possible: (a) keep an embedded device store as the hub's mirror of the
//! centre, sync it with the unchanged device engine, and bridge changes between it and the hub's
//! registry; (b) speak the protocol upstream directly over the hub's registry storage. This crate
//! is (b), because the hub's registry already holds everything a round needs — each household's
//! document and heads, the log of changes with their signature records, the tablets' keys — and
//! (a) would keep every household twice, need the device store to accept others' changes as its
//! own unsent work (it acknowledges whatever it applies from a registry), put an encrypted store
//! behind a PIN on a server, and run a bridge with cursors in both directions whose every step
//! must be as crash-safe as the two syncs around it. What a device store keeps for its engine
//! becomes three small tables (registry migration V24, [`state`]): the hub's token and the
//! upstream feed's cursor, the heads the registry above holds per household, and which tablets it
//! has registered. The price is a client of its own ([`round`]): push, pull pages, no consistency
//! check yet (see the plan below).
//!
//! # A round ([`round`])
//! 0. **Learn the district** ([`directory`], `/v1/hub/directory`): the users whose areas lie in
//!    the hub's, with the disabled mark, and their devices with their token hashes, keys, actors,
//!    short ids and the revoked mark. A user the hub lacks is added (same id, name, role, areas);
//!    a device enrolled above becomes a device of the hub's registry under its own id and token
//!    hash, so it syncs with the hub exactly as with the centre; a device revoked or a user
//!    disabled above is cut off at the hub too.
//! 1. **Register the tablets** ([`tablets`], `/v1/hub/devices`, `shumari_proto::message::hub`):
//!    each tablet that registered its key at the hub is sent upstream with its user (id and name,
//!    who must exist above with a tablet role and areas inside the hub's), public key, short id and
//!    actors. The registry above makes it a device of that user (`HUB.LOCAL`) and refuses a user
//!    outside the hub's scope, an unknown or renamed user, another key, a taken actor or short id.
//!    A device enrolled above that bound new actors at the hub is sent under its own id, and the
//!    registry above binds them to it.
//! 2. **Push** ([`outgoing`]): every household whose heads the registry above has not
//!    acknowledged, the changes after the acknowledged heads, raw, with the signature records the
//!    hub's log kept for them. The registry above verifies each change against its author's key,
//!    as for any relay: a hub that altered a tablet's change is refused (`bad_signature`), and
//!    the refusal is on its access trail. Accepted heads are acknowledged at once.
//! 3. **Pull**: the hub's district's feed from its cursor, with signature records; each page is
//!    merged into the hub's registry ([`apply`]) as a log entry of the device `upstream`, which
//!    the hub's feed delivers to its tablets with the records, so a tablet can relay it again.
//!    Then the page's heads are acknowledged and the cursor moved. The last page carries the
//!    centre's bundle key, whose offline enrollment codes the hub then honours.
//!
//! **Nothing twice, nothing lost.** Automerge changes are content-addressed: a change pushed or
//! applied again is ignored, a page applied again writes nothing (no second log entry or audit
//! row), and every step's progress is durable before the next, so a round cut anywhere resumes
//! from the last acknowledgement and the last cursor. A hub's registry marks nothing submitted
//! (`Config::relay`): that acknowledgement is the centre's, and comes down the feed.
//!
//! # Identity
//! - **Tablets enrolled at the hub**: with codes the hub issues (`shumari hub code --user ID`) for
//!   users the hub learnt from above (or was given with `shumari hub user add`, same id and name),
//!   or with an **offline code** the centre issued in advance (`shumari registry enroll-code
//!   --offline-days N`, [`shumari_proto::offline_code`]): signed with the centre's bundle key,
//!   checked by the hub without a link, redeemed once (a replay is refused), its user added from
//!   the code if the hub has not learnt them yet. Either way the tablet is registered above at the
//!   hub's next round.
//! - **Devices enrolled at the centre** sync with the hub under their centre token once the hub
//!   has learnt them (its first round after their enrollment). The hub never learns a token, only
//!   its hash; it does not rotate such a device's token (it answers 404, and the device keeps its
//!   token until it rotates at the centre, which the hub learns at its next round). A device
//!   keeps one feed cursor: moving between the hub and the centre, the cursor is the other
//!   registry's, and the engine's consistency check (the digest in every pull, then `/v1/check`)
//!   finds and repairs what the cursor skipped, so both orders converge.
//! - The tablets sign every change; the hub never signs for them, and the centre learns the keys
//!   of the hub's own tablets only from the hub's registration, held to the hub's district. The
//!   hub's token upstream is kept in the hub's database, as a tablet keeps its token in its store.
//!
//! # Hubs below hubs
//! A hub's registry accepts another hub (role `hub`, a user it learnt from above) as it accepts a
//! tablet, serves it the directory and takes its registrations; a district hub below a province
//! hub needs no other code. The province hub forwards the district hub's tablets under the ids it
//! gave them (`DISTRICT.LOCAL`, so `PROVINCE.DISTRICT.LOCAL` at the centre). A hub runs on SQLite
//! only: its own bookkeeping ([`state`]) is a second SQLite connection to the registry's file, so
//! `--db postgres://…` is refused for a hub.
//!
//! # Next steps (the plan)
//! - **A cursor per registry on the device**: a device moving between hub and centre repairs
//!   through the consistency check today; a cursor kept per registry URL would make the move cost
//!   only the feed.
//! - **Consistency check upstream**: the hub's heads digest in its pull and `/v1/check` repair,
//!   as the device engine does, so a centre restored from a backup is repaired by the hub;
//!   households leaving the hub's scope (`removed`) handled as a device does.
//! - **Token rotation** for the hub's own token (`/v1/token`, as `shumari_sync::rotation`), and
//!   for centre devices at the hub (forwarded up).
//! - Users renamed or moved above: the directory adds users the hub lacks and disables; it does
//!   not yet rewrite a held user's name or areas.
//! - Short ids granted by the centre to the hub's tablets (today the hub grants them from its own
//!   pool; a clash with a centre device is refused at registration and its households' new
//!   references would be refused).

pub mod apply;
pub mod check;
pub mod directory;
pub mod error;
mod hub;
pub mod outgoing;
pub mod rotation;
pub mod round;
pub mod schedule;
pub mod state;
pub mod tablets;

pub use error::{HubError, Result};
pub use hub::Hub;
pub use round::Report;
pub use state::Link;

/// The registry settings a hub's registry runs with: the centre's defaults, and no registry
/// change of its own (`Config::relay`).
pub fn registry_config() -> shumari_registry::Config {
    shumari_registry::Config {
        relay: true,
        ..shumari_registry::Config::default()
    }
}
