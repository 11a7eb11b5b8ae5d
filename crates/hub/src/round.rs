//! One upstream round: register the tablets, push what the registry above lacks, pull its feed,
//! repair what the consistency check finds.
//!
//! The order is the device engine's (push before pull), for the same reason: what the hub's
//! tablets did reaches the centre first, and the centre's answer to it (a completed household
//! marked submitted) comes down in the same round. Every step leaves durable progress behind it:
//!
//! 0. **directory**: the district's users and devices as the registry above knows them
//!    ([`crate::directory`]): devices enrolled there are accepted at the hub, and devices revoked
//!    and users disabled there are cut off here; with them, the users' active assignments, made
//!    the hub's for their tablets ([`crate::assignments`]);
//! 1. **register**: the tablets with a key or actors the registry above has not heard of
//!    ([`crate::tablets`]); each registered one is remembered with its actor count;
//! 2. **push**: the households whose heads the registry above has not acknowledged
//!    ([`crate::outgoing`]), raw with their records, in requests of bounded size; each accepted
//!    household's heads are acknowledged at once, so a cut round resumes with the rest.
//!    Then the reports the tablets submitted at the hub that the registry above has not answered
//!    ([`crate::reports`]), in pushes of their own, each answer recorded as it arrives;
//! 3. **pull**: the hub's scope's feed from its cursor, asking for signature records, for the
//!    form versions the hub lacks (naming those it holds, [`crate::forms`]) and for reviewers'
//!    decisions on the reports it forwarded (naming the last it holds, [`crate::reviews`]); each
//!    page is applied to the hub's registry ([`crate::apply`]), the forms of the last page
//!    published in the hub's registry to its district and its decisions written there for the
//!    tablets that sent the reports, and then the heads it brought are
//!    acknowledged and the cursor moved. A cut between applying and moving the cursor replays the
//!    page, which changes nothing. Households the feed says left the district are recorded as left;
//! 4. **check**: the pull carries the digest of what the hub holds ([`crate::check`]); when the
//!    registry above's differs, `/v1/check` compares the differing buckets household by household:
//!    what the hub lacks is applied, what the registry above lacks is pushed again whole.
//!
//! The hub's token is swapped before the round when due ([`crate::rotation`], in
//! [`crate::Hub::sync_upstream`]).
//!
//! A transport error ends the round with the error (the scheduler tries again later); a refused
//! household or tablet is reported and does not stop the others.

use crate::apply::{apply_page, now_ms};
use crate::check;
use crate::directory::{learn, Learnt};
use crate::error::Result;
use crate::outgoing::{outgoing, Outgoing};
use crate::state::UpstreamState;
use crate::tablets::pending;
use shumari_proto::check::{differing, root_digest};
use shumari_proto::limits::MAX_PUSH_DOCS;
use shumari_proto::message::{
    CheckResponse, CheckVerdict, DocOutcome, HubDevicesRequest, HubDevicesResponse,
    HubDirectoryRequest, HubDirectoryResponse, Message, PullRequest, PullResponse, PushRequest,
    PushResponse, DEFAULT_CHUNK_BYTES,
};
use shumari_proto::{Endpoint, Refusal, Transport};
use shumari_registry::storage::Storage;
use shumari_registry::Registry;
use std::collections::HashMap;
use uuid::Uuid;

/// Bytes of changes one push carries before compression (a household larger than this goes alone).
pub const PUSH_BYTES: usize = 256 * 1024;

/// What a round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// What the registry above's directory added or cut off at the hub.
    pub learnt: Learnt,
    /// The district's assignments above stored or withdrawn at the hub.
    pub assignments: crate::assignments::Applied,
    /// Tablets registered with the registry above (or again, with new actors).
    pub tablets_registered: usize,
    /// Tablets it refused, with the reason.
    pub tablets_refused: Vec<(String, String)>,
    /// Households the registry above accepted.
    pub pushed: usize,
    /// Households it refused, with the reason (their changes stay waiting at the hub).
    pub refused: Vec<(Uuid, String)>,
    /// Reports of the hub's tablets the registry above stored (now, or before a cut round).
    pub reports_forwarded: usize,
    /// Reports it refused, with the reason (recorded; not sent again).
    pub reports_refused: Vec<(Uuid, String)>,
    /// Versions of forms received from above and new at the hub.
    pub forms_received: usize,
    /// Versions of forms from above the hub could not keep, with the reason.
    pub forms_refused: Vec<(String, String)>,
    /// Reports of the hub's tablets a reviewer's decision above moved (`reviews.rs`).
    pub reviews_received: usize,
    /// Households that received changes from above.
    pub pulled: usize,
    /// Households the registry above said left the hub's district.
    pub removed: usize,
    /// Whether the digest differed and `/v1/check` was run.
    pub checked: bool,
    /// Whether the hub's token upstream was swapped for a new one.
    pub token_rotated: bool,
    /// Feed pages read.
    pub pages: usize,
    /// Request/response exchanges.
    pub round_trips: usize,
}

fn refusal_text(r: &Refusal) -> String {
    format!("{}: {}", r.code, r.message)
}

/// One exchange with the registry above.
fn call<Req: Message, Resp: Message>(
    t: &mut dyn Transport,
    ep: Endpoint,
    token: &str,
    req: &Req,
    report: &mut Report,
) -> Result<Resp> {
    report.round_trips += 1;
    let body = t.call(ep, Some(token), req.encode())?;
    Ok(Resp::decode(&body)?)
}

/// Runs a round with `reg` (the hub's registry) and `state` over `t`.
pub fn round<S: Storage>(
    rt: &tokio::runtime::Handle,
    reg: &Registry<S>,
    state: &mut UpstreamState,
    t: &mut dyn Transport,
) -> Result<Report> {
    let storage = &reg.storage;
    let link = state.link()?.ok_or(crate::HubError::NotEnrolled)?;
    let token = link.token.as_str();
    let mut report = Report::default();

    // 0. Who works in the district above: users, devices, revocations.
    let dir: HubDirectoryResponse = call(
        t,
        Endpoint::HubDirectory,
        token,
        &HubDirectoryRequest { assignments: true },
        &mut report,
    )?;
    report.learnt = rt.block_on(learn(storage, state, &dir, now_ms()))?;
    // Their assignments above, for their tablets here (`assignments.rs`), after the users exist.
    if let Some(list) = &dir.assignments {
        report.assignments =
            rt.block_on(crate::assignments::apply(storage, state, list, now_ms()))?;
    }

    // 1. The tablets.
    let tablets = rt.block_on(pending(storage, state))?;
    for part in tablets.chunks(64) {
        let req = HubDevicesRequest {
            devices: part.iter().map(|p| p.device.clone()).collect(),
        };
        let resp: HubDevicesResponse = call(t, Endpoint::HubDevices, token, &req, &mut report)?;
        for ((id, refusal), p) in resp.results.into_iter().zip(part) {
            match refusal {
                None => {
                    state.set_registered(&id, p.actors)?;
                    report.tablets_registered += 1;
                }
                Some(r) => {
                    tracing::warn!(device = %id, code = %r.code, "the registry above refused a tablet");
                    report.tablets_refused.push((id, refusal_text(&r)));
                }
            }
        }
    }

    // 2. Push.
    push(rt, storage, state, t, token, &mut report)?;

    // 2b. The reports the tablets submitted here, in pushes of their own; each answer is recorded
    // as it arrives (`reports.rs`).
    forward_reports(rt, storage, state, t, token, &link.areas, &mut report)?;

    // 3. Pull, with the digest of what the hub holds and the form versions it lacks.
    // Both move with what the pages bring, so a request asked again after the last page does not
    // bring the same forms and decisions twice.
    let mut held_forms = rt.block_on(crate::forms::held(reg))?;
    let mut reviews_after = state.reviews_after()?;
    let mut cursor = state.cursor()?;
    // As the device engine does: the digest is computed for the first request and after the
    // feed's last page, where a verdict can come back, not for every page of a long feed.
    let mut judged = true;
    let mut asked_again = false;
    let differs = loop {
        let mine = if judged {
            rt.block_on(check::digests(storage, state))?
        } else {
            Vec::new()
        };
        let req = PullRequest {
            cursor: cursor.clone(),
            max_bytes: u32::try_from(DEFAULT_CHUNK_BYTES).unwrap_or(u32::MAX),
            digest: if judged { root_digest(&mine) } else { [0; 8] },
            // Reviewers' decisions ride behind the assignments (the hub keeps none of its own).
            assignments: true,
            signatures: true,
            // The key of the offline enrollment codes the hub redeems (it may be made after the
            // hub enrolled), on the feed's last page.
            bundle_key: true,
            // The forms of the hub's district, only the versions it lacks (`forms.rs`).
            forms: true,
            held_forms: held_forms.clone(),
            // The decisions on the reports the hub forwarded, after the last it holds
            // (`reviews.rs`).
            reviews_after: Some(reviews_after),
        };
        let page: PullResponse = call(t, Endpoint::Pull, token, &req, &mut report)?;
        report.pages += 1;
        if let Some(key) = &page.bundle_key {
            rt.block_on(reg.honour_offline_codes(key))?;
        }
        if let Some(forms) = &page.forms {
            let kept = rt.block_on(crate::forms::keep(reg, forms, &link.areas))?;
            report.forms_received += kept.new;
            report.forms_refused.extend(kept.refused);
            if kept.new > 0 {
                held_forms = rt.block_on(crate::forms::held(reg))?;
            }
        }
        if let Some(list) = page.reviews.as_ref().filter(|l| !l.is_empty()) {
            report.reviews_received += rt.block_on(crate::reviews::apply(storage, list))?;
            if let Some(upto) = list.iter().map(|v| v.seq).max() {
                state.set_reviews_after(upto)?;
                reviews_after = reviews_after.max(upto);
            }
        }
        let applied = rt.block_on(apply_page(storage, &page.docs))?;
        report.pulled += applied.iter().filter(|a| a.changed).count();
        check::acknowledge(state, &page.docs, &applied)?;
        report.removed += check::leave(state, &page.removed)?;
        cursor = page.cursor;
        state.set_cursor(&cursor)?;
        if page.more {
            judged = false;
            continue;
        }
        let had_data = !page.docs.is_empty() || !page.removed.is_empty();
        match page.check {
            CheckVerdict::Differs(theirs) if judged => break Some(differing(&mine, &theirs)),
            CheckVerdict::Consistent if judged => break None,
            // A verdict comes with a page that delivered nothing, on a digest computed for it:
            // after a page that brought data, or ended a long feed, ask once more.
            _ if (had_data || !judged) && !asked_again => {
                asked_again = true;
                judged = true;
            }
            _ => break None,
        }
    };

    // 4. Repair what the digest found: what the registry above lacks is pushed again.
    if let Some(buckets) = differs {
        report.checked = true;
        let held = rt.block_on(check::held(storage, state))?;
        let mut wanted = false;
        for req in check::requests(held, &buckets) {
            loop {
                let resp: CheckResponse = call(t, Endpoint::Check, token, &req, &mut report)?;
                let done = rt.block_on(check::apply_answer(
                    storage,
                    state,
                    &resp.send,
                    &resp.want,
                    &resp.remove,
                ))?;
                report.pulled += done.pulled;
                report.removed += done.removed;
                wanted |= !done.wanted.is_empty();
                if !resp.more || resp.send.is_empty() {
                    break;
                }
            }
        }
        if wanted {
            push(rt, storage, state, t, token, &mut report)?;
        }
    }
    state.set_last_sync(now_ms())?;
    Ok(report)
}

/// Pushes every household whose heads the registry above has not acknowledged, acknowledging each
/// accepted one at once.
fn push<S: Storage>(
    rt: &tokio::runtime::Handle,
    storage: &S,
    state: &mut UpstreamState,
    t: &mut dyn Transport,
    token: &str,
    report: &mut Report,
) -> Result<()> {
    let acked = state.acked()?;
    let left = state.left_scope()?;
    let mut waiting = rt.block_on(outgoing(storage, &acked))?;
    waiting.retain(|o| !left.contains(&o.doc.id));
    for batch in batches(waiting) {
        let heads: HashMap<Uuid, Vec<[u8; 32]>> =
            batch.iter().map(|o| (o.doc.id, o.heads.clone())).collect();
        let req = PushRequest {
            docs: batch.into_iter().map(|o| o.doc).collect(),
            submissions: Vec::new(),
        };
        let resp: PushResponse = call(t, Endpoint::Push, token, &req, report)?;
        let mut acks = Vec::new();
        for (id, outcome) in resp.results {
            match outcome {
                DocOutcome::Accepted => {
                    if let Some(h) = heads.get(&id) {
                        acks.push((id, h.clone()));
                    }
                }
                DocOutcome::Refused(r) => {
                    tracing::warn!(household = %id, code = %r.code, "the registry above refused a household");
                    report.refused.push((id, refusal_text(&r)));
                }
            }
        }
        report.pushed += acks.len();
        state.set_acked(&acks)?;
    }
    Ok(())
}

/// Sends the reports the tablets submitted at the hub that the registry above has not answered,
/// recording each answer as it arrives, so a cut round sends only the rest again.
fn forward_reports<S: Storage>(
    rt: &tokio::runtime::Handle,
    storage: &S,
    state: &mut UpstreamState,
    t: &mut dyn Transport,
    token: &str,
    areas: &[String],
    report: &mut Report,
) -> Result<()> {
    let answered = state.forwarded_reports()?;
    let reports = rt.block_on(crate::reports::waiting(storage, areas, &answered))?;
    for part in reports.chunks(crate::reports::REPORTS_PER_PUSH) {
        let req = PushRequest {
            docs: Vec::new(),
            submissions: part.to_vec(),
        };
        let resp: PushResponse = call(t, Endpoint::Push, token, &req, report)?;
        let answers: Vec<(Uuid, Option<String>)> = resp
            .submissions
            .into_iter()
            .map(|o| (o.id, o.refused))
            .collect();
        for (id, refused) in &answers {
            match refused {
                None => report.reports_forwarded += 1,
                Some(why) => {
                    tracing::warn!(report = %id, "the registry above refused a report");
                    report.reports_refused.push((*id, why.clone()));
                }
            }
        }
        state.set_forwarded_reports(&answers, now_ms())?;
    }
    Ok(())
}

/// Pushes of at most [`PUSH_BYTES`] of changes and [`MAX_PUSH_DOCS`] households each.
fn batches(docs: Vec<Outgoing>) -> Vec<Vec<Outgoing>> {
    let mut out: Vec<Vec<Outgoing>> = Vec::new();
    let mut size = 0;
    for d in docs {
        let len = d.doc.wire_len();
        match out.last_mut() {
            Some(b) if size + len <= PUSH_BYTES && b.len() < MAX_PUSH_DOCS => {
                size += len;
                b.push(d);
            }
            _ => {
                size = len;
                out.push(vec![d]);
            }
        }
    }
    out
}
