//! Offline enrollment codes: a code the centre issues in advance for one user's tablet, which a
//! district hub can redeem while its link to the centre is down.
//!
//! An ordinary code is a random string the issuing registry keeps the hash of, so only that
//! registry can redeem it. An offline code instead carries what enrollment needs to know — a random
//! id, the user (id, name, role, areas) and when it expires — signed with the centre's Ed25519
//! bundle key (`shumari_registry::service::bundles`), whose public half a hub learns when it
//! enrolls. The hub checks the signature and the expiry without asking anyone, redeems each code
//! id once (a replayed code is refused), and registers the tablet with the centre at its next round
//! like any tablet enrolled at the hub. Nothing secret is inside: a code is a bearer credential,
//! like an ordinary one, and is handed to the surveyor the same way.
//!
//! The text is `OFFLINE` then hex (upper case, groups separated by dashes when printed), which
//! passes a registry's normalisation of typed codes unchanged. The signature covers
//! SHA-256 of a domain string and the payload, signed as [`crate::signing::DeviceKey::sign`] signs
//! a change hash: no change can have that hash.

use crate::codec::{DecodeError, Reader, Writer};
use crate::message::Role;
use crate::signing::{verify, DeviceKey, SignedChange, PUBLIC_KEY_LEN};
use sha2::{Digest, Sha256};

/// What every offline code's text starts with (after normalisation: upper case, no dashes).
pub const PREFIX: &str = "OFFLINE";

const VERSION: u8 = 1;
const DOMAIN: &[u8] = b"shumari offline enrollment code v1\0";

/// What an offline code grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineCode {
    /// Random id; a registry redeems each id once.
    pub id: [u8; 16],
    /// The user's id at the centre.
    pub user_id: String,
    /// Their name there.
    pub user_name: String,
    /// Their role.
    pub role: Role,
    /// Their areas.
    pub areas: Vec<String>,
    /// When the code stops being accepted (ms since the epoch, the centre's clock).
    pub expires_at: i64,
}

/// Why an offline code is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfflineCodeError {
    /// Not an offline code at all, or damaged in typing.
    #[error("this is not a readable offline enrollment code")]
    Unreadable,
    /// Signed by another key than the centre's this registry knows.
    #[error("this offline enrollment code was not issued by the registry this hub belongs to")]
    BadSignature,
    /// Past its expiry.
    #[error("this offline enrollment code has expired; ask for a new one")]
    Expired,
}

/// Whether a normalised code (upper case, letters and digits only) is an offline code.
pub fn is_offline(normalised: &str) -> bool {
    normalised.starts_with(PREFIX)
}

impl OfflineCode {
    fn payload(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(VERSION);
        w.bytes(&self.id);
        w.str(&self.user_id);
        w.str(&self.user_name);
        w.str(self.role.as_str());
        w.varint(self.areas.len() as u64);
        for a in &self.areas {
            w.str(a);
        }
        w.varint(u64::try_from(self.expires_at).unwrap_or(0));
        w.into_inner()
    }

    fn digest(payload: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(DOMAIN);
        h.update(payload);
        h.finalize().into()
    }

    /// The code's text, signed with `key` (the centre's bundle key), in dashed groups of eight.
    pub fn sign(&self, key: &DeviceKey) -> String {
        let payload = self.payload();
        let record = key.sign(&Self::digest(&payload));
        let mut bytes = payload;
        bytes.extend_from_slice(&record.signature);
        let hex = hex::encode_upper(bytes);
        let groups: Vec<&str> = hex
            .as_bytes()
            .chunks(8)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        format!("{PREFIX}-{}", groups.join("-"))
    }

    /// Reads a normalised code and checks it was signed with `key` and is unexpired at `now`.
    pub fn verify(
        normalised: &str,
        key: &[u8; PUBLIC_KEY_LEN],
        now: i64,
    ) -> Result<OfflineCode, OfflineCodeError> {
        let hex = normalised
            .strip_prefix(PREFIX)
            .ok_or(OfflineCodeError::Unreadable)?;
        let bytes = hex::decode(hex).map_err(|_| OfflineCodeError::Unreadable)?;
        if bytes.len() < 64 {
            return Err(OfflineCodeError::Unreadable);
        }
        let (payload, signature) = bytes.split_at(bytes.len() - 64);
        let record = SignedChange {
            hash: Self::digest(payload),
            signature: signature
                .try_into()
                .map_err(|_| OfflineCodeError::Unreadable)?,
        };
        if !verify(key, &record) {
            return Err(OfflineCodeError::BadSignature);
        }
        let code = Self::read(payload).map_err(|_| OfflineCodeError::Unreadable)?;
        if now >= code.expires_at {
            return Err(OfflineCodeError::Expired);
        }
        Ok(code)
    }

    fn read(payload: &[u8]) -> Result<OfflineCode, DecodeError> {
        let mut r = Reader::new(payload);
        if r.u8()? != VERSION {
            return Err(DecodeError::Invalid("offline code version"));
        }
        let id: [u8; 16] = r
            .bytes()?
            .try_into()
            .map_err(|_| DecodeError::Invalid("offline code id"))?;
        let user_id = r.str()?;
        let user_name = r.str()?;
        let role = r.str()?.parse().map_err(|_| DecodeError::Invalid("role"))?;
        let n = r.count(1)?;
        let areas = (0..n).map(|_| r.str()).collect::<Result<_, _>>()?;
        let expires_at = i64::try_from(r.varint()?).unwrap_or(i64::MAX);
        r.finish()?;
        Ok(OfflineCode {
            id,
            user_id,
            user_name,
            role,
            areas,
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalise(c: &str) -> String {
        c.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    }

    fn code() -> OfflineCode {
        OfflineCode {
            id: [5; 16],
            user_id: "u-1".into(),
            user_name: "Ayesha Bibi".into(),
            role: Role::Surveyor,
            areas: vec!["PK60301".into()],
            expires_at: 1_000,
        }
    }

    #[test]
    fn a_code_verifies_with_its_key_until_it_expires() {
        let centre = DeviceKey::from_secret([3; 32]);
        let text = code().sign(&centre);
        let n = normalise(&text);
        assert!(is_offline(&n));
        assert_eq!(OfflineCode::verify(&n, &centre.public(), 999), Ok(code()));
        assert_eq!(
            OfflineCode::verify(&n, &centre.public(), 1_000),
            Err(OfflineCodeError::Expired)
        );
        let other = DeviceKey::from_secret([4; 32]);
        assert_eq!(
            OfflineCode::verify(&n, &other.public(), 0),
            Err(OfflineCodeError::BadSignature)
        );
    }

    #[test]
    fn an_altered_or_damaged_code_is_refused() {
        let centre = DeviceKey::from_secret([3; 32]);
        let n = normalise(&code().sign(&centre));
        // Another area written into the payload: the signature no longer matches.
        let area_hex = hex::encode_upper("PK60301");
        let altered = n.replace(&area_hex, &hex::encode_upper("PK60302"));
        assert_ne!(altered, n);
        assert_eq!(
            OfflineCode::verify(&altered, &centre.public(), 0),
            Err(OfflineCodeError::BadSignature)
        );
        assert_eq!(
            OfflineCode::verify(&n[..n.len() - 3], &centre.public(), 0),
            Err(OfflineCodeError::Unreadable)
        );
        assert_eq!(
            OfflineCode::verify("ABCD1234", &centre.public(), 0),
            Err(OfflineCodeError::Unreadable)
        );
    }
}
