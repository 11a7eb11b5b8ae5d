//! Users and devices as an administrator manages them at the console: the same acts as the
//! registry's command line (`admin.rs`: add a user, make an enrollment code; `device_admin.rs`:
//! disable a user, revoke a device), done by a signed-in administrator, within their areas, and
//! recorded in the access audit trail under their id instead of the command line's.
//!
//! **Who.** Only a role the role table lets administer users ([`Action::AdministerUsers`]).
//! **Where.** An administrator sees and acts on the users whose every area lies within their own
//! areas, and on those users' devices; a user reaching outside them (a province's monitor, for a
//! district's administrator) is not theirs to see or change. A new user's areas must lie within the
//! administrator's too. Out-of-scope users and devices answer "not found", like out-of-scope
//! households, so their existence is not given away.

use super::access_audit::AccessAction;
use super::device_admin::DeviceInfo;
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::{Disabled, Storage, User, UserRow};
use chrono::{DateTime, Utc};
use shumari_domain::roles::{allows, Action};
use shumari_proto::Role;
use std::collections::HashSet;

/// One user as the console's user list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// The user.
    pub user: User,
    /// When they were disabled.
    pub disabled_at: Option<DateTime<Utc>>,
    /// Their devices that are still answered (not revoked, not expired).
    pub active_devices: usize,
}

impl<S: Storage> Registry<S> {
    /// Refuses anyone who does not administer users.
    fn administrator(&self, admin: &User) -> Result<()> {
        if allows(admin.role, Action::AdministerUsers) {
            Ok(())
        } else {
            Err(RegistryError::Forbidden(format!(
                "a {} does not manage users",
                admin.role.title()
            )))
        }
    }

    /// Whether every one of `areas` lies within the administrator's areas.
    fn within(&self, admin: &User, areas: &[String]) -> bool {
        let scope = self.scope(admin);
        !areas.is_empty() && areas.iter().all(|a| scope.contains(a))
    }

    /// The user `id`, when the administrator may manage them.
    async fn managed_user(&self, admin: &User, id: &str) -> Result<User> {
        self.administrator(admin)?;
        match self.storage.user(id).await? {
            Some(u) if self.within(admin, &u.areas) => Ok(u),
            _ => Err(RegistryError::NotFound(format!("no user `{id}`"))),
        }
    }

    /// The users the administrator manages (by name) and their devices (oldest enrollment first),
    /// each read once; nothing recorded (the callers record what they show).
    async fn managed(&self, admin: &User) -> Result<(Vec<UserRow>, Vec<DeviceInfo>)> {
        self.administrator(admin)?;
        let users: Vec<UserRow> = self
            .storage
            .users()
            .await?
            .into_iter()
            .filter(|r| self.within(admin, &r.user.areas))
            .collect();
        let mine: HashSet<&str> = users.iter().map(|r| r.user.id.as_str()).collect();
        let now = now_ms();
        let devices = self
            .storage
            .devices()
            .await?
            .into_iter()
            .filter(|d| mine.contains(d.user_id.as_str()))
            .map(|d| DeviceInfo::new(d, now, self.config.token_ttl_secs))
            .collect();
        Ok((users, devices))
    }

    /// The users the administrator manages, by name, with their devices still answered.
    pub async fn users_for(&self, admin: &User) -> Result<Vec<UserInfo>> {
        let (users, devices) = self.managed(admin).await?;
        let out: Vec<UserInfo> = users
            .into_iter()
            .map(|r| UserInfo {
                active_devices: devices
                    .iter()
                    .filter(|d| d.user == r.user.id && d.state == "active")
                    .count(),
                disabled_at: r.disabled_at.and_then(DateTime::from_timestamp_millis),
                user: r.user,
            })
            .collect();
        self.record_access(
            AccessAction::UserList,
            &admin.id,
            None,
            Some(format!("rows={}", out.len())),
        )
        .await?;
        Ok(out)
    }

    /// The devices of the users the administrator manages, oldest enrollment first.
    pub async fn devices_for(&self, admin: &User) -> Result<Vec<DeviceInfo>> {
        let (_, rows) = self.managed(admin).await?;
        self.record_access(
            AccessAction::DeviceList,
            &admin.id,
            None,
            Some(format!("rows={}", rows.len())),
        )
        .await?;
        Ok(rows)
    }

    /// Adds a user within the administrator's areas; returns the new id.
    pub async fn add_user_as(
        &self,
        admin: &User,
        name: &str,
        role: Role,
        areas: &[String],
    ) -> Result<String> {
        self.administrator(admin)?;
        if !self.within(admin, areas) {
            return Err(RegistryError::Forbidden(
                "a new user's areas must lie within your own".into(),
            ));
        }
        self.add_user_by(&admin.id, name, role, areas).await
    }

    /// A one-time enrollment code for a user the administrator manages.
    pub async fn enroll_code_as(&self, admin: &User, user_id: &str) -> Result<String> {
        self.managed_user(admin, user_id).await?;
        self.enroll_code_by(&admin.id, user_id).await
    }

    /// Disables a user the administrator manages (never themselves: that would lock the console
    /// out of its last administrator by one click).
    pub async fn disable_user_as(&self, admin: &User, user_id: &str) -> Result<Disabled> {
        let user = self.managed_user(admin, user_id).await?;
        if user.id == admin.id {
            return Err(RegistryError::BadRequest(
                "you cannot disable yourself; ask another administrator".into(),
            ));
        }
        self.disable_user_by(&admin.id, user_id).await
    }

    /// Revokes a device of a user the administrator manages.
    pub async fn revoke_device_as(&self, admin: &User, device_id: &str) -> Result<()> {
        self.administrator(admin)?;
        let device = self
            .storage
            .devices()
            .await?
            .into_iter()
            .find(|d| d.id == device_id);
        let not_found = || RegistryError::NotFound(format!("no device `{device_id}`"));
        let device = device.ok_or_else(not_found)?;
        match self.managed_user(admin, &device.user_id).await {
            Ok(_) => self.revoke_device_by(&admin.id, device_id).await,
            Err(RegistryError::NotFound(_)) => Err(not_found()),
            Err(e) => Err(e),
        }
    }

    /// The people who may take work in `user`'s areas: users who enroll tablets, with an area within
    /// the user's, by name (what the assignment form offers; no access-trail row: names only).
    pub async fn surveyors_for(&self, user: &User) -> Result<Vec<User>> {
        let scope = self.scope(user);
        Ok(self
            .storage
            .users()
            .await?
            .into_iter()
            .filter(|r| r.disabled_at.is_none() && allows(r.user.role, Action::EnrollTablet))
            .filter(|r| r.user.areas.iter().any(|a| scope.contains(a)))
            .map(|r| r.user)
            .collect())
    }
}
