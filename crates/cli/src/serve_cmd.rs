//! `shumari registry serve`: the registry as a long-running service.
//!
//! - **Logs** go to stderr (journald keeps them under systemd) through `tracing`, as text or, with
//!   `--log-format json` (`SHUMARI_LOG_FORMAT`, `log_format` in the settings file), one JSON object per
//!   line for log shippers. Each request's lines carry its `request_id`. `SHUMARI_LOG` sets the level
//!   (`info` by default; `debug` adds a line per answered request). No line carries a name or an ID
//!   number (a test greps a whole scenario's log for them).
//! - **Metrics** (`GET /metrics`) need the token in `metrics_token_file` (or `SHUMARI_METRICS_TOKEN_FILE`,
//!   a file whose first line is the token) as a bearer token; without one, only a scraper on the same
//!   machine is answered.
//! - **Shutdown**: on SIGTERM (what systemd sends) or Ctrl-C the registry stops accepting connections,
//!   lets the requests in flight finish for up to `shutdown_grace_secs` (30 by default), works
//!   through the households pushes left to score and check, then leaves the database tidy and exits 0. A request cut off by the grace period loses nothing: every push is
//!   one transaction, and the device sends again what was not acknowledged.
//! - **Grievances** past their SLA are escalated to their province every `escalate_every_minutes`
//!   (the `[grievances]` table, 15 by default); citizens' SMS go through the `[sms]` gateway.

use crate::registry_cmd::{open, settings, DbArgs, FileConfig, ServeTlsArgs};
use anyhow::Context;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people: one line per event with its span's fields.
    Text,
    /// For log shippers: one JSON object per line.
    Json,
}

/// How long requests in flight may take to finish once a shutdown is asked for, by default.
const DEFAULT_GRACE_SECS: u64 = 30;

/// Runs the registry server until SIGTERM or Ctrl-C.
pub fn run(
    rt: &tokio::runtime::Runtime,
    db: &DbArgs,
    listen: Option<&str>,
    tls: &ServeTlsArgs,
    log_format: Option<LogFormat>,
) -> anyhow::Result<i32> {
    let (url, file, mut config) = settings(db)?;
    init_logging(log_format.or(file.log_format).unwrap_or(LogFormat::Text));
    config.metrics_token = metrics_token(&file)?;
    let portal = file.portal.config()?;
    let grace = Duration::from_secs(file.shutdown_grace_secs.unwrap_or(DEFAULT_GRACE_SECS));
    let listen = listen
        .map(str::to_string)
        .or_else(|| file.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:7800".into());
    let tls = serve_tls(tls, &file, &listen)?;
    let reg = open(rt, &url, config)?;
    crate::registry_cmd::attach_sms(&reg, &file)?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let addr = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        tracing::info!(%addr, scheme, "registry listening");
        // The bound address on stdout lets scripts and tests use port 0.
        println!("listening on {scheme}://{addr}");
        let asked = Arc::new(tokio::sync::Notify::new());
        let stop = {
            let asked = asked.clone();
            async move {
                stop_signal().await;
                tracing::info!(
                    grace_secs = grace.as_secs(),
                    "stopping: no new connections; finishing the requests in flight"
                );
                asked.notify_one();
            }
        };
        // The web console at /console: its cookies are Secure whenever a browser reaches it over
        // HTTPS (this TLS, or the proxy `--insecure-http` declares).
        let console = shumari_console::ConsoleConfig {
            secure_cookies: tls.is_some() || !addr.ip().is_loopback(),
            ..Default::default()
        };
        // The citizen status page at /status and the SMS webhook beside the console.
        let router = shumari_registry::app_with(
            reg.clone(),
            shumari_console::router(reg.clone(), console)
                .merge(shumari_portal::router(reg.clone(), portal))
                // The DCI social registry API for other social-protection systems.
                .merge(shumari_dci::router(reg.clone(), shumari_dci::DciConfig::default())),
        );
        let escalation = crate::grievance_cmd::spawn_escalation(reg.clone());
        let server = async {
            match tls {
                Some(tls) => shumari_registry::launch_tls_router(listener, router, tls, stop)
                    .await
                    .map_err(anyhow::Error::from),
                None => shumari_registry::launch_router(listener, router, stop)
                    .await
                    .map_err(anyhow::Error::from),
            }
        };
        tokio::select! {
            served = server => served?,
            () = async { asked.notified().await; tokio::time::sleep(grace).await } => {
                tracing::warn!(grace_secs = grace.as_secs(), "requests still in flight after the grace period: stopping anyway (devices send them again)");
            }
        }
        escalation.abort();
        // What pushes left to score and check is done now, so no write follows the checkpoint.
        reg.settle_queue().await;
        use shumari_registry::Storage;
        reg.storage
            .close()
            .await
            .context("closing the database")?;
        tracing::info!("registry stopped");
        anyhow::Ok(())
    })?;
    Ok(0)
}

/// SIGTERM (systemd, `kill`) or Ctrl-C, whichever comes first.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Logs to stderr at `SHUMARI_LOG`'s level (`info` by default), as text or JSON.
fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SHUMARI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// The SHA-256 of the metrics token, read from the file the environment or the settings name.
fn metrics_token(file: &FileConfig) -> anyhow::Result<Option<[u8; 32]>> {
    let path = std::env::var_os("SHUMARI_METRICS_TOKEN_FILE")
        .map(std::path::PathBuf::from)
        .or_else(|| file.metrics_token_file.clone());
    let Some(path) = path else { return Ok(None) };
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(&path)
            .with_context(|| format!("reading the metrics token file {}", path.display()))?,
    );
    let token = text.lines().next().unwrap_or_default().trim();
    if token.len() < 16 {
        return Err(crate::exit::bad(format!(
            "the metrics token in {} is shorter than 16 characters",
            Path::new(&path).display()
        )));
    }
    Ok(Some(Sha256::digest(token.as_bytes()).into()))
}

/// The TLS settings `serve` runs with (flags, then the settings file), or none for plain HTTP, which
/// is refused on an address other computers can reach unless `--insecure-http` says a TLS proxy is in
/// front. Every refusal here is the operator's to fix (exit 2).
fn serve_tls(
    args: &ServeTlsArgs,
    file: &FileConfig,
    listen: &str,
) -> anyhow::Result<Option<shumari_registry::TlsSettings>> {
    let cert = args.tls_cert.clone().or_else(|| file.tls_cert.clone());
    let key = args.tls_key.clone().or_else(|| file.tls_key.clone());
    match (cert, key) {
        (Some(cert), Some(key)) => shumari_registry::TlsSettings::load(&cert, &key)
            .map(Some)
            .map_err(|e| crate::exit::bad(e.to_string())),
        (None, None) => {
            use std::net::ToSocketAddrs;
            let addrs: Vec<_> = listen
                .to_socket_addrs()
                .map_err(|e| crate::exit::bad(format!("--listen {listen}: {e}")))?
                .collect();
            let insecure = args.insecure_http || file.insecure_http.unwrap_or(false);
            shumari_registry::check_plain_listen(&addrs, insecure)
                .map_err(|e| crate::exit::bad(e.to_string()))?;
            if insecure {
                tracing::warn!(
                    "serving plain HTTP on {listen}: a TLS proxy in front must encrypt every connection"
                );
            }
            Ok(None)
        }
        _ => Err(crate::exit::bad(
            "TLS needs both a certificate and a key (--tls-cert and --tls-key)",
        )),
    }
}
