//! Administration and dashboards: users and their enrollment codes (the CLI's `registry user add`
//! and `registry enroll-code`), and households as JSON (`registry household list|show` and
//! `GET /v1/households[/{id}]`), in the same shape as the device's `household list|show --json`.
//! Each of them appends a row to the access audit trail (`access_audit.rs`); a read is answered only
//! once its row is stored.

use super::access_audit::{actor_of, AccessAction, CONSOLE};
use super::{now_ms, sha, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::{AuditEntry, HouseholdSummary, Storage, User};
use automerge::AutoCommit;
use chrono::{DateTime, Utc};
use rand::Rng;
use serde::{Serialize, Serializer};
use shumari_domain::doc::HistoryEntry;
use shumari_domain::roles::{allows, Action};
use shumari_domain::{Conflict, Household, HouseholdDoc};
use shumari_proto::Role;
use uuid::Uuid;

/// Times in answers are RFC 3339 with an explicit offset (`2025-01-31T08:00:00.123+00:00`).
fn rfc3339<S: Serializer>(t: &DateTime<Utc>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339())
}

fn time_of(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Which device and user brought one change to the registry, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    /// Change hash (hex).
    pub change: String,
    /// Automerge actor (hex).
    pub actor: String,
    /// Device id.
    pub device: String,
    /// User id.
    pub user: String,
    /// When it arrived.
    #[serde(serialize_with = "rfc3339")]
    pub at: DateTime<Utc>,
}

impl From<AuditEntry> for AuditRow {
    fn from(a: AuditEntry) -> Self {
        AuditRow {
            change: a.change,
            actor: a.actor,
            device: a.device_id,
            user: a.user_id,
            at: time_of(a.at),
        }
    }
}

/// One household in full: its fields, its open conflicts and its audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HouseholdDetail {
    /// The household's fields (the winning value of each), at the top level of the JSON.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub household: Household,
    /// Fields with concurrent values, each value with its author.
    #[schema(value_type = Vec<Object>)]
    pub conflicts: Vec<Conflict>,
    /// Every change the registry received for it.
    pub audit: Vec<AuditRow>,
    /// The registry's PMT score (`scoring.rs`), for the console to set beside the device's
    /// provisional one; `null` until the household is scored.
    pub pmt: Option<super::scoring::RegistryScore>,
    /// The score the tablet shows, from the model shipped with the app (`null` while the household
    /// has nothing to score); set beside [`Self::pmt`] when the two differ.
    pub device_pmt: Option<super::scoring::ProvisionalScore>,
    /// Who changed what when, newest first ([`HISTORY_ROWS`] at most), read from the document.
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<HistoryEntry>,
    /// Each member's identity verification by member id (`service/identity.rs`); members never
    /// checked are absent.
    #[schema(value_type = std::collections::BTreeMap<String, Object>)]
    pub verifications: std::collections::BTreeMap<Uuid, shumari_domain::Verification>,
    /// How the interview was made, as the field app recorded it.
    #[schema(value_type = Object)]
    pub paradata: shumari_domain::Paradata,
    /// The data-quality flags standing on it (`flags.rs`), each with its reason.
    pub flags: Vec<super::flag_pass::Flag>,
}

/// Changes shown in a household's history.
pub const HISTORY_ROWS: usize = 200;

/// The id a new user gets: short, unique without coordination.
fn new_user_id() -> String {
    format!("u-{}", &Uuid::now_v7().simple().to_string()[20..])
}

/// A one-time code: 12 characters from an alphabet without look-alikes, grouped by four.
fn new_enroll_code() -> (String, String) {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let raw: String = (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    let shown = format!("{}-{}-{}", &raw[..4], &raw[4..8], &raw[8..]);
    (raw, shown)
}

impl<S: Storage> Registry<S> {
    /// Adds a user with a role and areas; returns the new id.
    pub async fn add_user(&self, name: &str, role: Role, areas: &[String]) -> Result<String> {
        self.add_user_by(CONSOLE, name, role, areas).await
    }

    /// [`Self::add_user`], recorded as done by `actor` (`people.rs`: an administrator's id).
    pub(super) async fn add_user_by(
        &self,
        actor: &str,
        name: &str,
        role: Role,
        areas: &[String],
    ) -> Result<String> {
        if name.trim().is_empty() {
            return Err(RegistryError::BadRequest("the name is empty".into()));
        }
        if areas.is_empty() {
            return Err(RegistryError::BadRequest("give at least one --area".into()));
        }
        for a in areas {
            let base = a.split('-').next().unwrap_or(a);
            if !self.areas.exists(base) {
                return Err(RegistryError::BadRequest(format!(
                    "`{a}` is not a known area code"
                )));
            }
        }
        let user = User {
            id: new_user_id(),
            name: name.trim().to_string(),
            role,
            areas: areas.to_vec(),
        };
        // Recorded before it is done, like every admin action that grants access: none happens off
        // the record (a failure after the row leaves an attempt on record, never an act without one).
        // Cutting access off (`device_admin.rs`) is recorded after: a revocation must never wait on
        // the trail.
        let detail = format!("role={} areas={}", user.role.as_str(), user.areas.join(","));
        self.record_access(AccessAction::UserAdd, actor, Some(&user.id), Some(detail))
            .await?;
        self.storage.add_user(&user, now_ms()).await?;
        Ok(user.id)
    }

    /// A one-time enrollment code for `user_id`, valid for the configured time.
    pub async fn enroll_code(&self, user_id: &str) -> Result<String> {
        self.enroll_code_by(CONSOLE, user_id).await
    }

    /// [`Self::enroll_code`], recorded as done by `actor`.
    pub(super) async fn enroll_code_by(&self, actor: &str, user_id: &str) -> Result<String> {
        match self.storage.user_disabled_at(user_id).await? {
            None => return Err(RegistryError::NotFound(format!("no user `{user_id}`"))),
            Some(Some(_)) => {
                return Err(RegistryError::BadRequest(format!(
                    "user `{user_id}` is disabled; a disabled user gets no enrollment code"
                )))
            }
            Some(None) => {}
        }
        let Some(user) = self.storage.user(user_id).await? else {
            return Err(RegistryError::NotFound(format!("no user `{user_id}`")));
        };
        // A code is for a tablet; console users sign in at the console. (Redeeming re-checks, for
        // codes issued before this rule.)
        if !allows(user.role, Action::EnrollTablet) {
            return Err(RegistryError::Forbidden(format!(
                "a {} works at the registry's console and gets no enrollment code for a tablet",
                user.role.title()
            )));
        }
        let (raw, shown) = new_enroll_code();
        self.record_access(AccessAction::EnrollCode, actor, Some(user_id), None)
            .await?;
        self.storage
            .add_enroll_code(
                user_id,
                sha(&raw),
                now_ms() + self.config.code_ttl_secs * 1000,
            )
            .await?;
        Ok(shown)
    }

    /// Households in `area` (and what is under it; `None`: all), limited to `user`'s scope when given.
    pub async fn household_list(
        &self,
        user: Option<&User>,
        area: Option<&str>,
    ) -> Result<Vec<HouseholdSummary>> {
        // The storage selects an area and what is under it by the domain's rule, through the area
        // index; without an area, a scoped caller's list is read area by area (never the whole
        // table), and the caller's scope is applied to what comes back.
        let areas: Vec<Option<String>> = match (area, user) {
            (Some(a), _) => vec![Some(a.to_string())],
            (None, Some(u)) => crate::scope::outermost(&u.areas)
                .into_iter()
                .map(Some)
                .collect(),
            (None, None) => vec![None],
        };
        let mut rows: Vec<HouseholdSummary> = Vec::new();
        for a in &areas {
            rows.extend(
                self.storage
                    .list(a.as_deref())
                    .await?
                    .into_iter()
                    .filter(|r| user.is_none_or(|u| self.scope(u).contains(&r.area))),
            );
        }
        if areas.len() > 1 {
            rows.sort_by(|a, b| a.reference.cmp(&b.reference));
        }
        let detail = match area {
            Some(a) => format!("area={a} rows={}", rows.len()),
            None => format!("rows={}", rows.len()),
        };
        self.record_access(
            AccessAction::HouseholdList,
            actor_of(user),
            None,
            Some(detail),
        )
        .await?;
        Ok(rows)
    }

    /// The households in `user`'s scope (all when `None`) with a member holding the CNIC or B-form
    /// number `number` (13 digits, dashes allowed), by reference: a look-up through the ID-number
    /// index, whatever the registry's size. The number is checked as the domain checks it and is
    /// never written to the access trail (only that the look-up was by ID number, and how many
    /// households it found).
    pub async fn households_with_id_number(
        &self,
        user: Option<&User>,
        number: &str,
    ) -> Result<Vec<HouseholdSummary>> {
        let parsed = shumari_domain::IdNumber::parse("id_number", number)
            .map_err(|e| RegistryError::BadRequest(e.to_string()))?;
        let rows: Vec<HouseholdSummary> = self
            .storage
            .with_id_number(parsed.digits())
            .await?
            .into_iter()
            .filter(|r| user.is_none_or(|u| self.scope(u).contains(&r.area)))
            .collect();
        self.record_access(
            AccessAction::HouseholdList,
            actor_of(user),
            None,
            Some(format!("by=id_number rows={}", rows.len())),
        )
        .await?;
        Ok(rows)
    }

    /// One household by id or reference number, limited to `user`'s scope when given (a household
    /// outside it is "not found", not "forbidden": its existence is not revealed).
    pub async fn household_show(
        &self,
        user: Option<&User>,
        id_or_ref: &str,
    ) -> Result<HouseholdDetail> {
        let not_found = || RegistryError::NotFound(format!("no household `{id_or_ref}`"));
        let found = match self.storage.resolve(id_or_ref).await? {
            Some(id) => self
                .storage
                .load_docs(&[id])
                .await?
                .into_iter()
                .flatten()
                .next(),
            None => None,
        };
        let in_scope = found
            .as_ref()
            .filter(|s| user.is_none_or(|u| self.scope(u).contains(&s.area)));
        // A look-up that finds nothing is recorded too (probing for households is worth seeing); the
        // trail names the household by id only, never the reference number that was asked for.
        let subject = found.as_ref().map(|s| s.id.to_string());
        let outcome = match (&found, in_scope) {
            (_, Some(_)) => "shown",
            (Some(_), None) => "out_of_scope",
            (None, _) => "not_found",
        };
        self.record_access(
            AccessAction::HouseholdShow,
            actor_of(user),
            subject.as_deref(),
            Some(format!("outcome={outcome}")),
        )
        .await?;
        let s = in_scope.ok_or_else(not_found)?;
        let id = s.id;
        let audit = self.storage.audit(id).await?;
        let internal = |e: shumari_domain::DomainError| RegistryError::Internal(e.to_string());
        let am = AutoCommit::load(&s.doc).map_err(|e| RegistryError::Internal(e.to_string()))?;
        let mut hd = HouseholdDoc::from_automerge(am).map_err(internal)?;
        let household = hd.household().map_err(internal)?;
        Ok(HouseholdDetail {
            device_pmt: super::scoring::provisional(&household, Utc::now().date_naive()),
            history: hd.history(HISTORY_ROWS),
            household,
            conflicts: hd.conflicts().map_err(internal)?,
            audit: audit.into_iter().map(AuditRow::from).collect(),
            pmt: self.stored_score(id).await?,
            verifications: hd.verifications().map_err(internal)?,
            paradata: hd.paradata().map_err(internal)?,
            flags: self.household_flags(id).await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrollment_codes_are_grouped_and_unambiguous() {
        let (raw, shown) = new_enroll_code();
        assert_eq!(raw.len(), 12);
        assert_eq!(shown.replace('-', ""), raw);
        assert!(!raw.contains(['0', 'O', '1', 'I', 'L', 'U']), "{raw}");
    }
}
