//! The engine's first step with the registry: binding the store's new automerge actors, and the
//! device's public key until the registry acknowledges it ([`crate::identity`]), to this device.

use super::{Session, SyncError};
use crate::access::StoreAccess;
use crate::identity::{ensure_key, note_key_outcome};
use crate::proto::{ActorsRequest, ActorsResponse, Endpoint};

impl<A: StoreAccess + ?Sized> Session<'_, A> {
    /// Registers actors the registry does not know yet, and the device's key while the registry
    /// has not acknowledged it (a local look-up; a request only when there is something to send).
    pub(super) fn register_actors(&mut self) -> Result<(), SyncError> {
        let (new, key) = self.store.with_store(|s| {
            let new: Vec<_> = s
                .actors()?
                .into_iter()
                .filter(|(_, registered)| !registered)
                .map(|(a, _)| a)
                .collect();
            // Made here when missing: at enrollment, or at the first sync of an older store.
            let (key, registered) = ensure_key(s)?;
            Ok((new, (!registered).then(|| key.public())))
        })?;
        let mut key = key.filter(|_| !self.key_offered);
        if new.is_empty() && key.is_none() {
            return Ok(());
        }
        // A few actors per request at most (the registry's bound), in as many requests as it
        // takes; the key rides on the first.
        let parts: Vec<&[_]> = if new.is_empty() {
            vec![&[]]
        } else {
            new.chunks(shumari_proto::limits::MAX_REGISTER_ACTORS)
                .collect()
        };
        for part in parts {
            let offered = key.take();
            self.key_offered |= offered.is_some();
            let resp: ActorsResponse = self.call(
                Endpoint::Actors,
                &ActorsRequest {
                    actors: part.iter().map(|a| a.to_bytes().to_vec()).collect(),
                    key: offered,
                },
            )?;
            let ok: Vec<_> = part
                .iter()
                .filter(|a| {
                    resp.results
                        .iter()
                        .any(|(b, r)| b.as_slice() == a.to_bytes() && r.is_none())
                })
                .cloned()
                .collect();
            for (_, r) in &resp.results {
                if let Some(r) = r {
                    tracing::warn!(code = %r.code, "an actor was refused: {}", r.message);
                }
            }
            self.store.with_store(|s| {
                s.mark_actors_registered(&ok)?;
                note_key_outcome(s, resp.key)
            })?;
        }
        Ok(())
    }
}
