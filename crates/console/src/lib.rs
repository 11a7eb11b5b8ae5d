//! The registry's web console, served by the registry itself under `/console`: a supervisor or
//! district officer signs in, sees their queues, lists the households of their areas and reviews
//! one (approve, return with a comment and the questions concerned, reject). Every decision is the
//! registry's own review ([`shumari_registry::Registry::review`]), so it reaches the tablets through
//! the same sync as any edit.
//!
//! **Server-rendered HTML** ([`maud`]: templates checked at compile time, every value escaped unless
//! marked otherwise): no JavaScript is needed for anything, one small stylesheet is compiled into
//! the binary, and every page is an ordinary HTTP answer a test can read. English and Urdu (right to
//! left) on every page, the choice kept in a cookie ([`i18n`]).
//!
//! The parts:
//! - [`auth`]: passwords (Argon2id), sessions (a random 256-bit id in an HttpOnly, SameSite=Strict
//!   cookie, Secure when the browser reaches the registry over TLS; only its SHA-256 stored), the
//!   CSRF token every form carries, the lockout after five failed sign-ins, and the TOTP second
//!   factor;
//! - [`accounts`]: setting a console password and a TOTP secret (the CLI's `registry user add
//!   --password-stdin` and `registry user totp`);
//! - [`routes`]: the handlers, one per page or form;
//! - [`views`]: the pages as HTML.
//!
//! The console reads and writes only through `Registry`'s service methods and its own rows
//! ([`shumari_registry::storage::console::ConsoleStorage`]); it never touches a household table.

pub mod accounts;
pub mod auth;
pub mod district_map;
pub mod error;
pub mod i18n;
pub mod routes;
pub mod views;

use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Registry, Storage};
use std::sync::Arc;

pub use accounts::{set_password, setup_totp, AccountError};

/// What the console reads the time from (milliseconds since the epoch): the system clock, or a
/// test's.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(Arc::new(|| chrono::Utc::now().timestamp_millis()))
    }

    /// A clock that reads `f`.
    pub fn from_fn(f: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Clock(Arc::new(f))
    }

    /// Now, in ms since the epoch.
    pub fn now(&self) -> i64 {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// How the console is served.
#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    /// Cookies carry `Secure`: the browser reaches the registry over HTTPS (the registry's own TLS,
    /// or a TLS proxy in front of it). Off only for plain HTTP on loopback.
    pub secure_cookies: bool,
    /// The time.
    pub clock: Clock,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            secure_cookies: true,
            clock: Clock::system(),
        }
    }
}

/// The console's state: the registry and how it is served.
#[derive(Debug)]
pub struct Console<S> {
    /// The registry.
    pub reg: Arc<Registry<S>>,
    /// Settings.
    pub config: ConsoleConfig,
}

/// The console's routes (`/console/...`), to serve beside the registry's:
/// `shumari_registry::app_with(reg.clone(), shumari_console::router(reg, config))` (request ids,
/// log spans and metrics like every registry route).
pub fn router<S: Storage + ConsoleStorage>(
    reg: Arc<Registry<S>>,
    config: ConsoleConfig,
) -> axum::Router {
    routes::router(Arc::new(Console { reg, config }))
}
