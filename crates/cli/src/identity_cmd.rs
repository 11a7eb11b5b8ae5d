//! `shumari registry identity export | import`: identity verification with the national ID
//! authority (NADRA) as a file exchange (the registry's `service/identity.rs` does the work).
//!
//! `export --area CODE --out FILE --as USER` writes the CSV of the area's CNIC/B-form numbers with
//! name, father's or husband's name and date of birth, and beside it `FILE.manifest.json` (batch id,
//! area, row count, SHA-256, time). Both hold personal data, so both are created readable by the
//! owner only. `import FILE --as USER [--manifest M]` applies the authority's result file: checked
//! whole first (a bad line refuses the file, naming its line: exit status 2, nothing applied), the
//! same file a second time changes nothing, and the results reach the tablets on their next sync.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use anyhow::Context;
use shumari_registry::service::Manifest;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `registry identity ...`.
#[derive(Debug, clap::Subcommand)]
pub enum IdentityCmd {
    /// Writes an area's ID numbers for NADRA: a CSV and its manifest beside it.
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// The area (and everything under it).
        #[arg(long)]
        area: String,
        /// The CSV to write (the manifest goes to FILE.manifest.json).
        #[arg(long)]
        out: PathBuf,
        /// The exporting user's id (a district officer).
        #[arg(long = "as")]
        as_user: String,
    },
    /// Applies NADRA's result file (batch_id,cnic,result,fields).
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The result file.
        file: PathBuf,
        /// A manifest the file must match (SHA-256 and row count).
        #[arg(long)]
        manifest: Option<PathBuf>,
        /// The importing user's id (a district officer).
        #[arg(long = "as")]
        as_user: String,
    },
}

/// Where the manifest of export `out` goes.
pub fn manifest_path(out: &Path) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(".manifest.json");
    PathBuf::from(s)
}

/// Writes `bytes` to a new file readable by the owner only.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Runs an identity subcommand on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &IdentityCmd) -> anyhow::Result<i32> {
    match cmd {
        IdentityCmd::Export {
            db,
            area,
            out,
            as_user,
        } => {
            let reg = open_db(rt, db)?;
            let export = rt
                .block_on(async {
                    let user = reg.acting_user(as_user).await?;
                    reg.identity_export(&user, area).await
                })
                .map_err(to_anyhow)?;
            let mpath = manifest_path(out);
            write_private(out, &export.csv)?;
            write_private(&mpath, &serde_json::to_vec_pretty(&export.manifest)?)?;
            if cli.json {
                crate::output::json(&export.manifest)?;
            } else {
                println!(
                    "batch {}: {} number(s) of {} written to {} (manifest {})",
                    export.manifest.batch_id,
                    export.manifest.rows,
                    export.manifest.area,
                    out.display(),
                    mpath.display()
                );
            }
            Ok(0)
        }
        IdentityCmd::Import {
            db,
            file,
            manifest,
            as_user,
        } => {
            let bytes = std::fs::read(file)
                .with_context(|| format!("cannot read {}", file.display()))
                .map_err(|e| crate::exit::bad(format!("{e:#}")))?;
            let manifest: Option<Manifest> = match manifest {
                Some(p) => {
                    let text = std::fs::read(p)
                        .with_context(|| format!("cannot read {}", p.display()))
                        .map_err(|e| crate::exit::bad(format!("{e:#}")))?;
                    Some(serde_json::from_slice(&text).map_err(|e| {
                        crate::exit::bad(format!("{} is not a manifest: {e}", p.display()))
                    })?)
                }
                None => None,
            };
            let reg = open_db(rt, db)?;
            let report = rt
                .block_on(async {
                    let user = reg.acting_user(as_user).await?;
                    reg.identity_import(&user, &bytes, manifest.as_ref()).await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&report)?;
            } else if report.already_imported {
                println!("this file was imported before; nothing changed");
            } else {
                println!(
                    "{} result(s): {} verified, {} not found, {} mismatch; {} member(s) updated, {} case(s) in the duplicates queue, {} number(s) not in your areas",
                    report.rows,
                    report.verified,
                    report.not_found,
                    report.mismatch,
                    report.members_updated,
                    report.cases,
                    report.unmatched
                );
            }
            Ok(0)
        }
    }
}
