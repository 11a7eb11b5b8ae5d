//! `shumari enroll` (device side) and `shumari sync`.
//!
//! `Command::Enroll(sync_cmd::EnrollArgs)` runs [`enroll`], and `Command::Sync(sync_cmd::SyncArgs)`
//! runs [`run`].

use crate::cli::Cli;
use crate::pin;
use anyhow::Context;
use shumari_sync::engine::{KEY_TOKEN, KEY_URL};
use shumari_sync::{HttpTransport, Options, Progress};
use std::io::IsTerminal;

/// `shumari enroll --registry URL --code CODE`.
#[derive(Debug, clap::Args)]
pub struct EnrollArgs {
    /// The registry's address, e.g. `https://registry.example.pk`.
    #[arg(long, env = "SHUMARI_REGISTRY")]
    pub registry: String,
    /// The one-time code printed by `shumari registry enroll-code`.
    #[arg(long)]
    pub code: String,
}

/// `shumari sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Largest request/response, compressed, in bytes.
    #[arg(long, env = "SHUMARI_CHUNK_BYTES", default_value_t = shumari_sync::proto::DEFAULT_CHUNK_BYTES)]
    pub chunk_bytes: usize,
}

/// Enrolls this device: stores the token in the encrypted store and registers its actor ids.
pub fn enroll(cli: &Cli, args: &EnrollArgs) -> anyhow::Result<i32> {
    let mut store = pin::open_store(cli)?;
    if store.kv_get(KEY_TOKEN)?.is_some() {
        eprintln!("note: this device was enrolled before; the new enrollment replaces it");
    }
    let mut t = HttpTransport::new(&args.registry)?;
    let resp = shumari_sync::enroll(
        &mut store,
        &mut t,
        &args.registry,
        &args.code,
        &Options::default(),
    )
    .context("enrollment failed")?;
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
    let mut store = pin::open_store(cli)?;
    let url = store.kv_get(KEY_URL)?.ok_or_else(|| {
        crate::exit::bad(
            "this device is not enrolled; run `shumari enroll --registry URL --code CODE`",
        )
    })?;
    let mut t = HttpTransport::new(&url)?;
    let opts = Options {
        chunk_bytes: args.chunk_bytes.max(4096),
        ..Options::default()
    };
    let tty = std::io::stderr().is_terminal() && !cli.json;
    let mut progress = |p: &Progress| {
        if tty {
            match p.total {
                Some(t) => eprint!(
                    "\r{:<5} {}/{} households, {} B sent, {} B received   ",
                    p.phase, p.done, t, p.bytes_sent, p.bytes_received
                ),
                None => eprint!(
                    "\r{:<5} {} households, {} B sent, {} B received   ",
                    p.phase, p.done, p.bytes_sent, p.bytes_received
                ),
            }
        }
    };
    let report =
        shumari_sync::sync(&mut store, &mut t, &opts, &mut progress).context("sync failed")?;
    if tty {
        eprintln!();
    }
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
