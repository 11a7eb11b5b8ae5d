//! System clients: added by an operator (`shumari registry client add`), each backed by a registry
//! user whose role (a provincial monitor's: reads households, nothing else) and areas scope every
//! read the client makes, exactly as for a person. A client proves who it is with the OAuth2
//! client-credentials grant (`POST /oauth2/client/token`: its id and secret for a bearer token of
//! [`crate::DciConfig::token_ttl_secs`]) and signs each message with its Ed25519 key
//! (`signature.rs`). Secrets and tokens are 256-bit random values stored as SHA-256, like the
//! registry's device tokens; each is shown once.
//!
//! `shumari registry client list` shows every client with its areas and whether it is revoked;
//! `client revoke` ([`revoke_client`]) disables the client's registry user (so no new token is
//! issued and a token still held is refused by [`authenticate`]) and deletes its tokens, both
//! before it returns: a revoked client's next request fails.

use crate::error::{DciError, Result};
use crate::store::{ClientRow, DciStore};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use shumari_registry::storage::{AccessEvent, User};
use shumari_registry::{Registry, Role};

/// The DER prefix of an Ed25519 `SubjectPublicKeyInfo` (RFC 8410), before the 32 key bytes.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// A client just added: the secret is shown this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClient {
    /// `client_id`.
    pub id: String,
    /// `client_secret` (64 hex digits).
    pub secret: String,
    /// The registry user scoping its reads.
    pub user_id: String,
}

fn random_hex() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub(crate) fn sha(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// An Ed25519 public key as a file holds it: a PEM `PUBLIC KEY` (SubjectPublicKeyInfo), or the 32
/// raw bytes in base64 or hex.
pub fn parse_public_key(text: &str) -> Result<[u8; 32]> {
    let bad = || {
        DciError::BadRequest(
            "the public key is not an Ed25519 key (a PEM PUBLIC KEY, or 32 bytes in base64 or hex)"
                .into(),
        )
    };
    let t = text.trim();
    let bytes = if t.contains("-----BEGIN PUBLIC KEY-----") {
        let body: String = t
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .concat();
        B64.decode(body.trim()).map_err(|_| bad())?
    } else if let Ok(b) = hex::decode(t) {
        b
    } else {
        B64.decode(t).map_err(|_| bad())?
    };
    let raw = match bytes.len() {
        32 => bytes.as_slice(),
        44 if bytes[..12] == SPKI_PREFIX => &bytes[12..],
        _ => return Err(bad()),
    };
    raw.try_into().map_err(|_| bad())
}

async fn record<S: DciStore>(
    reg: &Registry<S>,
    action: &str,
    actor: &str,
    subject: Option<&str>,
    detail: Option<String>,
) -> Result<()> {
    let event = AccessEvent {
        action: action.to_string(),
        actor: actor.to_string(),
        subject: subject.map(str::to_string),
        detail,
    };
    reg.record_access_event(event).await?;
    Ok(())
}

/// Adds a system client reading `areas`, verifying messages with `public_key`, answered
/// asynchronously at `callback_url` (`{url}/registry/on-search`) when given.
pub async fn add_client<S: DciStore>(
    reg: &Registry<S>,
    name: &str,
    areas: &[String],
    public_key: [u8; 32],
    callback_url: Option<&str>,
) -> Result<NewClient> {
    if let Some(u) = callback_url {
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            return Err(DciError::BadRequest(format!(
                "the callback `{u}` is not an http(s) URL"
            )));
        }
    }
    let user_id = reg
        .add_user(
            &format!("DCI client {}", name.trim()),
            Role::Province,
            areas,
        )
        .await?;
    let id = format!("dci-{}", &random_hex()[..12]);
    let secret = random_hex();
    record(
        reg,
        "dci.client_add",
        shumari_registry::service::CONSOLE,
        Some(&id),
        Some(format!("user={user_id} areas={}", areas.join(","))),
    )
    .await?;
    reg.storage
        .add_client(&ClientRow {
            id: id.clone(),
            name: name.trim().to_string(),
            user_id: user_id.clone(),
            secret_hash: sha(&secret).to_vec(),
            public_key: public_key.to_vec(),
            callback_url: callback_url.map(|u| u.trim_end_matches('/').to_string()),
            created_at: now_ms(),
        })
        .await?;
    Ok(NewClient {
        id,
        secret,
        user_id,
    })
}

/// A client as `client list` shows it: no secret, no key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// `client_id`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The registry user scoping its reads.
    pub user_id: String,
    /// The areas it reads.
    pub areas: Vec<String>,
    /// Where its callbacks go.
    pub callback_url: Option<String>,
    /// When it was added (ms since epoch).
    pub created_at: i64,
    /// When it was revoked (its user disabled), if it was.
    pub revoked_at: Option<i64>,
}

/// Every system client, by id, with its areas and whether it is revoked.
pub async fn list_clients<S: DciStore>(reg: &Registry<S>) -> Result<Vec<ClientInfo>> {
    let mut out = Vec::new();
    for c in reg.storage.clients().await? {
        let user = reg.storage.user(&c.user_id).await?;
        let revoked_at = reg.storage.user_disabled_at(&c.user_id).await?.flatten();
        out.push(ClientInfo {
            areas: user.map(|u| u.areas).unwrap_or_default(),
            id: c.id,
            name: c.name,
            user_id: c.user_id,
            callback_url: c.callback_url,
            created_at: c.created_at,
            revoked_at,
        });
    }
    Ok(out)
}

/// Revokes a client: its registry user is disabled and every token it holds deleted, so its next
/// request is refused; on the access trail as `dci.client_revoke`. Revoking a revoked client
/// changes nothing more.
pub async fn revoke_client<S: DciStore>(reg: &Registry<S>, client_id: &str) -> Result<ClientInfo> {
    let client = reg.storage.client(client_id).await?.ok_or_else(|| {
        DciError::Registry(shumari_registry::RegistryError::NotFound(format!(
            "no client `{client_id}`"
        )))
    })?;
    if reg
        .storage
        .user_disabled_at(&client.user_id)
        .await?
        .flatten()
        .is_none()
    {
        reg.disable_user(&client.user_id).await?;
    }
    let tokens = reg.storage.drop_tokens(&client.id).await?;
    record(
        reg,
        "dci.client_revoke",
        shumari_registry::service::CONSOLE,
        Some(&client.id),
        Some(format!("user={} tokens={tokens}", client.user_id)),
    )
    .await?;
    list_clients(reg)
        .await?
        .into_iter()
        .find(|c| c.id == client.id)
        .ok_or_else(|| {
            DciError::Registry(shumari_registry::RegistryError::NotFound(format!(
                "no client `{client_id}`"
            )))
        })
}

/// Hashes of equal length compared whole: the time taken says nothing about the secret.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client-credentials grant: a bearer token for `client_id` if `secret` is its secret.
/// Returns the token and its lifetime in seconds.
pub async fn issue_token<S: DciStore>(
    reg: &Registry<S>,
    client_id: &str,
    secret: &str,
    ttl_secs: i64,
) -> Result<(String, i64)> {
    let client = reg.storage.client(client_id).await?;
    let ok = client
        .as_ref()
        .is_some_and(|c| same(&c.secret_hash, &sha(secret)));
    let outcome = if ok { "issued" } else { "refused" };
    record(
        reg,
        "dci.token",
        client.as_ref().map_or("anonymous", |c| c.user_id.as_str()),
        client.as_ref().map(|c| c.id.as_str()),
        Some(format!("outcome={outcome}")),
    )
    .await?;
    let client = client
        .filter(|_| ok)
        .ok_or_else(|| DciError::Unauthorized("unknown client or wrong secret".into()))?;
    // A disabled user's client gets no token.
    reg.acting_user(&client.user_id).await?;
    let token = random_hex();
    reg.storage
        .add_token(sha(&token), &client.id, now_ms() + ttl_secs * 1000)
        .await?;
    Ok((token, ttl_secs))
}

/// The client a bearer token belongs to, and the registry user scoping it.
pub async fn authenticate<S: DciStore>(
    reg: &Registry<S>,
    bearer: Option<&str>,
) -> Result<(ClientRow, User)> {
    let token = bearer.filter(|t| !t.is_empty()).ok_or_else(|| {
        DciError::Unauthorized(
            "send `Authorization: Bearer TOKEN` from /oauth2/client/token".into(),
        )
    })?;
    let client_id = reg
        .storage
        .token_client(sha(token), now_ms())
        .await?
        .ok_or_else(|| DciError::Unauthorized("the token is unknown or has expired".into()))?;
    let client = reg
        .storage
        .client(&client_id)
        .await?
        .ok_or_else(|| DciError::Unauthorized("the token's client is gone".into()))?;
    let user = reg
        .acting_user(&client.user_id)
        .await
        .map_err(|e| match e {
            shumari_registry::RegistryError::Forbidden(_) => {
                DciError::Forbidden("this client has been disabled".into())
            }
            other => other.into(),
        })?;
    Ok((client, user))
}

/// Appends one row for a DCI request to the registry's access trail: ids and counts only.
pub(crate) async fn audit<S: DciStore>(
    reg: &Registry<S>,
    action: &str,
    client: &ClientRow,
    detail: String,
) -> Result<()> {
    record(reg, action, &client.user_id, Some(&client.id), Some(detail)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_keys_are_read_in_the_usual_forms() {
        let raw = [7u8; 32];
        let mut spki = SPKI_PREFIX.to_vec();
        spki.extend_from_slice(&raw);
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            B64.encode(&spki)
        );
        assert_eq!(parse_public_key(&pem).unwrap(), raw);
        assert_eq!(parse_public_key(&B64.encode(raw)).unwrap(), raw);
        assert_eq!(parse_public_key(&hex::encode(raw)).unwrap(), raw);
        assert!(parse_public_key("not a key").is_err());
        assert!(parse_public_key(&B64.encode([1u8; 31])).is_err());
    }
}
