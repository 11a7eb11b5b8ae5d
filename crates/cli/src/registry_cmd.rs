//! `shumari registry serve | user add | enroll-code | household list|show`.
//!
//! Settings come from flags, then `SHUMARI_*` environment variables, then a commented TOML file
//! (`--config`, e.g. `shumari-registry.toml`):
//! ```toml
//! # Where the registry keeps its data: sqlite:PATH (default) or postgres://...
//! db = "sqlite:/var/lib/shumari/registry.db"
//! # Address to listen on.
//! listen = "127.0.0.1:7800"
//! # Largest response, compressed, in bytes (a 2G link finishes 64 KiB in ~10 s).
//! chunk_bytes = 65536
//! # How long an enrollment code stays valid.
//! code_ttl_hours = 168
//! ```
//! Admin subcommands take the same `--db` as `serve` and work while it runs (SQLite WAL, or
//! PostgreSQL's own concurrency).
//! `Command::Registry(registry_cmd::RegistryCmd)` runs [`run`].

use crate::cli::Cli;
use anyhow::Context;
use shumari_registry::storage::postgres::PgStorage;
use shumari_registry::{Config, Registry, SqliteStorage};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the database is.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// `sqlite:PATH` or `postgres://...`.
    #[arg(long, env = "SHUMARI_DB")]
    pub db: Option<String>,
    /// A TOML settings file.
    #[arg(long, env = "SHUMARI_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Registry subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum RegistryCmd {
    /// Runs the registry server.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "SHUMARI_LISTEN")]
        listen: Option<String>,
    },
    /// Users.
    #[command(subcommand)]
    User(UserCmd),
    /// Prints a one-time, expiring enrollment code for a user's device.
    EnrollCode {
        #[command(flatten)]
        db: DbArgs,
        /// User id.
        #[arg(long)]
        user: String,
    },
    /// Households at the registry.
    #[command(subcommand)]
    Household(RegistryHouseholdCmd),
}

/// `registry user ...`.
#[derive(Debug, clap::Subcommand)]
pub enum UserCmd {
    /// Adds a user.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// Name.
        #[arg(long)]
        name: String,
        /// surveyor, supervisor, district, province or federal.
        #[arg(long)]
        role: String,
        /// Area codes (repeat); each includes everything under it.
        #[arg(long = "area", required = true)]
        areas: Vec<String>,
    },
}

/// `registry household ...`.
#[derive(Debug, clap::Subcommand)]
pub enum RegistryHouseholdCmd {
    /// Lists households.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only this area (and what is under it).
        #[arg(long)]
        area: Option<String>,
    },
    /// Shows one household with its conflicts and audit trail.
    Show {
        #[command(flatten)]
        db: DbArgs,
        /// Id or reference number.
        id: String,
    },
}

#[derive(Debug, Default, serde::Deserialize)]
struct FileConfig {
    db: Option<String>,
    listen: Option<String>,
    chunk_bytes: Option<usize>,
    code_ttl_hours: Option<i64>,
}

fn file_config(path: Option<&Path>) -> anyhow::Result<FileConfig> {
    match path {
        None => Ok(FileConfig::default()),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            toml::from_str(&text).map_err(|e| crate::exit::bad(format!("{}: {e}", p.display())))
        }
    }
}

fn settings(db: &DbArgs) -> anyhow::Result<(String, FileConfig, Config)> {
    let file = file_config(db.config.as_deref())?;
    let url = db
        .db
        .clone()
        .or_else(|| file.db.clone())
        .unwrap_or_else(|| "sqlite:shumari-registry.db".into());
    let mut config = Config::default();
    if let Some(c) = file.chunk_bytes {
        config.chunk_bytes = c.max(4096);
    }
    if let Some(h) = file.code_ttl_hours {
        config.code_ttl_secs = h * 3600;
    }
    Ok((url, file, config))
}

/// The registry over whichever backend `--db` names.
enum Backend {
    Sqlite(Arc<Registry<SqliteStorage>>),
    Pg(Arc<Registry<PgStorage>>),
}

/// Runs `$body` with `$reg` bound to the registry, whatever its backend.
macro_rules! on_backend {
    ($backend:expr, $reg:ident => $body:expr) => {
        match $backend {
            Backend::Sqlite($reg) => $body,
            Backend::Pg($reg) => $body,
        }
    };
}

/// Opens `sqlite:PATH` (or a bare path) or `postgres://...`, migrating as needed. PostgreSQL
/// connections are driven by tasks on `rt`, so it must outlive the registry.
fn open(rt: &tokio::runtime::Runtime, url: &str, config: Config) -> anyhow::Result<Backend> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        // The URL may hold a password: it is not repeated in the error.
        let storage = rt
            .block_on(PgStorage::connect(url))
            .context("connecting to the PostgreSQL database given by --db")?;
        return Ok(Backend::Pg(Arc::new(Registry::new(storage, config))));
    }
    let path = url.strip_prefix("sqlite:").unwrap_or(url);
    let storage =
        SqliteStorage::open(Path::new(path)).with_context(|| format!("opening {path}"))?;
    Ok(Backend::Sqlite(Arc::new(Registry::new(storage, config))))
}

fn to_anyhow(e: shumari_registry::AppError) -> anyhow::Error {
    match e {
        shumari_registry::AppError::BadRequest(m) | shumari_registry::AppError::NotFound(m) => {
            crate::exit::bad(m)
        }
        other => anyhow::anyhow!(other.to_string()),
    }
}

/// Runs a registry subcommand.
pub fn run(cli: &Cli, cmd: &RegistryCmd) -> anyhow::Result<i32> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cmd {
        RegistryCmd::Serve { db, listen } => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_env("SHUMARI_LOG")
                        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
                )
                .with_writer(std::io::stderr)
                .try_init();
            let (url, file, config) = settings(db)?;
            let listen = listen
                .clone()
                .or(file.listen)
                .unwrap_or_else(|| "127.0.0.1:7800".into());
            let reg = open(&rt, &url, config)?;
            on_backend!(reg, reg => rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .with_context(|| format!("listening on {listen}"))?;
                tracing::info!(addr = %listener.local_addr()?, "registry listening");
                // The bound address on stdout lets scripts and tests use port 0.
                println!("listening on http://{}", listener.local_addr()?);
                shumari_registry::launch(listener, reg, async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
                anyhow::Ok(())
            }))?;
            Ok(0)
        }
        RegistryCmd::User(UserCmd::Add {
            db,
            name,
            role,
            areas,
        }) => {
            let (url, _, config) = settings(db)?;
            let reg = open(&rt, &url, config)?;
            let id = on_backend!(&reg, r => rt.block_on(r.add_user(name, role, areas)))
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&serde_json::json!({ "id": id }))?;
            } else {
                println!("{id}");
            }
            Ok(0)
        }
        RegistryCmd::EnrollCode { db, user } => {
            let (url, _, config) = settings(db)?;
            let reg = open(&rt, &url, config)?;
            let code =
                on_backend!(&reg, r => rt.block_on(r.enroll_code(user))).map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&serde_json::json!({ "code": code }))?;
            } else {
                println!("{code}");
            }
            Ok(0)
        }
        RegistryCmd::Household(RegistryHouseholdCmd::List { db, area }) => {
            let (url, _, config) = settings(db)?;
            let reg = open(&rt, &url, config)?;
            let rows = on_backend!(&reg, r => rt.block_on(r.household_list(None, area.as_deref())))
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&rows)?;
            } else {
                let mut t = crate::output::table(&[
                    "ref",
                    "area",
                    "head",
                    "members",
                    "status",
                    "conflicts",
                ]);
                for r in &rows {
                    let s = |k: &str| {
                        r[k].as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| r[k].to_string())
                    };
                    t.add_row(vec![
                        s("ref"),
                        s("area"),
                        s("head_name"),
                        s("member_count"),
                        s("status"),
                        s("conflict_count"),
                    ]);
                }
                println!("{t}");
            }
            Ok(0)
        }
        RegistryCmd::Household(RegistryHouseholdCmd::Show { db, id }) => {
            let (url, _, config) = settings(db)?;
            let reg = open(&rt, &url, config)?;
            let v = on_backend!(&reg, r => rt.block_on(r.household_show(None, id)))
                .map_err(to_anyhow)?;
            // The same JSON for people and programs: it is a document, not a table.
            crate::output::json(&v)?;
            Ok(0)
        }
    }
}
