//! Every bound on what one party may make the other hold or compute, in one place.
//!
//! The registry takes bytes from every tablet in the country, and a tablet takes bytes from the
//! registry: neither may let the other make it allocate or work without limit. The numbers are sized
//! from a real NSER household with generous headroom, and from the registry's memory budget: a
//! registry merges a push's households on every core at once, so what one household may cost times
//! the number of cores must stay far under the 256 MiB a small district server gives the process.
//!
//! A real NSER household (60 answers, up to ~30 members of 15 fields) is a few KiB saved, about
//! 160 operations when created and a few dozen per revisit, written by a handful of devices.

/// Bytes one household's automerge data may inflate to (compressed change chunks and the deflated
/// columns of a saved document, summed). A real household inflates to under 10 KiB; automerge would
/// otherwise inflate whatever it is given, so a few KiB could cost gigabytes.
pub const MAX_INFLATED_BYTES: usize = 1024 * 1024;

/// Operations (and, in a saved document, change records) one household's automerge data may
/// describe. automerge's columns are run-length encoded, so a few bytes can describe millions of
/// operations; each costs ~170 bytes once loaded. 50,000 is 300 times a new household and keeps a
/// loaded document under ~10 MiB.
pub const MAX_OPS: u64 = 50_000;

/// Saved size of one household's merged document at the registry. A real one is ~1-5 KiB; the cap
/// leaves room for years of revisits while keeping one household from stalling a pull page (the feed
/// pages at a few hundred KiB).
pub const MAX_DOC_BYTES: usize = 256 * 1024;

/// Distinct automerge actors (device sessions) in one household's history. A fresh actor is used
/// per store open, so a household revisited for years by a few devices has dozens, not thousands.
pub const MAX_ACTORS: usize = 1_000;

/// Answers in one household, counting the household's and every member's. The NSER questionnaire
/// has ~60 household questions and ~15 per member; 5,000 keys is several times a full roster.
pub const MAX_KEYS: usize = 5_000;

/// Members in one household's roster (removed ones included: removal is a flag). NSER households
/// have at most ~30 members.
pub const MAX_MEMBERS: usize = 200;

/// Fields with concurrent values in one household. Each is a question for a supervisor to resolve;
/// more than this is not an honest household but an attempt to bury one.
pub const MAX_CONFLICTS: usize = 500;

/// Households in one push. The device fills a push up to the frame cap; a batch of compact edits is
/// ~60 bytes per household, so 32 MiB could otherwise carry hundreds of thousands of households whose
/// merge results the registry holds until the batch commits.
pub const MAX_PUSH_DOCS: usize = 5_000;

/// Operations all households of one push may describe together: the work one request may ask of
/// the registry (~1 us each to merge, so about a second of one core). A push fills a 64 KiB frame,
/// a few hundred new households of ~160 operations each.
pub const MAX_PUSH_OPS: u64 = 1_000_000;

/// Dependencies all changes of one push may name together (each is looked up among the registry's
/// changes): ten per household of a full push.
pub const MAX_PUSH_DEPS: u64 = 50_000;

/// Distinct automerge actors the new changes of one push may name (each is looked up in one
/// query). Only actors registered to the pushing device are accepted, a handful per device.
pub const MAX_PUSH_ACTORS: usize = 1_000;

/// Dependencies one change may name. A change depends on the heads it was made on: one, or a few
/// after a merge of concurrent edits.
pub const MAX_CHANGE_DEPS: usize = 64;

/// Actors one device may register in one request. A device registers the actors of the store opens
/// since its last sync: a handful.
pub const MAX_REGISTER_ACTORS: usize = 256;

/// Form versions a device may name as held in one pull (`PullRequest::held_forms`). A tablet holds
/// the versions of the few forms of its areas: a few dozen after years of revisions.
pub const MAX_HELD_FORMS: usize = 4_096;

/// Bytes of an enrollment request (a code, a device name and a few fields): anything larger is not
/// an enrollment.
pub const MAX_ENROLL_BODY: usize = 1024;

/// Bytes of one USB bundle ([`crate::bundle`]), on the stick and once decrypted. A bundle is read
/// whole into memory; a district's 10,000 households with their history are a few tens of MiB, so
/// 512 MiB leaves room for a province while staying inside a laptop's memory.
pub const MAX_BUNDLE_BYTES: usize = 512 * 1024 * 1024;

/// Messages one bundle may carry. Each is a frame of at most [`crate::codec::MAX_DECOMPRESSED`]
/// bytes, written by the sender at about a megabyte: 100,000 is far beyond any real bundle and keeps
/// a lying count from costing anything (each part is at least two bytes, checked before reading).
pub const MAX_BUNDLE_PARTS: usize = 100_000;
