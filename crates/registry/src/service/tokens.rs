//! Device tokens: who a bearer token is, whether that device may still act, and rotation.
//!
//! A token is refused on every authenticated endpoint (HTTP 401) when it is unknown (`unauthorized`),
//! when its device was revoked or its user disabled (`revoked`), or when it is older than the
//! configured lifetime (`expired`, [`super::Config::token_ttl_secs`], 90 days by default). The
//! lifetime is counted from when the token was issued and read from the settings at every request, so
//! an operator who shortens it cuts off every device whose token is older at once. Each refusal is
//! recorded in the access audit trail (a cut-off device by its id, never the token).
//!
//! Rotation (`/v1/token`) issues a new token in place of the one the request came with. The device
//! decides when to ask (once its token is a day old, at the start of a round: see
//! `shumari_sync::engine::Options::rotate_after`), because only the device knows whether it received
//! and stored the answer. The registry keeps the replaced token valid until the new one is first used:
//! if the answer is lost on the way, the device keeps working with the token it has and asks again;
//! once the device uses the new token the replaced one is dead. A thief holding an old copy of a token
//! is therefore cut off by the device's next sync, and a device that stops syncing is cut off by expiry.

use super::access_audit::AccessAction;
use super::{now_ms, sha, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::{DeviceAuth, Storage, TokenRecord};
use rand::Rng;
use shumari_proto::message::TokenResponse;

/// How often a device's "last seen" time is written (a write per request would make every quiet
/// sync a database write).
const SEEN_EVERY_MS: i64 = 3600 * 1000;

/// A new bearer token: 32 random bytes, hex.
pub(super) fn new_token() -> String {
    let mut raw = [0u8; 32];
    rand::thread_rng().fill(&mut raw);
    hex::encode(raw)
}

/// Why a known token is refused now, if it is: the audit row's action and detail, and the error.
fn refusal(
    rec: &TokenRecord,
    now: i64,
    ttl_secs: i64,
) -> Option<(AccessAction, &'static str, RegistryError)> {
    if rec.revoked_at.is_some() {
        return Some((
            AccessAction::AuthRevoked,
            "device_revoked",
            RegistryError::Revoked(
                "this device was revoked at the registry and can no longer sync; ask your supervisor \
                 (its households stay on the device)"
                    .into(),
            ),
        ));
    }
    if rec.user_disabled_at.is_some() {
        return Some((
            AccessAction::AuthRevoked,
            "user_disabled",
            RegistryError::Revoked(
                "the user this device is enrolled for was disabled at the registry, so the device can \
                 no longer sync; ask your supervisor (its households stay on the device)"
                    .into(),
            ),
        ));
    }
    if now >= rec.issued_at.saturating_add(ttl_secs.saturating_mul(1000)) {
        return Some((
            AccessAction::AuthExpired,
            "token_expired",
            RegistryError::Expired(format!(
                "this device's token expired: it did not sync for {} days; ask your supervisor for a \
                 new enrollment code (its households stay on the device)",
                ttl_secs / 86_400
            )),
        ));
    }
    None
}

/// The label a district hub gives the devices it learnt from the registry above
/// (`shumari_hub::directory`).
pub const ENROLLED_ABOVE: &str = "enrolled above";

impl<S: Storage> Registry<S> {
    /// Whether a device was learnt from the registry above (at a hub).
    async fn enrolled_above(&self, device_id: &str) -> Result<bool> {
        Ok(self
            .storage
            .devices()
            .await?
            .iter()
            .any(|d| d.id == device_id && d.label == ENROLLED_ABOVE))
    }

    /// The device a bearer token belongs to, if it may still act. A missing or unknown token, a
    /// revoked device, a disabled user's device and an expired token are refused and recorded in the
    /// access audit trail (never the token itself).
    pub async fn authenticate(&self, token: Option<&str>) -> Result<DeviceAuth> {
        let Some(token) = token else {
            self.record_auth_failure(AccessAction::AuthMissingToken)
                .await;
            return Err(RegistryError::Unauthorized(
                "a device token is required (enroll the device first)".into(),
            ));
        };
        let Some(rec) = self.storage.device_by_token(sha(token)).await? else {
            self.record_auth_failure(AccessAction::AuthUnknownToken)
                .await;
            return Err(RegistryError::Unauthorized(
                "the device token is not known to this registry; enroll the device again".into(),
            ));
        };
        let now = now_ms();
        if let Some((action, detail, err)) = refusal(&rec, now, self.config.token_ttl_secs) {
            let recorded = self
                .record_access(
                    action,
                    &rec.auth.user.id,
                    Some(&rec.auth.device_id),
                    Some(detail.to_string()),
                )
                .await;
            if let Err(e) = recorded {
                tracing::error!(error = %e, "the access audit trail could not record a refused device");
            }
            tracing::info!(device = %rec.auth.device_id, code = err.code(), "refused a cut-off device");
            return Err(err);
        }
        // The new token's first use retires the one it replaced.
        let forget_previous = rec.previous_kept && !rec.by_previous;
        if forget_previous || rec.last_seen_at.is_none_or(|t| now - t >= SEEN_EVERY_MS) {
            self.storage
                .device_seen(&rec.auth.device_id, forget_previous, now)
                .await?;
        }
        Ok(rec.auth)
    }

    /// Issues a new token for the device `auth`, in place of `used` (the token the request came with,
    /// valid until the new one is first used).
    pub(super) async fn rotate_token(
        &self,
        auth: &DeviceAuth,
        used: &str,
    ) -> Result<TokenResponse> {
        if self.config.relay && self.enrolled_above(&auth.device_id).await? {
            // A hub cannot tell the registry above of a new token: the device keeps the one it
            // has (an answer it reads as "this registry does not rotate").
            return Err(RegistryError::NotFound(
                "this device rotates its token at the registry it enrolled with".into(),
            ));
        }
        let token = new_token();
        let now = now_ms();
        let rotated = self
            .storage
            .rotate_token(&auth.device_id, sha(used), sha(&token), now)
            .await?;
        if !rotated {
            // Revoked, or the token replaced, between authentication and here.
            return Err(RegistryError::Unauthorized(
                "the device token changed while it was being replaced; sync again".into(),
            ));
        }
        tracing::info!(device = %auth.device_id, "device token rotated");
        let expires_at = now.saturating_add(self.config.token_ttl_secs.saturating_mul(1000));
        Ok(TokenResponse {
            token,
            expires_at: u64::try_from(expires_at).unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::User;

    fn record(issued_at: i64) -> TokenRecord {
        TokenRecord {
            auth: DeviceAuth {
                device_id: "d".into(),
                user: User {
                    id: "u".into(),
                    name: "N".into(),
                    role: shumari_proto::Role::Surveyor,
                    areas: vec![],
                },
            },
            issued_at,
            revoked_at: None,
            user_disabled_at: None,
            by_previous: false,
            previous_kept: false,
            last_seen_at: None,
        }
    }

    #[test]
    fn a_token_expires_at_its_lifetime_and_revocation_comes_first() {
        let day = 86_400;
        let rec = record(0);
        assert!(refusal(&rec, day * 1000 - 1, day).is_none());
        let (action, _, err) = refusal(&rec, day * 1000, day).unwrap();
        assert_eq!((action, err.code()), (AccessAction::AuthExpired, "expired"));
        let revoked = TokenRecord {
            revoked_at: Some(5),
            ..record(0)
        };
        let (action, detail, err) = refusal(&revoked, day * 1000, day).unwrap();
        assert_eq!(
            (action, detail, err.code()),
            (AccessAction::AuthRevoked, "device_revoked", "revoked")
        );
        let disabled = TokenRecord {
            user_disabled_at: Some(5),
            ..record(0)
        };
        let (_, detail, err) = refusal(&disabled, 1, day).unwrap();
        assert_eq!((detail, err.code()), ("user_disabled", "revoked"));
    }
}
