//! `shumari registry client add --name N --area CODE... --public-key FILE [--callback URL]`: a
//! system client of the DCI social registry API (`shumari-dci`). Prints the client id and its
//! secret, shown this once (the registry keeps only the secret's SHA-256). The client then takes a
//! token at `POST /oauth2/client/token` and signs its messages with the key whose public half is
//! `FILE` (a PEM `PUBLIC KEY`, or the 32 bytes in base64 or hex).
//!
//! `registry client list` prints every client with its areas and state; `registry client revoke
//! ID` revokes one: its tokens stop working at once.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use shumari_dci::DciError;
use std::path::PathBuf;

/// `registry client ...`.
#[derive(Debug, clap::Subcommand)]
pub enum ClientCmd {
    /// Adds a system client reading the given areas.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// A name for people (the system's).
        #[arg(long)]
        name: String,
        /// Area codes the client may read (each with everything under it).
        #[arg(long = "area", required = true, num_args = 1..)]
        areas: Vec<String>,
        /// The client's Ed25519 public key.
        #[arg(long)]
        public_key: PathBuf,
        /// The base URL of the client's callbacks (`{URL}/registry/on-search`), for asynchronous
        /// searches.
        #[arg(long)]
        callback: Option<String>,
    },
    /// Lists the system clients (id, name, areas, active or revoked).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revokes a system client: no new token, and the tokens it holds are refused from now on.
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        /// The client id (`dci-...`).
        id: String,
    },
}

fn state(c: &shumari_dci::ClientInfo) -> &'static str {
    if c.revoked_at.is_some() {
        "revoked"
    } else {
        "active"
    }
}

fn client_json(c: &shumari_dci::ClientInfo) -> serde_json::Value {
    let at = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.to_rfc3339())
            .unwrap_or_default()
    };
    serde_json::json!({
        "client_id": c.id,
        "name": c.name,
        "user": c.user_id,
        "areas": c.areas,
        "callback": c.callback_url,
        "created_at": at(c.created_at),
        "state": state(c),
        "revoked_at": c.revoked_at.map(at),
    })
}

fn to_anyhow_dci(e: DciError) -> anyhow::Error {
    match e {
        DciError::Registry(e) => to_anyhow(e),
        DciError::BadRequest(m) => crate::exit::bad(m),
        e => anyhow::Error::new(e),
    }
}

/// Runs `registry client ...` on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &ClientCmd) -> anyhow::Result<i32> {
    match cmd {
        ClientCmd::Add {
            db,
            name,
            areas,
            public_key,
            callback,
        } => {
            let text = std::fs::read_to_string(public_key)
                .map_err(|e| crate::exit::bad(format!("reading {}: {e}", public_key.display())))?;
            let key = shumari_dci::parse_public_key(&text).map_err(to_anyhow_dci)?;
            let reg = open_db(rt, db)?;
            let new = rt
                .block_on(shumari_dci::add_client(
                    &reg,
                    name,
                    areas,
                    key,
                    callback.as_deref(),
                ))
                .map_err(to_anyhow_dci)?;
            if cli.json {
                crate::output::json(&serde_json::json!({
                    "client_id": new.id,
                    "client_secret": new.secret,
                    "user": new.user_id,
                }))?;
            } else {
                println!("client_id: {}", new.id);
                println!("client_secret: {}", new.secret);
                println!("(the secret is shown this once; the registry keeps only its hash)");
            }
            Ok(0)
        }
        ClientCmd::List { db } => {
            let reg = open_db(rt, db)?;
            let clients = rt
                .block_on(shumari_dci::list_clients(&reg))
                .map_err(to_anyhow_dci)?;
            if cli.json {
                crate::output::json(&clients.iter().map(client_json).collect::<Vec<_>>())?;
            } else if clients.is_empty() {
                println!("no clients");
            } else {
                for c in &clients {
                    println!("{}\t{}\t{}\t{}", c.id, state(c), c.areas.join(","), c.name);
                }
            }
            Ok(0)
        }
        ClientCmd::Revoke { db, id } => {
            let reg = open_db(rt, db)?;
            let c = rt
                .block_on(shumari_dci::revoke_client(&reg, id))
                .map_err(to_anyhow_dci)?;
            if cli.json {
                crate::output::json(&client_json(&c))?;
            } else {
                println!("revoked {}: its tokens no longer work", c.id);
            }
            Ok(0)
        }
    }
}
