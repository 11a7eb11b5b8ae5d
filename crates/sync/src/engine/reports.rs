//! The engine's part for questionnaires besides the household one: the forms of the device's areas
//! kept from the page that ends the feed, and the reports submitted here sent with a push of their
//! own (no households in it), their outcomes recorded on the device; reviewers' decisions on those
//! reports, from the same page, recorded too. Each pull names the versions the device holds
//! ([`held_forms`]), so the registry sends only the ones it lacks. A correction of a returned
//! report names it in its answers under the registry's reserved key
//! ([`answers_naming_replaced`]), which no question has.

use super::{Session, SyncError};
use crate::access::StoreAccess;
use crate::proto::{
    answers_naming_replaced, Endpoint, FormSubmission, HeldForm, PublishedForm, PushRequest,
    PushResponse, ReportReview,
};
use shumari_store::{Report, ReportDecision, Store, StoredForm};

/// Reports per push request (the registry takes up to 1000).
pub(crate) const REPORTS_PER_PUSH: usize = 200;

/// The forms as the store keeps them.
pub(crate) fn stored_forms(list: &[PublishedForm]) -> Vec<StoredForm> {
    list.iter()
        .map(|f| StoredForm {
            form_id: f.form_id.clone(),
            version: f.version.clone(),
            title: f.title.clone(),
            file_name: f.file_name.clone(),
            source: f.source.clone(),
        })
        .collect()
}

/// The versions this device holds, as a pull names them.
pub(crate) fn held_forms(store: &Store) -> Result<Vec<HeldForm>, shumari_store::StoreError> {
    Ok(store
        .form_versions()?
        .into_iter()
        .map(|(form_id, version)| HeldForm { form_id, version })
        .collect())
}

/// Reviewers' decisions as the store keeps them.
pub(crate) fn decisions(list: &[ReportReview]) -> Vec<ReportDecision> {
    list.iter()
        .map(|v| ReportDecision {
            id: v.id,
            decision: v.decision.clone(),
            note: v.note.clone(),
            by: v.by.clone(),
            at: i64::try_from(v.at).unwrap_or(i64::MAX),
            seq: v.seq,
        })
        .collect()
}

/// A queued report as a push (or an upward bundle) carries it.
pub(crate) fn wire(r: &Report) -> FormSubmission {
    FormSubmission {
        id: r.id,
        form_id: r.form_id.clone(),
        version: r.version.clone(),
        area: r.area.clone(),
        answers: answers_naming_replaced(&r.answers, r.replaces.map(|u| u.to_string()).as_deref()),
        filled_at: u64::try_from(r.filled_at.unwrap_or(r.updated_at)).unwrap_or(0),
    }
}

impl<A: StoreAccess + ?Sized> Session<'_, A> {
    /// Sends the reports waiting for a sync; each is marked sent or refused with the reason.
    pub(super) fn push_reports(&mut self) -> Result<(), SyncError> {
        let queued = self.store.with_store(|s| Ok(s.queued_reports()?))?;
        for part in queued.chunks(REPORTS_PER_PUSH) {
            let req = PushRequest {
                docs: Vec::new(),
                submissions: part.iter().map(wire).collect(),
            };
            let resp: PushResponse = self.call(Endpoint::Push, &req)?;
            let outcomes: Vec<_> = resp
                .submissions
                .into_iter()
                .map(|o| (o.id, o.refused))
                .collect();
            self.report.reports_sent += outcomes.iter().filter(|(_, r)| r.is_none()).count() as u64;
            self.report.reports_refused +=
                outcomes.iter().filter(|(_, r)| r.is_some()).count() as u64;
            self.store.with_store(|s| Ok(s.mark_reports(&outcomes)?))?;
        }
        Ok(())
    }
}
