//! Review at the registry: the changes the registry itself writes into household documents, and the
//! review queue.
//!
//! Two moves of the workflow happen at the registry, not on a tablet:
//! - **complete -> submitted**, when the registry has stored a completed household
//!   ([`Registry::acknowledge_submissions`], called by the push after its batch is committed);
//! - **submitted -> approved / returned / rejected** (and an approval returned), decided by a
//!   supervisor or district officer ([`Registry::review`]): the decision, the reviewer (id and
//!   name), the time, a comment and the questions it concerns are written into the document with
//!   the new status (`shumari_domain::review`).
//!
//! Both are ordinary automerge changes, so they reach the tablets through the feed like anyone's
//! edit, and a surveyor's concurrent edit merges with them. They are made as the registry's own
//! actor (made once, stored, [`Storage::registry_actor`]) under the author
//! [`REGISTRY_AUTHOR`], and stored through the one write path, [`Storage::commit_ingest`], as if
//! pushed by the device [`REGISTRY_DEVICE`]: the log entry is then delivered to every device in
//! scope (the feed skips only a device's own entries), the heads compare-and-set keeps a concurrent
//! push from being overwritten (the change is rebuilt on the new heads, up to three times), and the
//! audit rows name the reviewer. A device later pushing on top of these changes is never refused
//! for them: the ingest checks only the changes new to the registry (a device's own, by its own
//! actors), and the status it sees before the push is the registry's. Writes are serialised with
//! pushes by the ingest lock, so the registry's actor never makes two changes with one sequence
//! number in a document.
//!
//! Who may decide what is `permit.rs`'s (one home per rule: `shumari_domain::review::Decision`
//! over the role table); the jurisdiction is the reviewer's areas ([`crate::scope`]), and a
//! household outside it is "not found", as in the household detail. Every decision is recorded in
//! the access audit trail before it is made.

use super::access_audit::{actor_of, AccessAction};
use super::permit::{self, author_of};
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::{
    heads_blob, DeviceAuth, HouseholdSummary, IngestRow, Storage, StoredDoc, User,
};
use automerge::ActorId;
use serde::{Deserialize, Serialize};
use shumari_domain::doc::{EditContext, Editor};
use shumari_domain::review::{Decision, Review};
use shumari_domain::roles::REGISTRY_AUTHOR;
use shumari_domain::{AreaRegistry, FieldPath, HouseholdDoc, Status};
use uuid::Uuid;

/// The device id the registry's own changes are logged under (device ids are never this word).
pub const REGISTRY_DEVICE: &str = "registry";

/// A review decision as a reviewer gives it (the JSON body of `POST /v1/households/{id}/review`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct ReviewRequest {
    /// `approved`, `returned` or `rejected`.
    pub decision: Decision,
    /// Why (required for a return or a rejection).
    #[serde(default)]
    pub comment: String,
    /// The questions (field names) concerned.
    #[serde(default)]
    pub questions: Vec<String>,
}

/// A decision as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reviewed {
    /// Household id.
    pub id: Uuid,
    /// Its reference number.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Its status now.
    pub status: Status,
    /// The decision.
    pub review: Review,
}

/// A change the registry writes into a stored household, as the row that stores it; `None` when
/// the household's status is not `only_from` (when given), so there is nothing to do.
pub(super) fn registry_row(
    stored: &StoredDoc,
    actor: &ActorId,
    areas: &AreaRegistry,
    ctx: &EditContext,
    only_from: Option<Status>,
    message: &str,
    edit: impl FnOnce(&mut Editor<'_>) -> shumari_domain::Result<()>,
) -> shumari_domain::Result<Option<IngestRow>> {
    let mut hd = HouseholdDoc::load(&stored.doc, actor.clone(), REGISTRY_AUTHOR)?;
    if only_from.is_some_and(|s| shumari_domain::doc::status(hd.automerge()).ok() != Some(s)) {
        return Ok(None);
    }
    let before = hd.heads();
    hd.edit(areas, ctx, message, edit)?;
    let audit = hd
        .automerge()
        .get_changes_meta(&before)
        .into_iter()
        .map(|m| (m.hash.0, m.actor.to_bytes().to_vec()))
        .collect();
    let conflicts = u32::try_from(hd.conflicts()?.len()).unwrap_or(u32::MAX);
    let projection = hd.projection(conflicts)?;
    let log_changes = hd.automerge().save_after(&before);
    let doc = hd.save();
    let heads = heads_blob(&hd.heads().iter().map(|h| h.0).collect::<Vec<_>>());
    Ok(Some(IngestRow {
        id: stored.id,
        expected_heads: Some(stored.heads.clone()),
        prev_area: Some(stored.area.clone()),
        doc,
        heads,
        projection,
        log_changes,
        audit,
        signatures: Vec::new(),
    }))
}

fn internal(e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Internal(e.to_string())
}

impl<S: Storage> Registry<S> {
    /// The registry's own automerge actor, made on first use and stored (the first process to store
    /// one wins), then kept in memory.
    pub(super) async fn own_actor(&self) -> Result<ActorId> {
        let bytes = self
            .own_actor
            .get_or_try_init(|| async {
                let candidate = ActorId::random().to_bytes().to_vec();
                self.storage.registry_actor(&candidate, now_ms()).await
            })
            .await?;
        Ok(ActorId::from(bytes.as_slice()))
    }

    /// Moves the pushed households `ids` that are `complete` at the registry to `submitted`: the
    /// registry's acknowledgement that it holds the completed interview. Called by the push, under
    /// its lock, once the batch is stored.
    pub(super) async fn acknowledge_submissions(
        &self,
        auth: &DeviceAuth,
        mut ids: Vec<Uuid>,
    ) -> Result<()> {
        // A hub's registry leaves the acknowledgement to the centre (`Config::relay`).
        if ids.is_empty() || self.config.relay || !permit::submits(&auth.user) {
            return Ok(());
        }
        let actor = self.own_actor().await?;
        let ctx = EditContext::new(author_of(&auth.user), chrono::Utc::now());
        for _attempt in 0..3 {
            if ids.is_empty() {
                break;
            }
            let stored = self.storage.load_docs(&ids).await?;
            let (areas, actor2, ctx2) = (self.areas.clone(), actor.clone(), ctx.clone());
            let rows = tokio::task::spawn_blocking(move || {
                stored
                    .iter()
                    .flatten()
                    .filter_map(|s| {
                        let only = Some(Status::Complete);
                        registry_row(s, &actor2, &areas, &ctx2, only, "submitted", |e| {
                            e.set(&FieldPath::Status, &serde_json::json!("submitted"))
                        })
                        // A household the registry cannot rewrite stays complete; it is not the
                        // device's fault, and its push was accepted.
                        .inspect_err(|e| tracing::warn!(household = %s.id, error = %e, "could not acknowledge a submission"))
                        .ok()
                        .flatten()
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .map_err(internal)?;
            let n = rows.len();
            ids = self
                .storage
                .commit_ingest(REGISTRY_DEVICE, &auth.user.id, rows, now_ms())
                .await?;
            tracing::info!(households = n - ids.len(), "acknowledged as submitted");
        }
        Ok(())
    }

    /// The user `user_id` acting at the registry's own command line (`--as`): refused when unknown
    /// or disabled. What the user may do is checked by each action.
    pub async fn acting_user(&self, user_id: &str) -> Result<User> {
        match self.storage.user_disabled_at(user_id).await? {
            None => Err(RegistryError::NotFound(format!("no user `{user_id}`"))),
            Some(Some(_)) => Err(RegistryError::Forbidden(format!(
                "user `{user_id}` is disabled"
            ))),
            Some(None) => self
                .storage
                .user(user_id)
                .await?
                .ok_or_else(|| RegistryError::NotFound(format!("no user `{user_id}`"))),
        }
    }

    /// The review queue: households in `status` within `area` (and what is under it; `None`: all),
    /// limited to `user`'s scope when given, by reference. Recorded like the household list.
    pub async fn review_list(
        &self,
        user: Option<&User>,
        status: Status,
        area: Option<&str>,
    ) -> Result<Vec<HouseholdSummary>> {
        Ok(self
            .household_list(user, area)
            .await?
            .into_iter()
            .filter(|r| r.status == status)
            .collect())
    }

    /// Records `user`'s decision on the household `id_or_ref` (id or reference number): checked
    /// against the role table from the household's status at the registry and against the user's
    /// areas, written into the document with the new status, stored and logged for the feed, and
    /// recorded in the access audit trail.
    pub async fn review(
        &self,
        user: &User,
        id_or_ref: &str,
        req: ReviewRequest,
    ) -> Result<Reviewed> {
        // A role that reviews nothing learns nothing about the household.
        permit::decision(user, Status::Submitted, req.decision).or_else(|e| match e {
            RegistryError::Transition(_) => Ok(()),
            e => Err(e),
        })?;
        let at = chrono::Utc::now();
        let review = Review::new(
            req.decision,
            &user.id,
            &user.name,
            at,
            &req.comment,
            req.questions,
        )
        .map_err(|e| RegistryError::BadRequest(e.to_string()))?;
        let not_found = || RegistryError::NotFound(format!("no household `{id_or_ref}`"));
        let id = self
            .storage
            .resolve(id_or_ref)
            .await?
            .ok_or_else(not_found)?;
        let actor = self.own_actor().await?;
        let ctx = EditContext::new(author_of(user), at);
        let _guard = self.ingest.lock().await;
        let mut recorded = false;
        for _attempt in 0..3 {
            let stored = self
                .storage
                .load_docs(&[id])
                .await?
                .into_iter()
                .flatten()
                .next()
                .ok_or_else(not_found)?;
            let in_scope = self.scope(user).contains(&stored.area);
            if !recorded {
                let outcome = if in_scope { "decided" } else { "out_of_scope" };
                self.record_access(
                    AccessAction::HouseholdReview,
                    actor_of(Some(user)),
                    Some(&id.to_string()),
                    Some(format!("decision={} outcome={outcome}", review.decision)),
                )
                .await?;
                recorded = true;
            }
            if !in_scope {
                return Err(not_found());
            }
            let from = HouseholdDoc::from_automerge(
                automerge::AutoCommit::load(&stored.doc).map_err(internal)?,
            )
            .and_then(|hd| hd.household())
            .map_err(internal)?
            .status;
            permit::decision(user, from, review.decision)?;
            if review.decision == Decision::Approved {
                self.approval_blocked(id).await?;
            }
            let (areas, actor2, ctx2, r) = (
                self.areas.clone(),
                actor.clone(),
                ctx.clone(),
                review.clone(),
            );
            let row = tokio::task::spawn_blocking(move || {
                registry_row(&stored, &actor2, &areas, &ctx2, None, "review", |e| {
                    e.review(&r)
                })
            })
            .await
            .map_err(internal)?
            .map_err(|e| {
                RegistryError::BadRequest(format!("the household cannot be reviewed: {e}"))
            })?
            .ok_or_else(|| internal("the review wrote nothing"))?;
            let reference = row.projection.summary.reference.clone();
            let status = row.projection.summary.status;
            let stale = self
                .storage
                .commit_ingest(REGISTRY_DEVICE, &user.id, vec![row], now_ms())
                .await?;
            if stale.is_empty() {
                tracing::info!(household = %id, decision = %review.decision, "review recorded");
                return Ok(Reviewed {
                    id,
                    reference,
                    status,
                    review,
                });
            }
        }
        Err(RegistryError::Storage(crate::storage::StorageError::Other(
            "the household kept changing during the review; try again".into(),
        )))
    }
}
