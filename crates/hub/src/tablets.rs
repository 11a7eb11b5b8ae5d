//! The tablets the hub serves, as the registry above must know them to verify their changes
//! (`shumari_proto::message::HubDevicesRequest`).
//!
//! A device the hub learnt from above ([`crate::directory`]) is listed only for actors it bound at
//! the hub, under its own id. A tablet is listed once it has registered its public key at the hub (it does at its first
//! sync), and again whenever it has bound actors the registry above has not heard of (a tablet
//! binds a new actor each time its store is opened). Revoked tablets and tablets of disabled users
//! are not listed: the registry above learns nothing new about them, and what they signed before
//! stays verifiable there.

use crate::error::Result;
use crate::state::UpstreamState;
use shumari_proto::limits::MAX_REGISTER_ACTORS;
use shumari_proto::message::HubDevice;
use shumari_registry::storage::Storage;
use std::collections::HashMap;

/// A tablet to register, and how many actors that will make known upstream.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The registration.
    pub device: HubDevice,
    /// The tablet's actor count once registered.
    pub actors: usize,
}

/// The tablets with something new for the registry above.
pub async fn pending<S: Storage>(storage: &S, state: &UpstreamState) -> Result<Vec<Pending>> {
    let done = state.registered()?;
    let devices = storage.devices().await?;
    let live: Vec<String> = devices
        .iter()
        .filter(|d| d.revoked_at.is_none() && d.user_disabled_at.is_none())
        .map(|d| d.id.clone())
        .collect();
    let signers = storage.device_signers(&live).await?;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for s in signers {
        let Some(key) = s.key else { continue };
        let actors = storage.device_actors(&s.device_id).await?;
        if done.get(&s.device_id).is_some_and(|&n| n >= actors.len()) {
            continue;
        }
        if !names.contains_key(&s.user_id) {
            let Some(user) = storage.user(&s.user_id).await? else {
                continue;
            };
            names.insert(s.user_id.clone(), user.name);
        }
        let short_id = storage
            .device_short_id(&s.device_id)
            .await?
            .unwrap_or_default();
        // The registry above takes a bounded number of actors per registration: a tablet with
        // more is sent in parts (each part is idempotent there).
        let count = actors.len();
        for part in actors.chunks(MAX_REGISTER_ACTORS).map(<[Vec<u8>]>::to_vec) {
            out.push(Pending {
                actors: count,
                device: HubDevice {
                    local_id: s.device_id.clone(),
                    user_name: names[&s.user_id].clone(),
                    user_id: s.user_id.clone(),
                    key,
                    short_id: short_id.clone(),
                    actors: part,
                },
            });
        }
    }
    Ok(out)
}
