//! Reference numbers unique by construction.
//!
//! A reference (`PK60301-K7QD2-42`, printed on the family's slip and read out on the phone) is made
//! on the tablet without asking anyone: area, the device's short id, the device's own counter. It is
//! unique because the registry grants each device a short id no other device holds (at enrollment,
//! `device_short_ids`), and refuses a household that introduces a reference outside the pushing
//! device's own range, or one another household already carries. A reference the registry already
//! holds for the same household is never questioned: a colleague may edit a household someone else
//! registered.

use super::{now_ms, Registry};
use crate::error::Result;
use crate::storage::{DeviceAuth, Storage};
use rand::Rng;
use shumari_domain::reference::{device_short_id, is_short_id, split_reference};
use shumari_proto::message::DocOutcome;
use shumari_proto::{Refusal, RefusalCode};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// How many random short ids enrollment tries when the device's own is taken. With 33 million ids
/// and a registry of tens of thousands of devices, eight misses in a row do not happen by chance.
const GRANT_TRIES: usize = 8;

/// What one push's references are checked against, read once per batch.
pub(super) struct ReferenceCheck {
    /// Households already carrying each reference of the batch.
    in_use: HashMap<String, Uuid>,
    /// The pushing device's short id.
    mine: Option<String>,
    /// References accepted earlier in this batch, so two new households cannot share one.
    taken_here: HashSet<String>,
}

impl ReferenceCheck {
    /// The refusal for household `id` carrying `reference`, if any. Call it last, for a household
    /// that passed every other check: an accepted reference is remembered for the rest of the batch.
    /// A push that relays other devices' signed changes may also introduce a reference carrying
    /// the short id of a device whose changes it relays (`also`): that device numbered it.
    pub(super) fn check_for(
        &mut self,
        id: Uuid,
        reference: &str,
        also: &[String],
    ) -> Option<DocOutcome> {
        let refusal = match self.in_use.get(reference) {
            Some(holder) if *holder == id => return None,
            Some(_) => duplicate(reference),
            None if self.taken_here.contains(reference) => duplicate(reference),
            None => {
                let short = split_reference(reference).map(|(_, short, _)| short);
                if short.is_some()
                    && (short == self.mine.as_deref()
                        || also.iter().any(|a| Some(a.as_str()) == short))
                {
                    self.taken_here.insert(reference.to_string());
                    return None;
                }
                Refusal::new(
                    RefusalCode::ForeignReference,
                    format!(
                        "the reference number {reference} is not in this device's range ({}); a \
                         device numbers only its own households",
                        self.mine.as_deref().unwrap_or("none granted")
                    ),
                )
            }
        };
        tracing::warn!(code = %refusal.code, "refused a household's reference number");
        Some(DocOutcome::Refused(refusal))
    }
}

fn duplicate(reference: &str) -> Refusal {
    Refusal::new(
        RefusalCode::DuplicateReference,
        format!("another household already has the reference number {reference}"),
    )
}

impl<S: Storage> Registry<S> {
    /// Grants a newly enrolled device a short id: the one it has used so far when no other device
    /// holds it, else a fresh random one (the device then renumbers the households it made before).
    pub(super) async fn grant_short_id(&self, device_id: &str, wanted: &str) -> Result<String> {
        let mut candidate = if is_short_id(wanted) {
            wanted.to_string()
        } else {
            random_short_id()
        };
        for _ in 0..GRANT_TRIES {
            let held = self
                .storage
                .claim_short_id(device_id, &candidate, now_ms())
                .await?;
            if let Some(held) = held {
                return Ok(held);
            }
            candidate = random_short_id();
        }
        Err(crate::error::RegistryError::Internal(
            "no free device short id found; the registry's short id space is nearly full".into(),
        ))
    }

    /// Reads what the references in `refs` are checked against (one query each for the holders and
    /// the device's short id).
    pub(super) async fn reference_check(
        &self,
        auth: &DeviceAuth,
        refs: Vec<String>,
    ) -> Result<ReferenceCheck> {
        let in_use: HashMap<String, Uuid> =
            self.storage.refs_in_use(&refs).await?.into_iter().collect();
        let mut mine = self.storage.device_short_id(&auth.device_id).await?;
        if mine.is_none() {
            // A device enrolled before short ids were granted: the first short id it introduces in a
            // reference becomes its own, if no other device holds it.
            let first_new = refs
                .iter()
                .filter(|r| !in_use.contains_key(*r))
                .find_map(|r| split_reference(r).map(|(_, short, _)| short.to_string()));
            if let Some(short) = first_new {
                mine = self
                    .storage
                    .claim_short_id(&auth.device_id, &short, now_ms())
                    .await?;
            }
        }
        Ok(ReferenceCheck {
            in_use,
            mine,
            taken_here: HashSet::new(),
        })
    }
}

fn random_short_id() -> String {
    device_short_id(rand::thread_rng().gen())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(in_use: &[(&str, Uuid)], mine: Option<&str>) -> ReferenceCheck {
        ReferenceCheck {
            in_use: in_use.iter().map(|(r, id)| (r.to_string(), *id)).collect(),
            mine: mine.map(str::to_string),
            taken_here: HashSet::new(),
        }
    }

    fn code(o: Option<DocOutcome>) -> Option<RefusalCode> {
        o.map(|o| match o {
            DocOutcome::Refused(r) => r.code,
            DocOutcome::Accepted => unreachable!("only refusals are returned"),
        })
    }

    #[test]
    fn a_device_introduces_references_only_in_its_own_range() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut c = check(&[("PK101-AAAAA-1", a)], Some("BBBBB"));
        // Its own new household.
        assert_eq!(code(c.check_for(b, "PK101-BBBBB-1", &[])), None);
        // A colleague's household it edits keeps its reference.
        assert_eq!(code(c.check_for(a, "PK101-AAAAA-1", &[])), None);
        // A new household numbered in another device's range, or not numbered at all.
        assert_eq!(
            code(c.check_for(Uuid::from_u128(3), "PK101-AAAAA-2", &[])),
            Some(RefusalCode::ForeignReference)
        );
        assert_eq!(
            code(c.check_for(Uuid::from_u128(3), "Ayesha", &[])),
            Some(RefusalCode::ForeignReference)
        );
        // Unless the push relays that device's signed changes: it numbered the household.
        assert_eq!(
            code(c.check_for(Uuid::from_u128(3), "PK101-AAAAA-2", &["AAAAA".into()])),
            None
        );
        // Another household's reference copied, from the registry or from earlier in the batch.
        assert_eq!(
            code(c.check_for(Uuid::from_u128(4), "PK101-AAAAA-1", &[])),
            Some(RefusalCode::DuplicateReference)
        );
        assert_eq!(
            code(c.check_for(Uuid::from_u128(5), "PK101-BBBBB-1", &[])),
            Some(RefusalCode::DuplicateReference)
        );
    }

    #[test]
    fn a_device_without_a_short_id_introduces_nothing() {
        let mut c = check(&[], None);
        assert_eq!(
            code(c.check_for(Uuid::from_u128(1), "PK101-BBBBB-1", &[])),
            Some(RefusalCode::ForeignReference)
        );
    }
}
