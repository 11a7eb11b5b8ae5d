//! A copy of the store for safekeeping, and the store's size on disk.
//!
//! [`Store::backup_to`] writes a consistent copy of the database that stays encrypted: SQLite's
//! `VACUUM INTO` reads one snapshot in one statement, and under SQLCipher the file it writes is
//! encrypted with the connection's key (an attached database without a key of its own takes the main
//! database's). The store never keeps its key after unlocking, so a second connection for the
//! backup API could not be keyed; `VACUUM INTO` needs no key and also leaves the copy compact. The
//! copy opens with the same PIN and the store's `key.json`, which [`Store::backup_to`] copies beside
//! it, so the folder it fills is a store directory that [`Store::open`] accepts as it is.

use crate::store::{DB_FILE, KEY_FILE};
use crate::{Result, Store, StoreError};
use std::path::Path;

impl Store {
    /// Writes a consistent, encrypted copy of the store into the new directory `dest` (its database
    /// and key file), and returns the bytes written. `dest` must not exist yet; it is filled under a
    /// temporary name and renamed, so a copy that is there is whole.
    pub fn backup_to(&self, dest: &Path) -> Result<u64> {
        if dest.exists() {
            return Err(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} already exists", dest.display()),
            )));
        }
        let parent = dest.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let mut tmp_name = dest.file_name().unwrap_or_default().to_owned();
        tmp_name.push(".partial");
        let tmp = parent.join(tmp_name);
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir(&tmp)?;
        let db = tmp.join(DB_FILE);
        let path = db.to_str().ok_or_else(|| {
            StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the backup folder's name is not valid UTF-8",
            ))
        })?;
        self.conn.execute("VACUUM INTO ?1", [path])?;
        std::fs::copy(self.dir().join(KEY_FILE), tmp.join(KEY_FILE))?;
        std::fs::File::open(&db)?.sync_all()?;
        std::fs::rename(&tmp, dest)?;
        Ok(std::fs::metadata(dest.join(DB_FILE))?.len())
    }

    /// Bytes the store's database takes on disk (with its write-ahead log).
    pub fn size_on_disk(&self) -> u64 {
        ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| {
                let mut name = self.dir().join(DB_FILE).into_os_string();
                name.push(suffix);
                std::fs::metadata(name).ok().map(|m| m.len())
            })
            .sum()
    }
}
