//! Failed unlocks, counted in a plain file beside the store so the app can show the wait before the
//! PIN is known (`unlock-attempts.json`: a count and a time, nothing personal).
//!
//! The first [`FREE_ATTEMPTS`] failures cost nothing; each failure past them doubles a wait
//! ([`FIRST_WAIT_SECS`], then twice that, ..., at most [`MAX_WAIT_SECS`]) during which an unlock is
//! refused without trying the PIN ([`StoreError::TooManyAttempts`], carrying the seconds left). Nothing
//! is ever wiped: a surveyor's unsynced households outlive any number of wrong PINs. A successful
//! unlock resets the count.
//!
//! An attempt is counted *before* the PIN is tried, so killing the app during the derivation does not
//! buy a free guess; a success then clears it. Time is a parameter of every call, so tests need no
//! clock. Someone who can delete this file can also copy the store and guess offline, where only
//! Argon2id's cost ([`crate::key`]) stands in the way; the count is the defence of the lock screen.

use crate::error::{Result, StoreError};
use crate::key::rename_durably;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The counter's file name, next to the database.
pub const ATTEMPTS_FILE: &str = "unlock-attempts.json";
/// Failures allowed before any wait.
pub const FREE_ATTEMPTS: u32 = 5;
/// The wait after the first failure past [`FREE_ATTEMPTS`]; each later one doubles it.
pub const FIRST_WAIT_SECS: u64 = 30;
/// The longest wait (one hour), so a tablet is never locked for good.
pub const MAX_WAIT_SECS: u64 = 3600;

/// What the file holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempts {
    /// Failed (or unfinished) unlocks since the last success.
    pub failures: u32,
    /// When the last one was counted, in milliseconds since the Unix epoch.
    pub last_ms: u64,
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Attempts {
    /// How long the lock screen must wait after `failures` failures.
    pub fn wait_after(failures: u32) -> Duration {
        let past = failures.saturating_sub(FREE_ATTEMPTS);
        if past == 0 {
            return Duration::ZERO;
        }
        let secs = FIRST_WAIT_SECS.saturating_mul(1u64 << (past - 1).min(32));
        Duration::from_secs(secs.min(MAX_WAIT_SECS))
    }

    /// The time left before an unlock may be tried at `now` (zero when it may be tried now). A clock
    /// set back never makes the wait longer than the full wait.
    pub fn remaining(&self, now: SystemTime) -> Duration {
        let wait = Attempts::wait_after(self.failures);
        let elapsed = Duration::from_millis(millis(now).saturating_sub(self.last_ms));
        wait.saturating_sub(elapsed)
    }
}

/// The counter file of the store in `dir`.
#[derive(Debug, Clone)]
pub struct AttemptCounter {
    path: PathBuf,
}

impl AttemptCounter {
    /// The counter of the store in `dir`.
    pub fn new(dir: &Path) -> Self {
        AttemptCounter {
            path: dir.join(ATTEMPTS_FILE),
        }
    }

    /// The current count (none when the file is missing; a damaged file counts as one failure past
    /// the free ones, so damaging it never buys guesses).
    pub fn read(&self) -> Result<Attempts> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).unwrap_or(Attempts {
                failures: FREE_ATTEMPTS + 1,
                last_ms: 0,
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Attempts::default()),
            Err(e) => Err(e.into()),
        }
    }

    /// Refuses with [`StoreError::TooManyAttempts`] while a wait is running at `now`.
    pub fn check(&self, now: SystemTime) -> Result<Attempts> {
        let a = self.read()?;
        let left = a.remaining(now);
        if left > Duration::ZERO {
            // Round up: "try again in 0 seconds" would be wrong.
            let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return Err(StoreError::TooManyAttempts {
                retry_after_secs: secs,
            });
        }
        Ok(a)
    }

    /// Counts one more attempt at `now` (durably, before the PIN is tried).
    pub fn count(&self, before: Attempts, now: SystemTime) -> Result<()> {
        self.write(&Attempts {
            failures: before.failures.saturating_add(1),
            last_ms: millis(now),
        })
    }

    /// Puts the count back (a success, or an attempt that failed for another reason than the PIN).
    pub fn restore(&self, to: Attempts) -> Result<()> {
        if to == Attempts::default() {
            match std::fs::remove_file(&self.path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e.into()),
            }
        } else {
            self.write(&to)
        }
    }

    fn write(&self, a: &Attempts) -> Result<()> {
        use std::io::Write;
        let tmp = self.path.with_extension("json.tmp");
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&serde_json::to_vec(a).map_err(std::io::Error::other)?)?;
            f.sync_all()?;
        }
        rename_durably(&tmp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_are_free_then_each_doubles_the_wait_up_to_an_hour() {
        let waits: Vec<u64> = (0..=14)
            .map(|n| Attempts::wait_after(n).as_secs())
            .collect();
        assert_eq!(
            waits,
            [0, 0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
        );
        assert_eq!(Attempts::wait_after(u32::MAX).as_secs(), MAX_WAIT_SECS);
    }

    #[test]
    fn the_wait_runs_from_the_last_failure_and_a_clock_set_back_does_not_lengthen_it() {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let a = Attempts {
            failures: 6,
            last_ms: millis(t0),
        };
        assert_eq!(a.remaining(t0), Duration::from_secs(30));
        assert_eq!(
            a.remaining(t0 + Duration::from_secs(20)),
            Duration::from_secs(10)
        );
        assert_eq!(a.remaining(t0 + Duration::from_secs(30)), Duration::ZERO);
        assert_eq!(
            a.remaining(t0 - Duration::from_secs(500)),
            Duration::from_secs(30)
        );
    }
}
