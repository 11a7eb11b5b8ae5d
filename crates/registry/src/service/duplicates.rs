//! The duplicates queue: one CNIC or B-form number carried by members of two or more households is a
//! case for the district office to resolve ([`crate::storage::CaseStore`]).
//!
//! **Detection.** After a push is stored, the registry looks up the ID numbers of the households it
//! stored in the `member_ids` index (the index behind `GET /v1/households?cnic=`) and opens a case for
//! each number more than one household carries ([`Registry::after_ingest`] calls
//! [`Registry::detect_duplicates`]); [`Registry::scan_duplicates`] makes the same pass over the whole
//! registry (for households stored before, or a detection that failed). A number has at most one
//! open case; a third household carrying it joins the open case. A closed case keeps the households
//! it covered, so the same households never open the same case again: only a household new to the
//! number does. A case is queued in the district of its first household.
//!
//! **Resolution** ([`Registry::resolve_duplicate`]), by a role that may approve households
//! (supervisor, district officer) whose areas hold every household of the case:
//! - *keep*: the member stays in the household named, and the members carrying the number are
//!   removed from every other household of the case: a change the registry writes as its own
//!   actor, like a review decision (`review.rs`), so it reaches the tablets with their next sync (a
//!   removal is a flag: a concurrent edit of the member survives);
//! - *data error*: the number was recorded wrongly; nothing is removed, the case closes (the
//!   surveyor corrects the number, and a number still shared by other households opens a new case
//!   only for a household that was not in this one);
//! - *dismiss*: not a duplicate (twins given one B-form number by mistake at NADRA, say).
//!
//! **Identity cases.** The queue also holds what an identity verification found
//! (`service/identity.rs`): a number the national ID authority does not know ([`CaseKind::NotFound`])
//! or holds with other particulars ([`CaseKind::Mismatch`], the fields in [`DuplicateCase::detail`]),
//! one household each, opened through [`Registry::open_identity_case`]: at most one open case per
//! number and kind, and never again for a household a case of that kind covered. They close as a data
//! error (the surveyor corrects the record) or are dismissed; *keep* is for shared numbers only.
//!
//! Each resolution is recorded on the case (who, when, which household kept the member, a note) and
//! in the access audit trail before it is made. **A household with an open case is not approved**:
//! [`Registry::approval_blocked`] is the one home of that rule, called by the review.

use super::access_audit::{actor_of, AccessAction};
use super::permit::author_of;
use super::review::{registry_row, REGISTRY_DEVICE};
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::casework::{CaseClosing, CaseRow};
use crate::storage::{HouseholdSummary, Storage, User};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};
use shumari_domain::area::AreaLevel;
use shumari_domain::doc::EditContext;
use shumari_domain::roles::{allows, Action};
use shumari_domain::{HouseholdDoc, Status};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

fn rfc3339<S: Serializer>(t: &DateTime<Utc>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339())
}

fn rfc3339_opt<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_rfc3339()),
        None => s.serialize_none(),
    }
}

fn time_of(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Waiting for the district office.
    Open,
    /// The member was kept in one household and removed from the others.
    Resolved,
    /// The number was recorded wrongly.
    DataError,
    /// Not a duplicate.
    Dismissed,
}

impl CaseState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Open => "open",
            CaseState::Resolved => "resolved",
            CaseState::DataError => "data_error",
            CaseState::Dismissed => "dismissed",
        }
    }

    /// A state by its name.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "open" => CaseState::Open,
            "resolved" => CaseState::Resolved,
            "data_error" => CaseState::DataError,
            "dismissed" => CaseState::Dismissed,
            other => {
                return Err(RegistryError::BadRequest(format!(
                    "`{other}` is not a case state (open, resolved, data_error, dismissed)"
                )))
            }
        })
    }
}

/// What a case is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// Several households carry the number.
    SharedNumber,
    /// The national ID authority does not know the number.
    NotFound,
    /// The authority holds the number with other particulars.
    Mismatch,
}

impl CaseKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::SharedNumber => "shared_number",
            CaseKind::NotFound => "not_found",
            CaseKind::Mismatch => "mismatch",
        }
    }

    /// A kind by its stored name.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "shared_number" => CaseKind::SharedNumber,
            "not_found" => CaseKind::NotFound,
            "mismatch" => CaseKind::Mismatch,
            other => return Err(internal(format!("`{other}` is not a case kind"))),
        })
    }
}

/// How a reviewer closes a case (the JSON body of `POST /v1/duplicates/{case}/resolve`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "resolution", rename_all = "snake_case")]
pub enum Resolution {
    /// Keep the member in this household (id or reference number); remove it from the others.
    Keep {
        /// The household that keeps the member.
        household: String,
        /// A note.
        #[serde(default)]
        note: String,
    },
    /// The number was recorded wrongly.
    DataError {
        /// A note.
        #[serde(default)]
        note: String,
    },
    /// Not a duplicate.
    Dismiss {
        /// A note.
        #[serde(default)]
        note: String,
    },
}

/// One household of a case, as the queue shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CaseHousehold {
    /// Household id.
    pub id: Uuid,
    /// Its list row; `None` when it is outside the caller's areas (only its existence is shown).
    pub household: Option<HouseholdSummary>,
}

/// A case of the duplicates queue.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DuplicateCase {
    /// Case id.
    pub id: String,
    /// The shared CNIC/B-form number (13 digits).
    pub id_number: String,
    /// What the case is about.
    pub kind: CaseKind,
    /// For a mismatch, the fields the ID authority holds otherwise (`;`-joined).
    pub detail: Option<String>,
    /// The district whose queue holds it.
    pub area: String,
    /// Where it stands.
    pub state: CaseState,
    /// When it opened.
    #[serde(serialize_with = "rfc3339")]
    pub opened_at: DateTime<Utc>,
    /// When it was closed.
    #[serde(serialize_with = "rfc3339_opt")]
    pub closed_at: Option<DateTime<Utc>>,
    /// Who closed it (user id).
    pub closed_by: Option<String>,
    /// The household that kept the member.
    pub kept: Option<Uuid>,
    /// The resolver's note.
    pub note: Option<String>,
    /// The households carrying the number.
    pub households: Vec<CaseHousehold>,
}

/// Refuses a role that does not resolve duplicates: the roles that approve households do.
pub(super) fn may_resolve(user: &User) -> Result<()> {
    if allows(user.role, Action::Step(Status::Submitted, Status::Approved)) {
        return Ok(());
    }
    Err(RegistryError::Forbidden(format!(
        "a {} does not resolve duplicates; a supervisor or district officer does",
        user.role.title()
    )))
}

fn internal(e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Internal(e.to_string())
}

impl<S: Storage> Registry<S> {
    /// The district `area` lies in (the area itself when it is not under a known district).
    pub(super) fn district_of(&self, area: &str) -> String {
        let base = area.split('-').next().unwrap_or(area);
        self.areas
            .path(base)
            .ok()
            .and_then(|p| {
                p.iter()
                    .find(|a| a.level == AreaLevel::District)
                    .map(|a| a.code.clone())
            })
            .unwrap_or_else(|| area.to_string())
    }

    /// Opens cases for numbers shared by `pairs` (number, household), skipping households a case of
    /// the number already covers; returns the cases opened or extended.
    async fn open_cases(&self, pairs: Vec<(String, Uuid)>) -> Result<usize> {
        let mut by_number: BTreeMap<String, BTreeSet<Uuid>> = BTreeMap::new();
        for (n, h) in pairs {
            by_number.entry(n).or_default().insert(h);
        }
        by_number.retain(|_, hs| hs.len() > 1);
        if by_number.is_empty() {
            return Ok(0);
        }
        let numbers: Vec<String> = by_number.keys().cloned().collect();
        let mut known: BTreeMap<String, Vec<CaseRow>> = BTreeMap::new();
        for c in self.storage.cases_of_numbers(&numbers).await? {
            if c.kind != CaseKind::SharedNumber.as_str() {
                continue;
            }
            known.entry(c.id_number.clone()).or_default().push(c);
        }
        let mut changed = 0;
        for (number, households) in by_number {
            let cases = known.remove(&number).unwrap_or_default();
            let covered: BTreeSet<Uuid> = cases
                .iter()
                .flat_map(|c| c.households.iter().copied())
                .collect();
            let new: Vec<Uuid> = households.difference(&covered).copied().collect();
            if new.is_empty() {
                continue;
            }
            if let Some(open) = cases.iter().find(|c| c.state == "open") {
                self.storage.add_case_households(&open.id, &new).await?;
            } else {
                let all: Vec<Uuid> = households.into_iter().collect();
                let first = self.storage.summaries_of(&all[..1]).await?;
                let area = first
                    .first()
                    .map_or_else(String::new, |s| self.district_of(&s.area));
                let case = CaseRow {
                    id: format!("D-{}", &Uuid::now_v7().simple().to_string()[20..]),
                    id_number: number,
                    area,
                    state: CaseState::Open.as_str().into(),
                    opened_at: now_ms(),
                    closed_at: None,
                    closed_by: None,
                    kept: None,
                    note: None,
                    households: all,
                    kind: CaseKind::SharedNumber.as_str().into(),
                    detail: None,
                };
                self.storage.open_case(&case).await?;
                tracing::info!(case = %case.id, households = case.households.len(), "duplicate case opened");
            }
            changed += 1;
        }
        Ok(changed)
    }

    /// Opens an identity case (`kind` not [`CaseKind::SharedNumber`]) for `number` carried by
    /// `household`, unless a case of that number and kind is open or ever covered the household;
    /// returns the case opened or joined, `None` when nothing changed.
    pub async fn open_identity_case(
        &self,
        household: Uuid,
        number: &str,
        kind: CaseKind,
        detail: Option<String>,
    ) -> Result<Option<String>> {
        let _guard = self.scoring.lock().await;
        let cases: Vec<CaseRow> = self
            .storage
            .cases_of_numbers(&[number.to_string()])
            .await?
            .into_iter()
            .filter(|c| c.kind == kind.as_str())
            .collect();
        if cases.iter().any(|c| c.households.contains(&household)) {
            return Ok(None);
        }
        if let Some(open) = cases.iter().find(|c| c.state == CaseState::Open.as_str()) {
            self.storage
                .add_case_households(&open.id, &[household])
                .await?;
            return Ok(Some(open.id.clone()));
        }
        let area = self
            .storage
            .summaries_of(&[household])
            .await?
            .first()
            .map_or_else(String::new, |s| self.district_of(&s.area));
        let case = CaseRow {
            id: format!("D-{}", &Uuid::now_v7().simple().to_string()[20..]),
            id_number: number.to_string(),
            area,
            state: CaseState::Open.as_str().into(),
            opened_at: now_ms(),
            closed_at: None,
            closed_by: None,
            kept: None,
            note: None,
            households: vec![household],
            kind: kind.as_str().into(),
            detail,
        };
        self.storage.open_case(&case).await?;
        tracing::info!(case = %case.id, kind = kind.as_str(), "identity case opened");
        Ok(Some(case.id))
    }

    /// Looks for ID numbers the households `ids` share with other households and opens cases for
    /// them; returns the cases opened or extended.
    pub async fn detect_duplicates(&self, ids: &[Uuid]) -> Result<usize> {
        if ids.is_empty() {
            return Ok(0);
        }
        // Serialised with scoring passes: two pushes never open two cases for one number.
        let _guard = self.scoring.lock().await;
        let pairs = self.storage.sharing_id_numbers(ids).await?;
        self.open_cases(pairs).await
    }

    /// The same over the whole registry (`shumari registry duplicates scan`).
    pub async fn scan_duplicates(&self) -> Result<usize> {
        let _guard = self.scoring.lock().await;
        let pairs = self.storage.all_shared_id_numbers().await?;
        self.open_cases(pairs).await
    }

    fn case_view(
        &self,
        c: CaseRow,
        rows: &BTreeMap<Uuid, HouseholdSummary>,
        user: Option<&User>,
    ) -> Result<DuplicateCase> {
        Ok(DuplicateCase {
            state: CaseState::parse(&c.state).map_err(internal)?,
            kind: CaseKind::parse(&c.kind)?,
            detail: c.detail,
            households: c
                .households
                .iter()
                .map(|h| CaseHousehold {
                    id: *h,
                    household: rows
                        .get(h)
                        .filter(|r| user.is_none_or(|u| self.scope(u).contains(&r.area)))
                        .cloned(),
                })
                .collect(),
            id: c.id,
            id_number: c.id_number,
            area: c.area,
            opened_at: time_of(c.opened_at),
            closed_at: c.closed_at.map(time_of),
            closed_by: c.closed_by,
            kept: c.kept,
            note: c.note,
        })
    }

    /// The duplicates queue: cases in `state` (`None`: every state) with a household in `area`
    /// (and what is under it; `None`: anywhere) and, when `user` is given, in the user's areas;
    /// oldest first. Households of a case outside the user's areas are shown by id only. Recorded
    /// in the access audit trail.
    pub async fn duplicates_list(
        &self,
        user: Option<&User>,
        area: Option<&str>,
        state: Option<CaseState>,
    ) -> Result<Vec<DuplicateCase>> {
        self.settle_derived().await?;
        let cases = self.storage.cases(state.map(CaseState::as_str)).await?;
        let ids: Vec<Uuid> = cases
            .iter()
            .flat_map(|c| c.households.iter().copied())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let rows: BTreeMap<Uuid, HouseholdSummary> = self
            .storage
            .summaries_of(&ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let visible = |h: &Uuid| {
            rows.get(h).is_some_and(|r| {
                user.is_none_or(|u| self.scope(u).contains(&r.area))
                    && area.is_none_or(|a| shumari_domain::area::contains(a, &r.area))
            })
        };
        let out: Vec<DuplicateCase> = cases
            .into_iter()
            .filter(|c| c.households.iter().any(visible))
            .map(|c| self.case_view(c, &rows, user))
            .collect::<Result<_>>()?;
        self.record_access(
            AccessAction::DuplicateList,
            actor_of(user),
            None,
            Some(format!("rows={}", out.len())),
        )
        .await?;
        Ok(out)
    }

    /// One case, as [`Registry::duplicates_list`] shows it (not found outside `user`'s areas).
    pub async fn duplicate_case(
        &self,
        user: Option<&User>,
        case_id: &str,
    ) -> Result<DuplicateCase> {
        let not_found = || RegistryError::NotFound(format!("no duplicate case `{case_id}`"));
        let c = self.storage.case(case_id).await?.ok_or_else(not_found)?;
        let rows: BTreeMap<Uuid, HouseholdSummary> = self
            .storage
            .summaries_of(&c.households)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let view = self.case_view(c, &rows, user)?;
        if view.households.iter().all(|h| h.household.is_none()) {
            return Err(not_found());
        }
        Ok(view)
    }

    /// Refuses approving household `id` while it has an open duplicate case: the one home of that
    /// rule (the review calls it before writing an approval).
    pub async fn approval_blocked(&self, id: Uuid) -> Result<()> {
        // The household's own numbers are looked up now, whatever the queue (or another process's
        // queue) has done yet: a household pushed a moment ago is never approved past its case.
        self.detect_duplicates(&[id]).await?;
        let open = self.storage.open_cases_of(id).await?;
        if open.is_empty() {
            return Ok(());
        }
        Err(RegistryError::Transition(format!(
            "the household has an open duplicate case ({}); resolve it before approving",
            open.join(", ")
        )))
    }

    /// Closes case `case_id` as `user` decides (see the module docs): checked against the user's
    /// role and areas, recorded in the access audit trail, and for *keep* written into the other
    /// households' documents, which reach the tablets with their next sync.
    pub async fn resolve_duplicate(
        &self,
        user: &User,
        case_id: &str,
        resolution: Resolution,
    ) -> Result<DuplicateCase> {
        may_resolve(user)?;
        let not_found = || RegistryError::NotFound(format!("no duplicate case `{case_id}`"));
        let case = self.storage.case(case_id).await?.ok_or_else(not_found)?;
        let rows = self.storage.summaries_of(&case.households).await?;
        let in_scope = |h: &Uuid| {
            rows.iter()
                .any(|r| r.id == *h && self.scope(user).contains(&r.area))
        };
        let all_in_scope = case.households.iter().all(in_scope);
        let (state, kept, note) = match &resolution {
            Resolution::Keep { .. } if case.kind != CaseKind::SharedNumber.as_str() => {
                return Err(RegistryError::BadRequest(format!(
                    "case {case_id} is an identity case of one household; mark it a data error or dismiss it"
                )));
            }
            Resolution::Keep { household, note } => {
                let id = self.storage.resolve(household).await?;
                let id = id
                    .filter(|id| case.households.contains(id))
                    .ok_or_else(|| {
                        RegistryError::BadRequest(format!(
                            "household `{household}` is not one of case {case_id}'s households"
                        ))
                    })?;
                (CaseState::Resolved, Some(id), note)
            }
            Resolution::DataError { note } => (CaseState::DataError, None, note),
            Resolution::Dismiss { note } => (CaseState::Dismissed, None, note),
        };
        self.record_access(
            AccessAction::DuplicateResolve,
            actor_of(Some(user)),
            Some(case_id),
            Some(format!(
                "state={} outcome={}",
                state.as_str(),
                if all_in_scope {
                    "decided"
                } else {
                    "out_of_scope"
                }
            )),
        )
        .await?;
        if !case.households.iter().any(in_scope) {
            return Err(not_found());
        }
        if !all_in_scope {
            return Err(RegistryError::Forbidden(format!(
                "case {case_id} holds households outside your areas; an officer over all of them resolves it"
            )));
        }
        if case.state != CaseState::Open.as_str() {
            return Err(RegistryError::Transition(format!(
                "case {case_id} is already closed ({})",
                case.state
            )));
        }
        if let Some(keep) = kept {
            let others: Vec<Uuid> = case
                .households
                .iter()
                .copied()
                .filter(|h| *h != keep)
                .collect();
            self.remove_number_from(user, &others, &case.id_number)
                .await?;
        }
        let closing = CaseClosing {
            state: state.as_str().into(),
            by: user.id.clone(),
            kept,
            note: Some(note.trim().to_string()).filter(|n| !n.is_empty()),
            at: now_ms(),
        };
        if !self.storage.close_case(case_id, &closing).await? {
            return Err(RegistryError::Transition(format!(
                "case {case_id} was closed meanwhile"
            )));
        }
        tracing::info!(case = %case_id, state = state.as_str(), "duplicate case closed");
        if kept.is_some() {
            // The roster changed: the scores follow.
            self.score_households(&case.households).await?;
        }
        self.duplicate_case(Some(user), case_id).await
    }

    /// Removes the members carrying `number` from the households `ids`, as the registry's own
    /// change made for `user` (serialised with pushes by the ingest lock, retried on new heads).
    async fn remove_number_from(&self, user: &User, ids: &[Uuid], number: &str) -> Result<()> {
        let actor = self.own_actor().await?;
        let ctx = EditContext::new(author_of(user), chrono::Utc::now());
        let _guard = self.ingest.lock().await;
        let mut pending: Vec<Uuid> = ids.to_vec();
        for _attempt in 0..3 {
            if pending.is_empty() {
                return Ok(());
            }
            let stored = self.storage.load_docs(&pending).await?;
            let (areas, actor2, ctx2, number2) = (
                self.areas.clone(),
                actor.clone(),
                ctx.clone(),
                number.to_string(),
            );
            let rows = tokio::task::spawn_blocking(move || {
                let mut rows = Vec::new();
                for s in stored.iter().flatten() {
                    let am = automerge::AutoCommit::load(&s.doc).map_err(internal)?;
                    let members: Vec<Uuid> = HouseholdDoc::from_automerge(am)
                        .and_then(|hd| hd.household())
                        .map_err(internal)?
                        .members
                        .iter()
                        .filter(|m| m.id_number.as_ref().is_some_and(|n| n.digits() == number2))
                        .map(|m| m.id)
                        .collect();
                    if members.is_empty() {
                        continue;
                    }
                    let row =
                        registry_row(s, &actor2, &areas, &ctx2, None, "duplicate resolved", |e| {
                            members.iter().try_for_each(|m| e.remove_member(*m))
                        })
                        .map_err(internal)?;
                    rows.extend(row);
                }
                Ok::<_, RegistryError>(rows)
            })
            .await
            .map_err(internal)??;
            pending = self
                .storage
                .commit_ingest(REGISTRY_DEVICE, &user.id, rows, now_ms())
                .await?;
        }
        if pending.is_empty() {
            Ok(())
        } else {
            Err(RegistryError::Storage(crate::storage::StorageError::Other(
                "the households kept changing while the case was resolved; try again".into(),
            )))
        }
    }
}
