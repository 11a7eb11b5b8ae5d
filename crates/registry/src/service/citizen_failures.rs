//! Failed citizen look-ups counted with group commit.
//!
//! Every miss of the status page counts a failure against its CNIC and its client address before
//! it is answered (so a lockout is never late). One transaction per miss made the counts the
//! busiest writer under a guessing attack; here, as for the access trail (`access_audit.rs`), each
//! miss queues its counts and waits until a transaction holding them has committed, and misses
//! arriving while one is being written go into the next one together. A batch counts its misses in
//! the order they came, so every miss learns the lockout it would have learned alone.

use crate::error::{RegistryError, Result};
use crate::storage::citizen::Failures;
use crate::storage::Storage;

type Waiter = tokio::sync::oneshot::Sender<std::result::Result<Option<i64>, String>>;

/// The most misses one transaction takes (the rest wait for the next).
const BATCH: usize = 512;

/// The queue of failures waiting to be counted, and the one writer that counts them.
#[derive(Debug, Default)]
pub(super) struct FailureCounter {
    queued: std::sync::Mutex<Vec<(Failures, Waiter)>>,
    writer: tokio::sync::Mutex<()>,
}

impl FailureCounter {
    /// Counts `failures` (one miss) and returns until when its keys are now locked, if they are;
    /// answered once the counts are committed.
    pub(super) async fn note<S: Storage>(
        &self,
        storage: &S,
        failures: Failures,
    ) -> Result<Option<i64>> {
        let (tx, mut rx) = tokio::sync::oneshot::channel();
        self.queued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((failures, tx));
        let _writing = self.writer.lock().await;
        // Holding the writer, count batches until ours is among the counted: usually the first
        // one, or none when the writer before us took it.
        loop {
            match rx.try_recv() {
                Ok(done) => return done.map_err(RegistryError::Internal),
                Err(tokio::sync::oneshot::error::TryRecvError::Closed) => {
                    return Err(RegistryError::Internal(
                        "the failure counter stopped before confirming this look-up's counts"
                            .into(),
                    ));
                }
                Err(tokio::sync::oneshot::error::TryRecvError::Empty) => {}
            }
            let batch: Vec<(Failures, Waiter)> = {
                let mut q = self.queued.lock().unwrap_or_else(|p| p.into_inner());
                let n = q.len().min(BATCH);
                q.drain(..n).collect()
            };
            let (sets, waiters): (Vec<Failures>, Vec<Waiter>) = batch.into_iter().unzip();
            match storage.note_failures(&sets).await {
                Ok(locked) => {
                    for (w, l) in waiters.into_iter().zip(locked) {
                        // A waiter that gave up (its request was dropped) no longer listens.
                        let _ = w.send(Ok(l));
                    }
                }
                Err(e) => {
                    let e = e.to_string();
                    for w in waiters {
                        let _ = w.send(Err(e.clone()));
                    }
                }
            }
        }
    }
}
