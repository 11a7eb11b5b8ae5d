//! Upstream rounds on a schedule: `hub serve` runs one at start, then every interval, and sooner
//! after a failure while the link is down (backing off up to the interval).

use crate::error::Result;
use crate::hub::Hub;
use shumari_proto::Transport;
use shumari_registry::storage::Storage;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// First wait after a failed round; doubled after each further failure, up to the interval.
pub const FIRST_RETRY: Duration = Duration::from_secs(15);

/// Runs rounds until `stop` is set: each with a fresh transport from `connect`, every `every`
/// after a round that went through. Blocks the calling thread (start it on a thread of its own).
pub fn run<S: Storage>(
    hub: &Hub<S>,
    connect: &mut dyn FnMut() -> Result<Box<dyn Transport>>,
    every: Duration,
    stop: &AtomicBool,
) {
    let mut wait = Duration::ZERO;
    let mut retry = FIRST_RETRY;
    while !stop.load(Ordering::SeqCst) {
        let until = Instant::now() + wait;
        while Instant::now() < until {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200).min(until - Instant::now()));
        }
        match connect().and_then(|mut t| hub.sync_upstream(t.as_mut())) {
            Ok(r) => {
                tracing::info!(
                    pushed = r.pushed,
                    pulled = r.pulled,
                    refused = r.refused.len(),
                    tablets = r.tablets_registered,
                    "upstream round done"
                );
                wait = every;
                retry = FIRST_RETRY;
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_secs = retry.as_secs(), "upstream round failed");
                wait = retry.min(every);
                retry = (retry * 2).min(every);
            }
        }
    }
}

/// A stop flag shared with the serving task.
pub fn stop_flag() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}
