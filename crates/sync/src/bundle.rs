//! USB bundles on the device: what the next sync would send, saved to a file for the registry, and
//! a file from the registry applied as a pull's pages would be ([`shumari_proto::bundle`] is the
//! format; the registry's side is `shumari_registry`'s `service/bundles.rs`).
//!
//! **Upward** ([`export_for_registry`]): the actors the registry has not bound to this device, the
//! documents with changes it has not acknowledged (or all, with `all`) exactly as a push carries
//! them — the device's own changes signed, colleagues' relayed with their authors' records —, and
//! the device's feed cursor, so the registry's next bundle for it starts there, and the reports
//! submitted here that wait for a sync (in pushes of their own; they stay queued until an online
//! sync hears they were stored: the registry stores each id once). Encrypted to the
//! registry's bundle key (learnt at enrollment or on a pull, [`KEY_REGISTRY_BUNDLE_KEY`]) and
//! signed with the device's key. Exporting marks nothing acknowledged: the file may never arrive.
//!
//! **Downward** ([`import_from_registry`]): checked whole first (for this device, from the registry
//! whose key the device learnt online, signature, decryption), then its pages are applied with the
//! engine's own code (measured before automerge reads them, signature records kept for relaying),
//! removals, assignments, the forms of the device's areas (versions not held are kept) and
//! reviewers' decisions on its reports as on a pull, and the cursor moved when the bundle continues from where
//! this device was. Last, the registry's heads for the scope become what the registry acknowledged:
//! that is how the device learns that its upward bundle arrived, and stops sending those changes.
//! Applying the same file again changes nothing.
//!
//! ```no_run
//! # fn demo(store: &mut shumari_store::Store) -> Result<(), shumari_sync::SyncError> {
//! // On the tablet: everything the registry lacks, to a file.
//! let file = shumari_sync::bundle::export_for_registry(store, false)?;
//! std::fs::write("/media/usb/tablet.shumari", &file.bytes).expect("written");
//! // ... `shumari bundle import tablet.shumari --db ...` at the registry, and back:
//! let back = std::fs::read("/media/usb/for-tablet.shumari").expect("read");
//! let report = shumari_sync::bundle::import_from_registry(store, &back)?;
//! println!("{} households received", report.pulled);
//! # Ok(()) }
//! ```

use crate::engine::cursors;
use crate::engine::{Refused, KEY_DEVICE};
use crate::error::SyncError;
use crate::identity::{ensure_key, push_doc};
use serde::Serialize;
use shumari_proto::bundle::{self, Contents, Direction, Header, Part, REGISTRY};
use shumari_proto::limits::{MAX_PUSH_DOCS, MAX_REGISTER_ACTORS};
use shumari_proto::message::{heads_from_wire, ActorsRequest, PullRequest, PushRequest};
use shumari_store::Store;
use uuid::Uuid;

pub use shumari_proto::bundle::BundleError;

/// Store setting: the registry's bundle key (hex), learnt online.
pub const KEY_REGISTRY_BUNDLE_KEY: &str = "bundle.registry_key";

/// Raw bytes of documents per push part of a bundle: parts are decoded one at a time, so each is
/// kept to the size of a large online push.
const PART_BYTES: usize = 1024 * 1024;

/// A bundle made on this device.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The bundle's id.
    pub bundle: Uuid,
    /// Households it carries.
    pub households: u64,
    /// Reports (filled with published forms) it carries.
    pub reports: u64,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// What applying a bundle from the registry did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Imported {
    /// Households received and applied.
    pub pulled: u64,
    /// Households removed because they left this device's scope.
    pub removed: u64,
    /// Households whose changes the registry now holds (acknowledged by the bundle).
    pub acknowledged: u64,
    /// Households that could not be applied, each with its reason.
    pub refused: Vec<Refused>,
    /// Versions of forms received that this device did not hold.
    pub forms: u64,
    /// Reports of this device a reviewer's decision moved (approved, returned or rejected).
    pub reviews: u64,
}

/// Remembers the registry's bundle key (from enrollment or a pull).
pub fn learn_registry_key(store: &Store, key: &[u8; 32]) -> Result<(), SyncError> {
    store.kv_set(KEY_REGISTRY_BUNDLE_KEY, &hex::encode(key))?;
    Ok(())
}

/// The registry's bundle key, once learnt.
pub fn registry_key(store: &Store) -> Result<Option<[u8; 32]>, SyncError> {
    Ok(store
        .kv_get(KEY_REGISTRY_BUNDLE_KEY)?
        .and_then(|h| hex::decode(h).ok())
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok()))
}

fn device_id(store: &Store) -> Result<String, SyncError> {
    store.kv_get(KEY_DEVICE)?.ok_or(SyncError::NotEnrolled)
}

fn no_registry_key() -> SyncError {
    SyncError::Bundle(BundleError::UnknownSender(
        REGISTRY.into(),
        "this device does not know the registry's bundle key yet; sync once online (or enroll again)",
    ))
}

/// The bundle for the registry: what the next push would send (everything, with `all`), the
/// actors to bind and this device's feed position.
pub fn export_for_registry(store: &mut Store, all: bool) -> Result<Exported, SyncError> {
    let device = device_id(store)?;
    let registry = registry_key(store)?.ok_or_else(no_registry_key)?;
    let (key, registered) = ensure_key(store)?;
    let mut parts = Vec::new();
    let actors: Vec<Vec<u8>> = store
        .actors()?
        .into_iter()
        .filter(|(_, registered)| !registered)
        .map(|(a, _)| a.to_bytes().to_vec())
        .collect();
    for chunk in actors.chunks(MAX_REGISTER_ACTORS) {
        parts.push(Part::Actors(ActorsRequest {
            actors: chunk.to_vec(),
            key: (!registered).then(|| key.public()),
        }));
    }
    let ids = if all {
        // The registry ignores what it holds, so "everything" is simply nothing acknowledged.
        let every: Vec<_> = store
            .all_heads()?
            .into_iter()
            .map(|(id, _)| (id, Vec::new()))
            .collect();
        store.mark_acked(&every)?;
        every.into_iter().map(|(id, _)| id).collect()
    } else {
        store.unsynced_ids()?
    };
    let mut batch = Vec::new();
    let mut size = 0;
    for group in ids.chunks(crate::engine::LOCAL_STEP_DOCS) {
        for doc in crate::identity::outgoing_signed(store, group)? {
            if doc.changes.is_empty() {
                continue;
            }
            let d = push_doc(doc);
            if !batch.is_empty()
                && (size + d.wire_len() > PART_BYTES || batch.len() >= MAX_PUSH_DOCS)
            {
                parts.push(Part::Push(PushRequest {
                    docs: std::mem::take(&mut batch),
                    submissions: Vec::new(),
                }));
                size = 0;
            }
            size += d.wire_len();
            batch.push(d);
        }
    }
    if !batch.is_empty() {
        parts.push(Part::Push(PushRequest {
            docs: batch,
            submissions: Vec::new(),
        }));
    }
    // The reports submitted here and not yet stored by the registry, in pushes of their own as
    // a sync sends them. They stay queued: the registry stores each id once, and the next online
    // sync (or bundle) that gets its answer marks them sent.
    let reports = store.queued_reports()?;
    for part in reports.chunks(crate::engine::reports::REPORTS_PER_PUSH) {
        parts.push(Part::Push(PushRequest {
            docs: Vec::new(),
            submissions: part.iter().map(crate::engine::reports::wire).collect(),
        }));
    }
    // A bundle travels to the registry the device enrolled at: its feed's cursor.
    let cursor = cursors::get(store, &cursors::enrolled(store)?)?;
    parts.push(Part::Position(PullRequest {
        cursor,
        max_bytes: 0,
        digest: [0; 8],
        assignments: false,
        signatures: false,
        bundle_key: false,
        forms: false,
        held_forms: Vec::new(),
        reviews_after: None,
    }));
    let header = Header::new(
        Direction::Up,
        &device,
        key.public(),
        REGISTRY,
        registry,
        chrono::Utc::now().timestamp_millis(),
    );
    let contents = Contents { parts };
    let bytes = bundle::seal(&header, &contents, &key)?;
    Ok(Exported {
        bundle: header.id,
        households: contents.households(),
        reports: reports.len() as u64,
        bytes,
    })
}

/// Applies a bundle the registry made for this device: refused whole (nothing applied) unless it
/// is sound, for this device, and signed by the registry whose key the device learnt online.
pub fn import_from_registry(store: &mut Store, bytes: &[u8]) -> Result<Imported, SyncError> {
    let device = device_id(store)?;
    let sealed = bundle::parse(bytes)?;
    let header = &sealed.header;
    let (key, _) = ensure_key(store)?;
    if header.direction != Direction::Down || header.recipient != device {
        return Err(BundleError::Foreign(header.recipient.clone(), "device").into());
    }
    if header.sender != REGISTRY {
        return Err(BundleError::UnknownSender(
            header.sender.clone(),
            "a device takes bundles from its registry only",
        )
        .into());
    }
    let registry = registry_key(store)?.ok_or_else(no_registry_key)?;
    let contents = sealed.open(&key, &registry)?;
    if contents
        .parts
        .iter()
        .any(|p| !matches!(p, Part::Page(_) | Part::Heads(_)))
    {
        return Err(BundleError::Corrupted(
            "a bundle to a device carries a device's request".into(),
        )
        .into());
    }
    let mut report = Imported::default();
    // The registry starts a bundle where this device last said it was (or from the beginning), and
    // a device's cursor only moves forward, so the bundle's pages bring everything up to their last
    // cursor: the device continues from there, unless an online pull took it further meanwhile.
    let enrolled = cursors::enrolled(store)?;
    let mine = cursors::get(store, &enrolled)?;
    let mut last = None;
    for part in contents.parts {
        match part {
            Part::Page(page) => {
                report.pulled +=
                    crate::engine::apply_offline(store, page.docs, &mut report.refused)?;
                let gone = store.remove_local(&page.removed)?;
                report.removed += gone.removed as u64;
                if let Some(list) = &page.assignments {
                    store.replace_assignments(list)?;
                }
                // The forms of the device's areas, as on a pull: versions not held are kept.
                if let Some(list) = &page.forms {
                    report.forms += store.keep_forms(
                        &crate::engine::reports::stored_forms(list),
                        chrono::Utc::now().timestamp_millis(),
                    )?;
                }
                // Reviewers' decisions on this device's reports, as on a pull from the
                // registry the bundle came from.
                if let Some(list) = &page.reviews {
                    report.reviews +=
                        store.apply_reviews(&enrolled, &crate::engine::reports::decisions(list))?;
                }
                if !page.more {
                    last = Some(page.cursor);
                }
            }
            Part::Heads(list) => {
                let held: std::collections::HashSet<Uuid> =
                    store.all_heads()?.into_iter().map(|(id, _)| id).collect();
                let acks: Vec<_> = list
                    .into_iter()
                    .filter(|(id, _)| held.contains(id))
                    .map(|(id, h)| (id, heads_from_wire(&h)))
                    .collect();
                report.acknowledged = acks.len() as u64;
                store.mark_acked(&acks)?;
            }
            _ => {}
        }
    }
    if let Some(c) = last.filter(|c| c.seq >= mine.seq || !mine.started) {
        cursors::set(store, &enrolled, &c)?;
    }
    Ok(report)
}
