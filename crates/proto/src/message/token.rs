//! Token rotation (`/v1/token`) and the error codes of a device that has been cut off.
//!
//! A device token expires a set time after it was issued (the registry's setting, 90 days by default)
//! unless the device swaps it for a new one while it syncs. The device asks for a new token at the
//! start of a round once its token is old enough (its own setting; a day by default), stores it in its
//! encrypted store, and uses it for the rest of the round. The registry keeps the token the request
//! came with valid until the new one is first used, so a connection cut while the new token travels
//! leaves the device with a token that still works; once the new one is used, the old one is dead.
//!
//! A device that was revoked, whose user was disabled, or whose token expired is refused on every
//! endpoint with HTTP 401 and the JSON code [`CODE_REVOKED`] or [`CODE_EXPIRED`]: the device stops
//! syncing (retrying cannot help) and tells its user to see a supervisor.

use super::Message;
use crate::codec::{DecodeError, Reader, Writer};

/// Error code (HTTP 401) of a revoked device or a device of a disabled user.
pub const CODE_REVOKED: &str = "revoked";
/// Error code (HTTP 401) of a device whose token expired before it was rotated.
pub const CODE_EXPIRED: &str = "expired";

/// `POST /v1/token`: a new token for the authenticated device, in place of the one sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenRequest;

impl Message for TokenRequest {
    const KIND: u8 = 11;
    fn write(&self, _w: &mut Writer) {}
    fn read(_r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(TokenRequest)
    }
}

/// The new token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenResponse {
    /// The new bearer token (the registry keeps only its hash).
    pub token: String,
    /// When it expires unless rotated again, milliseconds since the epoch (the registry's clock).
    pub expires_at: u64,
}

impl Message for TokenResponse {
    const KIND: u8 = 12;
    fn write(&self, w: &mut Writer) {
        w.str(&self.token);
        w.varint(self.expires_at);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(TokenResponse {
            token: r.str()?,
            expires_at: r.varint()?,
        })
    }
}
