//! Sync with the registry, without ever making the surveyor wait.
//!
//! A background worker (a plain thread, started on unlock) runs a round whenever the registry may be
//! reachable, backing off from 5 s, doubling to 5 min, while it is not; [`App::sync_now`] wakes it at
//! once and [`App::sync_once`] runs a round on the caller's thread (the command line). Either way the
//! round is the engine's [`shumari_sync::sync_with`] over a [`SharedStore`]:
//!
//! - **The store is held for one local step at a time** (collect a few documents, record what the
//!   registry acknowledged, apply part of a page, move the cursor), never while a request is on the
//!   wire or while the engine waits to retry. A keystroke save during a 2G sync, or while the registry
//!   is unreachable, waits for one short step at most.
//! - **Edits during a round are safe**: the engine acknowledges the heads it sent, so a household
//!   edited while its batch is in flight is still waiting after the round and goes in the next one.
//! - **The round is bound to the store it started with**: locking the app (or unlocking it again,
//!   which is a new automerge actor) stops the round at its next local step; nothing done is lost.
//! - **Status never waits on the worker**: the worker publishes progress into a small shared
//!   [`SyncStatus`] it locks only to update it. [`App::sync_status`] reads that, plus the pending count
//!   and the last successful sync, which the engine keeps in the store (so it survives a restart).
//! - **One round at a time**: the worker and [`App::sync_once`] share a round lock that only they take.
//! - **A cut-off device stops asking**: when the registry answers that this device was revoked (or
//!   its user disabled) or its token expired, retrying cannot help, so the worker makes no more rounds
//!   on its own until the surveyor taps "sync now" (or the app is unlocked again). The households stay
//!   on the tablet.

use crate::error::{AppError, Result};
use crate::registry_link;
use crate::App;
use chrono::{DateTime, Utc};
use serde::Serialize;
use shumari_sync::engine::KEY_LAST_SYNC;
use shumari_sync::SharedStore;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

pub use shumari_sync::proto::DEFAULT_CHUNK_BYTES;
pub use shumari_sync::{Progress as SyncProgress, Refused, Report as SyncReport};

const FIRST_BACKOFF: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
const AFTER_SUCCESS: Duration = Duration::from_secs(120);
/// How long a cut-off device's worker waits for the surveyor before trying on its own (a year: in
/// practice, until "sync now" or the next unlock).
const PARKED: Duration = Duration::from_secs(365 * 24 * 3600);

/// An error in plain words.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SyncError {
    /// Machine code (translated by the UI).
    pub code: String,
    /// English detail.
    pub message: String,
}

/// What the sync screen shows.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// `idle`, `running`, `offline` or `error`.
    #[ts(type = "SyncState")]
    pub state: String,
    /// Last successful sync (RFC 3339).
    pub last_sync_at: Option<String>,
    /// Households with changes the registry has not acknowledged.
    pub pending: u64,
    /// Bytes sent in the current or last round.
    pub bytes_sent: u64,
    /// Bytes received in the current or last round.
    pub bytes_received: u64,
    /// 0..1 while running.
    pub progress: f64,
    /// Why the last round failed.
    pub error: Option<SyncError>,
    /// When the worker tries next on its own.
    pub next_attempt_at: Option<String>,
}

impl Default for SyncStatus {
    fn default() -> Self {
        SyncStatus {
            state: "idle".into(),
            last_sync_at: None,
            pending: 0,
            bytes_sent: 0,
            bytes_received: 0,
            progress: 0.0,
            error: None,
            next_attempt_at: None,
        }
    }
}

#[derive(Debug, Default)]
struct Shared {
    status: SyncStatus,
    /// Bumped to stop the current worker (lock) or replace it (unlock again).
    generation: u64,
    requested: bool,
}

/// Handle on the background worker.
#[derive(Debug, Clone, Default)]
pub struct SyncController {
    inner: Arc<(Mutex<Shared>, Condvar)>,
    /// Held for a whole round (across network IO) by the worker or [`App::sync_once`], and by
    /// nothing else: no call a screen makes ever takes it.
    round: Arc<Mutex<()>>,
}

impl SyncController {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.inner.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts (or restarts) the worker for `app`.
    pub(crate) fn start(&self, app: App) {
        let generation = {
            let mut s = self.lock();
            s.generation += 1;
            s.requested = true;
            s.generation
        };
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("shumari-sync".into())
            .spawn(move || me.run(app, generation));
        if let Err(e) = spawned {
            self.lock().status.error = Some(SyncError {
                code: "internal".into(),
                message: e.to_string(),
            });
        }
    }

    /// Stops the worker: it ends the round it is in at its next local step (or when its request
    /// returns) and exits.
    pub(crate) fn stop(&self) {
        self.lock().generation += 1;
        self.inner.1.notify_all();
    }

    fn request(&self) {
        self.lock().requested = true;
        self.inner.1.notify_all();
    }

    fn run(&self, app: App, generation: u64) {
        let mut backoff = FIRST_BACKOFF;
        // Set when the registry cut this device off: wait for the surveyor, not for a timer.
        let mut parked = false;
        loop {
            // Wait for a request, the next attempt time, or a stop.
            {
                let mut s = self.lock();
                let wait = if s.requested {
                    Duration::ZERO
                } else if parked {
                    PARKED
                } else {
                    backoff
                };
                if !s.requested {
                    s.status.next_attempt_at = (!parked).then(|| {
                        (Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default())
                            .to_rfc3339()
                    });
                    let (g, _) = self
                        .inner
                        .1
                        .wait_timeout_while(s, wait, |s| !s.requested && s.generation == generation)
                        .unwrap_or_else(|p| p.into_inner());
                    s = g;
                }
                if s.generation != generation {
                    return;
                }
                s.requested = false;
                s.status.state = "running".into();
                s.status.progress = 0.0;
                s.status.bytes_sent = 0;
                s.status.bytes_received = 0;
                s.status.error = None;
                s.status.next_attempt_at = None;
                parked = false;
            }
            let outcome = self.round(&app, generation);
            let mut s = self.lock();
            if s.generation != generation {
                // Locked (or unlocked again) during the round: the status now belongs to whoever
                // comes next.
                return;
            }
            s.status.progress = 0.0;
            match outcome {
                Ok(()) => {
                    s.status.state = "idle".into();
                    backoff = AFTER_SUCCESS;
                }
                Err(e) => {
                    // After a refusal the round itself went through (everything else is synced) and
                    // retrying soon would only be refused again: pace it like a success.
                    let round_done = matches!(e, AppError::Refused { .. });
                    parked = matches!(e, AppError::Revoked | AppError::Expired);
                    s.status.state = if matches!(e, AppError::Unreachable(_)) {
                        "offline"
                    } else {
                        "error"
                    }
                    .into();
                    s.status.error = Some(SyncError {
                        code: e.code().into(),
                        message: e.to_string(),
                    });
                    backoff = if round_done {
                        AFTER_SUCCESS
                    } else if backoff >= AFTER_SUCCESS {
                        FIRST_BACKOFF
                    } else {
                        (backoff * 2).min(MAX_BACKOFF)
                    };
                }
            }
        }
    }

    /// One background round: the engine's report becomes progress in the shared status, and
    /// refusals an error the surveyor sees.
    fn round(&self, app: &App, generation: u64) -> Result<()> {
        let mut progress = |p: &SyncProgress| {
            let mut s = self.lock();
            if s.generation == generation {
                s.status.progress = registry_link::fraction(p);
                s.status.bytes_sent = p.bytes_sent;
                s.status.bytes_received = p.bytes_received;
            }
        };
        let report = app.run_round(None, &mut progress)?;
        {
            let mut s = self.lock();
            if s.generation == generation {
                s.status.progress = 1.0;
                s.status.bytes_sent = report.bytes_sent;
                s.status.bytes_received = report.bytes_received;
            }
        }
        // A refusal is not "up to date": the household stays waiting on the tablet and the surveyor
        // must see why (e.g. outside the areas the registry grants).
        if report.refused.is_empty() {
            Ok(())
        } else {
            Err(AppError::Refused {
                count: report.refused.len(),
                detail: report
                    .refused
                    .iter()
                    .map(|r| format!("{}: {}", r.code, r.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            })
        }
    }
}

impl App {
    /// One round with the engine, the store taken per local step; rounds never overlap.
    fn run_round(
        &self,
        chunk_bytes: Option<usize>,
        progress: &mut (dyn FnMut(&SyncProgress) + Send),
    ) -> Result<SyncReport> {
        let _round = self.sync.round.lock().unwrap_or_else(|p| p.into_inner());
        let mut access = SharedStore::new(&self.store);
        registry_link::sync_round(&mut access, chunk_bytes, progress)
    }

    /// Runs one sync round now, on the caller's thread, and returns what it did (the command line's
    /// `shumari sync`). Same engine, store access and error mapping as the background worker; it waits
    /// for a round the worker is already in. `chunk_bytes` caps one request (the protocol's default
    /// when `None`). Refused households are in the report, not an error.
    pub fn sync_once(
        &self,
        chunk_bytes: Option<usize>,
        progress: &mut (dyn FnMut(&SyncProgress) + Send),
    ) -> Result<SyncReport> {
        self.with_store(|_| Ok(()))?;
        self.run_round(chunk_bytes, progress)
    }

    /// The sync state, with the number of households waiting to be sent. Never waits on a round:
    /// the store is held by a round only for short local steps.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let (pending, last) =
            self.with_store(|s| Ok((s.unsynced_count()?, s.kv_get(KEY_LAST_SYNC)?)))?;
        let mut st = self.sync.lock().status.clone();
        st.pending = pending;
        st.last_sync_at = last;
        Ok(st)
    }

    /// Asks the worker to sync now and returns at once.
    pub fn sync_now(&self) -> Result<SyncStatus> {
        self.with_store(|_| Ok(()))?;
        self.sync.request();
        let mut st = self.sync_status()?;
        if st.state != "running" {
            st.state = "running".into();
        }
        Ok(st)
    }

    /// When the last successful sync happened, if ever (kept in the store across restarts).
    pub fn last_sync(&self) -> Option<DateTime<Utc>> {
        self.with_store(|s| Ok(s.kv_get(KEY_LAST_SYNC)?))
            .ok()
            .flatten()
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc))
    }
}
