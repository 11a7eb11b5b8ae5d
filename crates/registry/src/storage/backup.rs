//! Backups of an SQLite registry: a consistent copy taken while the registry serves, compressed and
//! checksummed, and its restore.
//!
//! **Consistency while serving.** [`backup`] opens its own connection and holds one read transaction
//! across the whole copy, so SQLite's backup API (`sqlite3_backup_step`) copies one snapshot page by
//! page: in WAL mode the serving registry keeps committing meanwhile, and those commits are simply
//! not in this snapshot (a device's next sync pushes them again if the backup is ever restored: the
//! consistency check finds the difference). Without the held transaction a write by another
//! connection would restart the copy, and a busy registry could keep restarting it forever.
//!
//! **The file.** A fixed header, then the database's bytes as one zlib stream:
//!
//! | bytes | what |
//! |---|---|
//! | 8 | magic `SHMRBAK\n` |
//! | 1 | format version ([`FORMAT_VERSION`]) |
//! | 1 | flags: bit 0 = the database is encrypted (SQLCipher) |
//! | 6 | reserved, zero |
//! | 8 | length of the database in bytes (little-endian) |
//! | 32 | SHA-256 of the database's bytes |
//! | … | the database, zlib-compressed |
//!
//! An encrypted registry's pages are copied as they are (the copy is opened with the same key), so
//! the backup stays encrypted with that key, and restoring it needs the key again.
//!
//! **Restore never half-writes.** [`restore`] checks the header, inflates into a temporary file
//! beside the target while hashing, and refuses (deleting the temporary file) unless length and
//! checksum match and nothing follows the stream; then it opens the copy (with the key) and asks
//! SQLite for a quick integrity check, and only then renames it over the target. An existing database
//! is replaced only when the caller says so; its stale `-wal`/`-shm` files are removed first, since
//! SQLite would replay an old WAL onto the new file.
//!
//! PostgreSQL registries are backed up with PostgreSQL's own tools (`pg_dump`, or base backups with
//! WAL archiving for point-in-time recovery): both functions refuse a PostgreSQL URL and say so.

use super::any::DbUrl;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The first bytes of every backup file.
pub const MAGIC: &[u8; 8] = b"SHMRBAK\n";
/// The version of the file format this build writes and reads.
pub const FORMAT_VERSION: u8 = 1;
const HEADER_LEN: usize = 8 + 1 + 1 + 6 + 8 + 32;
const FLAG_ENCRYPTED: u8 = 1;
/// Pages copied per backup step, between progress reports.
const PAGES_PER_STEP: i32 = 256;
/// Bytes read and written per progress report while compressing or inflating.
const CHUNK: usize = 1 << 20;

/// Why a backup or restore did not happen. Nothing was written in any case (a temporary file is
/// removed).
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// PostgreSQL registries use PostgreSQL's own tools.
    #[error("{0} is a PostgreSQL database: back it up with pg_dump (or base backups with WAL archiving for point-in-time recovery) and restore with pg_restore or PostgreSQL's recovery; `shumari registry backup/restore` handles SQLite registries only")]
    Postgres(String),
    /// The registry to back up does not exist.
    #[error("{0} does not exist: there is no registry to back up")]
    NoDatabase(PathBuf),
    /// The database file could not be read with the key given (or without one).
    #[error("{0} cannot be read: it is encrypted and the key is missing or wrong (SHUMARI_DB_KEY_FILE or SHUMARI_DB_KEY), or it was not encrypted and a key was given, or it is not a registry database")]
    Unreadable(PathBuf),
    /// Restoring would replace a database and the caller did not say `force`.
    #[error("{0} already exists; restoring would replace it (stop the registry first, then give --force)")]
    Exists(PathBuf),
    /// The file is not a Shumari registry backup.
    #[error("{0} is not a Shumari registry backup")]
    Foreign(PathBuf),
    /// The file was written by a newer Shumari.
    #[error("{path} is a backup in format {found}, but this Shumari reads format {FORMAT_VERSION} only; update Shumari")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u8,
    },
    /// The file ends early.
    #[error("{0} is truncated: it ends before the backup does (nothing was restored)")]
    Truncated(PathBuf),
    /// The content does not match its checksum or is damaged.
    #[error("{0} is corrupt: {1} (nothing was restored)")]
    Corrupt(PathBuf, String),
    /// The backup is encrypted and no key was given.
    #[error("{0} holds an encrypted registry: give its key (SHUMARI_DB_KEY_FILE or SHUMARI_DB_KEY) to restore it")]
    KeyNeeded(PathBuf),
    /// SQLite.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Reading or writing a file.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

impl BackupError {
    /// Whether the caller's input was wrong (a missing, foreign or damaged file, an existing target),
    /// as opposed to a failure of the machine.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, BackupError::Sqlite(_) | BackupError::Io { .. })
    }
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// What a backup or restore is doing, for a progress bar: `done` of `total` bytes of `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The step.
    pub stage: Stage,
    /// Bytes done.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
}

/// The steps of a backup or restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Copying the database's pages (backup).
    Copy,
    /// Compressing the copy into the backup file (backup).
    Compress,
    /// Inflating and checking the backup (restore).
    Inflate,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Copy => "copying",
            Stage::Compress => "compressing",
            Stage::Inflate => "checking",
        })
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// The file written (the backup, or the restored database).
    pub path: PathBuf,
    /// Size of the database in bytes.
    pub database_bytes: u64,
    /// Size of the backup file in bytes.
    pub backup_bytes: u64,
    /// SHA-256 of the database's bytes, hex.
    pub sha256: String,
    /// Whether the database is encrypted.
    pub encrypted: bool,
}

fn sqlite_path(db: &DbUrl) -> Result<&Path, BackupError> {
    match db {
        DbUrl::Sqlite(p) => Ok(p),
        DbUrl::Postgres(_) => Err(BackupError::Postgres(db.to_string())),
    }
}

/// Opens `path` with `key` and reads a page, so a wrong key is found before any work.
fn open_checked(
    path: &Path,
    key: Option<&str>,
    flags: OpenFlags,
) -> Result<Connection, BackupError> {
    let conn = Connection::open_with_flags(path, flags)?;
    if let Some(key) = key {
        conn.pragma_update(None, "key", key)?;
        // A wrong key is reported by our own error, not SQLCipher's log on stderr (plain SQLite has
        // no such pragma and answers nothing).
        let _ = conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()));
    }
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(conn),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            Err(BackupError::Unreadable(path.to_path_buf()))
        }
        Err(e) => Err(e.into()),
    }
}

/// A temporary file beside `target` (same file system, so the final rename is atomic), readable by
/// its owner only.
fn temp_beside(target: &Path) -> Result<tempfile::NamedTempFile, BackupError> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;
    tempfile::Builder::new()
        .prefix(".shumari-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(io(format!(
            "creating a temporary file in {}",
            dir.display()
        )))
}

/// Writes a consistent, compressed, checksummed backup of the SQLite registry `db` to `to`, while
/// the registry may be serving. `key` is the registry's SQLCipher key, if it has one; the backup
/// stays encrypted with it. `to` is replaced atomically (temporary file and rename).
pub fn backup(
    db: &DbUrl,
    key: Option<&str>,
    to: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, BackupError> {
    let path = sqlite_path(db)?;
    if !path.is_file() {
        return Err(BackupError::NoDatabase(path.to_path_buf()));
    }
    let src = open_checked(path, key, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    // The snapshot: a plain database file beside the backup, opened with the same key so SQLCipher
    // copies the encrypted pages as they are.
    let snapshot = temp_beside(to)?;
    {
        let mut dst = Connection::open(snapshot.path())?;
        if let Some(key) = key {
            dst.pragma_update(None, "key", key)?;
        }
        // One read transaction across every step: one snapshot, never restarted by the server's
        // writes (see the module docs).
        src.execute_batch("BEGIN DEFERRED")?;
        src.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
        // Progress in bytes: the file's size shared out over the pages (SQLCipher answers
        // `PRAGMA page_size` with its own setting's name, so the size is not asked for).
        let file_bytes = std::fs::metadata(path)
            .map_err(io(format!("reading {}", path.display())))?
            .len();
        {
            let copy = Backup::new(&src, &mut dst)?;
            loop {
                let step = copy.step(PAGES_PER_STEP)?;
                let p = copy.progress();
                let pages = p.pagecount.max(1) as u64;
                let copied = (p.pagecount - p.remaining).max(0) as u64;
                progress(Progress {
                    stage: Stage::Copy,
                    done: file_bytes * copied / pages,
                    total: file_bytes,
                });
                match step {
                    StepResult::Done => break,
                    StepResult::More => {}
                    // Only this process's connections could lock the snapshot; wait a moment.
                    _ => std::thread::sleep(std::time::Duration::from_millis(50)),
                }
            }
        }
        src.execute_batch("COMMIT")?;
        dst.close().map_err(|(_, e)| e)?;
    }
    drop(src);

    let database_bytes = snapshot
        .as_file()
        .metadata()
        .map_err(io("reading the snapshot"))?
        .len();
    let out = temp_beside(to)?;
    let sha256 = {
        let mut w = BufWriter::new(out.as_file());
        w.write_all(&[0u8; HEADER_LEN])
            .map_err(io("writing the backup"))?;
        let mut z = flate2::write::ZlibEncoder::new(w, flate2::Compression::default());
        let mut hash = Sha256::new();
        let mut r =
            BufReader::new(File::open(snapshot.path()).map_err(io("reading the snapshot"))?);
        let mut buf = vec![0u8; CHUNK];
        let mut done = 0u64;
        loop {
            let n = r.read(&mut buf).map_err(io("reading the snapshot"))?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
            z.write_all(&buf[..n]).map_err(io("writing the backup"))?;
            done += n as u64;
            progress(Progress {
                stage: Stage::Compress,
                done,
                total: database_bytes,
            });
        }
        let mut w = z.finish().map_err(io("writing the backup"))?;
        let sha: [u8; 32] = hash.finalize().into();
        let flags = if key.is_some() { FLAG_ENCRYPTED } else { 0 };
        w.seek(SeekFrom::Start(0))
            .map_err(io("writing the backup"))?;
        w.write_all(&header(flags, done, &sha))
            .map_err(io("writing the backup"))?;
        w.flush().map_err(io("writing the backup"))?;
        sha
    };
    drop(snapshot);
    out.as_file().sync_all().map_err(io("writing the backup"))?;
    let backup_bytes = out
        .as_file()
        .metadata()
        .map_err(io("writing the backup"))?
        .len();
    out.persist(to).map_err(|e| BackupError::Io {
        what: format!("writing {}", to.display()),
        source: e.error,
    })?;
    sync_dir(to);
    Ok(Summary {
        path: to.to_path_buf(),
        database_bytes,
        backup_bytes,
        sha256: hex::encode(sha256),
        encrypted: key.is_some(),
    })
}

fn header(flags: u8, len: u64, sha: &[u8; 32]) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(MAGIC);
    h[8] = FORMAT_VERSION;
    h[9] = flags;
    h[16..24].copy_from_slice(&len.to_le_bytes());
    h[24..56].copy_from_slice(sha);
    h
}

/// A backup's header, read and checked.
struct Header {
    encrypted: bool,
    len: u64,
    sha: [u8; 32],
}

fn read_header(from: &Path, r: &mut impl Read) -> Result<Header, BackupError> {
    let mut h = [0u8; HEADER_LEN];
    let mut got = 0;
    while got < HEADER_LEN {
        let n = r
            .read(&mut h[got..])
            .map_err(io(format!("reading {}", from.display())))?;
        if n == 0 {
            break;
        }
        got += n;
    }
    // A file shorter than the magic that is not a prefix of it is foreign, not truncated.
    let seen = got.min(MAGIC.len());
    if h[..seen] != MAGIC[..seen] || got == 0 {
        return Err(BackupError::Foreign(from.to_path_buf()));
    }
    if got < HEADER_LEN {
        return Err(BackupError::Truncated(from.to_path_buf()));
    }
    if h[8] != FORMAT_VERSION {
        return Err(BackupError::UnsupportedVersion {
            path: from.to_path_buf(),
            found: h[8],
        });
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&h[16..24]);
    let mut sha = [0u8; 32];
    sha.copy_from_slice(&h[24..56]);
    Ok(Header {
        encrypted: h[9] & FLAG_ENCRYPTED != 0,
        len: u64::from_le_bytes(len),
        sha,
    })
}

/// Restores the backup `from` as the SQLite registry `db`, after checking it entirely (see the module
/// docs). An existing database is replaced only with `force`; `key` is the backup's key when it is
/// encrypted. On any refusal nothing at `db` was touched.
pub fn restore(
    from: &Path,
    db: &DbUrl,
    key: Option<&str>,
    force: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, BackupError> {
    let path = sqlite_path(db)?;
    let file = File::open(from).map_err(io(format!("reading {}", from.display())))?;
    let backup_bytes = file
        .metadata()
        .map_err(io(format!("reading {}", from.display())))?
        .len();
    let mut r = BufReader::new(file);
    let head = read_header(from, &mut r)?;
    if head.encrypted && key.is_none() {
        return Err(BackupError::KeyNeeded(from.to_path_buf()));
    }
    if path.exists() && !force {
        return Err(BackupError::Exists(path.to_path_buf()));
    }
    let tmp = temp_beside(path)?;
    {
        let mut z = flate2::bufread::ZlibDecoder::new(r);
        let mut w = BufWriter::new(tmp.as_file());
        let mut hash = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut done = 0u64;
        loop {
            let n = match z.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Err(BackupError::Truncated(from.to_path_buf()))
                }
                Err(e)
                    if e.kind() == std::io::ErrorKind::InvalidInput
                        || e.kind() == std::io::ErrorKind::InvalidData =>
                {
                    return Err(BackupError::Corrupt(
                        from.to_path_buf(),
                        format!("the compressed data is damaged ({e})"),
                    ))
                }
                Err(e) => return Err(io(format!("reading {}", from.display()))(e)),
            };
            if n == 0 {
                break;
            }
            done += n as u64;
            if done > head.len {
                return Err(BackupError::Corrupt(
                    from.to_path_buf(),
                    "it holds more than its header says".into(),
                ));
            }
            hash.update(&buf[..n]);
            w.write_all(&buf[..n])
                .map_err(io("writing the restored database"))?;
            progress(Progress {
                stage: Stage::Inflate,
                done,
                total: head.len,
            });
        }
        if done < head.len {
            return Err(BackupError::Truncated(from.to_path_buf()));
        }
        let sha: [u8; 32] = hash.finalize().into();
        if sha != head.sha {
            return Err(BackupError::Corrupt(
                from.to_path_buf(),
                "its checksum does not match its content".into(),
            ));
        }
        let mut rest = z.into_inner();
        let mut extra = [0u8; 1];
        if rest
            .read(&mut extra)
            .map_err(io(format!("reading {}", from.display())))?
            != 0
        {
            return Err(BackupError::Corrupt(
                from.to_path_buf(),
                "bytes follow the end of the backup".into(),
            ));
        }
        w.flush().map_err(io("writing the restored database"))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(io("writing the restored database"))?;
    {
        let conn = open_checked(tmp.path(), key, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(
            |e| match e {
                BackupError::Unreadable(_) => BackupError::Unreadable(from.to_path_buf()),
                e => e,
            },
        )?;
        let verdict: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if verdict != "ok" {
            return Err(BackupError::Corrupt(
                from.to_path_buf(),
                format!("SQLite's integrity check says: {verdict}"),
            ));
        }
    }
    // An old WAL replayed onto the new file would corrupt it: remove it before the rename.
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(PathBuf::from(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(format!("removing {}{suffix}", path.display()))(e)),
        }
    }
    tmp.persist(path).map_err(|e| BackupError::Io {
        what: format!("writing {}", path.display()),
        source: e.error,
    })?;
    sync_dir(path);
    Ok(Summary {
        path: path.to_path_buf(),
        database_bytes: head.len,
        backup_bytes,
        sha256: hex::encode(head.sha),
        encrypted: head.encrypted,
    })
}

/// Makes a rename durable: the directory entry is flushed too (best effort; not every platform can
/// open a directory).
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}
