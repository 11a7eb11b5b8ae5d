//! Sync with the registry: a background worker tries whenever the registry may be reachable, backing
//! off (5 s doubling to 5 min) while it is not; `sync_now` wakes it at once. The worker is a plain
//! thread, so a sync never blocks the caller (the UI polls [`App::sync_status`] for progress).

use crate::error::{AppError, Result};
use crate::registry_link;
use crate::session::read_enrollment;
use crate::App;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

const FIRST_BACKOFF: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
const AFTER_SUCCESS: Duration = Duration::from_secs(120);

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

    /// Stops the worker (it finishes the round it is in).
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
        loop {
            // Wait for a request, the next attempt time, or a stop.
            {
                let mut s = self.lock();
                let wait = if s.requested { Duration::ZERO } else { backoff };
                if !s.requested {
                    s.status.next_attempt_at = Some(
                        (Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default())
                            .to_rfc3339(),
                    );
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
            }
            let outcome = self.round(&app);
            let mut s = self.lock();
            s.status.progress = 0.0;
            match outcome {
                Ok(()) => {
                    s.status.state = "idle".into();
                    s.status.last_sync_at = Some(Utc::now().to_rfc3339());
                    backoff = AFTER_SUCCESS;
                }
                Err(e) => {
                    // After a refusal the round itself went through (everything else is synced) and
                    // retrying soon would only be refused again: pace it like a success.
                    let round_done = matches!(e, AppError::Refused { .. });
                    if round_done {
                        s.status.last_sync_at = Some(Utc::now().to_rfc3339());
                    }
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

    fn round(&self, app: &App) -> Result<()> {
        let url = read_enrollment(app.dir())
            .map(|e| e.registry_url)
            .ok_or(AppError::NotEnrolled)?;
        let progress = |fraction: f64, sent: u64, received: u64| {
            let mut s = self.lock();
            s.status.progress = fraction.clamp(0.0, 1.0);
            s.status.bytes_sent = sent;
            s.status.bytes_received = received;
        };
        let report = app.with_store(|store| registry_link::sync_round(store, &url, &progress))?;
        // A refusal is not "up to date": the household stays waiting on the tablet and the surveyor
        // must see why (e.g. outside the areas the registry grants).
        if report.refused.is_empty() {
            Ok(())
        } else {
            Err(AppError::Refused {
                count: report.refused.len(),
                detail: report.refused.join("; "),
            })
        }
    }
}

impl App {
    /// The sync state, with the number of households waiting to be sent.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let pending = self.with_store(|s| Ok(s.unsynced_count()?))?;
        let mut st = self.sync.lock().status.clone();
        st.pending = pending;
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

    /// When the last successful sync happened, if ever.
    pub fn last_sync(&self) -> Option<DateTime<Utc>> {
        let s = self.sync.lock();
        s.status
            .last_sync_at
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    }
}
