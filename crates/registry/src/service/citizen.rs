//! What a citizen may learn about their own household, and nothing about anyone else's.
//!
//! The citizen status page and the SMS service (crate `shumari-portal`) ask here. A look-up names a
//! CNIC and a second factor the citizen holds, the date of issue printed on the card, which the
//! surveyor recorded (`id_issued`, a member question of the NSER questionnaire). Three rules keep the
//! registry from being enumerated through it:
//!
//! - **One answer for every miss.** An unknown CNIC and a known CNIC with the wrong date give the same
//!   [`CitizenAnswer::NoMatch`] after the same work: one read of the ID-number index, where the
//!   ingest keeps each number's recorded date of issue beside it (nothing about the household is
//!   used before both factors match), and the same two failure counts.
//! - **Failures lock out.** Failures are counted per CNIC and per client address
//!   ([`CitizenLimits`]); a locked key answers [`CitizenAnswer::Locked`] without looking anything
//!   up, whether or not the CNIC exists. The counts live in the database (`storage/citizen`) under a
//!   keyed hash, so neither the number nor the address is stored, and a lockout holds across
//!   restarts and registry processes.
//! - **Every look-up is audited** (`citizen.lookup`, with the outcome and, when found, the household;
//!   never the CNIC).
//!
//! A found household comes back as a [`CitizenView`]: names partly masked, the status in plain words,
//! and a [`CitizenToken`] that lets the same citizen file a grievance about it for a while without
//! typing their CNIC again. The view is made from the household's citizen row, which the ingest
//! writes with the household and the index read returns in the same statement
//! (`storage/citizen/row.rs`): a look-up decodes no document, and shows the household exactly as it
//! is stored. Misses are counted with group commit (`citizen_failures.rs`).

use super::access_audit::AccessAction;
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::citizen::{row::roster_of, CitizenRow, Failures, IssueRow, LookUp, Shown};
use crate::storage::{columns, AttemptRule, Storage};
use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use shumari_domain::{HouseholdDoc, IdNumber, Status};
use std::net::IpAddr;
use uuid::Uuid;

/// The audit trail's actor for what citizens do.
pub const CITIZEN: &str = "citizen";

/// The member question holding the CNIC's date of issue (NSER questionnaire).
pub const ISSUE_DATE_FIELD: &str = shumari_domain::id_number::ISSUE_DATE_ANSWER;

/// How many failed look-ups lock a CNIC or a client address, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CitizenLimits {
    /// Per CNIC: a handful of tries covers a mistyped date; more is someone guessing.
    pub per_cnic: AttemptRule,
    /// Per client address: more, since a shared phone or a kiosk serves many families.
    pub per_address: AttemptRule,
}

impl Default for CitizenLimits {
    fn default() -> Self {
        const MIN: i64 = 60_000;
        CitizenLimits {
            per_cnic: AttemptRule {
                limit: 5,
                window_ms: 60 * MIN,
                lock_ms: 60 * MIN,
            },
            per_address: AttemptRule {
                limit: 20,
                window_ms: 60 * MIN,
                lock_ms: 60 * MIN,
            },
        }
    }
}

/// The answer to a look-up.
#[derive(Debug, Clone, PartialEq)]
pub enum CitizenAnswer {
    /// The CNIC and the date belong to a member of this household.
    Found(Box<CitizenView>),
    /// No household has a member with this CNIC and date (whichever of the two did not match).
    NoMatch,
    /// Too many failed look-ups from this CNIC or this address; try again after this time (ms).
    Locked {
        /// When the lockout ends (ms since epoch).
        until: i64,
    },
}

/// Where a household is in the registry's workflow, as a citizen is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CitizenStage {
    /// The survey of the household is not finished yet.
    BeingSurveyed,
    /// Surveyed; the district office is checking the data.
    UnderReview,
    /// The data was sent back to the surveyor to be corrected.
    BeingCorrected,
    /// Accepted into the registry.
    Accepted,
    /// Not accepted; the citizen may appeal (a grievance).
    NotAccepted,
}

impl CitizenStage {
    /// The stage of a household in `status`.
    pub fn of(status: Status) -> Self {
        match status {
            Status::Draft | Status::Complete => CitizenStage::BeingSurveyed,
            Status::Submitted => CitizenStage::UnderReview,
            Status::Returned => CitizenStage::BeingCorrected,
            Status::Approved => CitizenStage::Accepted,
            Status::Rejected => CitizenStage::NotAccepted,
        }
    }
}

/// One member as a citizen sees the roster.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CitizenMember {
    /// The name, partly masked ([`mask_name`]).
    pub name: String,
    /// Whether this is the member whose CNIC was given.
    pub is_you: bool,
}

/// What the status page shows about a found household.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CitizenView {
    /// Household id (never shown; it keys the grievance token and the other features' reads).
    pub household_id: Uuid,
    /// The reference number written on the family's slip.
    pub reference: String,
    /// The area code.
    pub area: String,
    /// The area's names from the province down (`Punjab › Lahore › Lahore City`), as far as known.
    pub area_names: Vec<String>,
    /// The member whose CNIC was given.
    pub member_id: Uuid,
    /// The household's phone as recorded (for the SMS service's check), if any.
    #[serde(skip)]
    pub phone: Option<String>,
    /// When the survey was made.
    pub surveyed_at: DateTime<Utc>,
    /// Where the household is in the workflow.
    pub stage: CitizenStage,
    /// The roster, names masked.
    pub members: Vec<CitizenMember>,
}

pub use crate::storage::citizen::mask_name;

/// A short-lived proof that its holder looked a household up with the right CNIC and date: the
/// household, the member and an expiry, signed with a key only the registry holds (derived from its
/// own random actor id, so every registry process behind one database accepts it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CitizenToken {
    /// The household.
    pub household_id: Uuid,
    /// The member who looked it up.
    pub member_id: Uuid,
    /// Expiry (ms since epoch).
    pub expires_at: i64,
}

/// How long a grievance may be filed after a look-up without looking up again.
const TOKEN_TTL_MS: i64 = 30 * 60_000;

type HmacSha256 = Hmac<Sha256>;

/// The view of the household `shown` for the member holding ID number `digits` (and, for the status
/// page, whose card was issued on `issued`); `None` when no member of its roster does.
fn view_of(
    household_id: Uuid,
    shown: Shown,
    areas: &shumari_domain::AreaRegistry,
    digits: &str,
    issued: Option<&str>,
) -> Option<CitizenView> {
    let roster = roster_of(&shown.row.roster)?;
    let member_id = roster
        .iter()
        .find(|m| {
            m.number.as_deref() == Some(digits)
                && issued.is_none_or(|d| m.issued.as_deref() == Some(d))
        })?
        .id;
    Some(CitizenView {
        household_id,
        area_names: areas
            .path(&shown.area)
            .map(|p| p.iter().map(|a| a.name.clone()).collect())
            .unwrap_or_default(),
        reference: shown.reference,
        area: shown.area,
        member_id,
        phone: shown.row.phone,
        surveyed_at: columns::time(shown.row.surveyed_at),
        stage: CitizenStage::of(shown.status),
        members: roster
            .into_iter()
            .map(|m| CitizenMember {
                is_you: m.id == member_id,
                name: m.name,
            })
            .collect(),
    })
}

impl<S: Storage> Registry<S> {
    /// The key failures of `what` (a CNIC's digits or an address) are counted under: keyed with the
    /// registry's own random actor id so the table cannot be reversed by hashing every CNIC.
    async fn attempt_key(&self, kind: &str, what: &str) -> Result<Vec<u8>> {
        let salt = self.own_actor().await?.to_bytes().to_vec();
        let mut h = Sha256::new();
        h.update(b"shumari citizen attempts\0");
        h.update(&salt);
        h.update(kind.as_bytes());
        h.update([0]);
        h.update(what.as_bytes());
        Ok(h.finalize().to_vec())
    }

    /// The key grievance tokens are signed with.
    async fn token_key(&self) -> Result<HmacSha256> {
        let salt = self.own_actor().await?.to_bytes().to_vec();
        let mut h = Sha256::new();
        h.update(b"shumari citizen token\0");
        h.update(&salt);
        HmacSha256::new_from_slice(&h.finalize())
            .map_err(|e| RegistryError::Internal(format!("token key: {e}")))
    }

    /// Looks up the household of the member with CNIC `cnic` and date of issue `issued`, asked from
    /// `client` at `now` (ms). A malformed CNIC is a [`RegistryError::BadRequest`] saying what is
    /// wrong with it (that reveals nothing about the registry). See the module docs for the rules.
    pub async fn citizen_lookup(
        &self,
        cnic: &str,
        issued: NaiveDate,
        client: IpAddr,
        now: i64,
        limits: &CitizenLimits,
    ) -> Result<CitizenAnswer> {
        let number =
            IdNumber::parse("cnic", cnic).map_err(|e| RegistryError::BadRequest(e.to_string()))?;
        let digits = number.digits().to_string();
        let cnic_key = self.attempt_key("cnic", &digits).await?;
        let addr_key = self.attempt_key("address", &client.to_string()).await?;
        // One round trip reads the lockouts and, when neither key is locked, the index: an unknown
        // CNIC and a known one with the wrong date cost the same read (the card's date of issue is
        // indexed beside the number, so no document is read before a match).
        let keys = [cnic_key, addr_key];
        let rows = match self.storage.look_up(&keys, &digits, now).await? {
            LookUp::Locked(until) => {
                self.record_access(
                    AccessAction::CitizenLookup,
                    CITIZEN,
                    None,
                    Some("outcome=locked".into()),
                )
                .await?;
                return Ok(CitizenAnswer::Locked { until });
            }
            LookUp::Rows(rows) => rows,
        };
        let wanted = issued.format("%Y-%m-%d").to_string();
        let hits: Vec<IssueRow> = rows
            .into_iter()
            .filter(|r| r.issued.as_deref() == Some(wanted.as_str()))
            .collect();
        let found = match hits.into_iter().next() {
            Some(hit) => self
                .shown(hit)
                .await?
                .and_then(|(id, shown)| view_of(id, shown, &self.areas, &digits, Some(&wanted))),
            None => None,
        };
        let Some(view) = found else {
            let [cnic_key, addr_key] = keys;
            let locked = self
                .citizen_failures
                .note(
                    &self.storage,
                    Failures {
                        keys: vec![(cnic_key, limits.per_cnic), (addr_key, limits.per_address)],
                        now,
                    },
                )
                .await?;
            let outcome = if locked.is_some() {
                "no_match locked"
            } else {
                "no_match"
            };
            self.record_access(
                AccessAction::CitizenLookup,
                CITIZEN,
                None,
                Some(format!("outcome={outcome}")),
            )
            .await?;
            return Ok(CitizenAnswer::NoMatch);
        };
        let id = view.household_id.to_string();
        self.record_access(
            AccessAction::CitizenLookup,
            CITIZEN,
            Some(&id),
            Some("outcome=found".into()),
        )
        .await?;
        Ok(CitizenAnswer::Found(Box::new(view)))
    }

    /// What the status page shows of the household of index row `hit`: its citizen row, read with
    /// the index; for a household stored before V22 and not yet caught up
    /// (`citizen_rows.rs`), the same row made from its document. `None` when it is gone or
    /// unreadable.
    async fn shown(&self, hit: IssueRow) -> Result<Option<(Uuid, Shown)>> {
        if let Some(shown) = hit.shown {
            return Ok(Some((hit.household, shown)));
        }
        let Some(stored) = self
            .storage
            .load_docs(&[hit.household])
            .await?
            .into_iter()
            .flatten()
            .next()
        else {
            return Ok(None);
        };
        Ok(shown_of_doc(&stored.doc).map(|shown| (hit.household, shown)))
    }

    /// A token for the citizen who just found `view`, valid for half an hour from `now`.
    pub async fn citizen_token(&self, view: &CitizenView, now: i64) -> Result<String> {
        let mut body = Vec::with_capacity(40);
        body.extend_from_slice(view.household_id.as_bytes());
        body.extend_from_slice(view.member_id.as_bytes());
        body.extend_from_slice(&(now + TOKEN_TTL_MS).to_be_bytes());
        let mut mac = self.token_key().await?;
        mac.update(&body);
        body.extend_from_slice(&mac.finalize().into_bytes());
        Ok(hex::encode(body))
    }

    /// The token's contents when it is one this registry signed and it has not expired at `now`.
    pub async fn citizen_token_check(&self, token: &str, now: i64) -> Result<Option<CitizenToken>> {
        let Ok(bytes) = hex::decode(token) else {
            return Ok(None);
        };
        if bytes.len() != 40 + 32 {
            return Ok(None);
        }
        let (body, sig) = bytes.split_at(40);
        let mut mac = self.token_key().await?;
        mac.update(body);
        if mac.verify_slice(sig).is_err() {
            return Ok(None);
        }
        let household_id =
            Uuid::from_slice(&body[..16]).map_err(|e| RegistryError::Internal(e.to_string()))?;
        let member_id =
            Uuid::from_slice(&body[16..32]).map_err(|e| RegistryError::Internal(e.to_string()))?;
        let mut exp = [0u8; 8];
        exp.copy_from_slice(&body[32..40]);
        let expires_at = i64::from_be_bytes(exp);
        Ok((expires_at > now).then_some(CitizenToken {
            household_id,
            member_id,
            expires_at,
        }))
    }

    /// The household views of every household with a member holding `cnic`, for the SMS service:
    /// it answers with details only when the message came from the phone the household gave. No
    /// second factor is asked, so the caller must reveal nothing unless the phones match. Audited.
    pub async fn citizen_by_cnic_for_sms(&self, cnic: &str) -> Result<Vec<CitizenView>> {
        let number =
            IdNumber::parse("cnic", cnic).map_err(|e| RegistryError::BadRequest(e.to_string()))?;
        let digits = number.digits().to_string();
        // The same index read as the status page (no lockout keys: the SMS service checks the
        // sender's phone instead).
        let LookUp::Rows(rows) = self.storage.look_up(&[], &digits, now_ms()).await? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for row in rows {
            let Some((id, shown)) = self.shown(row).await? else {
                continue;
            };
            if let Some(mut view) = view_of(id, shown, &self.areas, &digits, None) {
                // A reply by SMS names no one.
                view.members.clear();
                out.push(view);
            }
        }
        Ok(out)
    }

    /// Records an SMS look-up in the access audit trail (outcome only; never the number or text).
    pub async fn record_sms_lookup(&self, household: Option<Uuid>, outcome: &str) -> Result<()> {
        let subject = household.map(|h| h.to_string());
        self.record_access(
            AccessAction::SmsLookup,
            CITIZEN,
            subject.as_deref(),
            Some(format!("outcome={outcome}")),
        )
        .await
    }

    /// The registry's clock, for callers that stamp look-ups (ms since epoch).
    pub fn clock_ms(&self) -> i64 {
        now_ms()
    }
}

/// What the status page shows of a stored document: the citizen row and list columns the ingest
/// would have written for it (read with the ingest's own projection reader); `None` when the
/// document is unreadable.
pub(super) fn shown_of_doc(doc: &[u8]) -> Option<Shown> {
    let am = shumari_domain::automerge::AutoCommit::load(doc).ok()?;
    let p = HouseholdDoc::from_automerge(am).ok()?.projection(0).ok()?;
    Some(Shown {
        row: CitizenRow::of(&p),
        reference: p.summary.reference,
        area: p.summary.area,
        status: p.summary.status,
    })
}

/// Phone numbers compared as the same line: digits only, a leading `92` country code read as `0`
/// (`+92 300 1234567` and `0300-1234567` are one phone).
pub fn same_phone(a: &str, b: &str) -> bool {
    fn norm(p: &str) -> String {
        let d: String = p.chars().filter(char::is_ascii_digit).collect();
        match d.strip_prefix("92") {
            Some(rest) if d.len() == 12 => format!("0{rest}"),
            _ => d,
        }
    }
    let (a, b) = (norm(a), norm(b));
    a.len() >= 10 && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_is_the_same_with_or_without_the_country_code() {
        assert!(same_phone("+92 300 1234567", "0300-1234567"));
        assert!(same_phone("923001234567", "03001234567"));
        assert!(!same_phone("0300-1234567", "0300-1234568"));
        assert!(!same_phone("", ""));
    }

    #[test]
    fn stages_follow_the_workflow() {
        assert_eq!(
            CitizenStage::of(Status::Submitted),
            CitizenStage::UnderReview
        );
        assert_eq!(
            CitizenStage::of(Status::Rejected),
            CitizenStage::NotAccepted
        );
        assert_eq!(CitizenStage::of(Status::Draft), CitizenStage::BeingSurveyed);
    }
}
