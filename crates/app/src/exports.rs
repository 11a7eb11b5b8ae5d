//! Households written to a file for a person to carry: JSON Lines, one household a line in the form
//! `household show --json` prints, in a file only its owner can read (it holds personal data).
//!
//! Two sets leave the tablet this way: the households that left its area with unsent work
//! (`left_area.rs`), and every household the registry has not received, for a tablet that can no
//! longer sync (revoked, expired, or out of reach for good), so no surveyor's work dies with it.

use crate::dto::ExportedFile;
use crate::error::Result;
use crate::App;
use shumari_store::HouseholdView;
use std::io::Write;
use std::path::Path;

impl App {
    /// Every household holding changes the registry has not received, in full.
    pub fn unsent_export(&self) -> Result<Vec<HouseholdView>> {
        self.with_store(|store| Ok(store.unsent_households()?))
    }

    /// Writes [`App::unsent_export`] to `exports/unsent-<time>.jsonl` in the data directory.
    pub fn export_unsent(&self) -> Result<ExportedFile> {
        let households = self.unsent_export()?;
        self.export_file("unsent", &households)
    }

    /// Writes `households` to `exports/<prefix>-<time>.jsonl` in the data directory.
    pub(crate) fn export_file(
        &self,
        prefix: &str,
        households: &[HouseholdView],
    ) -> Result<ExportedFile> {
        let dir = self.dir.join("exports");
        std::fs::create_dir_all(&dir)?;
        let name = format!(
            "{prefix}-{}.jsonl",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        );
        let path = dir.join(name);
        write_jsonl(&path, households)?;
        Ok(ExportedFile {
            path: path.display().to_string(),
            count: households.len() as u32,
        })
    }
}

/// Writes one JSON object a line, durably, to a new file only its owner can read.
pub fn write_jsonl(path: &Path, households: &[HouseholdView]) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    let mut buf = Vec::new();
    for h in households {
        serde_json::to_writer(&mut buf, h)?;
        buf.push(b'\n');
    }
    f.write_all(&buf)?;
    f.sync_all()?;
    Ok(())
}
