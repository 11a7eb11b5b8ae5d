//! One export from request to manifest: grant, stream pages into the data file, write the codebook,
//! hash the files, record the export on the access trail, write the manifest.

use crate::codebook;
use crate::column::Column;
use crate::csv_out::CsvOut;
use crate::datasets::{Dataset, Grievances, Households, Members, Payments, Submissions, What};
use crate::error::ExportError;
use crate::manifest::{file_entry, Filters, Manifest};
use crate::parquet_out::ParquetOut;
use chrono::{NaiveDate, Utc};
use shumari_registry::service::{ExportGrant, ExportRecord};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::storage::User;
use shumari_registry::{Registry, Storage};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Pakistan's offset from UTC (no daylight saving): `--since` dates are Pakistan's days.
const PKT_MS: i64 = 5 * 3600 * 1000;

/// A data file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values, UTF-8, a header line.
    Csv,
    /// Apache Parquet with typed columns.
    Parquet,
}

impl Format {
    /// The name (`--format`, the file's extension).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }

    /// From its name.
    pub fn parse(s: &str) -> Result<Format, ExportError> {
        match s {
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            _ => Err(ExportError::BadRequest(format!(
                "`{s}` is not a format; use csv or parquet"
            ))),
        }
    }
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// The dataset.
    pub what: What,
    /// The data file's format.
    pub format: Format,
    /// Only this area (and everything under it), within the exporter's.
    pub area: Option<String>,
    /// Only rows changed on or after this day (from midnight, Pakistan time): households and
    /// grievances changed, payments of cycles prepared, since then.
    pub since: Option<NaiveDate>,
    /// For `submissions`: the form whose reports are exported (required there, refused elsewhere).
    pub form: Option<String>,
}

/// A `--since` date, `YYYY-MM-DD`.
pub fn parse_since(s: &str) -> Result<NaiveDate, ExportError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| ExportError::BadRequest(format!("`{s}` is not a date (YYYY-MM-DD)")))
}

/// Midnight of `d` in Pakistan, in ms since the epoch.
fn since_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp_millis()
        - PKT_MS
}

/// The columns of `what` an export by a role with (`personal`) or without the right to personal
/// data holds: what the codebook download of the console lists.
pub fn visible_columns(what: What, personal: bool) -> Vec<Column> {
    what.columns()
        .into_iter()
        .filter(|c| personal || !c.personal)
        .collect()
}

/// The codebook of `what` as CSV, for a role with or without the right to personal data.
pub fn codebook_csv(what: What, personal: bool) -> Result<Vec<u8>, ExportError> {
    let cols = visible_columns(what, personal);
    codebook::to_csv(&cols.iter().collect::<Vec<_>>())
}

/// Exports `req` as `user` into the folder `dir` (made if missing): `DATASET.csv` or
/// `DATASET.parquet`, `DATASET.codebook.csv`, `DATASET.codebook.json` and `DATASET.manifest.json`,
/// each readable by the owner only. The export is on the access trail before this returns; if the
/// trail cannot record it, the files are removed and the export fails.
pub async fn export<S: Storage + ConsoleStorage>(
    reg: &Registry<S>,
    user: &User,
    req: &ExportRequest,
    dir: &Path,
) -> Result<Manifest, ExportError> {
    let grant = reg.export_grant(user, req.area.as_deref())?;
    if req.form.is_some() && req.what != What::Submissions {
        return Err(ExportError::BadRequest(format!(
            "--form names the form of a submissions export, not of {}",
            req.what.as_str()
        )));
    }
    let since = req.since.map(since_ms);
    // Adding a dataset: one arm here (and its `What` variant).
    match req.what {
        What::Households => {
            let d = Households::new(grant.clone(), since);
            write(reg, user, req, &grant, d, dir).await
        }
        What::Members => {
            let d = Members::new(grant.clone(), since);
            write(reg, user, req, &grant, d, dir).await
        }
        What::Payments => {
            let d = Payments::new(user.clone(), grant.clone(), since);
            write(reg, user, req, &grant, d, dir).await
        }
        What::Grievances => {
            let now = Utc::now().timestamp_millis();
            let d = Grievances::new(grant.clone(), since, now);
            write(reg, user, req, &grant, d, dir).await
        }
        What::Submissions => {
            let Some(form) = &req.form else {
                return Err(ExportError::BadRequest(
                    "name the form whose reports to export (--form ID)".into(),
                ));
            };
            let d = Submissions::new(reg, form, grant.clone(), req.since).await?;
            write(reg, user, req, &grant, d, dir).await
        }
    }
}

/// A new file readable by the owner only (exports hold personal data).
fn create_private(path: &Path) -> Result<File, ExportError> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    Ok(o.open(path)?)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let mut f = create_private(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// The data file being written.
enum Out {
    Csv(CsvOut),
    Parquet(ParquetOut),
}

async fn write<S: Storage + ConsoleStorage, D: Dataset<S>>(
    reg: &Registry<S>,
    user: &User,
    req: &ExportRequest,
    grant: &ExportGrant,
    mut d: D,
    dir: &Path,
) -> Result<Manifest, ExportError> {
    std::fs::create_dir_all(dir)?;
    let name = req.what.as_str();
    let all = d.columns().to_vec();
    let keep: Vec<usize> = (0..all.len())
        .filter(|&i| grant.personal || !all[i].personal)
        .collect();
    let cols: Vec<&Column> = keep.iter().map(|&i| &all[i]).collect();
    let data = format!("{name}.{}", req.format.as_str());
    let book_csv = format!("{name}.codebook.csv");
    let book_json = format!("{name}.codebook.json");
    let written: Vec<PathBuf> = [&data, &book_csv, &book_json]
        .iter()
        .map(|n| dir.join(n))
        .collect();
    let file = create_private(&dir.join(&data))?;
    let mut out = match req.format {
        Format::Csv => Out::Csv(CsvOut::new(file, &cols)?),
        Format::Parquet => Out::Parquet(ParquetOut::new(file, &cols)?),
    };
    let mut rows = 0u64;
    while let Some(page) = d.next_page(reg).await? {
        match &mut out {
            Out::Csv(w) => w.write(&page, &keep)?,
            Out::Parquet(w) => w.write(&page, &keep)?,
        }
        rows += page.len() as u64;
    }
    match out {
        Out::Csv(w) => w.finish()?,
        Out::Parquet(w) => w.finish()?,
    }
    write_private(&dir.join(&book_csv), &codebook::to_csv(&cols)?)?;
    write_private(&dir.join(&book_json), &codebook::to_json(name, &cols)?)?;
    let files = [&data, &book_csv, &book_json]
        .iter()
        .map(|n| file_entry(dir, n))
        .collect::<Result<Vec<_>, _>>()?;
    let since = req.since.map(|d| d.format("%Y-%m-%d").to_string());
    let record = ExportRecord {
        dataset: name.to_string(),
        format: req.format.as_str().to_string(),
        rows,
        since: since.clone(),
    };
    if let Err(e) = reg.record_export(user, grant, &record).await {
        // An export the trail does not hold is not handed over.
        for p in &written {
            let _ = std::fs::remove_file(p);
        }
        return Err(e.into());
    }
    let manifest = Manifest {
        dataset: name.to_string(),
        format: req.format.as_str().to_string(),
        rows,
        columns: cols.len(),
        files,
        filters: Filters {
            area: req.area.clone(),
            since,
        },
        personal_data: grant.personal,
        created_at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        created_by: user.id.clone(),
    };
    write_private(
        &dir.join(format!("{name}.manifest.json")),
        &serde_json::to_vec_pretty(&manifest)?,
    )?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_midnight_in_pakistan() {
        let d = parse_since("2025-03-01").unwrap();
        // 2025-02-28 19:00 UTC.
        assert_eq!(since_ms(d), 1_740_769_200_000);
        assert!(parse_since("01/03/2025").unwrap_err().is_bad_input());
    }

    #[test]
    fn a_monitors_columns_hold_no_names_numbers_phones_addresses_or_places() {
        for what in What::ALL {
            let all = what.columns();
            let open = visible_columns(what, false);
            // A form's reports have personal columns only when the form asks for them by name.
            assert!(
                open.len() < all.len() || what == What::Submissions,
                "{what:?}"
            );
            for c in &open {
                assert!(!crate::personal::is_personal(&c.name), "{}", c.name);
            }
        }
        let names: Vec<String> = visible_columns(What::Households, true)
            .into_iter()
            .map(|c| c.name)
            .collect();
        for n in ["address", "phone", "respondent", "gps_latitude"] {
            assert!(names.contains(&n.to_string()), "{n}");
        }
    }
}
