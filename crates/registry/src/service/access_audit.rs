//! The access audit trail as the service writes and reads it: every read of personal data (the
//! household list and detail, over HTTP or the registry's command line), every admin action (users,
//! enrollment codes, the device list, revoking a device, disabling a user) and every failed
//! authentication (including a revoked, disabled or expired device's) appends one hash-chained row
//! ([`crate::storage::access`]). Rows hold ids, counts and area codes, never a token, a name or an
//! ID number.
//!
//! A read is answered only once its row is stored: if the trail cannot be written, the read fails
//! (an unrecorded look at personal data is what the trail exists to rule out). A failed
//! authentication is refused whether or not its row could be written.

use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::access::{ChainReport, ChainWalk};
use crate::storage::{AccessEntry, AccessEvent, Storage, User};

/// Who acts through the registry's own command line (an operator on the registry's machine).
pub const CONSOLE: &str = "console";
/// Who a request without a valid token is.
pub const ANONYMOUS: &str = "anonymous";

/// Rows read per query by [`Registry::verify_access_audit`].
const PAGE: usize = 1000;

/// What an access audit row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessAction {
    /// The household list was read.
    HouseholdList,
    /// One household was read (or looked for).
    HouseholdShow,
    /// A user was added.
    UserAdd,
    /// An enrollment code was issued.
    EnrollCode,
    /// A request that needs a token came without one.
    AuthMissingToken,
    /// A request came with a token the registry does not know.
    AuthUnknownToken,
    /// The device list was read.
    DeviceList,
    /// The user list was read (at the console).
    UserList,
    /// A device was revoked.
    DeviceRevoke,
    /// A user was disabled (with their devices and unused enrollment codes).
    UserDisable,
    /// A revoked device, or a disabled user's device, was refused.
    AuthRevoked,
    /// A device whose token expired was refused.
    AuthExpired,
    /// A review decision on a household (approve, return, reject) was made or attempted.
    HouseholdReview,
    /// A sign-in at the web console succeeded or failed (the outcome is in the detail).
    ConsoleSignIn,
    /// A household's registry PMT score was read.
    PmtShow,
    /// A PMT model was installed.
    PmtModelInstall,
    /// A rescoring run was started.
    PmtRescore,
    /// The duplicates queue was read.
    DuplicateList,
    /// A duplicate case was resolved, marked a data error or dismissed (or that was attempted).
    DuplicateResolve,
    /// Work was assigned to a surveyor (or that was attempted).
    AssignmentMake,
    /// An assignment was withdrawn (or that was attempted).
    AssignmentWithdraw,
    /// The assignments overview was read.
    AssignmentList,
    /// An area's ID numbers were exported for the national ID authority.
    IdentityExport,
    /// A result file of the national ID authority was imported (or recognised as imported).
    IdentityImport,
    /// A citizen looked their household up on the status page (the outcome; never the CNIC).
    CitizenLookup,
    /// A citizen's SMS asked for a household's status (the outcome; never the number or text).
    SmsLookup,
    /// A programme file was loaded.
    ProgrammeLoad,
    /// An eligibility run was started.
    EligibilityRun,
    /// An enrolment run was started.
    EnrolmentRun,
    /// A household's enrolment status was changed.
    EnrolmentSet,
    /// A household's eligibility and enrolments were read.
    EnrolmentShow,
    /// Compliance records (attendance, clinic visits) were stored.
    ComplianceRecord,
    /// The planned payments of a programme, period and area were read.
    PlannedPayments,
    /// A payment cycle was prepared.
    PaymentCycleCreate,
    /// A payment cycle's approval was made or refused.
    PaymentCycleApprove,
    /// A district's payment list was exported for the bank.
    PaymentExport,
    /// A bank result file was applied (or recognised as applied).
    PaymentImport,
    /// A cycle's reconciliation report was read.
    PaymentReconcile,
    /// A household's payments were read.
    PaymentRead,
    /// A grievance was filed (or that was attempted).
    GrievanceFile,
    /// The grievances queue was read.
    GrievanceList,
    /// One grievance was read (or looked for).
    GrievanceShow,
    /// A note was added to a grievance (or that was attempted).
    GrievanceNote,
    /// A grievance was resolved (or that was attempted).
    GrievanceResolve,
    /// A grievance past its SLA was escalated to its province.
    GrievanceEscalate,
    /// Households or members were exported (dataset, format, area, rows, personal data or not).
    DataExport,
    /// Coverage targets were set (how many areas; the CLI's or the console's administrator).
    TargetSet,
    /// A pushed household was refused because a change's author could not be proven (no signature
    /// where one is needed, or one that does not verify); the detail names the code, the change and
    /// both devices.
    ChangeRefused,
    /// A device registered its public key, or was refused another one.
    DeviceKey,
    /// A USB bundle from a device was imported (its id, households, accepted and refused counts).
    BundleImport,
    /// A USB bundle for a device was exported (its id and households).
    BundleExport,
    /// A district hub registered one of its tablets (or was refused); the detail names the
    /// outcome and the tablet's device id here.
    HubDevice,
    /// A hub read its district's users and devices.
    HubDirectory,
    /// A questionnaire version was published to areas (or that was attempted and refused).
    FormPublish,
    /// A form's submissions were read (its page, a list or an export).
    SubmissionList,
    /// A reviewer decided on a report (or tried to, outside their areas).
    ReportReview,
}

impl AccessAction {
    /// The name stored in the trail.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessAction::HouseholdList => "household.list",
            AccessAction::HouseholdShow => "household.show",
            AccessAction::UserAdd => "user.add",
            AccessAction::EnrollCode => "enroll_code.issue",
            AccessAction::AuthMissingToken => "auth.missing_token",
            AccessAction::AuthUnknownToken => "auth.unknown_token",
            AccessAction::DeviceList => "device.list",
            AccessAction::UserList => "user.list",
            AccessAction::DeviceRevoke => "device.revoke",
            AccessAction::UserDisable => "user.disable",
            AccessAction::AuthRevoked => "auth.revoked",
            AccessAction::AuthExpired => "auth.expired",
            AccessAction::HouseholdReview => "household.review",
            AccessAction::ConsoleSignIn => "console.sign_in",
            AccessAction::PmtShow => "household.pmt",
            AccessAction::PmtModelInstall => "pmt.install",
            AccessAction::PmtRescore => "pmt.rescore",
            AccessAction::DuplicateList => "duplicates.list",
            AccessAction::DuplicateResolve => "duplicates.resolve",
            AccessAction::AssignmentMake => "assignment.make",
            AccessAction::AssignmentWithdraw => "assignment.withdraw",
            AccessAction::AssignmentList => "assignment.list",
            AccessAction::IdentityExport => "identity.export",
            AccessAction::IdentityImport => "identity.import",
            AccessAction::CitizenLookup => "citizen.lookup",
            AccessAction::SmsLookup => "citizen.sms",
            AccessAction::ProgrammeLoad => "programme.load",
            AccessAction::EligibilityRun => "eligibility.run",
            AccessAction::EnrolmentRun => "enrolment.run",
            AccessAction::EnrolmentSet => "enrolment.set",
            AccessAction::EnrolmentShow => "enrolment.show",
            AccessAction::ComplianceRecord => "compliance.record",
            AccessAction::PlannedPayments => "payments.planned",
            AccessAction::PaymentCycleCreate => "payments.cycle_create",
            AccessAction::PaymentCycleApprove => "payments.cycle_approve",
            AccessAction::PaymentExport => "payments.export",
            AccessAction::PaymentImport => "payments.import",
            AccessAction::PaymentReconcile => "payments.reconcile",
            AccessAction::PaymentRead => "payments.household",
            AccessAction::GrievanceFile => "grievance.file",
            AccessAction::GrievanceList => "grievance.list",
            AccessAction::GrievanceShow => "grievance.show",
            AccessAction::GrievanceNote => "grievance.note",
            AccessAction::GrievanceResolve => "grievance.resolve",
            AccessAction::GrievanceEscalate => "grievance.escalate",
            AccessAction::DataExport => "data.export",
            AccessAction::TargetSet => "dashboard.target_set",
            AccessAction::ChangeRefused => "change.refused",
            AccessAction::DeviceKey => "device.key",
            AccessAction::BundleImport => "bundle.import",
            AccessAction::BundleExport => "bundle.export",
            AccessAction::HubDevice => "hub.device",
            AccessAction::HubDirectory => "hub.directory",
            AccessAction::FormPublish => "form.publish",
            AccessAction::SubmissionList => "form.submissions",
            AccessAction::ReportReview => "form.report_review",
        }
    }
}

/// The actor of a request made as `user` (`None`: the registry's command line).
pub(super) fn actor_of(user: Option<&User>) -> &str {
    user.map_or(CONSOLE, |u| u.id.as_str())
}

impl<S: Storage> Registry<S> {
    /// Appends one row to the access audit trail.
    pub(super) async fn record_access(
        &self,
        action: AccessAction,
        actor: &str,
        subject: Option<&str>,
        detail: Option<String>,
    ) -> Result<()> {
        let event = AccessEvent {
            action: action.as_str().to_string(),
            actor: actor.to_string(),
            subject: subject.map(str::to_string),
            detail,
        };
        self.access_trail.append(&self.storage, event).await
    }

    /// Appends `event` for a feature that lives outside this crate (the DCI API's searches), through
    /// the same group commit as the registry's own rows: answered once the row is stored.
    pub async fn record_access_event(&self, event: AccessEvent) -> Result<()> {
        self.access_trail.append(&self.storage, event).await
    }

    /// Records a failed authentication; a failure to record is logged (the request is refused anyway).
    pub(super) async fn record_auth_failure(&self, action: AccessAction) {
        if let Err(e) = self.record_access(action, ANONYMOUS, None, None).await {
            tracing::error!(error = %e, "the access audit trail could not record a failed authentication");
        }
    }

    /// Up to `limit` rows of the access audit trail after sequence number `after`, oldest first.
    pub async fn access_audit(&self, after: u64, limit: usize) -> Result<Vec<AccessEntry>> {
        Ok(self.storage.access_page(after, limit).await?)
    }

    /// Walks the whole access audit trail and reports the first broken link, if any.
    pub async fn verify_access_audit(&self) -> Result<ChainReport> {
        let mut walk = ChainWalk::default();
        let mut after = 0;
        loop {
            let page = self.storage.access_page(after, PAGE).await?;
            let Some(last) = page.last() else {
                break;
            };
            after = last.seq;
            if !page.iter().all(|row| walk.step(row)) {
                break;
            }
        }
        Ok(walk.report())
    }
}

/// Appends to the access trail with group commit. Each caller queues its event and waits until a
/// transaction holding it has committed, so a read is still answered only once its row is stored;
/// but callers arriving while a transaction is being written go into the next one together, so
/// under load (the citizen status page's look-ups) the trail costs one commit per batch rather than
/// one per request, and the chain stays one sequence (one writer at a time in this process; the
/// backend's table lock orders writers of other processes).
#[derive(Debug, Default)]
pub(super) struct AccessTrail {
    queued: std::sync::Mutex<Vec<(AccessEvent, Waiter)>>,
    writer: tokio::sync::Mutex<()>,
}

type Waiter = tokio::sync::oneshot::Sender<std::result::Result<(), String>>;

/// The most events one transaction takes (the rest wait for the next).
const BATCH: usize = 512;

impl AccessTrail {
    async fn append<S: Storage>(&self, storage: &S, event: AccessEvent) -> Result<()> {
        let (tx, mut rx) = tokio::sync::oneshot::channel();
        self.queued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((event, tx));
        let _writing = self.writer.lock().await;
        // Holding the writer, write batches until ours is among the written: usually the first
        // one, or none when the writer before us took it.
        loop {
            match rx.try_recv() {
                Ok(done) => return done.map_err(RegistryError::Internal),
                Err(tokio::sync::oneshot::error::TryRecvError::Closed) => {
                    // The writer holding it was dropped mid-write (its request went away).
                    return Err(RegistryError::Internal(
                        "the access trail's writer stopped before confirming this request's row"
                            .into(),
                    ));
                }
                Err(tokio::sync::oneshot::error::TryRecvError::Empty) => {}
            }
            let batch: Vec<(AccessEvent, Waiter)> = {
                let mut q = self.queued.lock().unwrap_or_else(|p| p.into_inner());
                let n = q.len().min(BATCH);
                q.drain(..n).collect()
            };
            let (events, waiters): (Vec<AccessEvent>, Vec<Waiter>) = batch.into_iter().unzip();
            let outcome = storage
                .append_access(&events, now_ms())
                .await
                .map(|_| ())
                .map_err(|e| e.to_string());
            for w in waiters {
                // A waiter that gave up (its request was dropped) no longer listens.
                let _ = w.send(outcome.clone());
            }
        }
    }
}
