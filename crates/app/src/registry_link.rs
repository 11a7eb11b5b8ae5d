//! The app's link to the central registry: enrollment and one sync round.
//!
//! PROVISIONAL: `shumari-sync` (the protocol) is being written alongside; until its client API exists this
//! module only checks that the registry address answers on TCP, grants the areas named in the
//! `SHUMARI_AREAS` environment variable (comma-separated P-codes; a test and demo hook) and reports a
//! sync round as `unreachable`/`internal` honestly rather than pretending. Only this file changes when the
//! protocol lands.

use crate::error::{AppError, Result};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// What the registry grants an enrolled device.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The user id edits are attributed to.
    pub user: String,
    /// Areas the device surveys.
    pub areas: Vec<String>,
}

/// `host:port` of an `http(s)://host[:port][/path]` address.
fn authority(url: &str) -> Result<String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| AppError::Invalid("the registry address has no scheme".into()))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err(AppError::Invalid("the registry address has no host".into()));
    }
    if host.contains(':') {
        Ok(host.to_string())
    } else {
        Ok(format!(
            "{host}:{}",
            if scheme == "https" { 443 } else { 80 }
        ))
    }
}

/// Whether the registry's address accepts connections (bounded by a short timeout).
pub fn reachable(url: &str) -> Result<()> {
    let auth = authority(url)?;
    let addrs: Vec<_> = auth
        .to_socket_addrs()
        .map_err(|e| AppError::Unreachable(e.to_string()))?
        .collect();
    for a in &addrs {
        if TcpStream::connect_timeout(a, Duration::from_secs(3)).is_ok() {
            return Ok(());
        }
    }
    Err(AppError::Unreachable(format!("no answer from {auth}")))
}

/// Enrolls with the registry using a one-time code.
pub fn enroll(url: &str, code: &str) -> Result<Grant> {
    reachable(url)?;
    let areas = std::env::var("SHUMARI_AREAS")
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    // The code's first characters name the enumerator until the registry assigns a user id.
    let user: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    Ok(Grant {
        user: format!("enumerator-{user}"),
        areas,
    })
}

/// Progress of a sync round: (fraction 0..1, bytes sent, bytes received).
pub type Progress<'a> = &'a dyn Fn(f64, u64, u64);

/// One sync round with the registry.
pub fn sync_round(url: &str, progress: Progress<'_>) -> Result<()> {
    progress(0.05, 0, 0);
    reachable(url)?;
    Err(AppError::Internal(
        "the sync protocol is not in this build yet".into(),
    ))
}
