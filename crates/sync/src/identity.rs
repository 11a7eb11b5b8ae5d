//! Who this device is to the registry: the automerge actors it writes with and its signing key,
//! both registered through `/v1/actors` before anything they made is pushed.
//!
//! The key is made once, when the device enrolls ([`crate::enroll`] registers it with the store's
//! actors right after redeeming the code), from 32 bytes of the operating system's randomness, and
//! kept in the encrypted store. A store enrolled before keys existed makes and registers one at its
//! next sync: the same step, so that is the whole upgrade path. Until the registry has acknowledged
//! the key the device signs nothing (a registry without its key could not check a signature); once
//! it has, every change of the device's own actors is signed the first time it is sent
//! ([`signed_unsent`]).

use crate::error::SyncError;
use rand::RngCore;
use shumari_proto::message::{KeyOutcome, PushDoc};
use shumari_proto::signing::{DeviceKey, SignedChange};
use shumari_store::{ChangeSignature, OutgoingDoc, Store};
use uuid::Uuid;

/// The device's key and whether the registry acknowledged it; made and kept in the store if the
/// store has none yet.
pub fn ensure_key(store: &Store) -> Result<(DeviceKey, bool), SyncError> {
    if let Some(row) = store.device_key()? {
        return Ok((DeviceKey::from_secret(*row.secret), row.registered));
    }
    let mut secret = zeroize::Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(secret.as_mut());
    store.create_device_key(&secret)?;
    // Read back: only the stored key is ever used.
    Ok(match store.device_key()? {
        Some(row) => (DeviceKey::from_secret(*row.secret), row.registered),
        None => (DeviceKey::from_secret(*secret), false),
    })
}

/// The key changes are signed with: the device's, once the registry acknowledged it.
pub fn signing_key(store: &Store) -> Result<Option<DeviceKey>, SyncError> {
    Ok(store
        .device_key()?
        .filter(|row| row.registered)
        .map(|row| DeviceKey::from_secret(*row.secret)))
}

/// Records what the registry answered for the key; a refused key is logged and tried again at the
/// next sync (the device keeps pushing, unsigned, as a device without a registered key).
pub(crate) fn note_key_outcome(
    store: &Store,
    outcome: Option<KeyOutcome>,
) -> Result<(), SyncError> {
    match outcome {
        Some(KeyOutcome::Registered) => store.mark_device_key_registered()?,
        Some(KeyOutcome::Refused(r)) => {
            tracing::warn!(code = %r.code, "the registry refused this device's key: {}", r.message);
        }
        None => {}
    }
    Ok(())
}

/// A store record as it travels.
pub fn to_wire(r: ChangeSignature) -> SignedChange {
    SignedChange {
        hash: r.hash,
        signature: r.signature,
    }
}

/// A record as the store keeps it.
pub fn to_store(r: &SignedChange) -> ChangeSignature {
    ChangeSignature {
        hash: r.hash,
        signature: r.signature,
    }
}

/// The changes of these households the registry has not acknowledged, with the signature records
/// of every change the device holds one for: this device's own are signed now if they were not yet
/// (once its key is registered).
pub fn outgoing_signed(store: &Store, ids: &[Uuid]) -> Result<Vec<OutgoingDoc>, SyncError> {
    let key = signing_key(store)?;
    match &key {
        Some(k) => {
            let sign = |h: &[u8; 32]| k.sign(h).signature;
            Ok(store.outgoing_with(ids, Some(&sign))?)
        }
        None => Ok(store.outgoing_with(ids, None)?),
    }
}

/// The push documents for these households as the next sync would send them ([`outgoing_signed`];
/// households with nothing unacknowledged are left out). What a relay, a hub or a file carries is
/// exactly this.
pub fn signed_unsent(store: &Store, ids: &[Uuid]) -> Result<Vec<PushDoc>, SyncError> {
    Ok(outgoing_signed(store, ids)?
        .into_iter()
        .filter(|o| !o.changes.is_empty())
        .map(push_doc)
        .collect())
}

/// The push document of outgoing changes with their records. Changes relayed from other devices
/// go raw: the compact form names actors by prefixes the registry resolves among the pushing
/// device's own and the document's, and a relayed change's actor may be neither.
pub(crate) fn push_doc(o: OutgoingDoc) -> PushDoc {
    let d = if o.relays {
        PushDoc::raw(o.id, o.changes)
    } else {
        PushDoc::best(o.id, o.changes)
    };
    d.signed(o.signatures.into_iter().map(to_wire).collect())
}
