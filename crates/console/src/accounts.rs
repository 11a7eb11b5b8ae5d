//! Console accounts as the registry's command line makes them: a password for an existing user
//! (`shumari registry user add ... --password-stdin`) and a TOTP secret
//! (`shumari registry user totp USER`, which prints the `otpauth://` URL once).

use crate::auth::{password, sign_in::may_use_console, totp};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::storage::StorageError;
use shumari_registry::{Registry, RegistryError, Storage};

/// Why an account could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The user's role works on a tablet.
    #[error("a {0} works on a tablet and does not sign in to the console")]
    TabletRole(&'static str),
    /// The password is too short.
    #[error("the password must have at least {} characters", password::MIN_CHARS)]
    TooShort,
    /// A second factor needs a password first.
    #[error("user `{0}` has no console password yet (registry user add ... --password-stdin)")]
    NoPassword(String),
    /// Unknown or disabled user, from the registry.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The rows could not be written.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Hashing failed.
    #[error("the password could not be hashed: {0}")]
    Hash(String),
}

impl AccountError {
    /// Whether the input was at fault (the CLI's exit status 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            AccountError::Registry(e) => e.is_bad_input(),
            AccountError::TabletRole(_) | AccountError::TooShort | AccountError::NoPassword(_) => {
                true
            }
            AccountError::Storage(_) | AccountError::Hash(_) => false,
        }
    }
}

/// Sets `user_id`'s console password (clearing failed sign-ins and any lock).
pub async fn set_password<S: Storage + ConsoleStorage>(
    reg: &Registry<S>,
    user_id: &str,
    pw: &str,
    now: i64,
) -> Result<(), AccountError> {
    let user = reg.acting_user(user_id).await?;
    if !may_use_console(user.role) {
        return Err(AccountError::TabletRole(user.role.title()));
    }
    if pw.chars().count() < password::MIN_CHARS {
        return Err(AccountError::TooShort);
    }
    let pw = zeroize::Zeroizing::new(pw.to_string());
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|e| AccountError::Hash(e.to_string()))?
        .map_err(|e| AccountError::Hash(e.to_string()))?;
    reg.storage
        .set_console_password(user_id, &hash, now)
        .await?;
    Ok(())
}

/// Gives `user_id` a new TOTP secret (replacing any) and returns its `otpauth://` URL.
pub async fn setup_totp<S: Storage + ConsoleStorage>(
    reg: &Registry<S>,
    user_id: &str,
    now: i64,
) -> Result<String, AccountError> {
    reg.acting_user(user_id).await?;
    let secret = totp::new_secret();
    let url = totp::url(&secret, user_id).map_err(|e| AccountError::Hash(e.to_string()))?;
    if !reg
        .storage
        .set_console_totp(user_id, Some(&secret), now)
        .await?
    {
        return Err(AccountError::NoPassword(user_id.to_string()));
    }
    Ok(url)
}
