//! What a registry does for a district hub below it (`shumari_proto::message::HubDevicesRequest`).
//!
//! A hub is a device of a user with the role `hub`, scoped to its district; it pushes and pulls
//! like a tablet (`ingest.rs` already accepts a change from anyone in scope iff its author's device
//! signed it). What it adds is the registration of the tablets that enrolled at the hub: each
//! becomes a device here, of the user the hub names, with the tablet's public key, actors and
//! short id, so this registry can verify the tablet's changes when the hub relays them. The rules:
//!
//! - only a `hub` may register devices, and only for users this registry knows, with the name the
//!   hub gives, a role that holds a tablet, not disabled, and every area inside the hub's areas:
//!   a hub cannot bring a device outside its district, nor invent a user;
//! - the device's id here is the hub's device id and the hub's own id for the tablet
//!   (`HUB.LOCAL`), so registering the same tablet again changes nothing, and a tablet stays its
//!   first user's: registering it for another user is refused; a hub below a hub forwards its
//!   tablets' ids as they are (`LOWER.LOCAL`, so `UPPER.LOWER.LOCAL` here);
//! - a device enrolled here that synced with the hub (the hub learnt it from
//!   `hub_directory.rs`) is sent under its own id, to bind the actors it made at the hub: it must
//!   be the named user's, with the key it holds here;
//! - a key is kept once and never replaced, an actor is bound to one device forever and a short id
//!   is held by one device, exactly as for a tablet enrolled here (`devices.rs`,
//!   `references.rs`).
//!
//! The device row is made the way enrollment makes one (a one-time code redeemed at once), with a
//! token nobody learns: the tablet never talks to this registry directly in this version. Each
//! registration, or refusal, is on the access trail as `hub.device`.

use super::access_audit::AccessAction;
use super::{now_ms, sha, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::{DeviceAuth, Storage};
use rand::Rng;
use shumari_domain::reference::is_short_id;
use shumari_domain::roles::{allows, Action, Role};
use shumari_proto::limits::MAX_REGISTER_ACTORS;
use shumari_proto::message::{HubDevice, HubDevicesRequest, HubDevicesResponse};
use shumari_proto::signing::is_valid_public_key;
use shumari_proto::{Refusal, RefusalCode};

/// The longest id a hub may give a tablet (a hub below a hub forwards `HUB.LOCAL` ids).
pub const MAX_LOCAL_ID: usize = 160;

/// Tablets one hub may register in one request.
pub const MAX_HUB_DEVICES: usize = 256;

/// The id a tablet registered by hub device `hub` under the hub's id `local` has here.
pub fn hub_device_id(hub: &str, local: &str) -> String {
    format!("{hub}.{local}")
}

fn random_hex() -> String {
    let mut raw = [0u8; 32];
    rand::thread_rng().fill(&mut raw);
    hex::encode(raw)
}

impl<S: Storage> Registry<S> {
    pub(super) async fn hub_devices(
        &self,
        auth: &DeviceAuth,
        req: HubDevicesRequest,
    ) -> Result<HubDevicesResponse> {
        if auth.user.role != Role::Hub {
            return Err(RegistryError::Forbidden(format!(
                "only a district hub registers devices; this device's user is a {}",
                auth.user.role.title()
            )));
        }
        if req.devices.len() > MAX_HUB_DEVICES {
            return Err(RegistryError::OverLimit(format!(
                "a hub may register at most {MAX_HUB_DEVICES} devices at a time"
            )));
        }
        let mut results = Vec::with_capacity(req.devices.len());
        for d in req.devices {
            let local = d.local_id.clone();
            let refusal = self.hub_device(auth, d).await?;
            let detail = match &refusal {
                None => format!("registered {}", hub_device_id(&auth.device_id, &local)),
                Some(r) => format!(
                    "refused {} {}",
                    r.code,
                    hub_device_id(&auth.device_id, &local)
                ),
            };
            self.record_access(
                AccessAction::HubDevice,
                &auth.user.id,
                Some(&auth.device_id),
                Some(detail),
            )
            .await?;
            results.push((local, refusal));
        }
        Ok(HubDevicesResponse { results })
    }

    /// Registers one tablet; `Some` is why not.
    async fn hub_device(&self, hub: &DeviceAuth, d: HubDevice) -> Result<Option<Refusal>> {
        let refuse = |code: RefusalCode, m: String| Ok(Some(Refusal::new(code, m)));
        if d.local_id.is_empty()
            || d.local_id.len() > MAX_LOCAL_ID
            || !d
                .local_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return Err(RegistryError::BadRequest(format!(
                "a hub's device id must be 1 to {MAX_LOCAL_ID} letters, digits, dashes or dots"
            )));
        }
        if d.actors.len() > MAX_REGISTER_ACTORS
            || d.actors.iter().any(|a| a.is_empty() || a.len() > 64)
        {
            return Err(RegistryError::BadRequest(format!(
                "a device registers at most {MAX_REGISTER_ACTORS} actors of 1 to 64 bytes at a time"
            )));
        }
        if !is_valid_public_key(&d.key) {
            return Err(RegistryError::BadRequest(
                "the device key is not a usable Ed25519 public key".into(),
            ));
        }
        let Some(user) = self.storage.user(&d.user_id).await? else {
            return refuse(
                RefusalCode::OutOfScope,
                format!("no user `{}` at this registry", d.user_id),
            );
        };
        if user.name != d.user_name {
            return refuse(
                RefusalCode::ForgedAuthor,
                format!("user `{}` has another name at this registry", user.id),
            );
        }
        if !allows(user.role, Action::EnrollTablet) || user.role == Role::Hub {
            return refuse(
                RefusalCode::OutOfScope,
                format!("a {} holds no tablet", user.role.title()),
            );
        }
        if self.storage.user_disabled_at(&user.id).await? != Some(None) {
            return refuse(
                RefusalCode::OutOfScope,
                format!("user `{}` is disabled", user.id),
            );
        }
        let scope = self.scope(&hub.user);
        if user.areas.is_empty() || !user.areas.iter().all(|a| scope.contains(a)) {
            return refuse(
                RefusalCode::OutOfScope,
                format!(
                    "user `{}` works outside this hub's areas; a hub registers only its district's devices",
                    user.id
                ),
            );
        }
        // A device enrolled here that met the hub (it learnt the device from its directory) is
        // sent under its own id, with the actors it bound at the hub.
        let own = self
            .storage
            .device_signers(std::slice::from_ref(&d.local_id))
            .await?
            .pop()
            .filter(|_| !d.local_id.contains('.'));
        let id = match &own {
            Some(_) => d.local_id.clone(),
            None => hub_device_id(&hub.device_id, &d.local_id),
        };
        let held = match own {
            Some(o) => Some(o),
            None => self
                .storage
                .device_signers(std::slice::from_ref(&id))
                .await?
                .pop(),
        };
        match held {
            Some(held) if held.user_id != user.id => {
                return refuse(
                    RefusalCode::ActorTaken,
                    format!("device {id} is registered for another user"),
                );
            }
            Some(_) => {}
            None => {
                // The same row enrollment makes: a code redeemed at once, for a token nobody holds.
                let code = random_hex();
                let now = now_ms();
                self.storage
                    .add_enroll_code(&user.id, sha(&code), now + 60_000)
                    .await?;
                let label = format!("via hub {}", hub.device_id);
                if self
                    .storage
                    .redeem_code(sha(&code), now, &id, &label, sha(&random_hex()))
                    .await?
                    .is_none()
                {
                    return Err(RegistryError::Internal(
                        "a hub device's enrollment code could not be redeemed".into(),
                    ));
                }
                tracing::info!(device = %id, hub = %hub.device_id, "hub registered a device");
            }
        }
        let held = self
            .storage
            .register_device_key(&id, &d.key, now_ms())
            .await?;
        if held != d.key {
            return refuse(
                RefusalCode::KeyTaken,
                format!("device {id} registered another key; a device's key is never replaced"),
            );
        }
        let owners = self
            .storage
            .register_actors(&id, &d.actors, now_ms())
            .await?;
        if owners.iter().any(Option::is_some) {
            return refuse(
                RefusalCode::ActorTaken,
                "an actor id of this device belongs to another device".into(),
            );
        }
        if is_short_id(&d.short_id) {
            let held = self
                .storage
                .claim_short_id(&id, &d.short_id, now_ms())
                .await?;
            if held.as_deref() != Some(d.short_id.as_str()) {
                return refuse(
                    RefusalCode::Other("short_id_taken".into()),
                    format!(
                        "the short id {} is held by another device; its references would clash",
                        d.short_id
                    ),
                );
            }
        }
        Ok(None)
    }
}
