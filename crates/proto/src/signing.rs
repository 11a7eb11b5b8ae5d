//! Signed changes: who made a change can be proven by anyone who holds it, whoever delivers it.
//!
//! Each device makes an Ed25519 key pair when it enrolls and registers the public key with the
//! registry (`/v1/actors`, [`crate::message::ActorsRequest::key`]). It signs every change it makes:
//! the message signed is [`DOMAIN`] followed by the change's automerge hash (the SHA-256 of the
//! change's bytes, which names its actor, sequence number, dependencies and operations), so a
//! signature covers exactly one change and can never be mistaken for a signature over anything else.
//!
//! A signature travels as a [`SignedChange`] record, (hash, signature), beside the changes: in a
//! push ([`crate::message::PushDoc::signatures`]), in the feed and the repair
//! ([`crate::message::DocChanges::signatures`]). Records are independent of one another and of
//! the batch they came in, so a relay, a hub or a USB bundle can carry any subset of changes with
//! exactly their records. Whoever receives a change finds its actor in the change itself, the device
//! that actor is registered to, and that device's public key, and checks the record with [`verify`].
//!
//! ```
//! use shumari_proto::signing::{self, DeviceKey, SignedChange};
//! let key = DeviceKey::from_secret([7; 32]);
//! let hash = [1u8; 32]; // an automerge change hash
//! let record: SignedChange = key.sign(&hash);
//! assert!(signing::verify(&key.public(), &record));
//! // One flipped bit of the hash (an altered change) and the record no longer verifies.
//! let mut altered = record.clone();
//! altered.hash[0] ^= 1;
//! assert!(!signing::verify(&key.public(), &altered));
//! ```

use crate::codec::{DecodeError, Reader, Writer};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// What is prefixed to a change hash before it is signed: a signature made for Shumari changes is
/// never valid for any other message, and a later scheme takes another prefix.
pub const DOMAIN: &[u8] = b"shumari-change-v1";

/// Bytes of a public key.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Bytes of a secret key.
pub const SECRET_KEY_LEN: usize = 32;
/// Bytes of one [`SignedChange`] on the wire.
pub const RECORD_LEN: usize = 32 + 64;

/// One change's signature: the change hash and the Ed25519 signature of [`DOMAIN`] || hash by the
/// device its actor is registered to.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SignedChange {
    /// The automerge change hash.
    pub hash: [u8; 32],
    /// The signature.
    pub signature: [u8; 64],
}

impl std::fmt::Debug for SignedChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SignedChange({})", hex::encode(&self.hash[..8]))
    }
}

impl SignedChange {
    /// The record as 96 bytes (hash, then signature).
    pub fn to_bytes(&self) -> [u8; RECORD_LEN] {
        let mut out = [0u8; RECORD_LEN];
        out[..32].copy_from_slice(&self.hash);
        out[32..].copy_from_slice(&self.signature);
        out
    }

    /// A record from [`SignedChange::to_bytes`].
    pub fn from_bytes(b: &[u8; RECORD_LEN]) -> Self {
        let mut hash = [0u8; 32];
        let mut signature = [0u8; 64];
        hash.copy_from_slice(&b[..32]);
        signature.copy_from_slice(&b[32..]);
        SignedChange { hash, signature }
    }
}

/// Records packed back to back (how both databases keep them beside the changes).
pub fn pack(records: &[SignedChange]) -> Vec<u8> {
    records.iter().flat_map(|r| r.to_bytes()).collect()
}

/// Records from [`pack`]; a trailing partial record is ignored.
pub fn unpack(bytes: &[u8]) -> Vec<SignedChange> {
    bytes
        .chunks_exact(RECORD_LEN)
        .map(|c| {
            let mut a = [0u8; RECORD_LEN];
            a.copy_from_slice(c);
            SignedChange::from_bytes(&a)
        })
        .collect()
}

/// Writes a list of records (count, then 96 bytes each).
pub fn write_records(w: &mut Writer, records: &[SignedChange]) {
    w.varint(records.len() as u64);
    for r in records {
        w.hash(&r.hash);
        for b in r.signature {
            w.u8(b);
        }
    }
}

/// Reads a list written by [`write_records`].
pub fn read_records(r: &mut Reader<'_>) -> Result<Vec<SignedChange>, DecodeError> {
    let n = r.count(RECORD_LEN)?;
    (0..n)
        .map(|_| {
            let hash = r.hash()?;
            let signature = <[u8; 64]>::try_from(r.take_bytes(64)?)
                .map_err(|_| DecodeError::Invalid("signature"))?;
            Ok(SignedChange { hash, signature })
        })
        .collect()
}

/// The message a device signs for a change.
fn message(hash: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + 32);
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(hash);
    m
}

/// Whether `record` is the signature of its change by the holder of `public_key`. A key that is
/// not a valid Ed25519 point verifies nothing. Strict verification: a signature is accepted in one
/// form only, so a relay cannot make a second valid signature of the same change.
pub fn verify(public_key: &[u8; PUBLIC_KEY_LEN], record: &SignedChange) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public_key) else {
        return false;
    };
    let sig = Signature::from_bytes(&record.signature);
    key.verify_strict(&message(&record.hash), &sig).is_ok()
}

/// Whether `public_key` is a usable Ed25519 public key (what the registry checks before keeping one).
pub fn is_valid_public_key(public_key: &[u8; PUBLIC_KEY_LEN]) -> bool {
    VerifyingKey::from_bytes(public_key).is_ok_and(|k| !k.is_weak())
}

/// A device's signing key. The secret is wiped from memory when dropped.
pub struct DeviceKey(SigningKey);

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceKey({})", hex::encode(self.public()))
    }
}

impl DeviceKey {
    /// The key whose secret is `secret` (32 random bytes; the caller draws them from the OS).
    pub fn from_secret(secret: [u8; SECRET_KEY_LEN]) -> Self {
        DeviceKey(SigningKey::from_bytes(&secret))
    }

    /// The secret, for keeping in the device's encrypted store.
    pub fn secret(&self) -> [u8; SECRET_KEY_LEN] {
        self.0.to_bytes()
    }

    /// The public key the registry keeps.
    pub fn public(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.0.verifying_key().to_bytes()
    }

    /// The record of this device's signature of the change `hash`.
    pub fn sign(&self, hash: &[u8; 32]) -> SignedChange {
        SignedChange {
            hash: *hash,
            signature: self.0.sign(&message(hash)).to_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_verifies_only_for_its_hash_and_its_key() {
        let a = DeviceKey::from_secret([1; 32]);
        let b = DeviceKey::from_secret([2; 32]);
        let r = a.sign(&[9; 32]);
        assert!(verify(&a.public(), &r));
        assert!(!verify(&b.public(), &r), "another device's key");
        let mut forged = r.clone();
        forged.signature[10] ^= 0x40;
        assert!(!verify(&a.public(), &forged), "a changed signature");
        assert!(!verify(&[0; 32], &r), "no key");
        // The domain prefix: a plain signature of the hash is not a change signature.
        let plain = SignedChange {
            hash: [9; 32],
            signature: a.0.sign(&[9; 32]).to_bytes(),
        };
        assert!(!verify(&a.public(), &plain));
        assert!(is_valid_public_key(&a.public()));
        assert_eq!(DeviceKey::from_secret(a.secret()).public(), a.public());
    }

    #[test]
    fn records_pack_and_travel() {
        let k = DeviceKey::from_secret([3; 32]);
        let rs: Vec<_> = (0..3u8).map(|i| k.sign(&[i; 32])).collect();
        assert_eq!(unpack(&pack(&rs)), rs);
        let mut w = Writer::new();
        write_records(&mut w, &rs);
        let b = w.into_inner();
        assert_eq!(b.len(), 1 + 3 * RECORD_LEN);
        let mut r = Reader::new(&b);
        assert_eq!(read_records(&mut r).unwrap(), rs);
        r.finish().unwrap();
        // A count larger than the bytes can hold is refused before anything is allocated.
        let mut r = Reader::new(&[200, 1, 0]);
        assert_eq!(read_records(&mut r), Err(DecodeError::Truncated));
    }
}
