//! `shumari enroll` (device side) and `shumari sync`: argument parsing and printing around the field
//! app's use cases ([`App::enroll_store_with_ca`], [`App::sync_once`]), so the command line and the tablet
//! enroll and sync the same way.

use crate::cli::Cli;
use crate::pin;
use crate::progress::{Bar, Unit};
use anyhow::Context;
use shumari_app::sync::{SyncProgress, DEFAULT_CHUNK_BYTES};
use shumari_app::{App, AppError};

/// `shumari enroll --registry URL --code CODE [--ca-cert FILE]`.
#[derive(Debug, clap::Args)]
pub struct EnrollArgs {
    /// The registry's address, e.g. `https://registry.example.pk` (`http://` only to this computer).
    #[arg(long, env = "SHUMARI_REGISTRY")]
    pub registry: String,
    /// The one-time code printed by `shumari registry enroll-code`.
    #[arg(long)]
    pub code: String,
    /// PEM file of a private certificate authority (e.g. a district office's self-signed one). The
    /// device then trusts only this CA for this registry, now and on every later sync. Without it,
    /// the public certificate authorities are trusted.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<std::path::PathBuf>,
}

/// `shumari sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Largest request/response, compressed, in bytes.
    #[arg(long, env = "SHUMARI_CHUNK_BYTES", default_value_t = DEFAULT_CHUNK_BYTES)]
    pub chunk_bytes: usize,
}

/// The app over the data directory with its store open (no background worker: one use case per
/// process).
fn open_app(cli: &Cli) -> anyhow::Result<App> {
    let dir = pin::data_dir(cli)?;
    if !shumari_store::Store::exists(&dir) {
        return Err(shumari_store::StoreError::NotInitialised(dir.display().to_string()).into());
    }
    let app = App::new(dir);
    app.unlock_foreground(&pin::pin(false)?)?;
    Ok(app)
}

/// Enrolls this device: stores the token in the encrypted store and registers its actor ids.
pub fn enroll(cli: &Cli, args: &EnrollArgs) -> anyhow::Result<i32> {
    let ca = match &args.ca_cert {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            crate::exit::bad(format!(
                "reading the CA certificate {}: {e}",
                path.display()
            ))
        })?),
        None => None,
    };
    let app = open_app(cli)?;
    let resp = app
        .enroll_store_with_ca(&args.registry, &args.code, ca.as_deref())
        .context("enrollment failed")?;
    if resp.replaced {
        eprintln!("note: this device was enrolled before; the new enrollment replaces it");
    }
    if cli.json {
        crate::output::json(&serde_json::json!({
            "device": resp.device_id, "user": resp.user_id, "role": resp.role, "areas": resp.areas,
        }))?;
    } else {
        println!(
            "Enrolled as {} ({}) for {}; device {}",
            resp.user_name,
            resp.role,
            resp.areas.join(", "),
            resp.device_id
        );
    }
    Ok(0)
}

/// Pushes and pulls everything. Exit 0 only when everything allowed is synced.
pub fn run(cli: &Cli, args: &SyncArgs) -> anyhow::Result<i32> {
    let app = open_app(cli)?;
    // Households per phase with rate and time left on a terminal; nothing otherwise.
    let bar = Bar::new(cli.json, Unit::Households);
    let mut progress = |p: &SyncProgress| bar.set(p.phase, p.done, p.total);
    let report = match app.sync_once(Some(args.chunk_bytes), &mut progress) {
        Ok(r) => r,
        Err(AppError::NotEnrolled) => {
            return Err(crate::exit::bad(
                "this device is not enrolled; run `shumari enroll --registry URL --code CODE`",
            ))
        }
        Err(e) => return Err(anyhow::Error::new(e).context("sync failed")),
    };
    bar.finish();
    if cli.json {
        crate::output::json(&report)?;
    } else {
        println!(
            "pushed {}, pulled {}, removed {}; {} B sent, {} B received in {} round trips; {} with conflicts",
            report.pushed, report.pulled, report.removed, report.bytes_sent, report.bytes_received,
            report.round_trips, report.conflicts
        );
        for r in &report.refused {
            println!("refused {} ({}): {}", r.id, r.code, r.message);
        }
        if !report.complete {
            println!(
                "not everything is synced; run `shumari sync` again or resolve the refusals above"
            );
        }
    }
    Ok(if report.complete { 0 } else { 1 })
}
