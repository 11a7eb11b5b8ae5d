//! How much any one caller may ask of the registry, and how much all of them together.
//!
//! - **Rate, per token and per address** ([`RateLimits`]): a keyed GCRA limiter (`governor`) for each
//!   device token (hashed) and for each peer address. A token's limit is what one tablet needs (a
//!   sync round is a handful of requests, a first sync a few hundred pages spread over minutes on a
//!   2G link); an address's limit is higher, since a district office or a mobile carrier's NAT puts
//!   many tablets behind one address, and it is what stops a flood of unauthenticated requests
//!   (guessing enrollment codes). Over either limit the answer is HTTP 429 with `Retry-After` (whole
//!   seconds) and the JSON body `{code: "rate_limited", message}`; the sync engine waits at least
//!   that long before it retries.
//! - **Concurrency**: at most [`RateLimits::max_concurrent`] requests are served at once; others wait
//!   their turn (inside their timeout) instead of piling work onto the database.
//! - **Time**: a request not answered within [`RateLimits::timeout`] is cut off with 408, so a slow
//!   or stalled client cannot hold a slot forever.
//!
//! Behind a TLS proxy every request comes from the proxy's address, so the per-address limit then
//! applies to all devices together: raise it (or rely on the proxy's own limits).

use super::bearer;
use super::error::HttpError;
use crate::error::RegistryError;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The registry's request limits (settable in the registry's settings file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// Sustained requests per minute one device token may make.
    pub per_token_per_minute: u32,
    /// Requests one token may make at once above the sustained rate.
    pub token_burst: u32,
    /// Sustained requests per minute from one peer address.
    pub per_address_per_minute: u32,
    /// Requests one address may make at once above the sustained rate.
    pub address_burst: u32,
    /// Requests served at the same time; the rest wait.
    pub max_concurrent: usize,
    /// Longest time one request may take.
    pub timeout: Duration,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            per_token_per_minute: 600,
            token_burst: 300,
            per_address_per_minute: 3000,
            address_burst: 1000,
            max_concurrent: 64,
            timeout: Duration::from_secs(120),
        }
    }
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    let period = Duration::from_secs(60) / per_minute.max(1);
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
        .allow_burst(burst)
}

/// The limiters' state, shared by every request.
#[derive(Debug)]
pub(super) struct Limiter {
    per_token: DefaultKeyedRateLimiter<[u8; 32]>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    seen: AtomicU64,
}

impl Limiter {
    pub(super) fn new(limits: &RateLimits) -> Self {
        Limiter {
            per_token: DefaultKeyedRateLimiter::keyed(quota(
                limits.per_token_per_minute,
                limits.token_burst,
            )),
            per_address: DefaultKeyedRateLimiter::keyed(quota(
                limits.per_address_per_minute,
                limits.address_burst,
            )),
            seen: AtomicU64::new(0),
        }
    }

    /// How long the caller must wait, or `None` when the request may go ahead.
    fn wait(&self, token: Option<&str>, address: Option<IpAddr>) -> Option<Duration> {
        // Forget callers whose allowance is full again, so the maps stay the size of recent traffic.
        if self.seen.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.per_token.retain_recent();
            self.per_address.retain_recent();
        }
        // The limiter's own clock: making a new one calibrates it (cpuid), a cost per request.
        let now = self.per_address.clock().now();
        if let Some(ip) = address {
            if let Err(n) = self.per_address.check_key(&ip) {
                return Some(n.wait_time_from(now));
            }
        }
        if let Some(t) = token {
            let key: [u8; 32] = Sha256::digest(t.as_bytes()).into();
            if let Err(n) = self.per_token.check_key(&key) {
                return Some(n.wait_time_from(now));
            }
        }
        None
    }
}

/// The rate-limit middleware: 429 with `Retry-After` over a limit, else the request.
pub(super) async fn rate_limit(
    State(limiter): State<Arc<Limiter>>,
    req: Request,
    next: Next,
) -> Response {
    let address = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(wait) = limiter.wait(bearer(req.headers()), address) {
        // Whole seconds, rounded up, at least one: waiting that long is always enough.
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return HttpError(RegistryError::RateLimited(secs.max(1))).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_over_the_token_limit_is_told_to_wait() {
        let limits = RateLimits {
            per_token_per_minute: 60,
            token_burst: 3,
            ..RateLimits::default()
        };
        let l = Limiter::new(&limits);
        for _ in 0..3 {
            assert_eq!(l.wait(Some("tablet-a"), None), None);
        }
        let wait = l.wait(Some("tablet-a"), None).expect("over the burst");
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        // Another token has its own allowance.
        assert_eq!(l.wait(Some("tablet-b"), None), None);
    }

    #[test]
    fn one_address_is_limited_whatever_tokens_it_uses() {
        let limits = RateLimits {
            per_address_per_minute: 60,
            address_burst: 2,
            ..RateLimits::default()
        };
        let l = Limiter::new(&limits);
        let ip: IpAddr = [10, 0, 0, 7].into();
        assert_eq!(l.wait(None, Some(ip)), None);
        assert_eq!(l.wait(Some("x"), Some(ip)), None);
        assert!(l.wait(Some("y"), Some(ip)).is_some());
        assert_eq!(l.wait(None, Some([10, 0, 0, 8].into())), None);
    }
}
