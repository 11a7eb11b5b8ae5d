//! `shumari registry form publish|list`: questionnaires besides the household one (a service
//! point's daily report), published to areas for their tablets to fill. Without `--as` the command
//! acts as the registry's own command line (an operator on the registry's machine); with it, as
//! that administrator, within their areas. A form that does not load is refused with the forms
//! crate's located errors (exit status 2), as `shumari form check` prints them.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use std::path::PathBuf;

/// `registry form ...`.
#[derive(Debug, clap::Subcommand)]
pub enum RegistryFormCmd {
    /// Publishes a form (the TOML text format, or an XLSForm .xlsx) to areas; publishing the same
    /// file again only adds areas, another file under a published version is refused.
    Publish {
        #[command(flatten)]
        db: DbArgs,
        /// The form's file.
        #[arg(long)]
        file: PathBuf,
        /// Area codes to publish to (repeat); tablets of these areas and under them receive it.
        #[arg(long = "area", required = true)]
        areas: Vec<String>,
        /// Act as this administrator (their areas only).
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Lists the forms with every version and the areas each is published to.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Runs `registry form ...` on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, cmd: &RegistryFormCmd) -> anyhow::Result<i32> {
    match cmd {
        RegistryFormCmd::Publish {
            db,
            file,
            areas,
            as_user,
        } => {
            let bytes = std::fs::read(file)
                .map_err(|e| crate::exit::bad(format!("{}: {e}", file.display())))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let reg = open_db(rt, db)?;
            let published = rt
                .block_on(async {
                    let user = match as_user {
                        Some(id) => Some(reg.acting_user(id).await?),
                        None => None,
                    };
                    reg.publish_form(user.as_ref(), &name, &bytes, areas).await
                })
                .map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&published)?;
            } else {
                for w in &published.warnings {
                    eprintln!("warning: {w}");
                }
                println!(
                    "{} version {} {} to {}",
                    published.form_id,
                    published.version,
                    if published.new_version {
                        "published"
                    } else {
                        "was published before; now published"
                    },
                    published.areas.join(", ")
                );
            }
            Ok(0)
        }
        RegistryFormCmd::List { db } => {
            let reg = open_db(rt, db)?;
            let forms = rt.block_on(reg.forms(None)).map_err(to_anyhow)?;
            if cli.json {
                crate::output::json(&forms)?;
                return Ok(0);
            }
            let mut t =
                crate::output::table(&["form", "version", "title", "areas", "published by"]);
            for f in &forms {
                for v in &f.versions {
                    t.add_row(vec![
                        f.form_id.clone(),
                        v.version.clone(),
                        v.title.clone(),
                        v.areas.join(", "),
                        v.published_by.clone(),
                    ]);
                }
            }
            println!("{t}");
            Ok(0)
        }
    }
}
