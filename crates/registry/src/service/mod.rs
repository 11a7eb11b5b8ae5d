//! The registry's protocol logic, independent of HTTP: authenticate, check scope and actors, ingest
//! automerge changes, serve the feed and the consistency check. [`crate::http`] and
//! [`crate::memory::InMemoryTransport`] both call [`Registry::handle`].
//!
//! One file per job, each adding methods to [`Registry`]:
//! - `devices.rs`: enrollment, actor registration and each device's public key (kept once);
//! - `tokens.rs`: authentication (unknown, revoked, disabled and expired tokens refused) and token
//!   rotation;
//! - `device_admin.rs`: the device list, revoking a device and disabling a user;
//! - `ingest.rs`: a push, batch by batch (`merge.rs` merges one household's changes, CPU only;
//!   `signatures.rs` proves each new change's author by its device's signature, so a change is
//!   accepted from any device in scope that relays it; `permit.rs` decides what the role and record
//!   of the users whose changes are new allow for it; `references.rs` keeps
//!   reference numbers unique by granting each device its own short id and checking new references;
//!   `bounds.rs` what one household may cost, before automerge loads its bytes and before it is
//!   stored);
//! - `bundles.rs`: USB bundles: a device's bundle imported as its push, a device's bundle of
//!   what its pull would give, and the registry's bundle key (a key file; the public half in V23);
//! - `feed.rs`: the pull, from snapshots on a first sync and from the log after that, each change
//!   with its signature record for a device that asks;
//! - `check.rs`: the consistency check's verdict and repair;
//! - `review.rs`: the changes the registry writes itself (complete -> submitted when it stores a
//!   completed household; a reviewer's approve / return / reject) and the review queue;
//! - `admin.rs`: users, enrollment codes and the household list and detail (typed JSON answers);
//! - `browse.rs`: the console's reads: a page of the household list in (area, id) order with
//!   filters, and the counts of each status, both within the user's areas;
//! - `exports.rs`: what an export of households may read (its grant: areas and personal data),
//!   page by page in (area, id) order, and its row on the access trail;
//! - `access_audit.rs`: the hash-chained trail of reads, admin actions and failed authentication;
//! - `scoring.rs`: the proxy means test at the registry (every stored household scored after its
//!   push, the model in force, rescoring runs with progress);
//! - `duplicates.rs`: the duplicates queue (one ID number in several households), its resolution
//!   and the rule that a household with an open case is not approved;
//! - `possible.rs`: possible duplicates (heads' names alike and another attribute shared);
//! - `flags.rs`: the data-quality flags' rules and reasons, `flag_pass.rs` the pass after a merge
//!   and the reads of the flags;
//! - `payments.rs`: payment cycles (prepared, approved by another user, a district's list for the
//!   bank), `payment_results.rs` the bank's result file and the reconciliation report,
//!   `payment_files.rs` the files as bytes;
//! - `grievances.rs`: citizens' grievances with tracking numbers per district, the queue, notes,
//!   resolution and SLA escalation (`grievance_types.rs` their names, SLAs and plain words);
//! - `citizen.rs`: what a citizen may look up (status page, SMS), `citizen_rows.rs` the catch-up
//!   that gives households stored before V22 their citizen row, `citizen_failures.rs` the
//!   group commit of failed look-ups' counts;
//! - `notify.rs`: SMS to citizens through the gateway the registry was given;
//! - `dashboards/`: the console's dashboards from the maintained aggregates (coverage against
//!   targets, the PMT distribution), rolled up by area-code prefix within the user's areas;
//! - `forms.rs`: questionnaires besides the household one published to areas (every version
//!   kept, checked by the forms crate), and which versions a tablet receives; `submissions.rs` the
//!   reports tablets submit with them, a form's page (per site per day, missing reports);
//! - `hub.rs`: a district hub below this registry registering the tablets it serves, so their
//!   relayed changes verify here; `hub_directory.rs` what the hub learns of its district's users
//!   and devices (token hashes, keys, actors, the revoked and disabled marks);
//! - `offline_codes.rs`: enrollment codes signed with the bundle key, issued here in advance and
//!   redeemed once at a hub whose link is down;
//! - `queue.rs`: scoring, duplicate detection and flags after a push, off its path (a background task
//!   when the registry serves HTTP), and the settling reads do first.

mod access_audit;
mod admin;
mod assignments;
mod bounds;
mod browse;
mod bundles;
mod check;
mod citizen;
mod citizen_failures;
mod citizen_rows;
pub mod dashboards;
mod device_admin;
mod devices;
mod duplicates;
mod exports;
mod feed;
mod flag_pass;
mod flags;
pub mod forms;
mod grievance_exports;
mod grievance_records;
mod grievance_types;
pub mod grievances;
pub mod hub;
mod hub_directory;
mod identity;
mod identity_files;
mod ingest;
mod merge;
mod notify;
pub mod offline_codes;
mod payment_exports;
mod payment_files;
mod payment_results;
mod payments;
mod people;
mod permit;
mod possible;
mod programme_payments;
mod programme_runs;
mod programmes;
mod queue;
mod references;
pub mod report_review;
mod review;
mod scoring;
mod signatures;
pub mod submissions;
pub mod tokens;

pub use crate::storage::access::{BrokenLink, ChainReport};
pub use access_audit::{AccessAction, ANONYMOUS, CONSOLE};
pub use admin::{AuditRow, HouseholdDetail};
pub use assignments::{AssignWhat, AssignmentProgress, Coverage, Overview, Unassigned, MAX_LISTED};
pub use browse::{HouseholdPage, PageRequest};
pub use bundles::{load_or_create_key, BundleExport, BundleImport, RefusedHousehold};
pub use citizen::{
    mask_name, same_phone, CitizenAnswer, CitizenLimits, CitizenMember, CitizenStage, CitizenToken,
    CitizenView, CITIZEN, ISSUE_DATE_FIELD,
};
pub use dashboards::{
    AreaCoverage, CoverageReport, FieldDays, FieldFigures, PmtHistogram, Threshold,
};
pub use device_admin::DeviceInfo;
pub use duplicates::{CaseHousehold, CaseKind, CaseState, DuplicateCase, Resolution};
pub use exports::{ExportGrant, ExportPage, ExportRecord};
pub use flag_pass::Flag;
pub use flags::{far_from_median, reason, FlagKind, QualitySettings};
pub use forms::{FormInfo, FormSource, FormVersion, Published};
pub use grievance_exports::{GrievanceExportPage, GrievancePosition};
pub use grievances::{
    Category, CategoryTally, Channel, CitizenFiling, CitizenGrievance, Grievance, GrievanceDetail,
    GrievanceEvent, GrievanceFilter, GrievancePage, GrievanceSettings, GrievanceStatus,
    NewGrievance,
};
pub use identity::{IdentityExport, ImportReport};
pub use identity_files::{FileError, Manifest};
pub use payment_exports::{ExportedPayment, PaymentExportPage, PaymentPosition};
pub use payment_files::{
    parse_bank_file, write_reconciliation, BankFileError, BankLine, BankStatus, CycleManifest,
};
pub use payment_results::{
    BankImportReport, CycleProgress, DistrictFigures, FailedReason, Reconciliation,
    ReportedShortfall, ShortfallLine,
};
pub use payments::{Cycle, CycleExport, CycleState, HouseholdPayment};
pub use people::UserInfo;
pub use possible::{PossibleDuplicate, NEAR_METRES};
pub use programme_runs::ProgrammeJob;
pub use programmes::{
    Enrolment, EnrolmentEvent, EnrolmentStatus, HouseholdProgrammes, LoadOutcome,
    ProgrammeEligibility, ProgrammeInfo, ProgrammeReach,
};
pub use report_review::{ReportChain, ReportDecision, ReviewedReport};
pub use review::{ReviewRequest, Reviewed, REGISTRY_DEVICE};
pub use scoring::{
    band_of, PmtJob, ProgrammeLine, ProvisionalScore, RegistryScore, ScoreLine, NOT_ELIGIBLE,
};
pub use shumari_sms::{Lang as SmsLang, Notice, ProgrammeStatus};
pub use submissions::{
    FormReport, MissingReport, NewSubmission, RefusedSubmission, SiteReports, Submission,
    SubmissionExportPage, SubmissionPosition, SubmissionsReport,
};

use crate::error::{RegistryError, Result};
use crate::scope::Scope;
use crate::storage::any::{AnyStorage, DbUrl};
use crate::storage::{Storage, StorageError, User};
use sha2::{Digest, Sha256};
use shumari_domain::AreaRegistry;
use shumari_proto::codec::peek;
use shumari_proto::message::{
    ActorsRequest, CheckRequest, EnrollRequest, HubDevicesRequest, HubDirectoryRequest, Message,
    PullRequest, PushRequest, TokenRequest, DEFAULT_CHUNK_BYTES,
};
use shumari_proto::{Endpoint, PROTOCOL_VERSION};
use std::sync::Arc;

/// Registry settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Cap on one response (compressed).
    pub chunk_bytes: usize,
    /// Largest request body accepted.
    pub max_body: usize,
    /// How long an enrollment code stays valid, in seconds.
    pub code_ttl_secs: i64,
    /// How long a device token stays valid after it was issued, in seconds; a device that syncs
    /// swaps it for a new one long before (`tokens.rs`).
    pub token_ttl_secs: i64,
    /// Request limits of the HTTP face (rate per token and address, concurrency, timeout).
    pub rate: crate::http::RateLimits,
    /// SHA-256 of the bearer token `GET /metrics` asks for; without one, metrics are answered to
    /// loopback peers only.
    pub metrics_token: Option<[u8; 32]>,
    /// Thresholds of the data-quality flags (`flags.rs`).
    pub quality: QualitySettings,
    /// Grievances' SLAs per category and the escalation timer (`grievances.rs`).
    pub grievances: GrievanceSettings,
    /// This registry is a district hub's (`crates/hub`): it relays its tablets' changes to the
    /// registry above and writes none of its own, so it does not mark completed households
    /// submitted (the centre does, and its change comes down the hub's feed).
    pub relay: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            chunk_bytes: DEFAULT_CHUNK_BYTES,
            max_body: 4 * 1024 * 1024,
            // A code travels from the administrator to the surveyor the same day.
            code_ttl_secs: 24 * 3600,
            token_ttl_secs: 90 * 24 * 3600,
            rate: crate::http::RateLimits::default(),
            metrics_token: None,
            quality: QualitySettings::default(),
            grievances: GrievanceSettings::default(),
            relay: false,
        }
    }
}

/// The registry: storage, the area list and settings.
#[derive(Debug)]
pub struct Registry<S> {
    /// The backend.
    pub storage: S,
    areas: AreaRegistry,
    config: Config,
    // One ingest at a time per process keeps log sequence numbers in commit order; the heads
    // compare-and-set in `commit_ingest` still protects against other processes.
    ingest: tokio::sync::Mutex<()>,
    metrics: Arc<crate::metrics::Metrics>,
    /// The registry's own automerge actor (`review.rs`), read from storage on first use.
    own_actor: tokio::sync::OnceCell<Vec<u8>>,
    /// Serialises scoring passes and duplicate detection (`scoring.rs`, `duplicates.rs`) and holds
    /// the PMT model in force once loaded.
    scoring: tokio::sync::Mutex<Option<Arc<shumari_forms::pmt::PmtModel>>>,
    /// Households waiting to be scored and checked for duplicates (`queue.rs`).
    queue: queue::Queue,
    /// Where citizens' SMS go (`notify.rs`); none until set.
    sms: std::sync::OnceLock<Arc<dyn shumari_sms::SmsGateway>>,
    /// The access trail's group commit (`access_audit.rs`).
    access_trail: access_audit::AccessTrail,
    /// Failed citizen look-ups' group commit (`citizen_failures.rs`).
    citizen_failures: citizen_failures::FailureCounter,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn sha(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

impl Registry<AnyStorage> {
    /// A registry over the database `db` names (`sqlite:PATH`, a bare path, or `postgres://...`),
    /// created and migrated as needed. PostgreSQL connections are driven by tasks on the current
    /// runtime, which must outlive the registry.
    pub async fn open(db: &DbUrl, config: Config) -> Result<Self, StorageError> {
        Self::open_keyed(db, config, None).await
    }

    /// The same, with an SQLite database encrypted under `key` ([`AnyStorage::open_keyed`]).
    pub async fn open_keyed(
        db: &DbUrl,
        config: Config,
        key: Option<&str>,
    ) -> Result<Self, StorageError> {
        Ok(Registry::new(
            AnyStorage::open_keyed(db, key).await?,
            config,
        ))
    }
}

impl<S: Storage> Registry<S> {
    /// A registry over `storage`.
    pub fn new(storage: S, config: Config) -> Self {
        Registry {
            storage,
            areas: AreaRegistry::builtin(),
            config,
            ingest: tokio::sync::Mutex::new(()),
            metrics: Arc::new(crate::metrics::Metrics::new()),
            own_actor: tokio::sync::OnceCell::new(),
            scoring: tokio::sync::Mutex::new(None),
            queue: queue::Queue::default(),
            sms: std::sync::OnceLock::new(),
            access_trail: access_audit::AccessTrail::default(),
            citizen_failures: citizen_failures::FailureCounter::default(),
        }
    }

    /// What this registry has counted since it started (`GET /metrics`).
    pub fn metrics(&self) -> &Arc<crate::metrics::Metrics> {
        &self.metrics
    }

    /// Settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn scope<'a>(&'a self, user: &'a User) -> Scope<'a> {
        Scope::new(&user.areas, &self.areas)
    }

    /// Answers one protocol request: a frame in, a frame out.
    pub async fn handle(&self, ep: Endpoint, token: Option<&str>, body: &[u8]) -> Result<Vec<u8>> {
        if body.len() > self.config.max_body {
            return Err(RegistryError::TooLarge(self.config.max_body));
        }
        // The version is checked before authentication so that an old app is told to update.
        let (v, _) = peek(body)?;
        if v != PROTOCOL_VERSION {
            return Err(RegistryError::unsupported_version(v));
        }
        let name = ep.path().trim_start_matches("/v1/");
        self.metrics.exchanges.with_label_values(&[name]).inc();
        // Enrollment is how a device gets a token: it is the one endpoint answered without one.
        let auth = || self.authenticate(token);
        Ok(match ep {
            Endpoint::Enroll => self.enroll(EnrollRequest::decode(body)?).await?.encode(),
            Endpoint::Actors => {
                let auth = auth().await?;
                self.actors(&auth, ActorsRequest::decode(body)?)
                    .await?
                    .encode()
            }
            Endpoint::Push => {
                let auth = auth().await?;
                let answer = self.push(&auth, PushRequest::decode(body)?).await?;
                self.metrics.count_push(&answer);
                answer.encode()
            }
            Endpoint::Pull => {
                let auth = auth().await?;
                let answer = self.pull(&auth, PullRequest::decode(body)?).await?;
                if !answer.more {
                    self.metrics.rounds.inc();
                }
                answer.encode()
            }
            Endpoint::Check => {
                let auth = auth().await?;
                self.check(&auth, CheckRequest::decode(body)?)
                    .await?
                    .encode()
            }
            Endpoint::Token => {
                let auth = auth().await?;
                TokenRequest::decode(body)?;
                self.rotate_token(&auth, token.unwrap_or_default())
                    .await?
                    .encode()
            }
            Endpoint::HubDevices => {
                let auth = auth().await?;
                self.hub_devices(&auth, HubDevicesRequest::decode(body)?)
                    .await?
                    .encode()
            }
            Endpoint::HubDirectory => {
                let auth = auth().await?;
                let req = HubDirectoryRequest::decode(body)?;
                self.hub_directory(&auth, &req).await?.encode()
            }
        })
    }
}
