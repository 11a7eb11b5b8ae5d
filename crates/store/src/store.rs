//! Opening, creating and unlocking the store; device identity; settings.

use crate::attempts::{AttemptCounter, Attempts, ATTEMPTS_FILE};
use crate::error::{Result, StoreError};
use crate::key::KeyFile;
use crate::migrate;
use crate::unlock::{self, open_keyed};
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension};
use shumari_domain::automerge::ActorId;
use shumari_domain::reference::device_short_id;
use shumari_domain::AreaRegistry;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// File names inside the data directory.
pub const DB_FILE: &str = "shumari.db";
/// The KDF parameters and salt.
pub const KEY_FILE: &str = "key.json";

/// This device as the store knows it.
#[derive(Debug, Clone)]
pub struct Device {
    /// The automerge actor for edits made through this open store. Fresh at every open, so a restored
    /// backup or a cloned tablet can never repeat an (actor, sequence number) pair.
    pub actor: ActorId,
    /// Five Crockford base32 characters, part of every reference number made here.
    pub short_id: String,
    /// The user edits are attributed to (`local` until the device is enrolled).
    pub user: String,
}

/// The surveyor's local, encrypted store. All writes go through its methods.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) areas: AreaRegistry,
    pub(crate) device: Device,
    dir: PathBuf,
}

impl Store {
    /// Whether `dir` holds a store.
    pub fn exists(dir: &Path) -> bool {
        dir.join(KEY_FILE).exists() && dir.join(DB_FILE).exists()
    }

    /// Creates a new encrypted store in `dir` protected by `pin`.
    pub fn create(dir: &Path, pin: &str) -> Result<Store> {
        Store::create_with(dir, pin, KeyFile::generate())
    }

    /// Creates a store whose key file has the given cost (an old store, for upgrade tests). Only with
    /// the `test-support` feature.
    #[cfg(feature = "test-support")]
    pub fn create_with_cost_for_tests(
        dir: &Path,
        pin: &str,
        cost: crate::key::KdfCost,
    ) -> Result<Store> {
        Store::create_with(dir, pin, KeyFile::generate_with(cost))
    }

    fn create_with(dir: &Path, pin: &str, kf: KeyFile) -> Result<Store> {
        crate::key::check_pin(pin)?;
        if Store::exists(dir) {
            return Err(StoreError::AlreadyInitialised(dir.display().to_string()));
        }
        std::fs::create_dir_all(dir)?;
        // A database without its key file is useless; a key file without a database is harmless. Write the
        // key file first, and remove any half-made database from an interrupted earlier attempt.
        for f in [
            DB_FILE,
            "shumari.db-wal",
            "shumari.db-shm",
            unlock::KEY_FILE_NEXT,
            ATTEMPTS_FILE,
        ] {
            let p = dir.join(f);
            if p.exists() {
                std::fs::remove_file(p)?;
            }
        }
        kf.write(&dir.join(KEY_FILE))?;
        let key = kf.derive(pin)?;
        let mut conn = open_keyed(&dir.join(DB_FILE), &key)?;
        migrate::migrate(&mut conn)?;
        let short = device_short_id(rand::thread_rng().next_u32());
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('device_short_id', ?1)",
            [&short],
        )?;
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('user', ?1)",
            [shumari_domain::roles::UNENROLLED_AUTHOR],
        )?;
        conn.execute("INSERT INTO meta (key, value) VALUES ('next_seq', '1')", [])?;
        Store::from_connection(dir, conn)
    }

    /// Unlocks the store in `dir`. A wrong PIN gives [`StoreError::WrongPin`], is counted, and changes
    /// nothing else; while too many have been tried the answer is [`StoreError::TooManyAttempts`]
    /// ([`crate::attempts`]).
    pub fn open(dir: &Path, pin: &str) -> Result<Store> {
        Store::open_at(dir, pin, SystemTime::now())
    }

    /// [`Store::open`] at the time `now` (which decides whether a wait after failed unlocks is over).
    pub fn open_at(dir: &Path, pin: &str, now: SystemTime) -> Result<Store> {
        if !Store::exists(dir) {
            return Err(StoreError::NotInitialised(dir.display().to_string()));
        }
        // One unlock at a time across processes: the count and the key files change together.
        let _keys = unlock::lock_keys(dir)?;
        let counter = AttemptCounter::new(dir);
        let before = counter.check(now)?;
        // Counted before the PIN is tried, so a kill during the derivation is a counted guess.
        counter.count(before, now)?;
        match unlock::unlock(dir, pin) {
            Ok(conn) => {
                counter.restore(Attempts::default())?;
                Store::from_connection(dir, conn)
            }
            Err(StoreError::WrongPin) => Err(StoreError::WrongPin),
            Err(other) => {
                counter.restore(before)?;
                Err(other)
            }
        }
    }

    /// Brings the schema up to date and reads the device's identity and areas from an open database.
    fn from_connection(dir: &Path, mut conn: Connection) -> Result<Store> {
        migrate::migrate(&mut conn)?;
        let get = |k: &str| -> Result<String> {
            Ok(conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
                .optional()?
                .unwrap_or_default())
        };
        let short_id = get("device_short_id")?;
        let user = get("user")?;
        let mut actor_bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut actor_bytes);
        let actor = ActorId::from(&actor_bytes[..]);
        let mut areas = AreaRegistry::builtin();
        {
            let mut stmt = conn.prepare(
                "SELECT code, name, parent FROM local_areas ORDER BY length(code), code",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (code, name, parent) = row?;
                areas.add(&code, &name, &parent)?;
            }
        }
        Ok(Store {
            conn,
            areas,
            device: Device {
                actor,
                short_id,
                user,
            },
            dir: dir.to_path_buf(),
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// This device.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The area list (built-in plus local additions).
    pub fn areas(&self) -> &AreaRegistry {
        &self.areas
    }

    /// Adds a union council or village (as a district office's list arrives).
    pub fn add_area(&mut self, code: &str, name: &str, parent: &str) -> Result<()> {
        let mut areas = self.areas.clone();
        areas.add(code, name, parent)?;
        self.conn.execute(
            "INSERT INTO local_areas (code, name, parent) VALUES (?1, ?2, ?3) ON CONFLICT (code) DO NOTHING",
            params![code, name.trim(), parent],
        )?;
        self.areas = areas;
        Ok(())
    }

    /// Sets the user edits are attributed to (after enrollment).
    pub fn set_user(&mut self, user: &str) -> Result<()> {
        self.kv_set("user", user)?;
        self.device.user = user.to_string();
        Ok(())
    }

    /// Reads a setting.
    pub fn kv_get(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Writes a setting (durably).
    pub fn kv_set(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Removes a setting.
    pub fn kv_delete(&self, key: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM meta WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Records the current actor the first time it writes, so sync can register it with the registry.
    pub(crate) fn note_actor(tx: &rusqlite::Transaction<'_>, actor: &ActorId) -> Result<()> {
        tx.prepare_cached(
            "INSERT INTO actors (actor, created_at) VALUES (?1, ?2) ON CONFLICT (actor) DO NOTHING",
        )?
        .execute(params![
            actor.to_bytes(),
            chrono::Utc::now().timestamp_millis()
        ])?;
        Ok(())
    }

    /// Every actor this store wrote with, and whether the registry knows it.
    pub fn actors(&self) -> Result<Vec<(ActorId, bool)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT actor, registered FROM actors ORDER BY created_at")?;
        let rows = stmt.query_map([], |r| {
            Ok((ActorId::from(r.get::<_, Vec<u8>>(0)?), r.get::<_, bool>(1)?))
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Forgets which actors the registry knows, so that the next sync offers them all again (a
    /// registry this store has not synced with since they were made: a district hub that learnt
    /// the device from the centre before them).
    pub fn forget_actor_registrations(&mut self) -> Result<()> {
        self.conn.execute("UPDATE actors SET registered = 0", [])?;
        Ok(())
    }

    /// Marks actors as known to the registry.
    pub fn mark_actors_registered(&mut self, actors: &[ActorId]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for a in actors {
            tx.execute(
                "UPDATE actors SET registered = 1 WHERE actor = ?1",
                [a.to_bytes()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Runs SQLite's integrity check; `Ok(())` when the database is sound.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    /// Caps the database at `pages` pages, so tests can make the "disk" fill up. Only with the
    /// `test-support` feature, which only this crate's own tests enable.
    #[cfg(feature = "test-support")]
    pub fn limit_size_for_tests(&self, pages: u32) -> Result<()> {
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
        Ok(())
    }

    /// Starts raising the store's key-file cost and stops at `stop`, as if the process were killed
    /// there (the connection is leaked, not closed, so nothing is tidied up). Only with the
    /// `test-support` feature.
    #[cfg(feature = "test-support")]
    pub fn interrupt_key_upgrade_for_tests(
        dir: &Path,
        pin: &str,
        stop: unlock::UpgradeStop,
    ) -> Result<()> {
        let conn = unlock::open_current(dir, pin)?;
        std::mem::forget(unlock::upgrade(dir, conn, pin, Some(stop))?);
        Ok(())
    }

    /// Takes the next per-device sequence number inside `tx`.
    pub(crate) fn next_seq(tx: &rusqlite::Transaction<'_>) -> Result<u64> {
        let n: String = tx
            .prepare_cached("SELECT value FROM meta WHERE key = 'next_seq'")?
            .query_row([], |r| r.get(0))?;
        let n: u64 = n.parse().unwrap_or(1);
        tx.prepare_cached("UPDATE meta SET value = ?1 WHERE key = 'next_seq'")?
            .execute([(n + 1).to_string()])?;
        Ok(n)
    }
}
