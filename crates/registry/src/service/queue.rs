//! What happens to households after a push stored them: scoring (`scoring.rs`), duplicate
//! detection (`duplicates.rs`) and data-quality flags (`flag_pass.rs`), off the push's path.
//!
//! A push hands the ids it stored to [`Registry::after_ingest`] and answers the device. When the
//! registry runs its background task ([`Registry::spawn_queue`], started by the HTTP router), the ids
//! wait in an in-memory queue the task drains in pages, so a push costs what it stores and not what
//! is derived from it. Without the task (a registry driven in-process, as in tests and the command
//! line), the same work is done in the request, after the ingest lock is released.
//!
//! Every read that depends on the derived rows settles the queue first
//! ([`Registry::settle_queue`]): a score, the household detail, the duplicates queue. Settling waits
//! for a page in progress and then works through what is left itself. An admin command in another
//! process cannot see a server's queue: its duplicates list scans the registry first, a missing
//! score is computed when read, and the approval check looks up the household's own ID numbers
//! itself, so a household pushed a moment ago is never approved past its duplicate case.
//!
//! The queue lives in memory: households still in it when the process stops are caught up when the
//! task starts again (every household without a score is scored, every household without
//! data-quality facts is flagged, and the whole registry is scanned for shared ID numbers), and by
//! `shumari registry pmt rescore` and `duplicates scan`.

use super::Registry;
use crate::storage::Storage;
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use uuid::Uuid;

/// Households worked on per page.
const PAGE: usize = 500;

/// The queue's state, held by [`Registry`].
#[derive(Debug, Default)]
pub(crate) struct Queue {
    /// Households waiting.
    pending: std::sync::Mutex<BTreeSet<Uuid>>,
    /// Wakes the background task.
    signal: tokio::sync::Notify,
    /// Held while a page is worked on, so a settling read waits for it.
    working: tokio::sync::Mutex<()>,
    /// Whether a background task drains the queue.
    running: std::sync::atomic::AtomicBool,
}

impl<S: Storage> Registry<S> {
    /// Scores and checks for duplicates the households a push stored (see the module docs). The
    /// households are already stored and acknowledged, so a failure is logged, not returned.
    pub(super) async fn after_ingest(&self, ids: &[Uuid]) {
        if ids.is_empty() {
            return;
        }
        if self.queue.running.load(Ordering::Acquire) {
            self.queue
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend(ids.iter().copied());
            self.queue.signal.notify_one();
        } else {
            self.derive(ids).await;
        }
    }

    /// Scores `ids` and looks for duplicates among them, logging failures.
    async fn derive(&self, ids: &[Uuid]) {
        match self.score_households(ids).await {
            Ok(n) => tracing::debug!(households = n, "scored"),
            Err(e) => tracing::error!(error = %e, "scoring after ingest failed"),
        }
        if let Err(e) = self.detect_duplicates(ids).await {
            tracing::error!(error = %e, "duplicate detection after ingest failed");
        }
        if let Err(e) = self.flag_households(ids).await {
            tracing::error!(error = %e, "data-quality flags after ingest failed");
        }
    }

    /// Works through everything queued now, waiting for a page in progress first. Reads that depend
    /// on scores or duplicate cases call it; without a background task it returns at once.
    pub async fn settle_queue(&self) {
        if !self.queue.running.load(Ordering::Acquire) {
            return;
        }
        let _working = self.queue.working.lock().await;
        loop {
            let page: Vec<Uuid> = {
                let mut p = self.queue.pending.lock().unwrap_or_else(|p| p.into_inner());
                let page: Vec<Uuid> = p.iter().take(PAGE).copied().collect();
                for id in &page {
                    p.remove(id);
                }
                page
            };
            if page.is_empty() {
                return;
            }
            self.derive(&page).await;
        }
    }

    /// Brings the derived rows up to date before a read that depends on them: this process's queue
    /// settled when it runs one; otherwise (an admin command beside a running server, whose queue
    /// this process cannot see) the registry is scanned for shared ID numbers.
    pub(super) async fn settle_derived(&self) -> crate::error::Result<()> {
        if self.queue.running.load(Ordering::Acquire) {
            self.settle_queue().await;
        } else {
            self.scan_duplicates().await?;
        }
        Ok(())
    }

    /// Brings the data-quality flags up to date before they are read: this process's queue settled
    /// when it runs one; otherwise (a command beside a running server) the households without
    /// facts are flagged here.
    pub(super) async fn settle_flags(&self) -> crate::error::Result<()> {
        if self.queue.running.load(Ordering::Acquire) {
            self.settle_queue().await;
            Ok(())
        } else {
            self.flag_unflagged().await
        }
    }

    /// Starts the background task that drains the queue (once per registry; later calls do
    /// nothing). It first catches up on what a previous process left: households without a score
    /// are scored and the registry is scanned for shared ID numbers.
    pub fn spawn_queue(self: &Arc<Self>) {
        if self.queue.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let reg = self.clone();
        tokio::spawn(async move {
            reg.catch_up().await;
            loop {
                reg.queue.signal.notified().await;
                reg.settle_queue().await;
            }
        });
    }

    async fn catch_up(&self) {
        loop {
            match self.storage.unscored(PAGE).await {
                Ok(ids) if ids.is_empty() => break,
                Ok(ids) => {
                    if let Err(e) = self.score_households(&ids).await {
                        tracing::error!(error = %e, "scoring unscored households failed");
                        break;
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "listing unscored households failed");
                    break;
                }
            }
        }
        if let Err(e) = self.flag_unflagged().await {
            tracing::error!(error = %e, "flagging households at start failed");
        }
        // Households stored before the citizen rows existed (V22) get theirs (citizen_rows.rs).
        match self.fill_citizen_rows().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(households = n, "citizen rows made at start"),
            Err(e) => tracing::error!(error = %e, "making citizen rows at start failed"),
        }
        match self.scan_duplicates().await {
            Ok(n) => tracing::info!(cases = n, "duplicate scan at start"),
            Err(e) => tracing::error!(error = %e, "duplicate scan at start failed"),
        }
    }
}
