//! `shumari registry export --format csv|parquet --what households|members|payments|grievances|
//! submissions [--form ID] [--area CODE] [--since DATE] --out DIR --as USER`: the registry's
//! households, members, payments, grievances or a form's reports as a data file, a
//! codebook (CSV and JSON, labels in English and Urdu) and a manifest (rows, each file's SHA-256,
//! filters, personal data or not), all in `DIR` and readable by the owner only. The work is the
//! `shumari-exports` crate's; `--json` prints the manifest.

use crate::cli::Cli;
use crate::registry_cmd::{open_db, to_anyhow, DbArgs};
use shumari_exports::{ExportError, ExportRequest, Format, What};
use std::path::PathBuf;

/// `registry export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// `csv` or `parquet`.
    #[arg(long)]
    format: String,
    /// `households` (one row per household), `members` (one per member), `payments` (one per
    /// payment of a cycle), `grievances` (one per grievance) or `submissions` (one per report
    /// filled with the form `--form` names).
    #[arg(long)]
    what: String,
    /// Only this area (and everything under it), within yours.
    #[arg(long)]
    area: Option<String>,
    /// Only rows changed on or after this day (YYYY-MM-DD, Pakistan time): households and
    /// grievances changed, payments of cycles prepared, since then.
    #[arg(long)]
    since: Option<String>,
    /// The folder to write into (made if missing).
    #[arg(long)]
    out: PathBuf,
    /// The exporting user's id; their role decides whether personal data is included.
    #[arg(long = "as")]
    as_user: String,
    /// For `--what submissions`: the form whose reports to export (`registry form list`).
    #[arg(long)]
    form: Option<String>,
}

fn to_anyhow_export(e: ExportError) -> anyhow::Error {
    match e {
        ExportError::Registry(e) => to_anyhow(e),
        e if e.is_bad_input() => crate::exit::bad(e.to_string()),
        e => anyhow::Error::new(e),
    }
}

/// Runs `registry export` on `rt`.
pub fn run(cli: &Cli, rt: &tokio::runtime::Runtime, args: &ExportArgs) -> anyhow::Result<i32> {
    let req = (|| {
        Ok::<_, ExportError>(ExportRequest {
            what: What::parse(&args.what)?,
            format: Format::parse(&args.format)?,
            area: args.area.clone(),
            since: args
                .since
                .as_deref()
                .map(shumari_exports::parse_since)
                .transpose()?,
            form: args.form.clone(),
        })
    })()
    .map_err(to_anyhow_export)?;
    let reg = open_db(rt, &args.db)?;
    let manifest = rt
        .block_on(async {
            let user = reg
                .acting_user(&args.as_user)
                .await
                .map_err(ExportError::from)?;
            shumari_exports::export(&reg, &user, &req, &args.out).await
        })
        .map_err(to_anyhow_export)?;
    if cli.json {
        crate::output::json(&manifest)?;
    } else {
        println!(
            "{} {} row(s) written to {} ({}; codebook and manifest beside it; personal data {})",
            manifest.rows,
            manifest.dataset,
            args.out.join(manifest.data_file()).display(),
            manifest.format,
            if manifest.personal_data {
                "included"
            } else {
                "left out"
            }
        );
    }
    Ok(0)
}
