//! Devices: redeeming a one-time enrollment code for a bearer token (the registry keeps only its
//! hash), and binding a device's automerge actors to it so that no other device can push as them.

use super::access_audit::AccessAction;
use super::{now_ms, sha, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::{DeviceAuth, Storage};
use rand::Rng;
use shumari_domain::roles::{allows, Action};
use shumari_proto::limits::MAX_REGISTER_ACTORS;
use shumari_proto::message::{
    ActorsRequest, ActorsResponse, EnrollRequest, EnrollResponse, KeyOutcome,
};
use shumari_proto::signing::is_valid_public_key;
use shumari_proto::{Refusal, RefusalCode};
use uuid::Uuid;

/// Normalises a typed enrollment code (case, dashes, spaces).
pub(super) fn normalise_code(c: &str) -> String {
    c.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl<S: Storage> Registry<S> {
    pub(super) async fn enroll(&self, req: EnrollRequest) -> Result<EnrollResponse> {
        let code = normalise_code(&req.code);
        let mut raw = [0u8; 32];
        rand::thread_rng().fill(&mut raw);
        let token = hex::encode(raw);
        let device_id = Uuid::now_v7().to_string();
        let label: String = req.label.chars().take(64).collect();
        if shumari_proto::offline_code::is_offline(&code) {
            let user = self
                .enroll_offline(&code, &device_id, &label, &token)
                .await?;
            return self.enrolled(req, user, device_id, token).await;
        }
        let user = self
            .storage
            .redeem_code(sha(&code), now_ms(), &device_id, &label, sha(&token))
            .await?
            .ok_or_else(|| {
                RegistryError::Forbidden(
                    "the enrollment code is unknown, already used or expired; ask for a new one"
                        .into(),
                )
            })?;
        // Console roles never hold a tablet (it would replicate a whole province). The code is spent
        // and the device row left without a token anyone knows, so it can never authenticate.
        if !allows(user.role, Action::EnrollTablet) {
            tracing::warn!(user = %user.id, role = %user.role, "refused to enroll a tablet for a console user");
            return Err(RegistryError::Forbidden(format!(
                "a {} works at the registry's console and cannot enroll a tablet",
                user.role.title()
            )));
        }
        self.enrolled(req, user, device_id, token).await
    }

    /// The answer to an enrollment that made device `device_id` for `user`.
    async fn enrolled(
        &self,
        req: EnrollRequest,
        user: crate::storage::User,
        device_id: String,
        token: String,
    ) -> Result<EnrollResponse> {
        let short_id = self.grant_short_id(&device_id, &req.short_id).await?;
        tracing::info!(device = %device_id, user = %user.id, "device enrolled");
        let bundle_key = if req.bundle_key {
            self.storage.bundle_key().await?
        } else {
            None
        };
        Ok(EnrollResponse {
            token,
            device_id,
            user_id: user.id,
            user_name: user.name,
            role: user.role,
            areas: user.areas,
            short_id,
            bundle_key,
        })
    }

    pub(super) async fn actors(
        &self,
        auth: &DeviceAuth,
        req: ActorsRequest,
    ) -> Result<ActorsResponse> {
        if req.actors.len() > MAX_REGISTER_ACTORS {
            return Err(RegistryError::OverLimit(format!(
                "a device may register at most {MAX_REGISTER_ACTORS} actors at a time"
            )));
        }
        if req.actors.iter().any(|a| a.is_empty() || a.len() > 64) {
            return Err(RegistryError::BadRequest(
                "an actor id must be 1 to 64 bytes".into(),
            ));
        }
        let key = match req.key {
            Some(k) => Some(self.register_key(auth, &k).await?),
            None => None,
        };
        let owners = self
            .storage
            .register_actors(&auth.device_id, &req.actors, now_ms())
            .await?;
        Ok(ActorsResponse {
            key,
            results: req
                .actors
                .into_iter()
                .zip(owners)
                .map(|(a, owner)| {
                    let refusal = owner.map(|_| {
                        Refusal::new(
                            RefusalCode::ActorTaken,
                            "this automerge actor id belongs to another device; actor ids are never reused",
                        )
                    });
                    (a, refusal)
                })
                .collect(),
        })
    }
}

impl<S: Storage> Registry<S> {
    /// Keeps a device's public key, once: the first key a device registers is its key for good, so
    /// a copied token cannot replace it and sign as the device.
    async fn register_key(&self, auth: &DeviceAuth, key: &[u8; 32]) -> Result<KeyOutcome> {
        if !is_valid_public_key(key) {
            return Err(RegistryError::BadRequest(
                "the device key is not a usable Ed25519 public key".into(),
            ));
        }
        let held = self
            .storage
            .register_device_key(&auth.device_id, key, now_ms())
            .await?;
        let (outcome, detail) = if held == *key {
            (KeyOutcome::Registered, "registered")
        } else {
            tracing::warn!(device = %auth.device_id, "refused a second key for a device");
            (
                KeyOutcome::Refused(Refusal::new(
                    RefusalCode::KeyTaken,
                    "this device registered another key; a device's key is never replaced (enroll \
                     the device again if its store was lost)",
                )),
                "refused",
            )
        };
        self.record_access(
            AccessAction::DeviceKey,
            &auth.user.id,
            Some(&auth.device_id),
            Some(format!("{detail} key={}", hex::encode(&key[..8]))),
        )
        .await?;
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_code;

    #[test]
    fn typed_codes_ignore_case_dashes_and_spaces() {
        assert_eq!(normalise_code("abcd-efgh ijk2"), "ABCDEFGHIJK2");
    }
}
