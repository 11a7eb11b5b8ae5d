//! A push: a batch of households merged and stored as one transaction, with a status per household.
//!
//! Ingest is "load, apply, save" per household, never keeping documents loaded: the batch's stored
//! documents are read in one query, merged on the blocking pool (every core, see [`merge`]), checked
//! against the device's scope and actors, and written back in one transaction together with their log
//! entries and audit rows. A batch is therefore applied whole or not at all; a household refused inside
//! it is simply left out. Each household is also held to what the pushing user may do (`permit.rs`:
//! status changes by role, edits of approved households, the author its changes name). A household another process wrote meanwhile (its heads moved) is merged again,
//! up to three times, then refused as `busy`. A completed household, once stored, is marked
//! submitted by the registry (`review.rs`), in a log entry of its own that the feed delivers back.
//!
//! [`merge`]: super::merge

use super::access_audit::AccessAction;
use super::bounds::{self, PushBudget};
use super::merge::{compact_of, prepare, Prepared};
use super::signatures::{self, Authors, Unproven};
use super::{now_ms, permit, Registry};
use crate::error::{RegistryError, Result};
use crate::scope::Scope;
use crate::storage::{DeviceAuth, DeviceSigner, IngestRow, Storage, StoredDoc};
use rayon::prelude::*;
use shumari_domain::Status;
use shumari_proto::limits::MAX_PUSH_DOCS;
use shumari_proto::message::{ChangeEncoding, DocOutcome, PushDoc, PushRequest, PushResponse};
use shumari_proto::{Refusal, RefusalCode};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

/// Merges later duplicates of an id in one batch into the first (both encodings concatenate; a raw
/// and a compact one are merged in the compact form, else the duplicate is refused). Ids are found
/// through a hash map, so a push of many households costs in proportion to its size.
fn merge_duplicates(docs: Vec<PushDoc>, outcomes: &mut BTreeMap<Uuid, DocOutcome>) -> Vec<PushDoc> {
    let mut out: Vec<PushDoc> = Vec::with_capacity(docs.len());
    let mut at: HashMap<Uuid, usize> = HashMap::with_capacity(docs.len());
    for d in docs {
        match at.get(&d.id).map(|&i| &mut out[i]) {
            Some(x) if x.encoding == d.encoding => {
                x.changes.extend_from_slice(&d.changes);
                x.signatures.extend(d.signatures);
            }
            Some(x) => match (compact_of(x), compact_of(&d)) {
                (Some(mut a), Some(b)) => {
                    a.extend_from_slice(&b);
                    x.changes = a;
                    x.encoding = ChangeEncoding::Compact;
                    x.signatures.extend(d.signatures);
                }
                _ => {
                    outcomes.insert(
                        d.id,
                        DocOutcome::Refused(Refusal::new(
                            RefusalCode::BadDocument,
                            "the household appears twice in the push in encodings that cannot be merged",
                        )),
                    );
                }
            },
            None => {
                at.insert(d.id, out.len());
                out.push(d);
            }
        }
    }
    out.retain(|d| !outcomes.contains_key(&d.id));
    out
}

/// Merges each document into its stored copy. Documents are independent, so rayon spreads them over
/// every core; its work stealing keeps a core slowed by other work from holding up the batch.
fn prepare_all(
    work: &[PushDoc],
    stored: &[Option<StoredDoc>],
    device_actors: &[Vec<u8>],
) -> Vec<Prepared> {
    let budget = PushBudget::default();
    work.par_iter()
        .zip(stored.par_iter())
        .map(|(d, s)| prepare(d, s.as_ref(), device_actors, &budget))
        .collect()
}

fn out_of_scope(area: &str) -> DocOutcome {
    DocOutcome::Refused(Refusal::new(
        RefusalCode::OutOfScope,
        format!(
            "household in area {area} is outside this device's areas; the change was not accepted"
        ),
    ))
}

/// The rows to store, and the documents they came from; every other document got its outcome.
type Checked = (Vec<IngestRow>, Vec<PushDoc>);

impl<S: Storage> Registry<S> {
    /// The devices, keys and users behind these actors, for [`signatures::attribute`].
    async fn authors(&self, actors: &[Vec<u8>]) -> Result<Authors> {
        let owners: HashMap<Vec<u8>, String> = self
            .storage
            .actor_devices(actors)
            .await?
            .into_iter()
            .collect();
        let devices: HashMap<String, DeviceSigner> = self
            .storage
            .device_signers(&signatures::devices_of(&owners))
            .await?
            .into_iter()
            .map(|d| (d.device_id.clone(), d))
            .collect();
        // Relays are rare and name few devices: one look-up each.
        let mut users = HashMap::new();
        let mut short_ids = HashMap::new();
        for d in devices.values() {
            if !users.contains_key(&d.user_id) {
                if let Some(u) = self.storage.user(&d.user_id).await? {
                    users.insert(d.user_id.clone(), u);
                }
            }
            if let Some(short) = self.storage.device_short_id(&d.device_id).await? {
                short_ids.insert(d.device_id.clone(), short);
            }
        }
        Ok(Authors {
            owners,
            devices,
            users,
            short_ids,
        })
    }

    /// Puts a refusal of unproven changes on the access trail (the push is answered only once it
    /// is recorded).
    async fn record_unproven(&self, auth: &DeviceAuth, id: Uuid, u: &Unproven) -> Result<()> {
        tracing::warn!(device = %auth.device_id, code = %u.refusal.code, "refused changes whose author could not be proven");
        self.record_access(
            AccessAction::ChangeRefused,
            &auth.user.id,
            Some(&id.to_string()),
            Some(signatures::detail(auth, u)),
        )
        .await
    }

    pub(super) async fn push(&self, auth: &DeviceAuth, req: PushRequest) -> Result<PushResponse> {
        permit::on_tablet(&auth.user)?;
        // Reports filled with published forms are stored apart from households
        // (`submissions.rs`), before them: they share nothing with the households' merge.
        let submissions = self.push_submissions(auth, &req.submissions).await?;
        if req.docs.len() > MAX_PUSH_DOCS {
            return Err(RegistryError::OverLimit(format!(
                "a push may hold at most {MAX_PUSH_DOCS} households; this one held {}",
                req.docs.len()
            )));
        }
        let _guard = self.ingest.lock().await;
        // Completed households stored by this push, which the registry then marks submitted.
        let mut completed: Vec<Uuid> = Vec::new();
        // Every household this push stored, scored and checked for duplicates once it is done.
        let mut stored_ids: Vec<Uuid> = Vec::new();
        let mut outcomes: BTreeMap<Uuid, DocOutcome> = BTreeMap::new();
        let order: Vec<Uuid> = req.docs.iter().map(|d| d.id).collect();
        let mut pending = merge_duplicates(req.docs, &mut outcomes);
        // Compact changes name their actor by a prefix, resolved first among the device's own.
        let device_actors = Arc::new(
            if pending
                .iter()
                .any(|d| d.encoding == ChangeEncoding::Compact)
            {
                self.storage.device_actors(&auth.device_id).await?
            } else {
                Vec::new()
            },
        );
        for _attempt in 0..3 {
            if pending.is_empty() {
                break;
            }
            let ids: Vec<Uuid> = pending.iter().map(|d| d.id).collect();
            let stored = self.storage.load_docs(&ids).await?;
            let work = std::mem::take(&mut pending);
            let actors = device_actors.clone();
            let (work, stored, prepared) = tokio::task::spawn_blocking(move || {
                let p = prepare_all(&work, &stored, &actors);
                (work, stored, p)
            })
            .await
            .map_err(|e| RegistryError::Internal(e.to_string()))?;
            let prev_areas = stored.into_iter().map(|s| s.map(|s| s.area)).collect();
            let (rows, ready) = self
                .check_batch(auth, work, prev_areas, prepared, &mut outcomes)
                .await?;
            let n = rows.len();
            let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
            let complete: Vec<Uuid> = rows
                .iter()
                .filter(|r| r.projection.summary.status == Status::Complete)
                .map(|r| r.id)
                .collect();
            let stale: HashSet<Uuid> = self
                .storage
                .commit_ingest(&auth.device_id, &auth.user.id, rows, now_ms())
                .await?
                .into_iter()
                .collect();
            tracing::info!(device = %auth.device_id, households = n - stale.len(), "ingested");
            completed.extend(complete.into_iter().filter(|id| !stale.contains(id)));
            stored_ids.extend(ids.into_iter().filter(|id| !stale.contains(id)));
            pending = ready
                .into_iter()
                .filter(|d| stale.contains(&d.id))
                .collect();
            for d in &pending {
                outcomes.remove(&d.id);
            }
        }
        self.acknowledge_submissions(auth, completed).await?;
        drop(_guard);
        self.after_ingest(&stored_ids).await;
        for d in pending {
            outcomes.insert(
                d.id,
                DocOutcome::Refused(Refusal::new(
                    RefusalCode::Busy,
                    "the household changed during the push; sync again",
                )),
            );
        }
        Ok(PushResponse {
            results: order
                .into_iter()
                .filter_map(|id| outcomes.remove(&id).map(|o| (id, o)))
                .collect(),
            submissions,
        })
    }

    /// Scope, actor, role and reference checks of a merged batch: records every document's outcome and returns the
    /// rows to store.
    async fn check_batch(
        &self,
        auth: &DeviceAuth,
        work: Vec<PushDoc>,
        prev_areas: Vec<Option<String>>,
        mut prepared: Vec<Prepared>,
        outcomes: &mut BTreeMap<Uuid, DocOutcome>,
    ) -> Result<Checked> {
        // Actor ownership for every new change in the batch, in one query of a bounded size: a
        // household that would take the push past the bound on distinct actors waits for the next.
        let (fits, all_actors) = bounds::push_actors(prepared.iter().map(|p| match p {
            Prepared::Ready { actors, .. } => Some(actors),
            _ => None,
        }));
        for (p, fits) in prepared.iter_mut().zip(fits) {
            if !fits {
                *p = Prepared::Refused(bounds::too_many_push_actors());
            }
        }
        let all_actors: Vec<Vec<u8>> = all_actors.into_iter().collect();
        let authors = self.authors(&all_actors).await?;
        let refs: Vec<String> = prepared
            .iter()
            .filter_map(|p| match p {
                Prepared::Ready { row, .. } => Some(row.projection.summary.reference.clone()),
                _ => None,
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut references = self.reference_check(auth, refs).await?;
        let scope: Scope<'_> = self.scope(&auth.user);
        let mut rows = Vec::new();
        let mut ready = Vec::new();
        for ((d, p), prev_area) in work.into_iter().zip(prepared).zip(prev_areas) {
            let id = d.id;
            if let Some(a) = prev_area.filter(|a| !scope.contains(a)) {
                outcomes.insert(id, out_of_scope(&a));
                continue;
            }
            let outcome =
                match p {
                    Prepared::Noop => DocOutcome::Accepted,
                    Prepared::Refused(r) => DocOutcome::Refused(r),
                    Prepared::Ready {
                        mut row,
                        actors,
                        before,
                    } => {
                        let after = row.projection.summary.status;
                        let attributed = if scope.contains(&row.projection.summary.area) {
                            signatures::attribute(auth, &row.audit, &d.signatures, &authors)
                        } else {
                            Ok(signatures::Attributed::default())
                        };
                        if !scope.contains(&row.projection.summary.area) {
                            out_of_scope(&row.projection.summary.area)
                        } else if let Err(unproven) = attributed {
                            self.record_unproven(auth, id, &unproven).await?;
                            DocOutcome::Refused(unproven.refusal)
                        } else if signatures::forged_author(auth, &authors, &actors) {
                            permit::forged_author(&auth.user)
                        } else if let Some(refused) = attributed.as_ref().ok().and_then(|a| {
                            permit::transition_by(&auth.user, &a.users, before, after)
                        }) {
                            refused
                        } else if let Some(refused) = references.check_for(
                            id,
                            &row.projection.summary.reference,
                            attributed
                                .as_ref()
                                .map(|a| a.relayed_short_ids.as_slice())
                                .unwrap_or_default(),
                        ) {
                            refused
                        } else {
                            if let Ok(a) = attributed {
                                row.signatures = a.records;
                            }
                            rows.push(*row);
                            ready.push(d);
                            DocOutcome::Accepted
                        }
                    }
                };
            outcomes.insert(id, outcome);
        }
        Ok((rows, ready))
    }
}
