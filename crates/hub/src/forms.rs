//! Forms from the registry above: what the hub holds, named in its pull so only new versions come
//! down, and the versions that came, kept in the hub's registry through its own forms API
//! (`shumari_registry`'s `service/forms.rs`), so the hub's tablets receive them on their pulls
//! exactly as from the centre.
//!
//! The pull carries a version's source, not the areas it is published to, so the hub publishes
//! each version it receives to its own areas (its district): every tablet of the district receives
//! what reaches any part of it. A report filled with a version the centre published to another
//! part of the district is refused at the centre with the reason, and the hub records the refusal
//! ([`crate::reports`]). Publishing is idempotent (the same source again adds nothing), so a page
//! applied twice changes nothing; a version the hub holds with another source (published at the
//! hub itself) is refused and reported, and the round goes on.

use crate::error::Result;
use shumari_proto::message::{HeldForm, PublishedForm};
use shumari_registry::storage::Storage;
use shumari_registry::{Registry, RegistryError};

/// What keeping the forms of a page did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    /// Versions new at the hub.
    pub new: usize,
    /// Versions refused, as (form id and version, reason).
    pub refused: Vec<(String, String)>,
}

/// The versions the hub's registry holds, as its pull names them.
pub async fn held<S: Storage>(reg: &Registry<S>) -> Result<Vec<HeldForm>> {
    let mut out: Vec<HeldForm> = reg
        .storage
        .form_publications()
        .await?
        .into_iter()
        .map(|(form_id, version, _)| HeldForm { form_id, version })
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Publishes each version of `forms` to the hub's `areas` in its registry.
pub async fn keep<S: Storage>(
    reg: &Registry<S>,
    forms: &[PublishedForm],
    areas: &[String],
) -> Result<Kept> {
    let mut kept = Kept::default();
    for f in forms {
        match reg.publish_form(None, &f.file_name, &f.source, areas).await {
            Ok(p) => kept.new += usize::from(p.new_version),
            Err(e @ (RegistryError::BadRequest(_) | RegistryError::Forbidden(_))) => {
                tracing::warn!(form = %f.form_id, version = %f.version, "a form from above was not kept");
                kept.refused
                    .push((format!("{} {}", f.form_id, f.version), e.to_string()));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(kept)
}
