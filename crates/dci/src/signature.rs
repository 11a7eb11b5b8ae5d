//! The envelope's `signature`: Ed25519 over the message, verified against the client's registered
//! public key.
//!
//! The standard gives the field's shape (an HTTP-signature-like string) and says it signs
//! `{header}+{message}`; it leaves the bytes open. This registry's profile, which a client follows
//! to be understood:
//!
//! ```text
//! Signature: namespace="dci", kidId="{client_id}|{key_id}|ed25519", algorithm="ed25519",
//!   created="{unix seconds}", expires="{unix seconds}", headers="(created) (expires) digest",
//!   signature="{base64 of the Ed25519 signature}"
//! ```
//!
//! - `digest` is `SHA-256={base64 of SHA-256(canonical)}`, where `canonical` is the JSON object
//!   `{"header": ..., "message": ...}` of the request with object keys sorted and no whitespace
//!   (what `serde_json` writes for a `Value`), so a proxy re-indenting the body changes nothing.
//! - The signed bytes are the three lines `(created): {created}\n(expires): {expires}\ndigest: {digest}`.
//! - `kidId` names the client (its first part must be the client the token belongs to) and
//!   `algorithm` must be `ed25519`; `created` must not be in the future (a minute of clock skew is
//!   allowed) and `expires` not in the past.
//!
//! [`sign`] makes such a signature (for tests and for clients written in Rust).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ring::signature::{Ed25519KeyPair, UnparsedPublicKey, ED25519};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Seconds a `created` time may lie ahead of the registry's clock.
const SKEW_SECS: i64 = 60;

/// Why a signature is refused, as the DCI error code and words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No signature.
    #[error("the message carries no signature")]
    Missing,
    /// Malformed, expired, not the client's, or not valid for the message.
    #[error("the signature is not valid: {0}")]
    Invalid(String),
}

impl SignatureError {
    /// The DCI error code (`err.signature.missing`, `err.signature.invalid`).
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::Missing => "err.signature.missing",
            SignatureError::Invalid(_) => "err.signature.invalid",
        }
    }
}

/// The bytes the digest covers: `{"header", "message"}` with sorted keys, no whitespace.
pub fn canonical(envelope: &Value) -> Vec<u8> {
    let mut m = serde_json::Map::new();
    for k in ["header", "message"] {
        if let Some(v) = envelope.get(k) {
            m.insert(k.to_string(), v.clone());
        }
    }
    // `serde_json::Map` without `preserve_order` is a BTreeMap: keys come out sorted at every level.
    serde_json::to_vec(&Value::Object(m)).unwrap_or_default()
}

fn digest_of(envelope: &Value) -> String {
    format!(
        "SHA-256={}",
        B64.encode(Sha256::digest(canonical(envelope)))
    )
}

fn signing_string(created: i64, expires: i64, digest: &str) -> String {
    format!("(created): {created}\n(expires): {expires}\ndigest: {digest}")
}

/// The `key="value"` pairs of a signature string.
fn params(s: &str) -> BTreeMap<String, String> {
    let body = s.trim().strip_prefix("Signature:").unwrap_or(s).trim();
    let mut out = BTreeMap::new();
    let mut rest = body;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().trim_start_matches(',').trim().to_string();
        let after = &rest[eq + 1..];
        let Some(after) = after.strip_prefix('"') else {
            break;
        };
        let (value, next) = match after.find('"') {
            Some(end) => (&after[..end], &after[end + 1..]),
            None => (after, ""),
        };
        out.insert(key, value.to_string());
        rest = next;
    }
    out
}

/// Checks `envelope`'s signature: made by `client_id` with the key whose raw 32 bytes are
/// `public_key`, valid at `now` (unix seconds).
pub fn verify(
    envelope: &Value,
    client_id: &str,
    public_key: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let raw = envelope
        .get("signature")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or(SignatureError::Missing)?;
    let p = params(raw);
    let invalid = |why: &str| SignatureError::Invalid(why.to_string());
    if !p
        .get("algorithm")
        .is_some_and(|a| a.eq_ignore_ascii_case("ed25519"))
    {
        return Err(invalid("the algorithm must be ed25519"));
    }
    let kid = p.get("kidId").ok_or_else(|| invalid("no kidId"))?;
    if kid.split('|').next() != Some(client_id) {
        return Err(invalid("kidId does not name this client"));
    }
    let number = |k: &str| {
        p.get(k)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .ok_or_else(|| invalid(&format!("{k} is not a time in seconds")))
    };
    let (created, expires) = (number("created")?, number("expires")?);
    if created > now + SKEW_SECS {
        return Err(invalid("created lies in the future"));
    }
    if expires < now {
        return Err(invalid("the signature has expired"));
    }
    let sig = p
        .get("signature")
        .and_then(|s| B64.decode(s.trim()).ok())
        .ok_or_else(|| invalid("the signature is not base64"))?;
    let message = signing_string(created, expires, &digest_of(envelope));
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(message.as_bytes(), &sig)
        .map_err(|_| invalid("it does not match the message and the client's key"))
}

/// Signs `envelope` (its `header` and `message`) as `client_id` with `key`, valid from `created`
/// for `ttl_secs`; returns the string for the envelope's `signature` field.
pub fn sign(
    envelope: &Value,
    client_id: &str,
    key: &Ed25519KeyPair,
    created: i64,
    ttl_secs: i64,
) -> String {
    let expires = created + ttl_secs;
    let digest = digest_of(envelope);
    let sig = key.sign(signing_string(created, expires, &digest).as_bytes());
    format!(
        "Signature: namespace=\"dci\", kidId=\"{client_id}|1|ed25519\", algorithm=\"ed25519\", created=\"{created}\", expires=\"{expires}\", headers=\"(created) (expires) digest\", signature=\"{}\"",
        B64.encode(sig.as_ref())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::KeyPair;

    fn key() -> Ed25519KeyPair {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
    }

    #[test]
    fn a_signed_envelope_verifies_and_any_change_breaks_it() {
        let k = key();
        let mut env =
            serde_json::json!({"header": {"action": "search", "b": 1}, "message": {"x": [1, 2]}});
        env["signature"] = sign(&env, "c-1", &k, 1_000, 600).into();
        let public = k.public_key().as_ref();
        assert_eq!(verify(&env, "c-1", public, 1_100), Ok(()));
        // Re-indenting or reordering keys changes nothing.
        let reparsed: Value =
            serde_json::from_str(&serde_json::to_string_pretty(&env).unwrap()).unwrap();
        assert_eq!(verify(&reparsed, "c-1", public, 1_100), Ok(()));
        // Another client, a changed message, an expired signature, another key: refused.
        assert!(matches!(
            verify(&env, "c-2", public, 1_100),
            Err(SignatureError::Invalid(_))
        ));
        assert!(matches!(
            verify(&env, "c-1", public, 2_000),
            Err(SignatureError::Invalid(_))
        ));
        let other = key();
        assert!(verify(&env, "c-1", other.public_key().as_ref(), 1_100).is_err());
        let mut changed = env.clone();
        changed["message"]["x"][0] = 9.into();
        assert_eq!(
            verify(&changed, "c-1", public, 1_100).unwrap_err().code(),
            "err.signature.invalid"
        );
        let mut unsigned = env;
        unsigned["signature"] = "".into();
        assert_eq!(
            verify(&unsigned, "c-1", public, 1_100),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn the_standards_placeholder_is_refused() {
        let env = serde_json::json!({
            "signature": "Signature:  namespace=\"dci\", kidId=\"{sender_id}|{unique_key_id}|{algorithm}\", algorithm=\"ed25519\", created=\"1606970629\", expires=\"1607030629\", headers=\"(created) (expires) digest\", signature=\"Base64(signing content)",
            "header": {}, "message": {}
        });
        let k = key();
        let e = verify(&env, "{sender_id}", k.public_key().as_ref(), 1_606_970_700).unwrap_err();
        assert_eq!(e.code(), "err.signature.invalid");
    }
}
