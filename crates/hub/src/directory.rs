//! Who works in the hub's district, as the registry above knows them
//! (`shumari_proto::message::HubDirectoryResponse`), written into the hub's registry at the start
//! of every round:
//!
//! - a **user** the hub does not hold is added with the same id, name, role and areas (so a hub
//!   can issue codes for them, and a hub below it can register their tablets); a user disabled
//!   above is disabled here, which cuts off their devices at the hub too; a held user renamed or
//!   moved above (inside the district) gets the new name and areas, and a held user the directory
//!   no longer lists (moved out of the district) is disabled here;
//! - a **device** enrolled above (or registered there by another hub) becomes a device of the
//!   hub's registry under the same id, authenticated by the same token hash (the hub never learns
//!   a token), with its key, actors and short id, so it syncs with the hub as with the centre and
//!   its changes verify here; a rotation made above replaces the hash here; a device revoked above
//!   is revoked here. Its label is [`ENROLLED_ABOVE`]: the hub answers such a device's token
//!   rotation with 404 (the device keeps its token), since a token swapped at the hub would be
//!   unknown above.
//!
//! Idempotent: a second application of the same directory writes nothing new. What the hub's own
//! tablets are (`HUB.LOCAL` above) the registry above leaves out.

use crate::error::Result;
use crate::state::UpstreamState;
use sha2::{Digest, Sha256};
use shumari_domain::roles::{allows, Action};
use shumari_proto::message::HubDirectoryResponse;
use shumari_registry::storage::{Storage, User};
use std::collections::HashMap;

/// The label of a device the hub learnt from the registry above.
pub use shumari_registry::service::tokens::ENROLLED_ABOVE;

/// What a directory changed at the hub.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Learnt {
    /// Users added.
    pub users: usize,
    /// Devices added.
    pub devices: usize,
    /// Devices revoked and users disabled (disabled above, or moved out of the district).
    pub cut_off: usize,
    /// Users renamed or moved inside the district above whose name and areas were rewritten.
    pub updated: usize,
}

/// Disables the users the hub holds who work with devices but are no longer in its district
/// above (`listed`: the directory's users inside the district): moved elsewhere, given areas
/// beyond the district, or no longer holding a device there. The directory lists every such user
/// of the district, so one it leaves out has nothing to do at the hub, and their devices are cut
/// off here as the registry above would refuse their work in the district. The hub's own user is
/// left alone. Returns how many were disabled.
async fn cut_off_moved_out<S: Storage>(
    storage: &S,
    own_user: &str,
    listed: &[String],
    now: i64,
) -> Result<usize> {
    let listed: std::collections::HashSet<&str> = listed.iter().map(String::as_str).collect();
    let mut n = 0;
    for row in storage.users().await? {
        let u = &row.user;
        if row.disabled_at.is_some()
            || u.id == own_user
            || listed.contains(u.id.as_str())
            || !allows(u.role, Action::EnrollTablet)
        {
            continue;
        }
        tracing::info!(user = %u.id, "a user no longer in the hub's district above is cut off");
        storage.disable_user(&u.id, now).await?;
        n += 1;
    }
    Ok(n)
}

fn random_hex() -> String {
    use rand::Rng;
    let mut raw = [0u8; 32];
    rand::thread_rng().fill(&mut raw);
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `dir` into the hub's registry.
pub async fn learn<S: Storage>(
    storage: &S,
    state: &UpstreamState,
    dir: &HubDirectoryResponse,
    now: i64,
) -> Result<Learnt> {
    let mut learnt = Learnt::default();
    let link = state.link()?.ok_or(crate::HubError::NotEnrolled)?;
    let inside = |a: &String| {
        link.areas
            .iter()
            .any(|h| shumari_domain::area::contains(h, a))
    };
    for u in &dir.users {
        // The registry above holds the hub to its areas; the hub holds it to them too.
        if u.areas.is_empty() || !u.areas.iter().all(inside) {
            continue;
        }
        match storage.user_disabled_at(&u.id).await? {
            None => {
                let user = User {
                    id: u.id.clone(),
                    name: u.name.clone(),
                    role: u.role,
                    areas: u.areas.clone(),
                };
                storage.add_user(&user, now).await?;
                learnt.users += 1;
                if u.disabled {
                    storage.disable_user(&u.id, now).await?;
                }
            }
            Some(None) if u.disabled => {
                storage.disable_user(&u.id, now).await?;
                learnt.cut_off += 1;
            }
            Some(_) => {}
        }
        // Renamed or moved above (inside the district): the hub's copy follows, so the hub scopes
        // the user's devices and checks their changes' author as the registry above does.
        if let Some(held) = storage.user(&u.id).await? {
            let mut theirs = u.areas.clone();
            theirs.sort_unstable();
            let mut mine = held.areas.clone();
            mine.sort_unstable();
            if held.name != u.name || mine != theirs {
                let user = User {
                    name: u.name.clone(),
                    areas: u.areas.clone(),
                    ..held
                };
                if storage.update_user(&user).await? {
                    learnt.updated += 1;
                }
            }
        }
    }
    let users: Vec<String> = dir
        .users
        .iter()
        .filter(|u| !u.areas.is_empty() && u.areas.iter().all(inside))
        .map(|u| u.id.clone())
        .collect();
    learnt.cut_off += cut_off_moved_out(storage, &link.user_id, &users, now).await?;
    let held: HashMap<String, _> = storage
        .device_tokens(&users)
        .await?
        .into_iter()
        .map(|t| (t.device_id.clone(), t))
        .collect();
    let own = format!("{}.", link.device_id);
    let mut registered = state.registered()?;
    for d in &dir.devices {
        if d.id == link.device_id || d.id.starts_with(&own) || !users.contains(&d.user_id) {
            continue;
        }
        let Some(&current) = d.token_hashes.first() else {
            continue;
        };
        match held.get(&d.id) {
            Some(h) if h.user_id != d.user_id => {
                tracing::warn!(device = %d.id, "a device from above is another user's here; skipped");
                continue;
            }
            Some(h) => {
                if h.current != current && h.revoked_at.is_none() {
                    storage.rotate_token(&d.id, h.current, current, now).await?;
                }
            }
            None => {
                // The row enrollment makes, with the token hash the registry above holds.
                let code = random_hex();
                let code_hash: [u8; 32] = Sha256::digest(code.as_bytes()).into();
                storage
                    .add_enroll_code(&d.user_id, code_hash, now + 60_000)
                    .await?;
                if storage
                    .redeem_code(code_hash, now, &d.id, ENROLLED_ABOVE, current)
                    .await?
                    .is_none()
                {
                    // A code made a moment ago for a user the hub holds: refused only if the
                    // user vanished meanwhile.
                    continue;
                }
                learnt.devices += 1;
            }
        }
        if let Some(key) = &d.key {
            storage.register_device_key(&d.id, key, now).await?;
        }
        if !d.actors.is_empty() {
            storage.register_actors(&d.id, &d.actors, now).await?;
        }
        if !d.short_id.is_empty() {
            storage.claim_short_id(&d.id, &d.short_id, now).await?;
        }
        if d.revoked && held.get(&d.id).is_none_or(|h| h.revoked_at.is_none()) {
            storage.revoke_device(&d.id, now).await?;
            learnt.cut_off += 1;
        }
        // The registry above holds these actors: only those the device binds at the hub later
        // are sent up ([`crate::tablets`]).
        let count = storage.device_actors(&d.id).await?.len();
        if registered.get(&d.id).is_none_or(|&n| n < count) && count <= d.actors.len() {
            state.set_registered(&d.id, count)?;
            registered.insert(d.id.clone(), count);
        }
    }
    Ok(learnt)
}
