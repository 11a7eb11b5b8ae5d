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

/// The fewest digits a numeric PIN may have: 10^6 guesses at the key file's Argon2id cost each.
pub const MIN_PIN_DIGITS: usize = 6;
/// The fewest characters a passphrase (anything that is not all digits) may have.
pub const MIN_PASSPHRASE_CHARS: usize = 8;
/// The most characters either may have (a bound on input, far above anything typed).
pub const MAX_SECRET_CHARS: usize = 256;

/// The one rule for the secret that protects a store: a PIN of at least [`MIN_PIN_DIGITS`] digits,
/// or a passphrase of at least [`MIN_PASSPHRASE_CHARS`] characters. Applied when a store is made
/// (existing stores keep the PIN they were made with). [`StoreError::WeakPin`] says the rule.
pub fn check_pin(pin: &str) -> Result<()> {
    let chars = pin.chars().count();
    let all_digits = !pin.is_empty() && pin.chars().all(|c| c.is_ascii_digit());
    let long_enough = if all_digits {
        chars >= MIN_PIN_DIGITS
    } else {
        chars >= MIN_PASSPHRASE_CHARS
    };
    if long_enough && chars <= MAX_SECRET_CHARS {
        Ok(())
    } else {
        Err(StoreError::WeakPin)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_needs_six_digits_and_a_passphrase_eight_characters() {
        for weak in ["", "1234", "12345", "12345a", "abcdefg", "پاس ورڈ"] {
            assert!(
                matches!(check_pin(weak), Err(StoreError::WeakPin)),
                "{weak:?}"
            );
        }
        for fine in [
            "123456",
            "0000000000",
            "abcdefgh",
            "پاس ورڈ ۱۲۳",
            "correct horse",
        ] {
            assert!(check_pin(fine).is_ok(), "{fine:?}");
        }
        assert!(check_pin(&"x".repeat(MAX_SECRET_CHARS + 1)).is_err());
    }
}
