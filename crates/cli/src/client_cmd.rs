//! `shumari registry client add --name N --area CODE... --public-key FILE [--callback URL]`: a
//! system client of the DCI social registry API (`shumari-dci`). Prints the client id and its
//! secret, shown this once (the registry keeps only the secret's SHA-256). The client then takes a
//! token at `POST /oauth2/client/token` and signs its messages with the key whose public half is
//! `FILE` (a PEM `PUBLIC KEY`, or the 32 bytes in base64 or hex).

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
    }
}
