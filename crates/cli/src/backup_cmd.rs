//! `shumari registry backup --db ... --to FILE` and `shumari registry restore --from FILE --db ...
//! [--force]`: parsing and printing around the registry crate's [`backup`](shumari_registry::storage::backup)
//! module, which does the work (a consistent online copy through SQLite's backup API, compressed and
//! checksummed; a restore that checks everything before it replaces anything).
//!
//! The key of an encrypted registry comes from the environment, as for every registry command; the
//! backup stays encrypted with it. A PostgreSQL `--db` is refused with the PostgreSQL tools to use.

use crate::cli::Cli;
use crate::progress::{Bar, Unit};
use crate::registry_cmd::{db_and_key, DbArgs};
use shumari_registry::storage::backup::{self, BackupError, Progress, Summary};
use std::path::PathBuf;

/// `registry backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The backup file to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
}

/// `registry restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup file to restore.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
    /// Replace an existing database (stop the registry first).
    #[arg(long)]
    pub force: bool,
}

fn to_anyhow(e: BackupError) -> anyhow::Error {
    if e.is_bad_input() {
        crate::exit::bad(e.to_string())
    } else {
        anyhow::Error::new(e)
    }
}

fn print(cli: &Cli, verb: &str, s: &Summary) -> anyhow::Result<()> {
    if cli.json {
        crate::output::json(s)?;
    } else {
        println!(
            "{verb} {} ({} B database, {} B backup{}; sha256 {})",
            s.path.display(),
            s.database_bytes,
            s.backup_bytes,
            if s.encrypted { ", encrypted" } else { "" },
            s.sha256
        );
    }
    Ok(())
}

/// Writes the backup.
pub fn backup(cli: &Cli, args: &BackupArgs) -> anyhow::Result<i32> {
    let (db, key) = db_and_key(&args.db)?;
    let bar = Bar::new(cli.json, Unit::Bytes);
    let mut progress = |p: Progress| bar.set(&p.stage.to_string(), p.done, Some(p.total));
    let summary = backup::backup(
        &db,
        key.as_deref().map(String::as_str),
        &args.to,
        &mut progress,
    )
    .map_err(to_anyhow)?;
    bar.finish();
    print(cli, "wrote", &summary)?;
    Ok(0)
}

/// Restores a backup.
pub fn restore(cli: &Cli, args: &RestoreArgs) -> anyhow::Result<i32> {
    let (db, key) = db_and_key(&args.db)?;
    let bar = Bar::new(cli.json, Unit::Bytes);
    let mut progress = |p: Progress| bar.set(&p.stage.to_string(), p.done, Some(p.total));
    let summary = backup::restore(
        &args.from,
        &db,
        key.as_deref().map(String::as_str),
        args.force,
        &mut progress,
    )
    .map_err(to_anyhow)?;
    bar.finish();
    print(cli, "restored", &summary)?;
    Ok(0)
}
