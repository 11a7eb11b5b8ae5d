//! Turning the surveyor's PIN into the SQLCipher key.
//!
//! Argon2id (memory-hard, so a stolen tablet's PIN cannot be brute-forced on a GPU cheaply) with a random
//! per-install salt stored beside the database in `key.json`, together with the parameters, so they can be
//! raised later without breaking existing stores. The salt is not secret; the derived key never touches disk.

use crate::error::{Result, StoreError};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::path::Path;
use zeroize::Zeroizing;

/// The KDF parameters and salt stored in `key.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    /// Always `argon2id`.
    pub kdf: String,
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Lanes.
    pub p: u32,
    /// Hex salt (16 bytes).
    pub salt: String,
}

impl KeyFile {
    /// New parameters with a fresh random salt (OWASP's Argon2id minimum: 19 MiB, 2 passes).
    pub fn generate() -> Self {
        let mut salt = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut salt);
        KeyFile {
            kdf: "argon2id".into(),
            m_kib: 19 * 1024,
            t: 2,
            p: 1,
            salt: hex::encode(salt),
        }
    }

    /// Reads `key.json`.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path)?;
        let kf: KeyFile = serde_json::from_slice(&bytes)
            .map_err(|_| StoreError::KeyFile(path.display().to_string()))?;
        if kf.kdf != "argon2id" {
            return Err(StoreError::KeyFile(path.display().to_string()));
        }
        Ok(kf)
    }

    /// Writes `key.json` durably (write to a temporary file, fsync, rename).
    pub fn write(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("json.tmp");
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// Derives the 32-byte database key from the PIN.
    pub fn derive(&self, pin: &str) -> Result<Zeroizing<[u8; 32]>> {
        let salt = hex::decode(&self.salt).map_err(|_| StoreError::KeyFile("salt".into()))?;
        let params = Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|_| StoreError::KeyFile("params".into()))?;
        let mut out = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(pin.as_bytes(), &salt, out.as_mut())
            .map_err(|_| StoreError::KeyFile("argon2".into()))?;
        Ok(out)
    }
}
