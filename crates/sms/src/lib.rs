//! Outbound SMS to citizens: what the registry sends when a grievance is filed, updated or resolved,
//! and what the payments feature sends when a payment is credited or a programme status changes.
//!
//! - [`SmsGateway`] is the one way out: `send(to, text)`. [`FileGateway`] appends one JSON line per
//!   message to a file (development and tests read it back); `HttpGateway` (feature `http`) calls a
//!   generic HTTP gateway from a URL template. [`SmsSettings`] is the `[sms]` table of the
//!   registry's settings file and builds the gateway it names.
//! - [`encoding`] tells GSM-7 from UCS-2 and counts segments, because an SMS is billed and delivered
//!   by the segment and a citizen's basic phone may show a split message out of order: every
//!   [`Notice`] is worded to fit one segment in both languages (160 GSM-7 characters in English, 70
//!   UCS-2 characters in Urdu), and its tests hold it there with the longest values it can carry.
//!
//! Phones and message texts are personal data: nothing here logs, and errors name neither.

pub mod encoding;
mod file;
#[cfg(feature = "http")]
mod http;
mod notice;
mod settings;

pub use encoding::{segments, Encoding, Segments};
pub use file::{FileGateway, SentLine};
#[cfg(feature = "http")]
pub use http::{BodyFormat, HttpGateway};
pub use notice::{Lang, Notice, ProgrammeStatus};
pub use settings::SmsSettings;

use std::future::Future;
use std::pin::Pin;

/// What a send returns.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SmsError>> + Send + 'a>>;

/// A way to send one SMS. Implementations must not log the number or the text.
pub trait SmsGateway: Send + Sync + std::fmt::Debug {
    /// Sends `text` to the phone number `to`.
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a>;
}

/// Why a message was not sent (never naming the number or the text).
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// The file gateway's file could not be written.
    #[error("the SMS file could not be written: {0}")]
    Io(#[from] std::io::Error),
    /// The HTTP gateway answered with an error status.
    #[error("the SMS gateway answered {0}")]
    Status(u16),
    /// The HTTP gateway could not be reached.
    #[error("the SMS gateway could not be reached: {0}")]
    Unreachable(String),
    /// The `[sms]` settings are not usable.
    #[error("SMS settings: {0}")]
    Config(String),
}
