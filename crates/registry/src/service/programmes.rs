//! Programmes at the registry: programme files loaded and listed, each household's eligibility and
//! enrolment, and the planned payments a payment cycle is made from. The rules are the programme
//! file's, applied by `shumari_programmes`; this module stores, scopes and audits.
//!
//! - **Load** ([`Registry::load_programme`]): a file is checked as `programme check` checks it and
//!   stored by (id, version). Loading the same file again changes nothing; another file under a
//!   stored (id, version) is refused (raise the version). The rules in force for a programme are
//!   its latest load.
//! - **Eligibility and enrolment runs** (`programme_runs.rs`): jobs with progress, over the
//!   households in the officer's areas.
//! - **Enrolment status** ([`Registry::set_enrolment`]): enrolled, suspended, exited, with every
//!   change kept in a history (from, to, by, at, reason). Exited is final.
//! - **Reads for other features**: [`Registry::eligibility_of`] and [`Registry::enrolments_of`]
//!   (unscoped: for callers that already proved who they are, such as the citizen portal after its
//!   look-up, which audits the look-up itself) and [`Registry::planned_payments`]
//!   (`programme_payments.rs`: scoped to the preparing officer's areas, audited), one line per
//!   enrolled household, computed with the programme's entitlement rules.
//!
//! Every write and every read of personal data here is recorded in the access audit trail first.

use super::access_audit::{actor_of, AccessAction};
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::programmes::{EnrolmentChange, ProgrammeRow};
use crate::storage::{Storage, StoredDoc, User};
use serde::Serialize;
use shumari_domain::roles::{allows, Action};
use shumari_domain::{Household, HouseholdDoc};
use shumari_programmes::{Programme, Reason};
use shumari_sms::{Notice, ProgrammeStatus};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Households read per page (one storage read each).
pub(super) const PAGE: usize = 500;

/// A household's status in a programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    /// Receives payments.
    Enrolled,
    /// Receives nothing until reinstated.
    Suspended,
    /// Left the programme (final).
    Exited,
}

impl EnrolmentStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EnrolmentStatus::Enrolled => "enrolled",
            EnrolmentStatus::Suspended => "suspended",
            EnrolmentStatus::Exited => "exited",
        }
    }

    /// Reads a status name.
    pub fn parse(s: &str) -> Result<EnrolmentStatus> {
        match s {
            "enrolled" => Ok(EnrolmentStatus::Enrolled),
            "suspended" => Ok(EnrolmentStatus::Suspended),
            "exited" => Ok(EnrolmentStatus::Exited),
            other => Err(RegistryError::BadRequest(format!(
                "`{other}` is not an enrolment status; use enrolled, suspended or exited"
            ))),
        }
    }

    /// Whether an officer may move an enrolment from `self` to `to`: suspend or exit an
    /// enrolled household, reinstate or exit a suspended one; an exit is final.
    pub fn may_become(self, to: EnrolmentStatus) -> bool {
        use EnrolmentStatus::*;
        matches!(
            (self, to),
            (Enrolled, Suspended)
                | (Enrolled, Exited)
                | (Suspended, Enrolled)
                | (Suspended, Exited)
        )
    }
}

/// A programme's households in a user's areas, counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgrammeReach {
    /// Programme id.
    pub id: String,
    /// English name.
    pub name_en: String,
    /// Urdu name.
    pub name_ur: String,
    /// Households eligible (enrolled or not).
    pub eligible: u64,
    /// Households enrolled.
    pub enrolled: u64,
}

/// A programme as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgrammeInfo {
    /// Id.
    pub id: String,
    /// Version in force.
    pub version: String,
    /// English name.
    pub name_en: String,
    /// Urdu name.
    pub name_ur: String,
    /// Instalments a year.
    pub instalments_per_year: u32,
    /// The PMT limit.
    pub pmt_at_most: f64,
    /// Who loaded this version.
    pub loaded_by: String,
    /// When (ms since epoch).
    pub loaded_at: i64,
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadOutcome {
    /// Programme id.
    pub id: String,
    /// Version.
    pub version: String,
    /// `false`: this very file was loaded before; nothing changed.
    pub loaded: bool,
}

/// A household's eligibility for one programme, as last decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgrammeEligibility {
    /// Programme id.
    pub programme: String,
    /// The version of its rules that decided.
    pub programme_version: String,
    /// Eligible.
    pub eligible: bool,
    /// Why, in plain words (English and Urdu).
    pub reasons: Vec<Reason>,
    /// The PMT score used (`None`: the household had none).
    pub score: Option<f64>,
    /// The PMT model that gave it.
    pub model_version: Option<String>,
    /// When (ms since epoch).
    pub decided_at: i64,
}

/// One change of an enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnrolmentEvent {
    /// Status before (`None`: the enrolment).
    pub from: Option<String>,
    /// Status after.
    pub to: String,
    /// Who (user id, or `console`).
    pub by: String,
    /// When (ms since epoch).
    pub at: i64,
    /// Why.
    pub reason: String,
}

/// A household's enrolment in one programme, with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrolment {
    /// Programme id.
    pub programme: String,
    /// Status now.
    pub status: EnrolmentStatus,
    /// Since when (ms since epoch).
    pub since: i64,
    /// Every change, oldest first.
    pub history: Vec<EnrolmentEvent>,
}

/// What `enrolment show` prints: a household's eligibility and enrolments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdProgrammes {
    /// Household id.
    pub household: Uuid,
    /// Reference number.
    pub reference: String,
    /// Area.
    pub area: String,
    /// Eligibility per programme.
    pub eligibility: Vec<ProgrammeEligibility>,
    /// Enrolments.
    pub enrolments: Vec<Enrolment>,
}

pub(super) fn internal(e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Internal(e.to_string())
}

/// Refuses a role the table does not give `action`.
pub(super) fn may(user: &User, action: Action) -> Result<()> {
    if allows(user.role, action) {
        return Ok(());
    }
    Err(RegistryError::Forbidden(format!(
        "a {} may not {action}",
        user.role.title()
    )))
}

/// A stored household as the domain reads it (`None`: the document does not read).
pub(super) fn household_of(s: &StoredDoc) -> Option<Household> {
    let am = automerge::AutoCommit::load(&s.doc).ok()?;
    HouseholdDoc::from_automerge(am)
        .and_then(|hd| hd.household())
        .inspect_err(
            |e| tracing::warn!(household = %s.id, error = %e, "a stored household does not read"),
        )
        .ok()
}

/// Reads a stored programme file (the registry checked it when it was loaded).
pub(super) fn parse(row: &ProgrammeRow) -> Result<Programme> {
    Programme::from_toml_str(&row.source).map_err(internal)
}

impl<S: Storage> Registry<S> {
    /// Loads a programme file as `user` (a programme officer). Loading a file already loaded is a
    /// no-op; a different file under a loaded (id, version) is refused.
    pub async fn load_programme(&self, user: &User, source: &str) -> Result<LoadOutcome> {
        may(user, Action::ManageProgrammes)?;
        let p = Programme::from_toml_str(source)
            .map_err(|e| RegistryError::BadRequest(e.to_string()))?;
        if let Some(old) = self.storage.programme_version(&p.id, &p.version).await? {
            if old.source != source {
                return Err(RegistryError::BadRequest(format!(
                    "programme `{}` version `{}` is already loaded with other rules; give the new rules a new version",
                    p.id, p.version
                )));
            }
            return Ok(LoadOutcome {
                id: p.id,
                version: p.version,
                loaded: false,
            });
        }
        self.record_access(
            AccessAction::ProgrammeLoad,
            actor_of(Some(user)),
            Some(&p.id),
            Some(format!("version={}", p.version)),
        )
        .await?;
        let loaded = self
            .storage
            .put_programme(&ProgrammeRow {
                id: p.id.clone(),
                version: p.version.clone(),
                name_en: p.name.0.clone(),
                name_ur: p.name.1.clone(),
                source: source.to_string(),
                loaded_by: user.id.clone(),
                loaded_at: now_ms(),
            })
            .await?;
        Ok(LoadOutcome {
            id: p.id,
            version: p.version,
            loaded,
        })
    }

    /// The programmes in force (the latest load of each), for a user who reads or manages them.
    pub async fn programmes(&self, user: &User) -> Result<Vec<ProgrammeInfo>> {
        if !allows(user.role, Action::ManageProgrammes) {
            may(user, Action::ReadPayments)?;
        }
        self.programmes_in_force()
            .await?
            .into_iter()
            .map(|(row, p)| {
                Ok(ProgrammeInfo {
                    id: row.id,
                    version: row.version,
                    name_en: row.name_en,
                    name_ur: row.name_ur,
                    instalments_per_year: p.instalments_per_year,
                    pmt_at_most: p.pmt_at_most,
                    loaded_by: row.loaded_by,
                    loaded_at: row.loaded_at,
                })
            })
            .collect()
    }

    /// Every programme in force with the households in `user`'s areas (only `area` when given;
    /// an area outside them is "not found") eligible for it and enrolled in it (status
    /// `enrolled`). Read from the maintained per-area counts (`programme_area_counts`, V25), never
    /// the households. Counts only, so not on the access trail; for a user who reads households or
    /// payments or manages programmes.
    pub async fn programme_reach(
        &self,
        user: &User,
        area: Option<&str>,
    ) -> Result<Vec<ProgrammeReach>> {
        if !allows(user.role, Action::ManageProgrammes)
            && !allows(user.role, Action::ReadHouseholds)
        {
            may(user, Action::ReadPayments)?;
        }
        let areas = self.dashboard_areas(user, area)?;
        let programmes = self.storage.programmes().await?;
        if programmes.is_empty() {
            return Ok(Vec::new());
        }
        let mut counts: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
        for a in &areas {
            for c in self.storage.programme_counts_under(a).await? {
                let e = counts.entry(c.programme_id).or_default();
                e.0 += c.eligible;
                e.1 += c.enrolled;
            }
        }
        Ok(programmes
            .into_iter()
            .map(|row| {
                let (eligible, enrolled) = counts.get(&row.id).copied().unwrap_or_default();
                ProgrammeReach {
                    eligible,
                    enrolled,
                    id: row.id,
                    name_en: row.name_en,
                    name_ur: row.name_ur,
                }
            })
            .collect())
    }

    /// (id, English name, Urdu name) of every programme in force: public information (the citizen
    /// status page names the programmes a household is eligible for), so no user is asked.
    pub async fn programme_names(&self) -> Result<Vec<(String, String, String)>> {
        Ok(self
            .storage
            .programmes()
            .await?
            .into_iter()
            .map(|r| (r.id, r.name_en, r.name_ur))
            .collect())
    }

    /// A programme's Urdu name (its id when it has none), for citizens' SMS.
    pub(super) async fn programme_name_ur(&self, programme: &str) -> String {
        self.programme_names()
            .await
            .ok()
            .and_then(|names| names.into_iter().find(|(id, _, _)| id == programme))
            .map_or_else(|| programme.to_string(), |(_, _, ur)| ur)
    }

    /// Every programme in force with its checked rules.
    pub(super) async fn programmes_in_force(&self) -> Result<Vec<(ProgrammeRow, Programme)>> {
        self.storage
            .programmes()
            .await?
            .into_iter()
            .map(|row| parse(&row).map(|p| (row, p)))
            .collect()
    }

    /// One programme in force.
    pub(super) async fn programme_in_force(&self, id: &str) -> Result<Programme> {
        self.programmes_in_force()
            .await?
            .into_iter()
            .find(|(r, _)| r.id == id)
            .map(|(_, p)| p)
            .ok_or_else(|| {
                RegistryError::NotFound(format!(
                    "no programme `{id}`; load its file with `shumari registry programme load`"
                ))
            })
    }

    /// A household's eligibility per programme, as last decided. Unscoped and not audited: for
    /// callers that already proved who they are (the citizen portal after its look-up, the console
    /// after its own scope check).
    pub async fn eligibility_of(&self, household_id: Uuid) -> Result<Vec<ProgrammeEligibility>> {
        self.storage
            .eligibility_rows(household_id)
            .await?
            .into_iter()
            .map(|r| {
                Ok(ProgrammeEligibility {
                    programme: r.programme_id,
                    programme_version: r.programme_version,
                    eligible: r.eligible,
                    reasons: serde_json::from_str(&r.reasons).map_err(internal)?,
                    score: r.score,
                    model_version: r.model_version,
                    decided_at: r.computed_at,
                })
            })
            .collect()
    }

    /// A household's enrolments with their history. Unscoped and not audited, like
    /// [`Registry::eligibility_of`].
    pub async fn enrolments_of(&self, household_id: Uuid) -> Result<Vec<Enrolment>> {
        let rows = self.storage.enrolment_rows(household_id).await?;
        let mut history: BTreeMap<String, Vec<EnrolmentEvent>> = BTreeMap::new();
        for c in self.storage.enrolment_history(household_id).await? {
            history
                .entry(c.programme_id)
                .or_default()
                .push(EnrolmentEvent {
                    from: c.from,
                    to: c.to,
                    by: c.by,
                    at: c.at,
                    reason: c.reason,
                });
        }
        rows.into_iter()
            .map(|r| {
                Ok(Enrolment {
                    status: EnrolmentStatus::parse(&r.status).map_err(internal)?,
                    since: r.since,
                    history: history.remove(&r.programme_id).unwrap_or_default(),
                    programme: r.programme_id,
                })
            })
            .collect()
    }

    /// The household `id_or_ref` in `user`'s areas (outside them: "not found", as everywhere).
    async fn household_in_scope(
        &self,
        user: &User,
        id_or_ref: &str,
    ) -> Result<shumari_domain::HouseholdSummary> {
        let found = match self.storage.resolve(id_or_ref).await? {
            Some(id) => self.storage.summaries_of(&[id]).await?.into_iter().next(),
            None => None,
        };
        found
            .filter(|s| self.scope(user).contains(&s.area))
            .ok_or_else(|| RegistryError::NotFound(format!("no household `{id_or_ref}`")))
    }

    /// A household's eligibility and enrolments, for a user who reads programmes in its area.
    pub async fn enrolment_show(
        &self,
        user: &User,
        id_or_ref: &str,
    ) -> Result<HouseholdProgrammes> {
        if !allows(user.role, Action::ManageProgrammes) {
            may(user, Action::ReadPayments)?;
        }
        let found = self.household_in_scope(user, id_or_ref).await;
        self.record_access(
            AccessAction::EnrolmentShow,
            actor_of(Some(user)),
            found.as_ref().ok().map(|s| s.id.to_string()).as_deref(),
            Some(format!(
                "outcome={}",
                if found.is_ok() { "shown" } else { "not_found" }
            )),
        )
        .await?;
        let s = found?;
        Ok(HouseholdProgrammes {
            household: s.id,
            reference: s.reference.clone(),
            area: s.area.clone(),
            eligibility: self.eligibility_of(s.id).await?,
            enrolments: self.enrolments_of(s.id).await?,
        })
    }

    /// Moves a household's enrolment in `programme` to `status` (suspended, exited, or enrolled
    /// again from suspended), with the officer's reason kept in its history.
    pub async fn set_enrolment(
        &self,
        user: &User,
        id_or_ref: &str,
        programme: &str,
        status: EnrolmentStatus,
        reason: &str,
    ) -> Result<Enrolment> {
        may(user, Action::ManageProgrammes)?;
        if reason.trim().is_empty() {
            return Err(RegistryError::BadRequest(
                "give a reason: it is kept in the enrolment's history".into(),
            ));
        }
        let s = self.household_in_scope(user, id_or_ref).await?;
        let current = self
            .enrolments_of(s.id)
            .await?
            .into_iter()
            .find(|e| e.programme == programme)
            .ok_or_else(|| {
                RegistryError::NotFound(format!(
                    "household {} is not enrolled in `{programme}`",
                    s.reference
                ))
            })?;
        if !current.status.may_become(status) {
            return Err(RegistryError::Transition(format!(
                "an enrolment that is {} cannot become {}",
                current.status.as_str(),
                status.as_str()
            )));
        }
        self.record_access(
            AccessAction::EnrolmentSet,
            actor_of(Some(user)),
            Some(&s.id.to_string()),
            Some(format!(
                "programme={programme} from={} to={}",
                current.status.as_str(),
                status.as_str()
            )),
        )
        .await?;
        let moved = self
            .storage
            .set_enrolment(&EnrolmentChange {
                household_id: s.id,
                programme_id: programme.to_string(),
                from: Some(current.status.as_str().to_string()),
                to: status.as_str().to_string(),
                by: user.id.clone(),
                at: now_ms(),
                reason: reason.trim().to_string(),
            })
            .await?;
        if !moved {
            return Err(RegistryError::Transition(
                "the enrolment was changed meanwhile; look at it again".into(),
            ));
        }
        let notice = Notice::StatusChanged {
            programme: self.programme_name_ur(programme).await,
            status: match status {
                EnrolmentStatus::Enrolled => ProgrammeStatus::Enrolled,
                EnrolmentStatus::Suspended => ProgrammeStatus::Suspended,
                EnrolmentStatus::Exited => ProgrammeStatus::Exited,
            },
        };
        self.tell_households(vec![(s.id, notice)]).await;
        self.enrolments_of(s.id)
            .await?
            .into_iter()
            .find(|e| e.programme == programme)
            .ok_or_else(|| internal("the enrolment vanished"))
    }
}

#[cfg(test)]
mod tests {
    use super::EnrolmentStatus::*;

    #[test]
    fn an_exit_is_final_and_a_suspension_can_be_lifted() {
        assert!(Enrolled.may_become(Suspended));
        assert!(Enrolled.may_become(Exited));
        assert!(Suspended.may_become(Enrolled));
        assert!(Suspended.may_become(Exited));
        assert!(!Exited.may_become(Enrolled));
        assert!(!Exited.may_become(Suspended));
        assert!(!Enrolled.may_become(Enrolled));
    }
}
