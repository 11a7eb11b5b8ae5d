//! Whose changes a push carries, proven by their signatures ([`shumari_proto::signing`]).
//!
//! Every change new to the registry names its automerge actor, and every actor is bound to one
//! device (`/v1/actors`). A change is accepted when
//!
//! - its signature record verifies against the public key of the device its actor is bound to,
//!   whichever device in scope pushed it (a colleague's tablet relaying it, later a hub or a file); or
//! - it comes unsigned from that very device while the device has registered no key: a device
//!   enrolled before keys existed keeps syncing as before until its next sync registers one, and
//!   from then on everything it sends must be signed.
//!
//! Anything else refuses the whole household (nothing of it is stored, as for every refusal of
//! the ingest): an actor bound to no device (`forged_actor`), a record that does not verify — the
//! change altered on the way, the signature forged or made with another device's key
//! (`bad_signature`) — or no record where one is needed (`unsigned_change`). Each such refusal is
//! on the access trail as `change.refused` with the code, the change hash and both devices.
//!
//! What the accepted changes bring with them is checked against their authors: the author name a
//! change carries must be its own device's user's, and a status move must be one that a user whose
//! changes are new may make.

use super::permit;
use crate::storage::{DeviceAuth, DeviceSigner, User};
use shumari_proto::signing::{self, SignedChange};
use shumari_proto::{Refusal, RefusalCode};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What the registry knows about the authors of a batch's new changes, read once per batch.
#[derive(Debug, Default)]
pub(super) struct Authors {
    /// The device each actor is bound to.
    pub owners: HashMap<Vec<u8>, String>,
    /// Each of those devices' user and key.
    pub devices: HashMap<String, DeviceSigner>,
    /// Their users.
    pub users: HashMap<String, User>,
    /// The short ids of those devices (which numbered the households they created).
    pub short_ids: HashMap<String, String>,
}

/// A household's new changes, attributed.
#[derive(Debug, Default)]
pub(super) struct Attributed {
    /// The signature records to keep with the changes (verified).
    pub records: Vec<SignedChange>,
    /// The users whose changes are new (the pusher's when it sent its own), for the role checks.
    pub users: Vec<User>,
    /// The short ids of the other devices whose changes are relayed, for the reference check.
    pub relayed_short_ids: Vec<String>,
}

/// Why a household's changes were refused, for the device and for the access trail.
#[derive(Debug)]
pub(super) struct Unproven {
    /// What the device is told.
    pub refusal: Refusal,
    /// The change (hex) that failed.
    pub change: String,
    /// The device its actor is bound to, when it is bound to one.
    pub author_device: Option<String>,
}

fn unproven(
    code: RefusalCode,
    message: String,
    hash: &[u8; 32],
    author_device: Option<&str>,
) -> Unproven {
    Unproven {
        refusal: Refusal::new(code, message),
        change: hex::encode(hash),
        author_device: author_device.map(str::to_string),
    }
}

/// Checks every new change of one household (`changes`: hash and actor) against `records`, the
/// signature records the push carried for it; see the module docs for the rule.
pub(super) fn attribute(
    auth: &DeviceAuth,
    changes: &[([u8; 32], Vec<u8>)],
    records: &[SignedChange],
    authors: &Authors,
) -> Result<Attributed, Unproven> {
    let by_hash: HashMap<&[u8; 32], &SignedChange> = records.iter().map(|r| (&r.hash, r)).collect();
    let mut kept = Vec::new();
    let mut devices: BTreeSet<&str> = BTreeSet::new();
    for (hash, actor) in changes {
        let Some(device) = authors.owners.get(actor) else {
            return Err(unproven(
                RefusalCode::ForgedActor,
                format!(
                    "a change was made by automerge actor {} which is not registered to any device; \
                     a device may only push its own edits and others' signed ones",
                    hex::encode(actor)
                ),
                hash,
                None,
            ));
        };
        let own = *device == auth.device_id;
        let key = authors.devices.get(device).and_then(|d| d.key);
        match (by_hash.get(hash), key) {
            (Some(r), Some(k)) => {
                if !signing::verify(&k, r) {
                    return Err(unproven(
                        RefusalCode::BadSignature,
                        format!(
                            "the signature of change {} does not verify against the key of the \
                             device that made it; the change was altered or its signature forged",
                            hex::encode(&hash[..8])
                        ),
                        hash,
                        Some(device),
                    ));
                }
                kept.push((*r).clone());
            }
            // Before its first sync with this build a device has no key: its own changes are
            // accepted unsigned, as they always were.
            (_, None) if own => {}
            (None, Some(_)) if own => {
                return Err(unproven(
                    RefusalCode::UnsignedChange,
                    format!(
                    "change {} is not signed, but this device registered a key: every change it \
                         sends must be signed",
                    hex::encode(&hash[..8])
                ),
                    hash,
                    Some(device),
                ))
            }
            (_, _) => {
                return Err(unproven(
                    RefusalCode::UnsignedChange,
                    format!(
                        "change {} was made on another device and came without a signature that \
                         device can be checked by; another device's change is accepted only signed",
                        hex::encode(&hash[..8])
                    ),
                    hash,
                    Some(device),
                ))
            }
        }
        devices.insert(device);
    }
    let relayed_short_ids = devices
        .iter()
        .filter(|d| **d != auth.device_id)
        .filter_map(|d| authors.short_ids.get(*d).cloned())
        .collect();
    let users = devices
        .into_iter()
        .filter_map(|d| {
            if d == auth.device_id {
                return Some(auth.user.clone());
            }
            let user = &authors.devices.get(d)?.user_id;
            authors.users.get(user).cloned()
        })
        .collect();
    Ok(Attributed {
        records: kept,
        users,
        relayed_short_ids,
    })
}

/// The author a change by `actor` may name: its own device's user's (the pusher's for its own
/// actors). `None` when the actor's device or user is unknown (the change was refused before).
pub(super) fn expected_author(
    auth: &DeviceAuth,
    authors: &Authors,
    actor: &[u8],
) -> Option<String> {
    let device = authors.owners.get(actor)?;
    if *device == auth.device_id {
        return Some(permit::author_of(&auth.user));
    }
    let user = authors.users.get(&authors.devices.get(device)?.user_id)?;
    Some(permit::author_of(user))
}

/// The distinct devices these actors are bound to.
pub(super) fn devices_of(owners: &HashMap<Vec<u8>, String>) -> Vec<String> {
    owners
        .values()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The access trail's detail of a refusal: ids and codes only.
pub(super) fn detail(auth: &DeviceAuth, u: &Unproven) -> String {
    format!(
        "code={} change={} pushed_by={} made_on={}",
        u.refusal.code,
        u.change,
        auth.device_id,
        u.author_device.as_deref().unwrap_or("unknown")
    )
}

/// Whether any of `actors`' authors claims a name other than the one its device's user has.
pub(super) fn forged_author(
    auth: &DeviceAuth,
    authors: &Authors,
    actors: &BTreeMap<Vec<u8>, Option<String>>,
) -> bool {
    actors.iter().any(|(actor, claimed)| match claimed {
        None => false,
        Some(c) if c == shumari_domain::roles::UNENROLLED_AUTHOR => false,
        Some(c) => expected_author(auth, authors, actor).as_deref() != Some(c.as_str()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shumari_domain::Role;
    use shumari_proto::signing::DeviceKey;

    fn user(id: &str, name: &str) -> User {
        User {
            id: id.into(),
            name: name.into(),
            role: Role::Surveyor,
            areas: vec!["PK101".into()],
        }
    }

    /// Device `a` (Ayesha, key A) pushes; device `b` (Bilal, key B) made the relayed changes;
    /// device `old` has no key.
    fn setup() -> (DeviceAuth, Authors, DeviceKey, DeviceKey) {
        let (ka, kb) = (
            DeviceKey::from_secret([1; 32]),
            DeviceKey::from_secret([2; 32]),
        );
        let auth = DeviceAuth {
            device_id: "a".into(),
            user: user("u-a", "Ayesha"),
        };
        let signer = |d: &str, u: &str, k: Option<[u8; 32]>| DeviceSigner {
            device_id: d.into(),
            user_id: u.into(),
            key: k,
        };
        let authors = Authors {
            owners: HashMap::from([
                (vec![0xa], "a".to_string()),
                (vec![0xb], "b".to_string()),
                (vec![0xc], "old".to_string()),
            ]),
            devices: HashMap::from([
                ("a".to_string(), signer("a", "u-a", Some(ka.public()))),
                ("b".to_string(), signer("b", "u-b", Some(kb.public()))),
                ("old".to_string(), signer("old", "u-c", None)),
            ]),
            users: HashMap::from([
                ("u-b".to_string(), user("u-b", "Bilal")),
                ("u-c".to_string(), user("u-c", "Chand")),
            ]),
            short_ids: HashMap::new(),
        };
        (auth, authors, ka, kb)
    }

    fn code(r: Result<Attributed, Unproven>) -> Option<RefusalCode> {
        r.err().map(|u| u.refusal.code)
    }

    #[test]
    fn a_change_is_accepted_from_anyone_only_with_its_devices_signature() {
        let (auth, authors, ka, kb) = setup();
        let mine = ([1u8; 32], vec![0xa]);
        let theirs = ([2u8; 32], vec![0xb]);
        // Own and relayed changes, each signed by its own device: accepted, records kept, both
        // users' roles count.
        let ok = attribute(
            &auth,
            &[mine.clone(), theirs.clone()],
            &[ka.sign(&mine.0), kb.sign(&theirs.0)],
            &authors,
        )
        .unwrap();
        assert_eq!(ok.records.len(), 2);
        assert_eq!(ok.users.len(), 2);
        // The relayed change signed by the relaying device, by nobody, or altered.
        let by_relay = attribute(
            &auth,
            std::slice::from_ref(&theirs),
            &[ka.sign(&theirs.0)],
            &authors,
        );
        assert_eq!(code(by_relay), Some(RefusalCode::BadSignature));
        let missing = attribute(&auth, std::slice::from_ref(&theirs), &[], &authors);
        assert_eq!(code(missing), Some(RefusalCode::UnsignedChange));
        let mut forged = kb.sign(&theirs.0);
        forged.signature[0] ^= 1;
        assert_eq!(
            code(attribute(
                &auth,
                std::slice::from_ref(&theirs),
                &[forged],
                &authors
            )),
            Some(RefusalCode::BadSignature)
        );
        // A device with a key must sign its own changes too.
        assert_eq!(
            code(attribute(&auth, &[mine], &[], &authors)),
            Some(RefusalCode::UnsignedChange)
        );
        // An actor of no device.
        assert_eq!(
            code(attribute(&auth, &[([3; 32], vec![0xd])], &[], &authors)),
            Some(RefusalCode::ForgedActor)
        );
        // A keyless device's change relayed by another: refused; pushed by itself: accepted.
        let old = ([4u8; 32], vec![0xc]);
        assert_eq!(
            code(attribute(&auth, std::slice::from_ref(&old), &[], &authors)),
            Some(RefusalCode::UnsignedChange)
        );
        let old_auth = DeviceAuth {
            device_id: "old".into(),
            user: user("u-c", "Chand"),
        };
        let ok = attribute(&old_auth, &[old], &[], &authors).unwrap();
        assert!(ok.records.is_empty());
    }

    #[test]
    fn each_change_names_its_own_devices_user_or_no_one() {
        let (auth, authors, _, _) = setup();
        let with =
            |a: u8, name: Option<&str>| BTreeMap::from([(vec![a], name.map(str::to_string))]);
        let ayesha = permit::author_of(&auth.user);
        assert!(!forged_author(&auth, &authors, &with(0xa, Some(&ayesha))));
        assert!(!forged_author(
            &auth,
            &authors,
            &with(0xa, Some(shumari_domain::roles::UNENROLLED_AUTHOR))
        ));
        assert!(!forged_author(&auth, &authors, &with(0xa, None)));
        // Bilal's relayed change names Bilal, not the pusher.
        let bilal = permit::author_of(&user("u-b", "Bilal"));
        assert!(!forged_author(&auth, &authors, &with(0xb, Some(&bilal))));
        assert!(forged_author(&auth, &authors, &with(0xb, Some(&ayesha))));
        for forged in ["Bilal (u-2)", "Ayesha (u-2)", "Ayesha"] {
            assert!(
                forged_author(&auth, &authors, &with(0xa, Some(forged))),
                "{forged}"
            );
        }
    }
}
