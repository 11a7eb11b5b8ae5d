//! When the device swaps its token for a new one (`/v1/token`, see `shumari_proto::message`'s
//! `token.rs` for the exchange and the registry's side).
//!
//! The device asks at the start of a round once its token is [`crate::Options::rotate_after`] old (a
//! day by default), counted on its own clock from when it received the token. A day, not every round:
//! a quiet round stays one round trip and no database write at the registry, while a copied token is
//! still dead within a day of the device's next sync and a device that syncs at least once in the
//! registry's token lifetime (90 days) never expires. A clock that went backwards (a tablet whose date
//! was reset) also asks: one extra swap is cheaper than a token left to expire.
//!
//! The new token is written to the encrypted store before it is used; if the answer never arrives,
//! the token the device holds stays valid at the registry until the new one is used, and the device
//! asks again next round.

use crate::engine::KEY_TOKEN;
use chrono::{DateTime, Utc};
use shumari_store::{Store, StoreError};
use std::time::Duration;

/// Store setting: when this device received its current token (its own clock, RFC 3339).
pub const KEY_TOKEN_AT: &str = "sync.token_received_at";

/// Whether the token held in `store` is due for rotation at `now`.
pub(crate) fn due(store: &Store, after: Duration, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let received = store
        .kv_get(KEY_TOKEN_AT)?
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc));
    // A store enrolled before tokens rotated has no time: rotate now.
    let Some(received) = received else {
        return Ok(true);
    };
    let age = now.signed_duration_since(received);
    Ok(age < chrono::Duration::zero() || age.to_std().unwrap_or_default() >= after)
}

/// Keeps `token` as the device's token, received at `now`.
pub(crate) fn save(store: &Store, token: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    store.kv_set(KEY_TOKEN, token)?;
    stamp(store, now)
}

/// Records `now` as when the current token was received (also when a registry does not rotate).
pub(crate) fn stamp(store: &Store, now: DateTime<Utc>) -> Result<(), StoreError> {
    store.kv_set(KEY_TOKEN_AT, &now.to_rfc3339())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_due_when_old_unstamped_or_from_the_future() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "246810").unwrap();
        let day = Duration::from_secs(86_400);
        let t0 = DateTime::parse_from_rfc3339("2026-01-10T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert!(due(&store, day, t0).unwrap(), "no time recorded yet");
        save(&store, "tok", t0).unwrap();
        assert_eq!(store.kv_get(KEY_TOKEN).unwrap().as_deref(), Some("tok"));
        assert!(!due(&store, day, t0 + chrono::Duration::hours(23)).unwrap());
        assert!(due(&store, day, t0 + chrono::Duration::hours(24)).unwrap());
        assert!(
            due(&store, day, t0 - chrono::Duration::hours(1)).unwrap(),
            "clock went back"
        );
        assert!(due(&store, Duration::ZERO, t0).unwrap());
    }
}
