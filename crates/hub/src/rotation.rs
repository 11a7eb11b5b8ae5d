//! When the hub swaps its own token upstream for a new one (`/v1/token`), as a device does
//! (`shumari_sync::rotation`): at the start of a round, once the token is [`ROTATE_AFTER`] old on
//! the hub's clock, counted from when the hub received it. A quiet round stays cheap (no rotation
//! for a day), a copied token dies at the hub's next round after a day, and a hub that syncs at
//! least once in the token's lifetime above (90 days by default) never expires. A clock that went
//! backwards also rotates: one swap too many is cheaper than a token left to expire.
//!
//! The new token is written to the hub's database (one statement, with the time it was received)
//! before it is used. The registry above keeps the replaced token valid until the new one is first
//! used, so a hub cut off between the request and the write keeps working with the old token and
//! asks again at its next round; once it writes the new one, the old one is dead at the first use.
//! A registry above that answers 404 (one that does not rotate, or a hub above for which this hub
//! is a device it learnt from its own registry above) leaves the token as it is, asked again a
//! rotation period later.

use crate::apply::now_ms;
use crate::error::{HubError, Result};
use crate::state::UpstreamState;
use shumari_proto::message::{Message, TokenRequest, TokenResponse};
use shumari_proto::{Endpoint, Transport, TransportError};
use std::time::Duration;

/// How old the hub's token gets before a round swaps it (the device's default too).
pub const ROTATE_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Whether a token received at `received` (ms; `None` before rotation existed) is due at `now`.
pub fn due(received: Option<i64>, after: Duration, now: i64) -> bool {
    let Some(received) = received else {
        return true;
    };
    let age = now - received;
    let after = i64::try_from(after.as_millis()).unwrap_or(i64::MAX);
    age < 0 || age >= after
}

/// Swaps the hub's token when it is due; whether it was swapped.
pub fn rotate(state: &UpstreamState, t: &mut dyn Transport, after: Duration) -> Result<bool> {
    let link = state.link()?.ok_or(HubError::NotEnrolled)?;
    if !due(state.token_received_at()?, after, now_ms()) {
        return Ok(false);
    }
    match t.call(Endpoint::Token, Some(&link.token), TokenRequest.encode()) {
        Ok(body) => {
            let resp = TokenResponse::decode(&body)?;
            state.set_token(&resp.token, now_ms())?;
            tracing::info!("the hub's token upstream was rotated");
            Ok(true)
        }
        Err(TransportError::Rejected { status: 404, .. }) => {
            state.stamp_token(now_ms())?;
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_due_when_old_unstamped_or_from_the_future() {
        let day = Duration::from_secs(86_400);
        let t0 = 1_800_000_000_000;
        assert!(due(None, day, t0));
        assert!(!due(Some(t0), day, t0 + 23 * 3_600_000));
        assert!(due(Some(t0), day, t0 + 24 * 3_600_000));
        assert!(due(Some(t0), day, t0 - 1), "clock went back");
        assert!(due(Some(t0), Duration::ZERO, t0));
    }
}
