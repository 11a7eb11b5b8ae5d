//! `shumari bundle ...`: sync by USB stick. On a device (no `--db`), `export` writes what the
//! registry lacks ([`shumari_app::App::save_bundle`]) and `import` applies the registry's bundle
//! ([`shumari_app::App::load_bundle`]); with `--db`, the same commands run at the registry:
//! `import` applies a device's bundle as its push, `export --for device ID` writes what that
//! device's pull would give it, and `key` sets up the registry's bundle key.
//!
//! The registry's bundle key is a key file (`--key`, `SHUMARI_BUNDLE_KEY`; by default
//! `bundle.key` beside the `--config` file, or `PATH.bundle-key` beside an SQLite database),
//! made by the first command that needs it with permissions for its owner only. Its public half
//! is kept in the database and told to devices at enrollment and on their next sync.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, DbArgs};
use anyhow::Context;
use shumari_app::{App, AppError};
use shumari_registry::{AnyStorage, DbUrl, Registry, RegistryError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `shumari bundle ...`
#[derive(Debug, clap::Subcommand)]
pub enum BundleCmd {
    /// Write a bundle: on a device, what the registry lacks (`--for registry`, the default); at the
    /// registry (`--db`), what a device's pull would give it (`--for device ID`).
    Export(ExportArgs),
    /// Apply a bundle: on a device, one the registry made for it; at the registry (`--db`), one a
    /// device made. Importing twice changes nothing; a damaged, foreign or altered bundle is
    /// refused and nothing is applied.
    Import(ImportArgs),
    /// At the registry: make (once) and show the registry's bundle key.
    Key(KeyArgs),
}

/// The registry's database and bundle key file.
#[derive(Debug, clap::Args)]
pub struct RegistrySide {
    /// Run at the registry over this database (`sqlite:PATH` or `postgres://...`).
    #[arg(long, env = "SHUMARI_DB")]
    pub db: Option<String>,
    /// The registry's TOML settings file.
    #[arg(long, env = "SHUMARI_CONFIG")]
    pub config: Option<PathBuf>,
    /// The registry's bundle key file (made when missing, readable by its owner only).
    #[arg(long, env = "SHUMARI_BUNDLE_KEY", value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// `shumari bundle export`
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    /// `registry` (on a device), or `device ID` (at the registry; ID is the device's id or the
    /// short id the field app's Settings screen shows).
    #[arg(long = "for", num_args = 1..=2, value_names = ["registry|device", "ID"])]
    pub recipient: Vec<String>,
    /// Everything in scope, not only what the recipient is not known to hold.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub registry: RegistrySide,
}

/// `shumari bundle import`
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The bundle file.
    pub file: PathBuf,
    #[command(flatten)]
    pub registry: RegistrySide,
}

/// `shumari bundle key`
#[derive(Debug, clap::Args)]
pub struct KeyArgs {
    #[command(flatten)]
    pub registry: RegistrySide,
}

/// Runs a bundle subcommand.
pub fn run(cli: &Cli, cmd: &BundleCmd) -> anyhow::Result<i32> {
    match cmd {
        BundleCmd::Export(args) => export(cli, args),
        BundleCmd::Import(args) => import(cli, args),
        BundleCmd::Key(args) => {
            let rt = runtime()?;
            let (reg, key) = open_registry(&rt, &args.registry)?;
            rt.block_on(reg.adopt_bundle_key(&key)).map_err(refusal)?;
            let public = hex::encode(key.public());
            if cli.json {
                crate::output::json(&serde_json::json!({ "bundle_key": public }))?;
            } else {
                println!("registry bundle key {public}");
            }
            Ok(0)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// The key file: `--key`, else beside the settings file, else beside an SQLite database.
fn key_path(side: &RegistrySide, url: &str) -> anyhow::Result<PathBuf> {
    if let Some(k) = &side.key {
        return Ok(k.clone());
    }
    if let Some(c) = &side.config {
        return Ok(c.parent().unwrap_or(Path::new(".")).join("bundle.key"));
    }
    match DbUrl::parse(url) {
        DbUrl::Sqlite(path) => {
            let mut p = path.into_os_string();
            p.push(".bundle-key");
            Ok(PathBuf::from(p))
        }
        DbUrl::Postgres(_) => Err(crate::exit::bad(
            "a PostgreSQL registry needs --key FILE (or SHUMARI_BUNDLE_KEY) for its bundle key",
        )),
    }
}

/// The registry's bundle key for the registry at `url` opened with `db` (made when missing).
pub(crate) fn registry_key(
    db: &DbArgs,
    key: Option<&Path>,
    url: &str,
) -> anyhow::Result<shumari_proto::signing::DeviceKey> {
    let side = RegistrySide {
        db: db.db.clone(),
        config: db.config.clone(),
        key: key.map(Path::to_path_buf),
    };
    let path = key_path(&side, url)?;
    shumari_registry::service::load_or_create_key(&path)
        .with_context(|| format!("the bundle key file {}", path.display()))
}

fn open_registry(
    rt: &tokio::runtime::Runtime,
    side: &RegistrySide,
) -> anyhow::Result<(Arc<Registry<AnyStorage>>, shumari_proto::signing::DeviceKey)> {
    let db = DbArgs {
        db: side.db.clone(),
        config: side.config.clone(),
    };
    let (url, _, _) = crate::registry_cmd::settings(&db)?;
    let path = key_path(side, &url)?;
    let key = shumari_registry::service::load_or_create_key(&path)
        .with_context(|| format!("the bundle key file {}", path.display()))?;
    Ok((open_db(rt, &db)?, key))
}

/// A registry error, with a bundle's refusal under its own code.
fn refusal(e: RegistryError) -> anyhow::Error {
    match e {
        RegistryError::Bundle(b) => anyhow::Error::new(AppError::Bundle {
            code: b.code(),
            message: b.to_string(),
        }),
        other => crate::registry_cmd::to_anyhow(other),
    }
}

/// The app over the data directory, unlocked in the foreground (one use case per process).
fn open_app(cli: &Cli) -> anyhow::Result<App> {
    let dir = crate::pin::data_dir(cli)?;
    if !shumari_store::Store::exists(&dir) {
        return Err(shumari_store::StoreError::NotInitialised(dir.display().to_string()).into());
    }
    let app = App::new(dir);
    app.unlock_foreground(&crate::pin::pin(false)?)?;
    Ok(app)
}

fn export(cli: &Cli, args: &ExportArgs) -> anyhow::Result<i32> {
    let at_registry = args.registry.db.is_some() || args.registry.config.is_some();
    match (at_registry, args.recipient.as_slice()) {
        (false, [] | [_]) => {
            if let [r] = args.recipient.as_slice() {
                if r != "registry" {
                    return Err(crate::exit::bad(
                        "on a device, a bundle is for the registry: --for registry (give --db to \
                         export at the registry for a device)",
                    ));
                }
            }
            let app = open_app(cli)?;
            let saved = app.save_bundle(&args.to, args.all)?;
            if cli.json {
                crate::output::json(&saved)?;
            } else {
                println!(
                    "wrote {} ({} households, {} bytes) for the registry",
                    saved.path, saved.households, saved.bytes
                );
            }
            Ok(0)
        }
        (true, [kind, id]) if kind == "device" => {
            let rt = runtime()?;
            let (reg, key) = open_registry(&rt, &args.registry)?;
            let out = rt
                .block_on(reg.export_bundle(&key, id, args.all))
                .map_err(refusal)?;
            std::fs::write(&args.to, &out.bytes)
                .with_context(|| format!("writing {}", args.to.display()))?;
            if cli.json {
                crate::output::json(&serde_json::json!({
                    "bundle": out.bundle, "households": out.households,
                    "bytes": out.bytes.len(), "path": args.to.display().to_string(),
                }))?;
            } else {
                println!(
                    "wrote {} ({} households, {} bytes) for device {id}",
                    args.to.display(),
                    out.households,
                    out.bytes.len()
                );
            }
            Ok(0)
        }
        _ => Err(crate::exit::bad(
            "use `--for registry` on a device, or `--db URL --for device ID` at the registry",
        )),
    }
}

fn import(cli: &Cli, args: &ImportArgs) -> anyhow::Result<i32> {
    if args.registry.db.is_none() && args.registry.config.is_none() {
        let app = open_app(cli)?;
        let loaded = app.load_bundle(&args.file)?;
        if cli.json {
            crate::output::json(&loaded)?;
        } else {
            println!(
                "received {}, removed {}, {} acknowledged by the registry, {} could not be applied",
                loaded.received, loaded.removed, loaded.acknowledged, loaded.refused
            );
        }
        return Ok(if loaded.refused == 0 { 0 } else { 1 });
    }
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let rt = runtime()?;
    let (reg, key) = open_registry(&rt, &args.registry)?;
    let report = rt
        .block_on(reg.import_bundle(&key, &bytes))
        .map_err(refusal)?;
    if cli.json {
        crate::output::json(&report)?;
    } else {
        println!(
            "bundle {} from device {}: {} households, {} accepted, {} refused",
            report.bundle,
            report.device_id,
            report.households,
            report.accepted,
            report.refused.len()
        );
        for r in &report.refused {
            println!("refused {} ({}): {}", r.id, r.code, r.message);
        }
        if report.reports_stored > 0 || !report.reports_refused.is_empty() {
            println!(
                "reports: {} stored, {} refused",
                report.reports_stored,
                report.reports_refused.len()
            );
        }
        for (id, why) in &report.reports_refused {
            println!("refused report {id}: {why}");
        }
    }
    Ok(if report.refused.is_empty() { 0 } else { 1 })
}
