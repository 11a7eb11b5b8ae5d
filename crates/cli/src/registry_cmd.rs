//! `shumari registry serve | user add|totp|disable | enroll-code | device list|revoke | household list|show |
//! audit verify|list | backup | restore`.
//!
//! Settings come from flags, then `SHUMARI_*` environment variables, then a commented TOML file
//! (`--config`, e.g. `shumari-registry.toml`):
//! ```toml
//! # Where the registry keeps its data: sqlite:PATH (default) or postgres://...
//! db = "sqlite:/var/lib/shumari/registry.db"
//! # Address to listen on. Without a certificate only a loopback address is accepted.
//! listen = "127.0.0.1:7800"
//! # HTTPS: the certificate chain and private key (PEM). Devices refuse plain http:// to another
//! # computer, so a registry on a network needs these, or a TLS proxy in front of it.
//! # tls_cert = "/etc/shumari/registry.crt"
//! # tls_key = "/etc/shumari/registry.key"
//! # Serve plain HTTP on a non-loopback address: only when a TLS proxy in front encrypts every
//! # connection.
//! # insecure_http = false
//! # Largest response, compressed, in bytes (a 2G link finishes 64 KiB in ~10 s).
//! chunk_bytes = 65536
//! # How long an enrollment code stays valid.
//! code_ttl_hours = 24
//! # Log lines as text (default) or json (one object per line, for log shippers).
//! # log_format = "json"
//! # GET /metrics answers a scraper that sends this file's first line as a bearer token; without
//! # it, only a scraper on this machine.
//! # metrics_token_file = "/etc/shumari/metrics.token"
//! # On SIGTERM, how long requests in flight may take to finish.
//! shutdown_grace_secs = 30
//! # How long a device token stays valid unless the device syncs (each sync keeps it fresh: the
//! # device swaps it for a new one once a day). A device that does not sync for this long must be
//! # enrolled again. Shortening it cuts off every device whose token is older at once.
//! token_ttl_days = 90
//!
//! # Request limits. A caller over its rate gets HTTP 429 with Retry-After, which devices wait out.
//! [limits]
//! # Requests per minute one device may make, and how many at once above that rate.
//! per_token_per_minute = 600
//! token_burst = 300
//! # Requests per minute from one network address (many tablets may share one behind a NAT; behind
//! # a TLS proxy every device shares the proxy's), and the burst above it.
//! per_address_per_minute = 3000
//! address_burst = 1000
//! # Requests served at once (the rest wait), and the longest one request may take.
//! max_concurrent = 64
//! timeout_secs = 120
//!
//! # The citizen status page (/status) and the SMS service's webhook (/sms/inbound).
//! [portal]
//! # The file whose first line is the secret the SMS gateway sends as "Authorization: Bearer ...";
//! # without it the webhook answers 404.
//! # sms_secret_file = "/etc/shumari/sms-gateway.secret"
//! # Failed look-ups (wrong CNIC or date of issue) that lock a CNIC, and a client address, for an hour.
//! failures_per_cnic = 5
//! failures_per_address = 20
//! lockout_minutes = 60
//! # Grievances: days each category has before it is escalated to the province, and how often
//! # `serve` looks for overdue ones.
//! [grievances]
//! not_paid_days = 7
//! paid_less_days = 7
//! wrong_data_days = 15
//! excluded_wrongly_days = 30
//! agent_misconduct_days = 7
//! other_days = 15
//! escalate_every_minutes = 15
//!
//! # SMS to citizens: none (default), a file of JSON lines (development), or an HTTP gateway whose
//! # URL (and optional POST body) template has {to} and {text}; see `shumari_sms::SmsSettings`.
//! [sms]
//! # gateway = "http"
//! # url = "https://sms.example.pk/send?to={to}&text={text}"
//! # auth_header = "Authorization"
//! # auth_value_file = "/etc/shumari/sms-token"
//! ```
//! An SQLite registry is encrypted with SQLCipher when a key is given, from the environment only (a key
//! on the command line would show in the process list): `SHUMARI_DB_KEY_FILE` names a file whose first
//! line is the key, else `SHUMARI_DB_KEY` holds it. Every command on that database needs the same key.
//!
//! Admin subcommands take the same `--db` as `serve` and work while it runs (SQLite WAL, or
//! PostgreSQL's own concurrency). The backend is the registry crate's choice from `--db`
//! ([`DbUrl`], [`AnyStorage`]); this file only parses, opens and prints.

use crate::cli::Cli;
use anyhow::Context;
use shumari_registry::{AnyStorage, Config, DbUrl, Registry, RegistryError, Role};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroizing;

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

/// How `registry serve` meets the network.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeTlsArgs {
    /// Certificate chain (PEM) to serve HTTPS with.
    #[arg(
        long,
        env = "SHUMARI_TLS_CERT",
        requires = "tls_key",
        value_name = "CERT.pem"
    )]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert.
    #[arg(
        long,
        env = "SHUMARI_TLS_KEY",
        requires = "tls_cert",
        value_name = "KEY.pem"
    )]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on a non-loopback address: only behind a TLS proxy that encrypts every
    /// connection.
    #[arg(long, conflicts_with = "tls_cert")]
    pub insecure_http: bool,
}

/// Registry subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum RegistryCmd {
    /// Runs the registry server.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on (default 127.0.0.1:7800). Without --tls-cert only loopback.
        #[arg(long, env = "SHUMARI_LISTEN")]
        listen: Option<String>,
        #[command(flatten)]
        tls: ServeTlsArgs,
        /// How log lines are written: text (default) or json, one object per line.
        #[arg(long, env = "SHUMARI_LOG_FORMAT", value_enum)]
        log_format: Option<crate::serve_cmd::LogFormat>,
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
        /// An offline code instead, valid this many days: signed with the bundle key, a district
        /// hub redeems it (once) even while its link to this registry is down.
        #[arg(long, value_name = "DAYS")]
        offline_days: Option<u32>,
        /// The registry's bundle key file (for --offline-days; see `shumari bundle key`).
        #[arg(
            long,
            env = "SHUMARI_BUNDLE_KEY",
            value_name = "FILE",
            requires = "offline_days"
        )]
        bundle_key: Option<std::path::PathBuf>,
    },
    /// Devices: list them, revoke one.
    #[command(subcommand)]
    Device(crate::device_cmd::DeviceCmd),
    /// Households at the registry.
    #[command(subcommand)]
    Household(RegistryHouseholdCmd),
    /// The access audit trail (reads of personal data, admin actions, failed authentication).
    #[command(subcommand)]
    Audit(crate::audit_cmd::AuditCmd),
    /// Review: the queue, and approving, returning or rejecting a household.
    #[command(subcommand)]
    Review(crate::review_cmd::ReviewCmd),
    /// Writes a consistent, compressed, checksummed backup of an SQLite registry, while it serves.
    Backup(crate::backup_cmd::BackupArgs),
    /// Restores a backup made by `registry backup`, after checking it.
    Restore(crate::backup_cmd::RestoreArgs),
    /// The proxy means test at the registry: rescore everything, show a household's score.
    #[command(subcommand)]
    Pmt(crate::pmt_cmd::PmtCmd),
    /// The duplicates queue: households sharing a CNIC/B-form number.
    #[command(subcommand)]
    Duplicates(crate::duplicates_cmd::DuplicatesCmd),
    /// Assignments: give a surveyor an area or a household, or withdraw one.
    #[command(subcommand)]
    Assign(crate::assign_cmd::AssignCmd),
    /// The assignments in your areas with progress, coverage per surveyor, and unassigned areas.
    Assignments(crate::assign_cmd::AssignmentsArgs),
    /// Identity verification with NADRA: export an area's ID numbers, import the results.
    #[command(subcommand)]
    Identity(crate::identity_cmd::IdentityCmd),
    /// Data-quality flags: households whose interview deserves a second look, and why.
    #[command(subcommand)]
    Flags(crate::flags_cmd::FlagsCmd),
    /// Programmes: list them, check or load a programme file.
    #[command(subcommand)]
    Programme(crate::programme_cmd::ProgrammeCmd),
    /// Eligibility of every household for every programme, with the reasons.
    #[command(subcommand)]
    Eligibility(crate::programme_cmd::EligibilityCmd),
    /// Enrolment: enrol the eligible, show a household's, suspend or exit one.
    #[command(subcommand)]
    Enrolment(crate::programme_cmd::EnrolmentCmd),
    /// Payment cycles: approve, export for the bank, import its results, reconcile.
    #[command(subcommand)]
    Payments(crate::payments_cmd::PaymentsCmd),
    /// Citizens' grievances: the queue, filing, notes, resolution and SLA escalation.
    #[command(subcommand)]
    Grievance(crate::grievance_cmd::GrievanceCmd),
    /// Questionnaires besides the household one (a service point's daily report): publish, list.
    #[command(subcommand)]
    Form(crate::registry_form_cmd::RegistryFormCmd),
    /// Coverage targets: the households expected per area (the console's coverage dashboard).
    #[command(subcommand)]
    Target(crate::target_cmd::TargetCmd),
    /// Exports households or members as CSV or Parquet, with a codebook and a manifest.
    Export(crate::export_cmd::ExportArgs),
    /// System clients of the DCI social registry API.
    #[command(subcommand)]
    Client(crate::client_cmd::ClientCmd),
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
        /// surveyor, community, supervisor, district, province, federal or administrator
        /// (province, federal and administrator work at the console and enroll no tablet).
        #[arg(long)]
        role: String,
        /// Area codes (repeat); each includes everything under it.
        #[arg(long = "area", required = true)]
        areas: Vec<String>,
        /// Reads a password for the web console from standard input (first line): a console role
        /// then signs in at /console.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Gives a console user a TOTP second factor and prints its otpauth:// URL, once (asked for
    /// at every sign-in from then on; administrators cannot sign in without one).
    Totp {
        #[command(flatten)]
        db: DbArgs,
        /// User id.
        id: String,
    },
    /// Disables a user: all their devices are refused from now on and their unused enrollment codes
    /// are cancelled.
    Disable {
        #[command(flatten)]
        db: DbArgs,
        /// User id.
        id: String,
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

/// The settings file (see the module docs).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct FileConfig {
    db: Option<String>,
    pub(crate) listen: Option<String>,
    pub(crate) tls_cert: Option<PathBuf>,
    pub(crate) tls_key: Option<PathBuf>,
    pub(crate) insecure_http: Option<bool>,
    pub(crate) log_format: Option<crate::serve_cmd::LogFormat>,
    pub(crate) metrics_token_file: Option<PathBuf>,
    pub(crate) shutdown_grace_secs: Option<u64>,
    chunk_bytes: Option<usize>,
    code_ttl_hours: Option<i64>,
    token_ttl_days: Option<i64>,
    #[serde(default)]
    limits: FileLimits,
    #[serde(default)]
    quality: shumari_registry::QualitySettings,
    #[serde(default)]
    pub(crate) portal: FilePortal,
    #[serde(default)]
    grievances: shumari_registry::service::GrievanceSettings,
    #[serde(default)]
    pub(crate) sms: shumari_sms::SmsSettings,
}

/// The `[portal]` table; an absent key keeps the default.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilePortal {
    sms_secret_file: Option<PathBuf>,
    failures_per_cnic: Option<u32>,
    failures_per_address: Option<u32>,
    lockout_minutes: Option<i64>,
}

impl FilePortal {
    /// The portal's settings, reading the gateway's secret from its file.
    pub(crate) fn config(&self) -> anyhow::Result<shumari_portal::PortalConfig> {
        let mut c = shumari_portal::PortalConfig::default();
        let minutes = self.lockout_minutes.unwrap_or(60).max(1) * 60_000;
        for (rule, limit) in [
            (&mut c.limits.per_cnic, self.failures_per_cnic),
            (&mut c.limits.per_address, self.failures_per_address),
        ] {
            rule.limit = limit.unwrap_or(rule.limit).max(1);
            rule.window_ms = minutes;
            rule.lock_ms = minutes;
        }
        if let Some(p) = &self.sms_secret_file {
            let text =
                Zeroizing::new(std::fs::read_to_string(p).with_context(|| {
                    format!("reading the SMS gateway's secret {}", p.display())
                })?);
            let secret = text.lines().next().unwrap_or("").trim();
            if secret.len() < 16 {
                return Err(crate::exit::bad(format!(
                    "{}: the SMS gateway's secret must be at least 16 characters",
                    p.display()
                )));
            }
            c = c.with_sms_secret(secret);
        }
        Ok(c)
    }
}

/// The `[limits]` table; an absent key keeps the registry's default.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLimits {
    per_token_per_minute: Option<u32>,
    token_burst: Option<u32>,
    per_address_per_minute: Option<u32>,
    address_burst: Option<u32>,
    max_concurrent: Option<usize>,
    timeout_secs: Option<u64>,
}

impl FileLimits {
    fn apply(&self, r: &mut shumari_registry::RateLimits) {
        let set = |v: Option<u32>, to: &mut u32| *to = v.unwrap_or(*to).max(1);
        set(self.per_token_per_minute, &mut r.per_token_per_minute);
        set(self.token_burst, &mut r.token_burst);
        set(self.per_address_per_minute, &mut r.per_address_per_minute);
        set(self.address_burst, &mut r.address_burst);
        r.max_concurrent = self.max_concurrent.unwrap_or(r.max_concurrent).max(1);
        if let Some(t) = self.timeout_secs {
            r.timeout = std::time::Duration::from_secs(t.max(1));
        }
    }
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

pub(crate) fn settings(db: &DbArgs) -> anyhow::Result<(String, FileConfig, Config)> {
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
    if let Some(d) = file.token_ttl_days {
        if d < 1 {
            return Err(crate::exit::bad(format!(
                "token_ttl_days = {d}: a device token must live at least one day (devices rotate it daily)"
            )));
        }
        config.token_ttl_secs = d * 86_400;
    }
    file.limits.apply(&mut config.rate);
    config.quality = file.quality.clone();
    config.grievances = file.grievances.clone();
    Ok((url, file, config))
}

/// The SQLite registry's encryption key from the environment, if one is set (see the module docs).
fn db_key() -> anyhow::Result<Option<Zeroizing<String>>> {
    let key = if let Some(path) = std::env::var_os("SHUMARI_DB_KEY_FILE") {
        let text = Zeroizing::new(std::fs::read_to_string(&path).with_context(|| {
            format!(
                "reading the database key file {}",
                Path::new(&path).display()
            )
        })?);
        Zeroizing::new(text.lines().next().unwrap_or_default().to_string())
    } else if let Ok(key) = std::env::var("SHUMARI_DB_KEY") {
        Zeroizing::new(key)
    } else {
        return Ok(None);
    };
    if key.trim().is_empty() {
        return Err(crate::exit::bad("the database key is empty"));
    }
    Ok(Some(key))
}

/// Opens the registry over the database `url` names, migrating as needed. PostgreSQL connections are
/// driven by tasks on `rt`, so it must outlive the registry.
pub(crate) fn open(
    rt: &tokio::runtime::Runtime,
    url: &str,
    config: Config,
) -> anyhow::Result<Arc<Registry<AnyStorage>>> {
    let db = DbUrl::parse(url);
    let key = db_key()?;
    let key = key.as_deref().map(String::as_str);
    // The URL may hold a password: the error names the database without it.
    let reg = rt
        .block_on(Registry::open_keyed(&db, config, key))
        .with_context(|| match &db {
            DbUrl::Postgres(_) => "connecting to the PostgreSQL database given by --db".to_string(),
            DbUrl::Sqlite(_) => format!("opening {db}"),
        })?;
    Ok(Arc::new(reg))
}

/// The database `db` names and its key (for `registry backup|restore`).
pub(crate) fn db_and_key(db: &DbArgs) -> anyhow::Result<(DbUrl, Option<Zeroizing<String>>)> {
    let (url, _, _) = settings(db)?;
    Ok((DbUrl::parse(&url), db_key()?))
}

/// Opens the registry `db` names, with its settings (for the admin commands of other files).
pub(crate) fn open_db(
    rt: &tokio::runtime::Runtime,
    db: &DbArgs,
) -> anyhow::Result<Arc<Registry<AnyStorage>>> {
    let (url, file, config) = settings(db)?;
    let reg = open(rt, &url, config)?;
    attach_sms(&reg, &file)?;
    Ok(reg)
}

/// Gives the registry the SMS gateway the `[sms]` table names, if any.
pub(crate) fn attach_sms(reg: &Registry<AnyStorage>, file: &FileConfig) -> anyhow::Result<()> {
    if let Some(gateway) = file
        .sms
        .gateway()
        .map_err(|e| crate::exit::bad(e.to_string()))?
    {
        reg.set_sms_gateway(gateway);
    }
    Ok(())
}

pub(crate) fn to_anyhow(e: RegistryError) -> anyhow::Error {
    if e.is_bad_input() {
        crate::exit::bad(e.to_string())
    } else {
        anyhow::Error::new(e)
    }
}

/// Runs a registry subcommand.
pub fn run(cli: &Cli, cmd: &RegistryCmd) -> anyhow::Result<i32> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cmd {
        RegistryCmd::Serve {
            db,
            listen,
            tls,
            log_format,
        } => crate::serve_cmd::run(&rt, db, listen.as_deref(), tls, *log_format),
        RegistryCmd::User(UserCmd::Add {
            db,
            name,
            role,
            areas,
            password_stdin,
        }) => {
            let role = role
                .parse::<Role>()
                .map_err(|e| crate::exit::bad(e.to_string()))?;
            // Read (and checked) before the user exists, so a bad password adds no one.
            let password = match password_stdin {
                true => Some(crate::console_user_cmd::read_password(role)?),
                false => None,
            };
            let (url, _, config) = settings(db)?;
            let reg = open(&rt, &url, config)?;
            let id = rt
                .block_on(reg.add_user(name, role, areas))
                .map_err(to_anyhow)?;
            if let Some(password) = password {
                crate::console_user_cmd::set_password(&rt, &reg, &id, &password)?;
            }
            if cli.json {
                crate::output::json(&serde_json::json!({ "id": id }))?;
            } else {
                println!("{id}");
            }
            Ok(0)
        }
        RegistryCmd::User(UserCmd::Totp { db, id }) => {
            crate::console_user_cmd::totp(cli, &rt, db, id)
        }
        RegistryCmd::User(UserCmd::Disable { db, id }) => {
            crate::device_cmd::disable_user(cli, &rt, db, id)
        }
        RegistryCmd::Device(cmd) => crate::device_cmd::run(cli, &rt, cmd),
        RegistryCmd::EnrollCode {
            db,
            user,
            offline_days,
            bundle_key,
        } => {
            let (url, _, config) = settings(db)?;
            let code = match offline_days {
                Some(days) => {
                    let key = crate::bundle_cmd::registry_key(db, bundle_key.as_deref(), &url)?;
                    let reg = open(&rt, &url, config)?;
                    rt.block_on(reg.offline_enroll_code(&key, user, *days))
                        .map_err(to_anyhow)?
                }
                None => {
                    let reg = open(&rt, &url, config)?;
                    rt.block_on(reg.enroll_code(user)).map_err(to_anyhow)?
                }
            };
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
            let rows = rt
                .block_on(reg.household_list(None, area.as_deref()))
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&rows)?;
            } else {
                crate::output::households(&rows);
            }
            Ok(0)
        }
        RegistryCmd::Household(RegistryHouseholdCmd::Show { db, id }) => {
            let (url, _, config) = settings(db)?;
            let reg = open(&rt, &url, config)?;
            let v = rt
                .block_on(reg.household_show(None, id))
                .map_err(to_anyhow)?;
            // The same JSON for people and programs: it is a document, not a table.
            crate::output::json(&v)?;
            Ok(0)
        }
        RegistryCmd::Audit(cmd) => crate::audit_cmd::run(cli, &rt, cmd),
        RegistryCmd::Review(cmd) => crate::review_cmd::run(cli, &rt, cmd),
        RegistryCmd::Backup(args) => crate::backup_cmd::backup(cli, args),
        RegistryCmd::Restore(args) => crate::backup_cmd::restore(cli, args),
        RegistryCmd::Pmt(cmd) => crate::pmt_cmd::run(cli, &rt, cmd),
        RegistryCmd::Duplicates(cmd) => crate::duplicates_cmd::run(cli, &rt, cmd),
        RegistryCmd::Assign(cmd) => crate::assign_cmd::run(cli, &rt, cmd),
        RegistryCmd::Assignments(args) => crate::assign_cmd::list(cli, &rt, args),
        RegistryCmd::Identity(cmd) => crate::identity_cmd::run(cli, &rt, cmd),
        RegistryCmd::Flags(cmd) => crate::flags_cmd::run(cli, &rt, cmd),
        RegistryCmd::Programme(cmd) => crate::programme_cmd::programme(cli, &rt, cmd),
        RegistryCmd::Eligibility(cmd) => crate::programme_cmd::eligibility(cli, &rt, cmd),
        RegistryCmd::Enrolment(cmd) => crate::programme_cmd::enrolment(cli, &rt, cmd),
        RegistryCmd::Payments(cmd) => crate::payments_cmd::run(cli, &rt, cmd),
        RegistryCmd::Grievance(cmd) => crate::grievance_cmd::run(cli, &rt, cmd),
        RegistryCmd::Target(cmd) => crate::target_cmd::run(cli, &rt, cmd),
        RegistryCmd::Form(cmd) => crate::registry_form_cmd::run(cli, &rt, cmd),
        RegistryCmd::Export(args) => crate::export_cmd::run(cli, &rt, args),
        RegistryCmd::Client(cmd) => crate::client_cmd::run(cli, &rt, cmd),
    }
}
