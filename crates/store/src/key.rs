//! Turning the surveyor's PIN into the SQLCipher key.
//!
//! Argon2id (memory-hard, so a stolen tablet's PIN cannot be brute-forced on a GPU cheaply) with a random
//! per-install salt stored beside the database in `key.json`, together with the parameters, so they can be
//! raised later without breaking existing stores: a store whose file names a lower cost than
//! [`KdfCost::current`] is moved to it on its next unlock (see `unlock.rs`). The salt is not secret; the
//! derived key never touches disk.
//!
//! What one guess costs decides how long a thief needs for every 6-digit PIN: `cargo bench -p
//! shumari-store --bench kdf` prints it for this machine.

use crate::error::{Result, StoreError};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

/// The cost of one Argon2id derivation (one guess of the PIN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfCost {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes over the memory.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfCost {
    /// What new stores use and older ones are raised to: 64 MiB and 3 passes on one lane (RFC 9106's
    /// second recommended setting, for memory-constrained devices; 4x OWASP's 19 MiB minimum).
    pub const DEFAULT: KdfCost = KdfCost {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };

    /// A cheap cost for tests that make many stores (1 MiB, 1 pass). Only with `test-support`.
    #[cfg(feature = "test-support")]
    pub const FOR_TESTS: KdfCost = KdfCost {
        m_kib: 1024,
        t: 1,
        p: 1,
    };

    /// The cost new key files get: [`KdfCost::DEFAULT`], unless a test lowered it with
    /// `set_cost_for_tests` (only with the `test-support` feature).
    pub fn current() -> KdfCost {
        #[cfg(feature = "test-support")]
        if let Some(cost) = *TEST_COST.lock().unwrap_or_else(|p| p.into_inner()) {
            return cost;
        }
        KdfCost::DEFAULT
    }
}

#[cfg(feature = "test-support")]
static TEST_COST: std::sync::Mutex<Option<KdfCost>> = std::sync::Mutex::new(None);

/// Lowers (or, with `None`, restores) the cost of new and upgraded key files in this process, so tests
/// that make many stores stay fast. Only with the `test-support` feature, which no product crate
/// enables.
#[cfg(feature = "test-support")]
pub fn set_cost_for_tests(cost: Option<KdfCost>) {
    *TEST_COST.lock().unwrap_or_else(|p| p.into_inner()) = cost;
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
    /// A fresh random salt at the [current](KdfCost::current) cost.
    pub fn generate() -> Self {
        KeyFile::generate_with(KdfCost::current())
    }

    /// A fresh random salt at `cost`.
    pub fn generate_with(cost: KdfCost) -> Self {
        let mut salt = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut salt);
        KeyFile {
            kdf: "argon2id".into(),
            m_kib: cost.m_kib,
            t: cost.t,
            p: cost.p,
            salt: hex::encode(salt),
        }
    }

    /// The cost this file's parameters give a guess.
    pub fn cost(&self) -> KdfCost {
        KdfCost {
            m_kib: self.m_kib,
            t: self.t,
            p: self.p,
        }
    }

    /// Whether a guess against this file is cheaper than `target` in memory or passes (so the store
    /// should be moved to `target`; a file already above it is never lowered).
    pub fn is_weaker_than(&self, target: KdfCost) -> bool {
        self.m_kib < target.m_kib || self.t < target.t
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

    /// Writes `key.json` durably (write to a temporary file, fsync, rename, fsync the directory).
    pub fn write(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("json.tmp");
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?)?;
            f.sync_all()?;
        }
        rename_durably(&tmp, path)
    }

    /// Derives the 32-byte database key from the PIN.
    pub fn derive(&self, pin: &str) -> Result<Zeroizing<[u8; 32]>> {
        let salt = hex::decode(&self.salt).map_err(|_| StoreError::KeyFile("salt".into()))?;
        let params = Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|_| StoreError::KeyFile("params".into()))?;
        let mut out = Zeroizing::new([0u8; 32]);
        // Argon2's working memory ends holding what the key is made from: wipe it, not just free it.
        let mut blocks = Zeroizing::new(vec![Block::default(); params.block_count()]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into_with_memory(pin.as_bytes(), &salt, out.as_mut(), &mut blocks[..])
            .map_err(|_| StoreError::KeyFile("argon2".into()))?;
        Ok(out)
    }
}

/// Renames `from` to `to` and makes the rename itself durable (fsync of the directory, where the
/// platform allows opening one).
pub(crate) fn rename_durably(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to)?;
    #[cfg(unix)]
    if let Some(dir) = to.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
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

    #[test]
    fn new_key_files_cost_at_least_64_mib() {
        let kf = KeyFile::generate_with(KdfCost::DEFAULT);
        assert!(kf.m_kib >= 64 * 1024);
        assert_eq!(kf.cost(), KdfCost::DEFAULT);
        let old = KeyFile::generate_with(KdfCost {
            m_kib: 19 * 1024,
            t: 2,
            p: 1,
        });
        assert!(old.is_weaker_than(KdfCost::DEFAULT));
        assert!(!kf.is_weaker_than(KdfCost::DEFAULT));
        assert_ne!(old.salt, kf.salt, "every key file gets its own salt");
    }
}
