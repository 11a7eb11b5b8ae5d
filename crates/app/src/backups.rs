//! "Back up now" on the Settings screen, and what the screen shows about the store.
//!
//! A backup is a copy of the encrypted store ([`shumari_store::Store::backup_to`]: consistent,
//! still encrypted, with the key file it needs) in a `backups` folder inside the data directory,
//! one folder per backup named by the time it was taken (`store-20261130T101500Z`), so the newest
//! sort last. The last [`KEEP`] are kept. The time, folder and size of the last backup are recorded
//! in the store, so the screen can say when the surveyor last backed up. A backup folder opens as a
//! store with the same PIN (copy it over the data directory's store files to restore).

use crate::{App, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The folder in the data directory that holds the backups.
pub const BACKUP_DIR: &str = "backups";
/// How many backups are kept; older ones are removed after a new one is written.
pub const KEEP: usize = 5;
const PREFIX: &str = "store-";
const LAST_BACKUP: &str = "backup.last";

/// A backup that was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupInfo {
    /// The folder written.
    pub path: String,
    /// When, RFC 3339 in UTC.
    pub at: String,
    /// Size of the copied database in bytes.
    pub bytes: u64,
}

/// What the Settings screen shows about the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StoreInfo {
    /// Bytes the store takes on disk.
    pub size_bytes: u64,
    /// The last backup, if any.
    pub last_backup: Option<BackupInfo>,
}

impl App {
    /// The store's size on disk and its last backup.
    pub fn store_info(&self) -> Result<StoreInfo> {
        self.with_store(|store| {
            let last_backup = match store.kv_get(LAST_BACKUP)? {
                Some(json) => serde_json::from_str(&json).ok(),
                None => None,
            };
            Ok(StoreInfo {
                size_bytes: store.size_on_disk(),
                last_backup,
            })
        })
    }

    /// Writes a backup of the store now, keeps the last [`KEEP`], and records it.
    pub fn back_up_now(&self) -> Result<BackupInfo> {
        let now = chrono::DateTime::<chrono::Utc>::from(self.clock.now());
        let root = self.dir.join(BACKUP_DIR);
        let dest = free_name(&root, &now.format("%Y%m%dT%H%M%SZ").to_string());
        let info = self.with_store(|store| {
            let bytes = store.backup_to(&dest)?;
            let info = BackupInfo {
                path: dest.display().to_string(),
                at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                bytes,
            };
            store.kv_set(LAST_BACKUP, &serde_json::to_string(&info)?)?;
            Ok(info)
        })?;
        prune(&root, KEEP)?;
        Ok(info)
    }
}

/// `store-<stamp>`, or with `-2`, `-3`... when two backups fall in the same second.
fn free_name(root: &Path, stamp: &str) -> PathBuf {
    let mut dest = root.join(format!("{PREFIX}{stamp}"));
    let mut n = 2;
    while dest.exists() {
        dest = root.join(format!("{PREFIX}{stamp}-{n}"));
        n += 1;
    }
    dest
}

/// Removes all but the newest `keep` backup folders (names sort by time).
fn prune(root: &Path, keep: usize) -> Result<()> {
    let mut names: Vec<String> = std::fs::read_dir(root)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with(PREFIX) && !n.ends_with(".partial"))
        .collect();
    names.sort();
    let excess = names.len().saturating_sub(keep);
    for old in &names[..excess] {
        std::fs::remove_dir_all(root.join(old))?;
    }
    Ok(())
}
