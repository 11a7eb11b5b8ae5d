//! Enrollment: redeeming a one-time code for the device's token, user and areas, then registering
//! the store's actors and the device's new signing key ([`crate::identity`]) in the same session.

use super::{Options, Progress, Report, Session, SyncError, KEY_AREAS, KEY_DEVICE, KEY_URL};
use crate::access::StoreAccess;
use crate::proto::{Endpoint, EnrollRequest, EnrollResponse};
use crate::rotation;
use crate::transport::Transport;
use shumari_store::Store;
use std::collections::BTreeSet;

/// Redeems an enrollment code: stores the token, the user and the areas, and registers this store's
/// actors. Edits made afterwards are attributed to the registry's user id.
pub fn enroll(
    store: &mut Store,
    transport: &mut dyn Transport,
    registry_url: &str,
    code: &str,
    opts: &Options,
) -> Result<EnrollResponse, SyncError> {
    enroll_with(store, transport, registry_url, code, opts)
}

/// [`enroll`] through any [`StoreAccess`] (the store is not held during the request).
pub fn enroll_with<A: StoreAccess + ?Sized>(
    store: &mut A,
    transport: &mut dyn Transport,
    registry_url: &str,
    code: &str,
    opts: &Options,
) -> Result<EnrollResponse, SyncError> {
    let mut quiet = |_: &Progress| {};
    let label = store.with_store(|s| Ok(s.device().short_id.clone()))?;
    let mut s = Session {
        store,
        t: transport,
        token: None,
        opts,
        report: Report::default(),
        progress: &mut quiet,
        refused: BTreeSet::new(),
        push_ratio: 3.0,
        key_offered: false,
        actors_reoffered: false,
    };
    let resp: EnrollResponse = s.call(
        Endpoint::Enroll,
        &EnrollRequest {
            code: code.trim().to_string(),
            label: label.clone(),
            short_id: label,
            bundle_key: true,
        },
    )?;
    s.store.with_store(|store| {
        rotation::save(store, &resp.token, chrono::Utc::now())?;
        store.kv_set(KEY_URL, registry_url)?;
        store.kv_set(KEY_DEVICE, &resp.device_id)?;
        store.kv_set(
            KEY_AREAS,
            &serde_json::to_string(&resp.areas).unwrap_or_default(),
        )?;
        // References made from now on carry the short id the registry granted (unique among its
        // devices); households it has never seen are renumbered if the id changed.
        store.adopt_short_id(&resp.short_id)?;
        // The registry's bundle key, for USB bundles (`crate::bundle`), when it has one.
        if let Some(k) = &resp.bundle_key {
            crate::bundle::learn_registry_key(store, k)?;
        }
        // Edits are signed with the user's name beside the registry id, so a conflict on another
        // device says who wrote each value in words a surveyor recognises ("Ayesha (u-…)"), not an
        // opaque id.
        Ok(store.set_user(&shumari_domain::roles::author_name(
            &resp.user_name,
            &resp.user_id,
        ))?)
    })?;
    s.token = Some(resp.token.clone());
    s.register_actors()?;
    Ok(resp)
}
