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
//! becomes a few small tables (registry migrations V24, V29 and V30, [`state`]): the hub's token and
//! the upstream feed's cursor, the heads the registry above holds per household, which tablets it
//! has registered, and which households left its district. The price is a client of its own
//! ([`round`]): push, pull pages, the consistency check ([`check`]), token rotation
//! ([`rotation`]).
//!
//! # A round ([`round`])
//! The hub's token upstream is first swapped for a new one once it is a day old ([`rotation`], as
//! a device does: kept in the hub's database before it is used).
//!
//! 0. **Learn the district** ([`directory`], `/v1/hub/directory`): the users whose areas lie in
//!    the hub's, with the disabled mark, and their devices with their token hashes, keys, actors,
//!    short ids and the revoked mark. A user the hub lacks is added (same id, name, role, areas);
//!    a device enrolled above becomes a device of the hub's registry under its own id and token
//!    hash, so it syncs with the hub exactly as with the centre; a device revoked or a user
//!    disabled above is cut off at the hub too. A held user renamed or moved above (inside the
//!    district) gets the new name and areas; one moved out of the district is cut off. The same
//!    answer lists the users' active assignments, complete ([`assignments`]): new ones are stored
//!    at the hub under the same ids and those withdrawn above are withdrawn, so the tablets
//!    receive them from the hub as from the centre; assignments made at the hub stay.
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
//!    centre's bundle key, whose offline enrollment codes the hub then honours. Households the
//!    feed says left the district (`removed`) are recorded as left: not counted nor pushed again.
//! 4. **Check** ([`check`]): the pull carries the digest of what the hub holds, as a device's
//!    does; when the registry above's differs, `/v1/check` per differing bucket: what the hub
//!    lacks is applied, what the registry above lacks (a centre restored from an older backup) is
//!    pushed again whole, with its records, in the same round.
//!
//! **Questionnaires besides the household one.** Between the push and the pull, the reports the
//! tablets submitted at the hub go up ([`reports`]: those the registry above has not answered, in
//! pushes of their own; each answer is recorded at once, and the registry above stores an id
//! once, so a cut round sends again and stores nothing twice). The pull names the form versions
//! the hub holds, and the last page brings the others ([`forms`]), published in the hub's
//! registry to the hub's areas, from where its tablets pull them as from the centre. The same
//! page brings reviewers' decisions above on the reports the hub forwarded ([`reviews`]), written
//! into the hub's registry for the tablets that sent them; a tablet's correction of a returned
//! report goes up naming the report it replaces.
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
//!   keeps a feed cursor per registry (`shumari_sync`'s `engine/cursors.rs`, keyed by the address
//!   it reaches): moving between the hub and the centre resumes each feed where it left it, and
//!   the consistency check (the digest in every pull) finds nothing to repair.
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
//! - **Token rotation for centre devices at the hub** (forwarded up): the hub answers their
//!   rotation with 404 today, and they rotate when they sync with the centre.
//! - **Households that left the district, at the hub's tablets**: the hub stops counting and
//!   pushing them, but a registry deletes no household, so they stay in the hub's registry and on
//!   its tablets until a household can be removed from a registry's storage.
//! - **A user moved back into the district** stays disabled at the hub (a registry has no
//!   re-enable); the centre has no action of its own to rename or move a user yet
//!   (`Storage::update_user` is what the hub uses).
//! - Forms and reports: the areas a version is published to inside the district do not travel
//!   (the pull carries the source only), so the hub publishes what it receives to its whole
//!   district; a report the centre refuses (a version published to another part of the district)
//!   is recorded at the hub and reported by the round, not sent back to the tablet, which the hub
//!   told "stored". Reports reach the centre under the hub's user and device, not the tablet's.
//!   Finding the reports to forward reads every report the hub holds (by form and area) each
//!   round; an index by arrival would read only the new ones.
//! - **Decisions made at the hub** stay at the hub: a supervisor reviewing in the hub's console
//!   reaches the hub's tablets, but the registry above does not learn the decision, and a
//!   correction of a report returned only at the hub is refused above (recorded at the hub as a
//!   refused report). Decisions from above come down ([`reviews`]).
//! - Short ids granted by the centre to the hub's tablets (today the hub grants them from its own
//!   pool; a clash with a centre device is refused at registration and its households' new
//!   references would be refused).

pub mod apply;
pub mod assignments;
pub mod check;
pub mod directory;
pub mod error;
pub mod forms;
mod hub;
pub mod outgoing;
pub mod reports;
pub mod reviews;
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
