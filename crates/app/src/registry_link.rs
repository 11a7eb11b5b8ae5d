//! The app's link to the central registry, through `shumari-sync` over HTTP: enrollment redeems a
//! one-time code (the engine stores the device token, user and granted areas in the encrypted store) and
//! a sync round is one full engine sync (push, pull, check, repair) with progress and byte counts.
//! Engine errors become [`AppError`]s whose codes the UI translates into plain words.

use crate::error::{AppError, Result};
use shumari_store::Store;
use shumari_sync::{HttpTransport, Options, SyncError, TransportError};

/// What the registry grants an enrolled device.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The user id edits are attributed to.
    pub user: String,
    /// Areas the device surveys, as the registry answered.
    pub areas: Vec<String>,
}

fn transport_error(e: TransportError) -> AppError {
    match e {
        TransportError::Unreachable(m) => AppError::Unreachable(m),
        TransportError::Rejected { status, .. } if status >= 500 || status == 429 => {
            AppError::Unreachable(e.to_string())
        }
        TransportError::Rejected { message, .. } => AppError::Rejected(message),
    }
}

fn sync_error(e: SyncError) -> AppError {
    match e {
        SyncError::NotEnrolled => AppError::NotEnrolled,
        SyncError::Store(s) => s.into(),
        SyncError::Transport(t) => transport_error(t),
        SyncError::Decode(d) => AppError::Internal(d.to_string()),
    }
}

/// Runs blocking network work on a plain thread. Tauri runs commands on a tokio worker, and reqwest's
/// blocking client refuses to run inside an async runtime (it panics), so the exchange must leave it.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(f)
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

fn transport(url: &str) -> Result<HttpTransport> {
    HttpTransport::new(url).map_err(transport_error)
}

/// Enrolls `store` with the registry at `url` using a one-time code. On success the store holds the
/// device token and is attributed to the registry's user.
pub fn enroll(store: &mut Store, url: &str, code: &str) -> Result<Grant> {
    let resp = off_runtime(|| {
        let mut t = transport(url)?;
        shumari_sync::enroll(store, &mut t, url, code, &Options::default()).map_err(sync_error)
    })?;
    Ok(Grant {
        user: resp.user_id,
        areas: resp.areas,
    })
}

/// Progress of a sync round: (fraction 0..1, bytes sent, bytes received).
pub type Progress<'a> = &'a (dyn Fn(f64, u64, u64) + Sync);

/// What a finished round did (for the status screen).
#[derive(Debug, Clone, Default)]
pub struct RoundReport {
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
    /// Households refused by the registry, each as "code: reason".
    pub refused: Vec<String>,
}

/// One sync round with the registry.
pub fn sync_round(store: &mut Store, url: &str, progress: Progress<'_>) -> Result<RoundReport> {
    progress(0.02, 0, 0);
    let mut on_progress = |p: &shumari_sync::Progress| {
        // Phases in order push, pull, check: each gets a third of the bar.
        let base = match p.phase {
            "push" => 0.0,
            "pull" => 1.0 / 3.0,
            _ => 2.0 / 3.0,
        };
        let within = match p.total {
            Some(t) if t > 0 => (p.done as f64 / t as f64).min(1.0),
            _ => 0.5,
        };
        progress(base + within / 3.0, p.bytes_sent, p.bytes_received);
    };
    let report = off_runtime(|| {
        let mut t = transport(url)?;
        shumari_sync::sync(store, &mut t, &Options::default(), &mut on_progress).map_err(sync_error)
    })?;
    progress(1.0, report.bytes_sent, report.bytes_received);
    Ok(RoundReport {
        bytes_sent: report.bytes_sent,
        bytes_received: report.bytes_received,
        refused: report
            .refused
            .iter()
            .map(|r| format!("{}: {}", r.code, r.message))
            .collect(),
    })
}
