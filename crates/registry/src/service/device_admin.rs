//! Cutting devices off: the device list (`shumari registry device list`), revoking one device
//! (`device revoke`) and disabling a user (`user disable`: every device of theirs is refused and their
//! unused enrollment codes are cancelled). Each is an admin action recorded in the access audit trail
//! before it answers. What a refused device sees is `tokens.rs`'s.

use super::access_audit::{AccessAction, CONSOLE};
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::{DeviceRow, Disabled, Storage, User};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shumari_domain::roles::{allows, Action};
use std::collections::BTreeMap;

fn time_of(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// One device as an administrator sees it. Times are RFC 3339 (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceInfo {
    /// Device id.
    pub id: String,
    /// Its user's id.
    pub user: String,
    /// The label the device gave at enrollment (its short id).
    pub label: String,
    /// When it enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When it was last seen (at most an hour out of date); `None` before its first request.
    pub last_seen_at: Option<DateTime<Utc>>,
    /// When its current token expires unless the device syncs (and so rotates it) before.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When its user was disabled.
    pub user_disabled_at: Option<DateTime<Utc>>,
    /// `active`, `revoked`, `user_disabled` or `expired`: whether a request from it is answered now.
    pub state: &'static str,
}

impl DeviceInfo {
    pub(super) fn new(row: DeviceRow, now: i64, ttl_secs: i64) -> Self {
        let expires = row
            .token_issued_at
            .saturating_add(ttl_secs.saturating_mul(1000));
        let state = if row.revoked_at.is_some() {
            "revoked"
        } else if row.user_disabled_at.is_some() {
            "user_disabled"
        } else if now >= expires {
            "expired"
        } else {
            "active"
        };
        DeviceInfo {
            id: row.id,
            user: row.user_id,
            label: row.label,
            enrolled_at: time_of(row.enrolled_at),
            last_seen_at: row.last_seen_at.map(time_of),
            expires_at: time_of(expires),
            revoked_at: row.revoked_at.map(time_of),
            user_disabled_at: row.user_disabled_at.map(time_of),
            state,
        }
    }
}

impl<S: Storage> Registry<S> {
    /// Every device, oldest enrollment first.
    pub async fn device_list(&self) -> Result<Vec<DeviceInfo>> {
        let rows = self.storage.devices().await?;
        self.record_access(
            AccessAction::DeviceList,
            CONSOLE,
            None,
            Some(format!("rows={}", rows.len())),
        )
        .await?;
        let now = now_ms();
        Ok(rows
            .into_iter()
            .map(|r| DeviceInfo::new(r, now, self.config.token_ttl_secs))
            .collect())
    }

    /// The devices of users whose areas all lie within `user`'s (and within `area` when given),
    /// with when each was last seen, for the dashboards' sync freshness (oldest enrollment first). For a user who reads households;
    /// ids, labels and times only, so not on the access trail.
    pub async fn device_freshness(
        &self,
        user: &User,
        area: Option<&str>,
    ) -> Result<Vec<DeviceInfo>> {
        if !allows(user.role, Action::ReadHouseholds) {
            return Err(RegistryError::Forbidden(format!(
                "a {} reads no field operations",
                user.role.title()
            )));
        }
        let scope = self.scope(user);
        let mut holders: BTreeMap<String, bool> = BTreeMap::new();
        let mut out = Vec::new();
        let now = now_ms();
        for row in self.storage.devices().await? {
            let mine = match holders.get(&row.user_id) {
                Some(m) => *m,
                None => {
                    let m = self.storage.user(&row.user_id).await?.is_some_and(|u| {
                        !u.areas.is_empty()
                            && u.areas.iter().all(|a| {
                                scope.contains(a)
                                    && area.is_none_or(|x| shumari_domain::area::contains(x, a))
                            })
                    });
                    holders.insert(row.user_id.clone(), m);
                    m
                }
            };
            if mine {
                out.push(DeviceInfo::new(row, now, self.config.token_ttl_secs));
            }
        }
        Ok(out)
    }

    /// Revokes a device: from now on every request it makes is refused with `revoked`. Revoking a
    /// revoked device changes nothing.
    pub async fn revoke_device(&self, device_id: &str) -> Result<()> {
        self.revoke_device_by(CONSOLE, device_id).await
    }

    /// [`Self::revoke_device`], recorded as done by `actor` (`people.rs`: an administrator's id).
    pub(super) async fn revoke_device_by(&self, actor: &str, device_id: &str) -> Result<()> {
        if !self.storage.revoke_device(device_id, now_ms()).await? {
            return Err(RegistryError::NotFound(format!("no device `{device_id}`")));
        }
        self.record_access(AccessAction::DeviceRevoke, actor, Some(device_id), None)
            .await?;
        tracing::info!(device = %device_id, "device revoked");
        Ok(())
    }

    /// Disables a user: every device of theirs is refused with `revoked` from now on, and their unused
    /// enrollment codes are cancelled.
    pub async fn disable_user(&self, user_id: &str) -> Result<Disabled> {
        self.disable_user_by(CONSOLE, user_id).await
    }

    /// [`Self::disable_user`], recorded as done by `actor`.
    pub(super) async fn disable_user_by(&self, actor: &str, user_id: &str) -> Result<Disabled> {
        let done = self
            .storage
            .disable_user(user_id, now_ms())
            .await?
            .ok_or_else(|| RegistryError::NotFound(format!("no user `{user_id}`")))?;
        self.record_access(
            AccessAction::UserDisable,
            actor,
            Some(user_id),
            Some(format!("devices={} codes={}", done.devices, done.codes)),
        )
        .await?;
        tracing::info!(user = %user_id, devices = done.devices, "user disabled");
        Ok(done)
    }
}
