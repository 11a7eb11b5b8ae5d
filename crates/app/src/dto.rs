//! What the app core hands to the UI, serialised with camelCase names. `ui/src/api/types.ts` is
//! generated from these types (`#[derive(TS)]`; see `crates/app/tests/ui_types.rs` for how to
//! regenerate it); `#[ts(type = ...)]` names the UI's own words for values kept here as strings.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A text in every UI language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Text {
    /// English.
    pub en: String,
    /// Urdu.
    pub ur: String,
}

impl Text {
    /// Builds a text from its English and Urdu forms.
    pub fn new(en: &str, ur: &str) -> Self {
        Text {
            en: en.into(),
            ur: ur.into(),
        }
    }
}

/// The state of the session, asked at start-up.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// The device has a store and an enrollment.
    pub enrolled: bool,
    /// The store is open.
    pub unlocked: bool,
    /// Short device id (part of every reference number), once unlocked.
    pub device_id: Option<String>,
    /// Registry address given at enrollment.
    pub registry_url: Option<String>,
    /// The user edits are attributed to, once unlocked.
    pub surveyor: Option<String>,
    /// Wrong PINs since the last unlock (read before unlocking; the first five cost no wait).
    pub failed_unlocks: u32,
    /// Seconds before an unlock may be tried (0: now); the lock screen counts them down.
    #[ts(type = "number")]
    pub unlock_wait_secs: u64,
}

/// A file the app wrote for the surveyor to hand over.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportedFile {
    /// Where it is.
    pub path: String,
    /// How many households it holds.
    pub count: u32,
}

/// Household counts by interview status, and separately by sync state and conflicts (a household is
/// counted once among the statuses and once among `waiting`/`synced`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StatusCounts {
    /// Being filled in.
    pub draft: u64,
    /// Marked complete, not yet acknowledged by the registry.
    pub complete: u64,
    /// Received by the registry, waiting for review.
    pub submitted: u64,
    /// Sent back by a reviewer to correct.
    pub returned: u64,
    /// Approved by a reviewer.
    pub approved: u64,
    /// Rejected by a reviewer.
    pub rejected: u64,
    /// Holding changes the registry has not received yet.
    pub waiting: u64,
    /// Everything on the device is at the registry.
    pub synced: u64,
    /// With at least one conflicting field.
    pub conflict: u64,
}

/// An assigned area with its counts.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Area")]
pub struct AreaInfo {
    /// P-code.
    pub code: String,
    /// English name.
    pub name: String,
    /// Households by status.
    pub counts: StatusCounts,
}

/// One row of the household list: the domain's `HouseholdSummary` as the UI shows it (UI status, dashed
/// CNIC, "" for what is not known yet), under the names the UI has always read.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct HouseholdSummary {
    /// Household id.
    pub id: String,
    /// Reference number.
    pub reference: String,
    /// Head's name ("" until known).
    pub head_name: String,
    /// Head's CNIC, dashed ("" until known).
    #[serde(rename = "headCnic")]
    pub head_id_number: String,
    /// Area code.
    #[serde(rename = "areaCode")]
    pub area: String,
    /// The interview's status: `draft`, `complete`, `submitted`, `returned`, `approved`, `rejected`.
    #[ts(type = "HouseholdStatus")]
    pub status: String,
    /// Whether the registry has everything: `waiting` (changes not yet received) or `synced`.
    #[ts(type = "SyncMark")]
    pub sync: String,
    /// Fields holding concurrent values.
    pub conflict_count: u32,
    /// Members on the roster.
    pub member_count: u32,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// A member as the interview shows it: every answer by question name.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Member")]
pub struct MemberView {
    /// Member id.
    pub id: String,
    /// Answers by question name (core fields and member answers alike).
    #[ts(type = "Record<string, AnswerValue>")]
    pub answers: BTreeMap<String, Value>,
}

/// A problem to fix before the interview can be completed.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    /// Question name (or `members` for roster-wide rules).
    pub field: String,
    /// The member, for roster questions.
    pub member_id: Option<String>,
    /// `required`, `constraint`, `cnic`, `duplicate`, `invalid`, `no_members`, `no_head`, `cnic_warning`.
    pub code: String,
    /// What to do, in both languages.
    pub message: Text,
}

/// One variable's share of the PMT score.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PmtContribution {
    /// The variable.
    pub label: Text,
    /// The household's value for it (`null` for the constant).
    #[ts(type = "AnswerValue | boolean")]
    pub value: Value,
    /// Points added (or removed).
    pub points: f64,
}

/// Provisional proxy means test score (`shumari_forms::pmt_model()`).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PmtResult {
    /// 0-100, lower is poorer.
    pub score: f64,
    /// Eligibility cut-off of the model's first programme that applies to this household (the
    /// disability cut-off when a member has a disability).
    pub threshold: f64,
    /// `score <= threshold`.
    pub eligible: bool,
    /// The model's version (the shipped model is illustrative).
    pub model_version: String,
    /// Why: the points of each variable; they sum to the score.
    pub contributions: Vec<PmtContribution>,
}

/// An interview as the UI renders it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Interview {
    /// Household id.
    pub household_id: String,
    /// Reference number (for the slip).
    pub reference: String,
    /// Head's name ("" until known).
    pub head_name: String,
    /// Area code.
    pub area_code: String,
    /// The interview's status (as in [`HouseholdSummary::status`]).
    #[ts(type = "HouseholdStatus")]
    pub status: String,
    /// Fields holding concurrent values.
    pub conflict_count: u32,
    /// The last review decision, if a reviewer has decided.
    pub review: Option<ReviewView>,
    /// Household answers by question name.
    #[ts(type = "Record<string, AnswerValue>")]
    pub answers: BTreeMap<String, Value>,
    /// The roster.
    pub members: Vec<MemberView>,
    /// Relevant questions and notes: `name`, or `member:<id>:<name>` for roster questions.
    pub visible: Vec<String>,
    /// What blocks completion.
    pub issues: Vec<Issue>,
    /// What looks odd but does not block completion (e.g. a CNIC's sex digit).
    pub warnings: Vec<Issue>,
    /// Values the form calculates, by the same keys as `visible`.
    #[ts(type = "Record<string, AnswerValue | boolean>")]
    pub calculated: BTreeMap<String, Value>,
    /// For questions whose choices depend on other answers: the choices offered, by key.
    pub choices: BTreeMap<String, Vec<String>>,
    /// Provisional score, once there is enough to score.
    pub pmt: Option<PmtResult>,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// Each member's identity verification with NADRA, by member id (members never checked
    /// absent: they are unverified).
    pub verifications: BTreeMap<String, VerificationView>,
}

/// What the national ID authority said of a member's CNIC/B-form number.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Verification")]
pub struct VerificationView {
    /// `verified`, `not_found` or `mismatch`.
    #[ts(type = "'unverified' | 'verified' | 'not_found' | 'mismatch'")]
    pub state: String,
    /// For a mismatch, the fields the authority holds otherwise (`name`, `father_or_husband_name`,
    /// `date_of_birth`).
    pub fields: Vec<String>,
    /// When the registry applied the result (RFC 3339).
    pub checked_at: String,
}

impl From<&shumari_domain::Verification> for VerificationView {
    fn from(v: &shumari_domain::Verification) -> Self {
        VerificationView {
            state: v.state.as_str().into(),
            fields: v.fields.clone(),
            checked_at: v.checked_at.to_rfc3339(),
        }
    }
}

/// A reviewer's decision as the interview shows it ("Returned by Sana: check the rooms").
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Review")]
pub struct ReviewView {
    /// `approved`, `returned` or `rejected`.
    pub decision: String,
    /// The reviewer's name.
    pub by_name: String,
    /// The reviewer's user id.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// Why ("" when none was given).
    pub comment: String,
    /// The questions (field names) to look at, in the reviewer's order.
    pub questions: Vec<String>,
}

impl From<&shumari_domain::Review> for ReviewView {
    fn from(r: &shumari_domain::Review) -> Self {
        ReviewView {
            decision: r.decision.as_str().into(),
            by_name: r.by_name.clone(),
            by: r.by.clone(),
            at: r.at.to_rfc3339(),
            comment: r.comment.clone(),
            questions: r.questions.clone(),
        }
    }
}

/// One value of a conflicting field.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ConflictValue")]
pub struct ConflictValueView {
    /// The value.
    #[ts(type = "AnswerValue")]
    pub value: Value,
    /// Who wrote it.
    pub author: String,
    /// When (RFC 3339), "" if unknown.
    pub written_at: String,
}

/// A conflicting field of a household.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Conflict")]
pub struct ConflictView {
    /// Household id.
    pub household_id: String,
    /// Reference number.
    pub reference: String,
    /// Question name.
    pub field: String,
    /// The member, for roster questions.
    pub member_id: Option<String>,
    /// The question's label.
    pub label: Text,
    /// Every value, the current winner first.
    pub values: Vec<ConflictValueView>,
}

/// The UI's settings, kept outside the encrypted store so the unlock screen can use them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// `en` or `ur`.
    #[ts(type = "Lang")]
    pub language: String,
    /// Text size factor (1, 1.2, 1.4).
    pub text_scale: f64,
    /// Minutes without a touch or a key before the app locks itself (1 to 60; 5 unless changed).
    #[serde(default = "default_auto_lock_minutes")]
    pub auto_lock_minutes: u32,
}

/// The idle time after which the app locks, unless the settings say otherwise.
pub const DEFAULT_AUTO_LOCK_MINUTES: u32 = 5;

fn default_auto_lock_minutes() -> u32 {
    DEFAULT_AUTO_LOCK_MINUTES
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            language: "en".into(),
            text_scale: 1.0,
            auto_lock_minutes: DEFAULT_AUTO_LOCK_MINUTES,
        }
    }
}
