//! `shumari hub ...`: a district hub (`crates/hub`): a registry for the office's tablets, enrolled
//! with the registry above as a device of role `hub`, relaying its tablets' work up and the
//! district's feed down.
//!
//! - `hub enroll --db sqlite:PATH --upstream URL --code CODE`: once, with a code made above for a
//!   user of role `hub` (the hub's database is created if needed);
//! - `hub user add --db ... --id ID --name NAME --role ROLE --area CODE...`: a user of the registry
//!   above, same id and name, who will enroll a tablet at the hub;
//! - `hub code --db ... --user ID`: a one-time enrollment code for that user's tablet;
//! - `hub serve --db ... --listen ADDR --upstream URL [--every-minutes N]`: serves the registry's
//!   sync routes to tablets and runs an upstream round at start and every N minutes (15 by
//!   default), sooner after a failure while the link is down;
//! - `hub sync --db ...`: one upstream round now (on demand; a serving hub may be running: every
//!   step is idempotent).

use anyhow::Context;
use clap::{Args, Subcommand};
use shumari_hub::{Hub, HubError};
use shumari_proto::Transport;
use shumari_registry::storage::User;
use shumari_registry::{AnyStorage, DbUrl, Registry};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Where the hub's database is and how to reach the registry above.
#[derive(Debug, Args)]
pub struct HubDb {
    /// The hub's database: `sqlite:PATH` (a hub runs on SQLite).
    #[arg(long, env = "SHUMARI_HUB_DB", value_name = "URL")]
    pub db: String,
}

/// TLS trust for the registry above.
#[derive(Debug, Args)]
pub struct Upstream {
    /// The registry above (`https://...`; plain `http://` only to this machine).
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,
    /// Trust only this CA (PEM) for the registry above (a private CA).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
}

/// `shumari hub`
#[derive(Debug, Subcommand)]
pub enum HubCmd {
    /// Enroll this hub with the registry above, with a code made there for a `hub` user.
    Enroll {
        #[command(flatten)]
        db: HubDb,
        #[command(flatten)]
        upstream: Upstream,
        /// The one-time enrollment code.
        #[arg(long)]
        code: String,
    },
    /// Serve the hub's tablets and sync upstream on a schedule.
    Serve {
        #[command(flatten)]
        db: HubDb,
        #[command(flatten)]
        upstream: Upstream,
        /// Address to listen on (plain HTTP beyond this machine needs --insecure-http, behind a
        /// TLS proxy, or --tls-cert and --tls-key).
        #[arg(long, default_value = "127.0.0.1:7900")]
        listen: String,
        /// Minutes between upstream rounds.
        #[arg(long, default_value_t = 15)]
        every_minutes: u64,
        /// Certificate chain (PEM) to serve HTTPS with.
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// Its private key (PEM).
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Serve plain HTTP on a network address (a TLS proxy in front encrypts).
        #[arg(long)]
        insecure_http: bool,
    },
    /// One upstream round now.
    Sync {
        #[command(flatten)]
        db: HubDb,
        #[command(flatten)]
        upstream: Upstream,
    },
    /// The hub's users (the registry above's, by the same id and name).
    #[command(subcommand)]
    User(HubUserCmd),
    /// A one-time enrollment code for a hub user's tablet.
    Code {
        #[command(flatten)]
        db: HubDb,
        /// The user's id.
        #[arg(long)]
        user: String,
    },
}

/// `shumari hub user`
#[derive(Debug, Subcommand)]
pub enum HubUserCmd {
    /// Add a user of the registry above to the hub.
    Add {
        #[command(flatten)]
        db: HubDb,
        /// Their id at the registry above.
        #[arg(long)]
        id: String,
        /// Their name, exactly as at the registry above.
        #[arg(long)]
        name: String,
        /// Their role (one that holds a tablet).
        #[arg(long)]
        role: String,
        /// Their areas (inside the hub's district).
        #[arg(long = "area", required = true)]
        areas: Vec<String>,
    },
}

fn open_hub(rt: &tokio::runtime::Runtime, db: &HubDb) -> anyhow::Result<Arc<Hub<AnyStorage>>> {
    let url = DbUrl::parse(&db.db);
    let DbUrl::Sqlite(path) = &url else {
        return Err(crate::exit::bad(
            "a hub's database is SQLite: --db sqlite:PATH",
        ));
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let reg = rt
        .block_on(Registry::open(&url, shumari_hub::registry_config()))
        .with_context(|| format!("opening the hub's database {url}"))?;
    Ok(Arc::new(Hub::new(
        Arc::new(reg),
        path,
        rt.handle().clone(),
    )?))
}

fn transport(url: &str, ca: Option<&Path>) -> anyhow::Result<Box<dyn Transport>> {
    let pem = ca
        .map(|p| std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display())))
        .transpose()?;
    let t = shumari_sync::http::HttpTransport::with_ca(url, pem.as_deref())
        .map_err(|e| crate::exit::bad(e.to_string()))?;
    Ok(Box::new(t))
}

/// The registry above: the URL given, else the one the hub enrolled with.
fn upstream_url(hub: &Hub<AnyStorage>, up: &Upstream) -> anyhow::Result<String> {
    if let Some(u) = &up.upstream {
        return Ok(u.clone());
    }
    match hub.link()? {
        Some(l) => Ok(l.url),
        None => Err(crate::exit::bad(HubError::NotEnrolled.to_string())),
    }
}

fn print_report(r: &shumari_hub::Report, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(r)?);
        return Ok(());
    }
    println!(
        "pushed {} household(s), pulled {}, {} page(s); {} tablet(s) registered",
        r.pushed, r.pulled, r.pages, r.tablets_registered
    );
    if r.checked {
        println!("the registry above's holdings differed: checked and repaired");
    }
    if r.removed > 0 {
        println!("{} household(s) left the hub's district", r.removed);
    }
    if r.token_rotated {
        println!("the hub's token upstream was renewed");
    }
    if r.learnt.updated > 0 {
        println!(
            "{} user(s) renamed or moved above updated",
            r.learnt.updated
        );
    }
    for (id, why) in &r.refused {
        println!("refused {id}: {why}");
    }
    for (id, why) in &r.tablets_refused {
        println!("tablet {id} refused: {why}");
    }
    if r.reports_forwarded > 0 || r.forms_received > 0 {
        println!(
            "{} report(s) forwarded, {} form version(s) received",
            r.reports_forwarded, r.forms_received
        );
    }
    for (id, why) in &r.reports_refused {
        println!("report {id} refused above: {why}");
    }
    for (form, why) in &r.forms_refused {
        println!("form {form} not kept: {why}");
    }
    Ok(())
}

/// Runs a `shumari hub` command.
pub fn run(cmd: &HubCmd, json: bool) -> anyhow::Result<i32> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cmd {
        HubCmd::Enroll { db, upstream, code } => {
            let hub = open_hub(&rt, db)?;
            let url = upstream
                .upstream
                .clone()
                .ok_or_else(|| crate::exit::bad("--upstream URL is needed to enroll"))?;
            let mut t = transport(&url, upstream.ca.as_deref())?;
            let link = hub.enroll(t.as_mut(), &url, code)?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({"device_id": link.device_id, "user_id": link.user_id, "areas": link.areas})
                );
            } else {
                println!(
                    "hub enrolled as device {} for {}",
                    link.device_id,
                    link.areas.join(", ")
                );
            }
            Ok(0)
        }
        HubCmd::Sync { db, upstream } => {
            let hub = open_hub(&rt, db)?;
            let url = upstream_url(&hub, upstream)?;
            let mut t = transport(&url, upstream.ca.as_deref())?;
            let report = hub.sync_upstream(t.as_mut())?;
            print_report(&report, json)?;
            Ok(i32::from(!report.refused.is_empty()))
        }
        HubCmd::User(HubUserCmd::Add {
            db,
            id,
            name,
            role,
            areas,
        }) => {
            let hub = open_hub(&rt, db)?;
            let role = role.parse().map_err(|e| crate::exit::bad(format!("{e}")))?;
            hub.add_user(&User {
                id: id.clone(),
                name: name.clone(),
                role,
                areas: areas.clone(),
            })
            .map_err(|e| match e {
                HubError::Registry(_) | HubError::NotEnrolled => crate::exit::bad(e.to_string()),
                e => e.into(),
            })?;
            println!("{id}");
            Ok(0)
        }
        HubCmd::Code { db, user } => {
            let hub = open_hub(&rt, db)?;
            println!("{}", hub.enroll_code(user)?);
            Ok(0)
        }
        HubCmd::Serve {
            db,
            upstream,
            listen,
            every_minutes,
            tls_cert,
            tls_key,
            insecure_http,
        } => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_env("SHUMARI_LOG")
                        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
                )
                .with_writer(std::io::stderr)
                .try_init();
            let hub = open_hub(&rt, db)?;
            let url = upstream_url(&hub, upstream)?;
            let ca = upstream.ca.clone();
            let tls = match (tls_cert, tls_key) {
                (Some(c), Some(k)) => Some(
                    shumari_registry::TlsSettings::load(c, k)
                        .map_err(|e| crate::exit::bad(e.to_string()))?,
                ),
                _ => {
                    use std::net::ToSocketAddrs;
                    let addrs: Vec<_> = listen
                        .to_socket_addrs()
                        .map_err(|e| crate::exit::bad(format!("--listen {listen}: {e}")))?
                        .collect();
                    shumari_registry::check_plain_listen(&addrs, *insecure_http)
                        .map_err(|e| crate::exit::bad(e.to_string()))?;
                    None
                }
            };
            // Upstream rounds on a thread of their own: they block on the link, never on a tablet.
            let stop = shumari_hub::schedule::stop_flag();
            let rounds = {
                let (hub, stop) = (hub.clone(), stop.clone());
                let every = Duration::from_secs(every_minutes.max(&1) * 60);
                std::thread::spawn(move || {
                    let mut connect = || {
                        transport(&url, ca.as_deref())
                            .map_err(|e| HubError::Config(format!("{e:#}")))
                    };
                    shumari_hub::schedule::run(&hub, &mut connect, every, &stop);
                })
            };
            let reg = hub.registry().clone();
            let served = rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(listen.as_str())
                    .await
                    .with_context(|| format!("listening on {listen}"))?;
                let addr = listener.local_addr()?;
                let scheme = if tls.is_some() { "https" } else { "http" };
                println!("listening on {scheme}://{addr}");
                let router = shumari_registry::app(reg.clone());
                let stop_serving = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                match tls {
                    Some(tls) => {
                        shumari_registry::launch_tls_router(listener, router, tls, stop_serving)
                            .await?
                    }
                    None => shumari_registry::launch_router(listener, router, stop_serving).await?,
                }
                use shumari_registry::Storage;
                reg.storage.close().await.context("closing the database")?;
                anyhow::Ok(())
            });
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            let _ = rounds.join();
            served?;
            Ok(0)
        }
    }
}
