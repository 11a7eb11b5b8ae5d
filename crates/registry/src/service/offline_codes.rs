//! Offline enrollment codes ([`shumari_proto::offline_code`]): issued at the centre, redeemed at a
//! district hub whose link to the centre may be down.
//!
//! **Issuing** ([`Registry::offline_enroll_code`]): for a user who may hold a tablet and is not
//! disabled, a code carrying the user and an expiry, signed with the registry's bundle key (the
//! key file `service/bundles.rs` describes, adopted first so that the key signing is the one whose
//! public half devices and hubs are told). It is on the access trail as `enroll_code.issue`, like
//! an ordinary code.
//!
//! **Redeeming** (`devices.rs` hands any code that reads as offline to
//! `Registry::enroll_offline`): only a registry that was given a key to honour
//! ([`Registry::honour_offline_codes`]; a hub takes the bundle key of the registry above when it
//! enrolls there and at every round) takes offline codes. The signature and the expiry are
//! checked; the user is added from the code if this registry does not hold them (a hub learns
//! users from above, but the code may arrive first), and refused if held here as disabled or under
//! another name; then the device row is made as enrollment makes one, and the code's id recorded as
//! redeemed. A code already redeemed is refused and the device row just made revoked, so a replay,
//! even a concurrent one, yields one device. A crash between the two leaves a device nobody got the
//! token of, and the code still good for the surveyor's next try.

use super::access_audit::AccessAction;
use super::{now_ms, sha, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::{Storage, User};
use rand::Rng;
use shumari_domain::roles::{allows, Action};
use shumari_proto::offline_code::OfflineCode;
use shumari_proto::signing::DeviceKey;

/// The longest an offline code may stay valid.
pub const MAX_OFFLINE_DAYS: u32 = 90;

impl<S: Storage> Registry<S> {
    /// An offline enrollment code for `user_id`'s tablet, valid `days` days, signed with `key`
    /// (the registry's bundle key, from its key file).
    pub async fn offline_enroll_code(
        &self,
        key: &DeviceKey,
        user_id: &str,
        days: u32,
    ) -> Result<String> {
        if days == 0 || days > MAX_OFFLINE_DAYS {
            return Err(RegistryError::BadRequest(format!(
                "an offline code is valid 1 to {MAX_OFFLINE_DAYS} days"
            )));
        }
        self.adopt_bundle_key(key).await?;
        let user = match (
            self.storage.user(user_id).await?,
            self.storage.user_disabled_at(user_id).await?,
        ) {
            (Some(u), Some(None)) => u,
            (Some(_), _) => {
                return Err(RegistryError::BadRequest(format!(
                    "user `{user_id}` is disabled; a disabled user gets no enrollment code"
                )))
            }
            (None, _) => return Err(RegistryError::NotFound(format!("no user `{user_id}`"))),
        };
        if !allows(user.role, Action::EnrollTablet) {
            return Err(RegistryError::Forbidden(format!(
                "a {} works at the registry's console and gets no enrollment code for a tablet",
                user.role.title()
            )));
        }
        let mut id = [0u8; 16];
        rand::thread_rng().fill(&mut id);
        let code = OfflineCode {
            id,
            user_id: user.id,
            user_name: user.name,
            role: user.role,
            areas: user.areas,
            expires_at: now_ms() + i64::from(days) * 86_400_000,
        };
        self.record_access(
            AccessAction::EnrollCode,
            super::access_audit::CONSOLE,
            Some(user_id),
            Some("offline".into()),
        )
        .await?;
        Ok(code.sign(key))
    }

    /// Makes this registry honour the offline codes signed with `key` (the bundle key of the
    /// registry above a hub).
    pub async fn honour_offline_codes(&self, key: &[u8; 32]) -> Result<()> {
        if self.storage.offline_code_key().await?.as_ref() != Some(key) {
            self.storage.set_offline_code_key(key, now_ms()).await?;
        }
        Ok(())
    }

    /// Redeems the offline code `normalised` for a new device; the device's user.
    pub(super) async fn enroll_offline(
        &self,
        normalised: &str,
        device_id: &str,
        label: &str,
        token: &str,
    ) -> Result<User> {
        let refuse = |m: String| Err(RegistryError::Forbidden(m));
        let Some(key) = self.storage.offline_code_key().await? else {
            return refuse(
                "this registry takes no offline enrollment codes; ask for an ordinary one".into(),
            );
        };
        let now = now_ms();
        let code = match OfflineCode::verify(normalised, &key, now) {
            Ok(c) => c,
            Err(e) => return refuse(e.to_string()),
        };
        if !allows(code.role, Action::EnrollTablet) {
            return refuse(format!(
                "a {} works at the registry's console and cannot enroll a tablet",
                code.role.title()
            ));
        }
        match self.storage.user(&code.user_id).await? {
            Some(held) if held.name != code.user_name => {
                return refuse(format!(
                    "user `{}` has another name here; ask for a new code",
                    held.id
                ));
            }
            Some(_) => {}
            None => {
                let user = User {
                    id: code.user_id.clone(),
                    name: code.user_name.clone(),
                    role: code.role,
                    areas: code.areas.clone(),
                };
                self.storage.add_user(&user, now).await?;
            }
        }
        if self.storage.user_disabled_at(&code.user_id).await? != Some(None) {
            return refuse(format!("user `{}` is disabled", code.user_id));
        }
        // The row ordinary enrollment makes: a one-time code of our own, redeemed at once.
        let mut raw = [0u8; 32];
        rand::thread_rng().fill(&mut raw);
        let inner = hex::encode(raw);
        self.storage
            .add_enroll_code(&code.user_id, sha(&inner), now + 60_000)
            .await?;
        let Some(user) = self
            .storage
            .redeem_code(sha(&inner), now, device_id, label, sha(token))
            .await?
        else {
            return Err(RegistryError::Internal(
                "an offline code's device could not be made".into(),
            ));
        };
        if !self
            .storage
            .redeem_offline_code(&code.id, &user.id, device_id, now)
            .await?
        {
            self.storage.revoke_device(device_id, now).await?;
            return refuse(
                "this offline enrollment code was already used; ask for a new one".into(),
            );
        }
        tracing::info!(device = %device_id, user = %user.id, "device enrolled with an offline code");
        Ok(user)
    }
}
