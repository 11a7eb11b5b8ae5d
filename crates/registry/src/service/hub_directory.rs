//! What a registry tells a district hub below it about the hub's district
//! (`shumari_proto::message::HubDirectoryResponse`, `/v1/hub/directory`).
//!
//! The hub asks at every upstream round. The answer lists the users whose role holds a device
//! (tablets, and hubs below the hub) and whose every area lies inside the hub's, with the disabled
//! mark, and their devices, with the hashes of their tokens (the current one and the one a
//! rotation replaced while it is kept), their keys, actors and short ids, and the revoked mark.
//! With it the hub authenticates a device enrolled here as this registry would (it never learns a
//! token, only what this registry keeps of it), verifies its changes, and refuses the devices and
//! users cut off here. The hub's own device and the tablets it registered here (`HUB.LOCAL`) are
//! left out: the hub knows them better. Only a hub may ask, and the answer is held to its areas
//! like everything else it receives; each answer is on the access trail as `hub.directory`.
//!
//! A hub that asks also receives the active assignments of the listed users who are not
//! disabled, each within its surveyor's areas ([`Registry::device_assignments`], what their
//! tablets would receive here), complete, so the hub hands them to the tablets that sync with it.

use super::access_audit::AccessAction;
use super::Registry;
use crate::error::{RegistryError, Result};
use crate::storage::{DeviceAuth, Storage, User};
use shumari_domain::roles::{allows, Action, Role};
use shumari_proto::message::{
    DirectoryDevice, DirectoryUser, HubDirectoryRequest, HubDirectoryResponse,
};

impl<S: Storage> Registry<S> {
    pub(super) async fn hub_directory(
        &self,
        auth: &DeviceAuth,
        req: &HubDirectoryRequest,
    ) -> Result<HubDirectoryResponse> {
        if auth.user.role != Role::Hub {
            return Err(RegistryError::Forbidden(format!(
                "only a district hub reads its district's directory; this device's user is a {}",
                auth.user.role.title()
            )));
        }
        let scope = self.scope(&auth.user);
        let users: Vec<DirectoryUser> = self
            .storage
            .users()
            .await?
            .into_iter()
            .filter(|u| {
                allows(u.user.role, Action::EnrollTablet)
                    && !u.user.areas.is_empty()
                    && u.user.areas.iter().all(|a| scope.contains(a))
            })
            .map(|u| DirectoryUser {
                id: u.user.id,
                name: u.user.name,
                role: u.user.role,
                areas: u.user.areas,
                disabled: u.disabled_at.is_some(),
            })
            .collect();
        let assignments = if req.assignments {
            let mut list = Vec::new();
            for u in users.iter().filter(|u| !u.disabled) {
                let user = User {
                    id: u.id.clone(),
                    name: u.name.clone(),
                    role: u.role,
                    areas: u.areas.clone(),
                };
                list.extend(self.device_assignments(&user).await?);
            }
            Some(list)
        } else {
            None
        };
        let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
        let own = format!("{}.", auth.device_id);
        let tokens: Vec<_> = self
            .storage
            .device_tokens(&ids)
            .await?
            .into_iter()
            .filter(|t| t.device_id != auth.device_id && !t.device_id.starts_with(&own))
            .collect();
        let device_ids: Vec<String> = tokens.iter().map(|t| t.device_id.clone()).collect();
        let keys: std::collections::HashMap<String, Option<[u8; 32]>> = self
            .storage
            .device_signers(&device_ids)
            .await?
            .into_iter()
            .map(|s| (s.device_id, s.key))
            .collect();
        let mut devices = Vec::with_capacity(tokens.len());
        for t in tokens {
            let actors = self.storage.device_actors(&t.device_id).await?;
            let short_id = self
                .storage
                .device_short_id(&t.device_id)
                .await?
                .unwrap_or_default();
            devices.push(DirectoryDevice {
                key: keys.get(&t.device_id).copied().flatten(),
                id: t.device_id,
                user_id: t.user_id,
                token_hashes: std::iter::once(t.current).chain(t.previous).collect(),
                actors,
                short_id,
                revoked: t.revoked_at.is_some(),
            });
        }
        self.record_access(
            AccessAction::HubDirectory,
            &auth.user.id,
            Some(&auth.device_id),
            Some(format!(
                "users={} devices={} assignments={}",
                users.len(),
                devices.len(),
                assignments.as_ref().map_or(0, Vec::len)
            )),
        )
        .await?;
        Ok(HubDirectoryResponse {
            users,
            devices,
            assignments,
        })
    }
}
