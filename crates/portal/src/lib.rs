//! The citizen's side of the registry, served by the registry itself:
//!
//! - **`/status`**: a citizen types the CNIC number of an adult of their household and the card's
//!   date of issue and sees whether the household was surveyed (when, where), where its data is in
//!   the workflow, its eligibility per programme with the reason in plain words, its enrolments,
//!   payments and complaints, and can report a problem (a grievance, whose tracking number the next
//!   page shows). Pages are plain HTML for a basic phone's browser: no JavaScript, no web fonts, each
//!   well under 20 KB, readable at 320 px, English and Urdu ([`texts`], [`views`]).
//! - **`POST /sms/inbound`**: the SMS gateway's webhook (a shared secret in the `Authorization`
//!   header); the reply text is the answer ([`sms`]).
//!
//! Everything a citizen may learn, and the rules that stop anyone learning more (one answer for
//! every miss, lockouts per CNIC and per address, every look-up audited), are the registry's
//! (`shumari_registry::service::citizen`); this crate only speaks HTTP and HTML.

pub mod extras;
pub mod routes;
pub mod sms;
pub mod texts;
pub mod views;

pub use routes::router;
use sha2::{Digest, Sha256};
use shumari_registry::service::CitizenLimits;

/// How the portal is set up (the `[portal]` table of the registry's settings file).
#[derive(Debug, Clone, Default)]
pub struct PortalConfig {
    /// Failed look-ups that lock a CNIC or an address, and for how long.
    pub limits: CitizenLimits,
    /// SHA-256 of the secret the SMS gateway sends as `Authorization: Bearer SECRET`; without one,
    /// `/sms/inbound` answers 404 (no SMS service configured).
    pub sms_secret_sha256: Option<[u8; 32]>,
}

impl PortalConfig {
    /// Keeps only the SHA-256 of the gateway's secret.
    pub fn with_sms_secret(mut self, secret: &str) -> Self {
        self.sms_secret_sha256 = Some(Sha256::digest(secret.trim().as_bytes()).into());
        self
    }
}
