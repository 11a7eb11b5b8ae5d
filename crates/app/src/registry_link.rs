//! The app's link to the central registry, through `shumari-sync` over HTTP: enrollment redeems a
//! one-time code (the engine stores the device token, user and granted areas in the encrypted store) and
//! a sync round is one full engine sync (push, pull, check, repair) with progress and byte counts.
//!
//! Transport security is `shumari-sync`'s (`shumari_sync::http`): `https://` except on this computer,
//! and the certificate authority pinned at enrollment (kept in the encrypted store) is the only one a
//! later sync trusts.
//!
//! Both take the store through [`StoreAccess`], so the store is held for one local step at a time and
//! never while a request is on the wire. Engine errors become [`AppError`]s whose codes the UI
//! translates into plain words and the command line turns into exit statuses.

use crate::error::{AppError, Result};
use shumari_sync::engine::KEY_URL;
use shumari_sync::http::KEY_CA;
use shumari_sync::{
    HttpTransport, Options, Progress, Report, StoreAccess, SyncError, TransportError,
};

/// What the registry grants an enrolled device.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    /// This device's id at the registry.
    pub(crate) device_id: String,
    /// The user id edits are attributed to.
    pub(crate) user: String,
    /// The user's name.
    pub(crate) user_name: String,
    /// The user's role (`surveyor`, `supervisor`, ...).
    pub(crate) role: shumari_sync::proto::Role,
    /// Areas the device surveys, as the registry answered.
    pub(crate) areas: Vec<String>,
}

fn transport_error(e: TransportError) -> AppError {
    match e {
        TransportError::Unreachable(m) => AppError::Unreachable(m),
        TransportError::Throttled { .. } => AppError::Unreachable(e.to_string()),
        TransportError::Rejected { status, .. } if status >= 500 || status == 429 => {
            AppError::Unreachable(e.to_string())
        }
        TransportError::Rejected {
            status: 426,
            message,
            ..
        } => AppError::UpdateRequired(message),
        TransportError::Rejected { message, .. } => AppError::Rejected(message),
    }
}

fn sync_error(e: SyncError) -> AppError {
    match e {
        SyncError::NotEnrolled => AppError::NotEnrolled,
        SyncError::Store(s) => s.into(),
        SyncError::Transport(t) => transport_error(t),
        SyncError::Decode(d) => AppError::Internal(d.to_string()),
        SyncError::Stopped => AppError::Locked,
        SyncError::Revoked(_) => AppError::Revoked,
        SyncError::Expired(_) => AppError::Expired,
        SyncError::Bundle(b) => AppError::Bundle {
            code: b.code(),
            message: b.to_string(),
        },
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

/// The transport to `url`, trusting only `ca_pem` when given. An address that would cross a network
/// unencrypted is [`AppError::Invalid`], also for a store enrolled before that rule.
fn transport(url: &str, ca_pem: Option<&str>) -> Result<HttpTransport> {
    shumari_sync::check_registry_url(url).map_err(|e| AppError::Invalid(e.to_string()))?;
    HttpTransport::with_ca(url, ca_pem).map_err(transport_error)
}

/// Enrolls the store behind `access` with the registry at `url` using a one-time code, trusting only
/// the CA `ca_pem` when given. On success the store holds the device token, is attributed to the
/// registry's user, and keeps the CA (or none: public roots) for every later sync.
pub(crate) fn enroll<A: StoreAccess + Send>(
    access: &mut A,
    url: &str,
    code: &str,
    ca_pem: Option<&str>,
) -> Result<Grant> {
    let resp = off_runtime(|| {
        let mut t = transport(url, ca_pem)?;
        let resp = shumari_sync::enroll_with(access, &mut t, url, code, &Options::default())
            .map_err(sync_error)?;
        access
            .with_store(|s| {
                match ca_pem {
                    Some(pem) => s.kv_set(KEY_CA, pem)?,
                    None => s.kv_delete(KEY_CA)?,
                }
                Ok(())
            })
            .map_err(sync_error)?;
        Ok::<_, AppError>(resp)
    })?;
    Ok(Grant {
        device_id: resp.device_id,
        user: resp.user_id,
        user_name: resp.user_name,
        role: resp.role,
        areas: resp.areas,
    })
}

/// One sync round with the registry the store is enrolled with. `chunk_bytes` caps one request
/// (the protocol's default when `None`).
pub(crate) fn sync_round<A: StoreAccess + Send>(
    access: &mut A,
    chunk_bytes: Option<usize>,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<Report> {
    let (url, ca_pem) = access
        .with_store(|s| Ok((s.kv_get(KEY_URL)?, s.kv_get(KEY_CA)?)))
        .map_err(sync_error)?;
    let url = url.ok_or(AppError::NotEnrolled)?;
    let defaults = Options::default();
    let opts = Options {
        chunk_bytes: chunk_bytes.unwrap_or(defaults.chunk_bytes).max(4096),
        ..defaults
    };
    off_runtime(|| {
        let mut t = transport(&url, ca_pem.as_deref())?;
        shumari_sync::sync_with(access, &mut t, &opts, progress).map_err(sync_error)
    })
}

/// The progress bar's position (0..1) for an engine progress report: push, pull and check each get a
/// third of the bar.
pub(crate) fn fraction(p: &Progress) -> f64 {
    let base = match p.phase {
        "push" => 0.0,
        "pull" => 1.0 / 3.0,
        _ => 2.0 / 3.0,
    };
    let within = match p.total {
        Some(t) if t > 0 => (p.done as f64 / t as f64).min(1.0),
        _ => 0.5,
    };
    (base + within / 3.0).clamp(0.0, 1.0)
}
