//! The feed (`/v1/pull`): what a device has not seen yet in its scope, in pages under its size cap.
//!
//! A device's first pull is served from snapshots of the scope's documents (compact saves, by id), not
//! their history; after that, from the log after the device's cursor, without its own entries (no
//! echo). A household that moved into the scope is sent whole; one that moved out is sent as removed.
//! A pull that delivers nothing carries the consistency check's verdict ([`super::check`]).
//! A device that asks for signatures gets each change's record beside it: a log entry's own, or
//! every record of the household for a whole document, so it can relay what it received.

use super::Registry;
use crate::error::Result;
use crate::scope::Scope;
use crate::storage::{heads_vec, DeviceAuth, LogEntry, Storage};
use shumari_domain::area::contains;
use shumari_proto::message::{
    CheckVerdict, Cursor, DocChanges, Message, PullRequest, PullResponse,
};
use shumari_proto::signing::RECORD_LEN;
use uuid::Uuid;

/// One page of the feed being built.
#[derive(Debug, Default)]
struct Page {
    docs: Vec<DocChanges>,
    removed: Vec<Uuid>,
    /// Estimated compressed bytes so far.
    used: usize,
}

impl Page {
    /// Adds `item` costing `cost` unless the page is full (a page always takes its first item).
    fn offer(&mut self, item: DocChanges, cost: usize, budget: usize) -> bool {
        if !self.docs.is_empty() && self.used + cost > budget {
            return false;
        }
        self.used += cost;
        self.docs.push(item);
        true
    }
}

/// Where one log entry leaves a device of this scope.
enum Delivery {
    /// Send the entry's changes.
    Changes,
    /// The household moved into the scope: send the whole document.
    Whole,
    /// The household moved out of the scope.
    Removed,
    /// Nothing for this device (out of scope, or its own change).
    Skip,
}

/// What the page that ends the feed carries besides documents, each only when the device asked.
#[derive(Debug, Clone, Default)]
struct LastPage {
    assignments: Option<Vec<shumari_domain::Assignment>>,
    bundle_key: Option<[u8; 32]>,
    forms: Option<Vec<shumari_proto::message::PublishedForm>>,
    reviews: Option<Vec<shumari_proto::message::ReportReview>>,
}

/// Log entries read at a time, from each of a scope's districts.
const LOG_PAGE: usize = 512;

fn delivery(e: &LogEntry, scope: &Scope<'_>, device_id: &str) -> Delivery {
    let now_in = scope.contains(&e.area);
    let was_in = e.prev_area.as_deref().map(|a| scope.contains(a));
    let moved_out = was_in == Some(true) && !now_in;
    // A device's own changes are not echoed, but a household it moved away must still be removed.
    if e.device_id == device_id && !moved_out {
        return Delivery::Skip;
    }
    match (now_in, was_in) {
        (true, None | Some(true)) => Delivery::Changes,
        (true, Some(false)) => Delivery::Whole,
        (false, Some(true)) => Delivery::Removed,
        (false, _) => Delivery::Skip,
    }
}

impl<S: Storage> Registry<S> {
    pub(super) async fn pull(&self, auth: &DeviceAuth, req: PullRequest) -> Result<PullResponse> {
        super::permit::on_tablet(&auth.user)?;
        let limit = (req.max_bytes as usize).clamp(4096, self.config.chunk_bytes.max(4096));
        let mut budget = limit * 9 / 10;
        // What rides on the page that ends the feed, read once per pull (a page that compresses
        // worse than guessed is built again): the user's assignments (shumari_proto's
        // `message/assignments.rs`), the registry's bundle key (`bundles.rs`) and the forms
        // published to the device's areas that it does not hold yet (`forms.rs`), and reviewers'
        // decisions on the device's reports after the last one it holds (`report_review.rs`).
        let mut last_page: Option<LastPage> = None;
        loop {
            let (page, cursor, more) = self
                .page(auth, req.cursor.clone(), budget, req.signatures)
                .await?;
            let check = if page.docs.is_empty() && page.removed.is_empty() && !more {
                self.verdict(auth, &req.digest).await?
            } else {
                CheckVerdict::NotChecked
            };
            if !more && last_page.is_none() {
                last_page = Some(LastPage {
                    assignments: if req.assignments {
                        Some(self.device_assignments(&auth.user).await?)
                    } else {
                        None
                    },
                    bundle_key: if req.bundle_key {
                        self.storage.bundle_key().await?
                    } else {
                        None
                    },
                    forms: if req.forms {
                        Some(self.wire_forms(&auth.user.areas, &req.held_forms).await?)
                    } else {
                        None
                    },
                    // Decisions ride behind the assignments, to a device that names the last
                    // one it holds (`report_review.rs`).
                    reviews: match req.reviews_after {
                        Some(after) if req.assignments => {
                            self.decisions_for_device(&auth.device_id, after).await?
                        }
                        _ => None,
                    },
                });
            }
            let LastPage {
                assignments,
                bundle_key,
                forms,
                reviews,
            } = match (&last_page, more) {
                (Some(extras), false) => extras.clone(),
                _ => LastPage::default(),
            };
            let resp = PullResponse {
                docs: page.docs,
                removed: page.removed,
                cursor,
                more,
                check,
                assignments,
                bundle_key,
                forms,
                reviews,
            };
            // Rarely, a page compresses worse than guessed: halve the budget and build it again.
            if resp.docs.len() > 1 && resp.encode().len() > limit {
                budget /= 2;
                continue;
            }
            return Ok(resp);
        }
    }

    /// Builds one feed page within `budget` estimated compressed bytes; returns it with the cursor to
    /// continue from and whether more follows.
    async fn page(
        &self,
        auth: &DeviceAuth,
        mut cursor: Cursor,
        budget: usize,
        signed: bool,
    ) -> Result<(Page, Cursor, bool)> {
        let scope = self.scope(&auth.user);
        let mut page = Page::default();
        // First sync: compact snapshots of the scope, area by area in (area, id) order.
        if !cursor.started || cursor.snapshot.is_some() {
            let (upto, mut after) = match cursor.snapshot.take() {
                Some(s) => s,
                None => (self.storage.max_seq().await?, None),
            };
            let areas = crate::scope::outermost(&auth.user.areas);
            // Resume in the area holding the last household sent (from the first when none, or
            // when the user's areas changed since: what was sent is sent again, harmlessly).
            let start = after
                .as_ref()
                .and_then(|(a, _)| areas.iter().position(|u| contains(u, a)))
                .unwrap_or_else(|| {
                    after = None;
                    0
                });
            for area in &areas[start..] {
                loop {
                    let rows = self.storage.snapshot_page(area, after.clone(), 256).await?;
                    if rows.is_empty() {
                        break;
                    }
                    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
                    let mut records = self.records_of(&ids, signed).await?;
                    for r in rows {
                        let at = (r.area.clone(), r.id);
                        if scope.contains(&r.area) && r.last_device != auth.device_id {
                            let signatures = records.remove(&r.id).unwrap_or_default();
                            // Snapshots are already compressed, and signatures do not compress:
                            // count both at full size.
                            let cost = r.doc.len() + 64 + RECORD_LEN * signatures.len();
                            let item = DocChanges {
                                id: r.id,
                                changes: r.doc,
                                heads: heads_vec(&r.heads),
                                signatures,
                            };
                            if !page.offer(item, cost, budget) {
                                let c = Cursor {
                                    seq: 0,
                                    snapshot: Some((upto, after)),
                                    started: false,
                                };
                                return Ok((page, c, true));
                            }
                        }
                        after = Some(at);
                    }
                }
                after = None;
            }
            cursor = Cursor {
                seq: upto,
                snapshot: None,
                started: true,
            };
        }
        // Then the log after the cursor: the scope's districts' entries only, each read in
        // sequence order and merged (`scope::log_reads`), without the device's own entries.
        let reads = crate::scope::log_reads(&auth.user.areas, &self.areas);
        loop {
            let mut entries = Vec::new();
            for (district, range) in &reads {
                entries.extend(
                    self.storage
                        .read_log_in(district, range, cursor.seq, LOG_PAGE)
                        .await?,
                );
            }
            let entries = crate::storage::first_by_seq(entries, LOG_PAGE);
            if entries.is_empty() {
                return Ok((page, cursor, false));
            }
            for e in entries {
                let item = match delivery(&e, &scope, &auth.device_id) {
                    Delivery::Changes => Some(DocChanges {
                        id: e.id,
                        changes: e.changes,
                        heads: heads_vec(&e.heads),
                        signatures: if signed { e.signatures } else { Vec::new() },
                    }),
                    Delivery::Whole => {
                        let mut records = self.records_of(&[e.id], signed).await?;
                        self.storage
                            .load_docs(&[e.id])
                            .await?
                            .into_iter()
                            .flatten()
                            .next()
                            .map(|s| DocChanges {
                                id: s.id,
                                changes: s.doc,
                                heads: heads_vec(&s.heads),
                                signatures: records.remove(&s.id).unwrap_or_default(),
                            })
                    }
                    Delivery::Removed => {
                        page.removed.push(e.id);
                        None
                    }
                    Delivery::Skip => None,
                };
                if let Some(item) = item {
                    // Raw changes compress about 4x in a batch; signatures not at all.
                    let cost = item.changes.len() / 4 + 48 + RECORD_LEN * item.signatures.len();
                    if !page.offer(item, cost, budget) {
                        return Ok((page, cursor, true));
                    }
                }
                cursor.seq = e.seq;
            }
        }
    }
}
