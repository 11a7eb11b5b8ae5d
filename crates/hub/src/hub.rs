//! [`Hub`]: the hub's registry, its upstream bookkeeping and the runtime both run on.

use crate::error::{HubError, Result};
use crate::rotation::{rotate, ROTATE_AFTER};
use crate::round::{round, Report};
use crate::state::{Link, UpstreamState};
use shumari_domain::roles::{allows, Action};
use shumari_domain::{area, Role};
use shumari_proto::message::{EnrollRequest, EnrollResponse, Message};
use shumari_proto::{Endpoint, Transport};
use shumari_registry::storage::{Storage, User};
use shumari_registry::Registry;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// A district hub: a registry its tablets sync with, enrolled as a device of the registry above.
#[derive(Debug)]
pub struct Hub<S> {
    reg: Arc<Registry<S>>,
    state: Mutex<UpstreamState>,
    rt: tokio::runtime::Handle,
}

impl<S: Storage> Hub<S> {
    /// A hub over `reg`, whose SQLite database is at `db` (the hub's tables are there too), with
    /// storage calls made on `rt`. Its methods block: call them off the runtime's threads.
    pub fn new(reg: Arc<Registry<S>>, db: &Path, rt: tokio::runtime::Handle) -> Result<Self> {
        Ok(Hub {
            reg,
            state: Mutex::new(UpstreamState::open(db)?),
            rt,
        })
    }

    /// The hub's registry (what `hub serve` serves to tablets).
    pub fn registry(&self) -> &Arc<Registry<S>> {
        &self.reg
    }

    fn state(&self) -> MutexGuard<'_, UpstreamState> {
        // A round that panicked left nothing half-written that the next one cannot redo.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The hub's enrollment upstream, once made.
    pub fn link(&self) -> Result<Option<Link>> {
        self.state().link()
    }

    /// When the last upstream round went through (ms since the epoch).
    pub fn last_sync(&self) -> Result<Option<i64>> {
        self.state().last_sync()
    }

    /// Enrolls the hub with the registry above at `url` (reached through `t`), with a one-time
    /// code made there for a user of role `hub`.
    pub fn enroll(&self, t: &mut dyn Transport, url: &str, code: &str) -> Result<Link> {
        let req = EnrollRequest {
            code: code.to_string(),
            label: "hub".into(),
            short_id: String::new(),
            // The key the centre signs offline enrollment codes with.
            bundle_key: true,
        };
        let resp = EnrollResponse::decode(&t.call(Endpoint::Enroll, None, req.encode())?)?;
        if resp.role != Role::Hub {
            return Err(HubError::NotAHub(resp.role.title().to_string()));
        }
        let link = Link {
            url: url.to_string(),
            token: resp.token,
            device_id: resp.device_id,
            user_id: resp.user_id,
            areas: resp.areas,
        };
        self.state().set_link(&link)?;
        if let Some(key) = &resp.bundle_key {
            self.rt.block_on(self.reg.honour_offline_codes(key))?;
        }
        tracing::info!(device = %link.device_id, "hub enrolled upstream");
        Ok(link)
    }

    /// One upstream round over `t` (see [`crate::round`]), which first swaps the hub's token
    /// when it is due ([`crate::rotation`]). Rounds are serialised: a second caller waits for the
    /// first.
    pub fn sync_upstream(&self, t: &mut dyn Transport) -> Result<Report> {
        let mut state = self.state();
        let rotated = rotate(&state, t, ROTATE_AFTER)?;
        let mut report = round(&self.rt, &self.reg, &mut state, t)?;
        if rotated {
            report.token_rotated = true;
            report.round_trips += 1;
        }
        Ok(report)
    }

    /// Adds a user of the registry above to the hub, under the same id and name, so the hub can
    /// issue enrollment codes for them (their role must hold a tablet and their areas lie in the
    /// hub's district).
    pub fn add_user(&self, user: &User) -> Result<()> {
        let link = self.link()?.ok_or(HubError::NotEnrolled)?;
        if !allows(user.role, Action::EnrollTablet) || user.role == Role::Hub {
            return Err(HubError::Registry(
                shumari_registry::RegistryError::BadRequest(format!(
                    "a {} holds no tablet at a hub",
                    user.role.title()
                )),
            ));
        }
        let inside = |a: &String| link.areas.iter().any(|h| area::contains(h, a));
        if user.areas.is_empty() || !user.areas.iter().all(inside) {
            return Err(HubError::Registry(
                shumari_registry::RegistryError::BadRequest(format!(
                    "the hub serves {}; a user's areas must lie inside them",
                    link.areas.join(", ")
                )),
            ));
        }
        self.rt
            .block_on(self.reg.storage.add_user(user, crate::apply::now_ms()))?;
        Ok(())
    }

    /// A one-time enrollment code for one of the hub's users' tablets.
    pub fn enroll_code(&self, user_id: &str) -> Result<String> {
        Ok(self.rt.block_on(self.reg.enroll_code(user_id))?)
    }
}
