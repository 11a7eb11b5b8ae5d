//! Signing in: the steps in order, each refusal recorded in the registry's access audit trail
//! (with the user id tried, never the password or code).
//!
//! 1. An account locked by [`super::MAX_FAILURES`] failures is refused without looking at the
//!    password, until the lock ends.
//! 2. The password is checked against its Argon2id hash (an unknown user costs the same time, against
//!    a decoy hash); a wrong one counts a failure, and the last allowed one locks the account for
//!    [`super::LOCKOUT_MS`].
//! 3. The user must be active and hold a console role ([`may_use_console`]): a surveyor works on a
//!    tablet. An administrator must have a second factor set up.
//! 4. With a second factor, the session starts owing it: only the code page opens until a right
//!    code is given (a wrong code counts a failure like a wrong password).

use super::session::{id_hash, random_token};
use super::{password, totp, LOCKOUT_MS, MAX_FAILURES, SESSION_MS};
use crate::error::ConsoleError;
use crate::Console;
use shumari_domain::roles::{allows, Action};
use shumari_domain::Status;
use shumari_registry::storage::console::{ConsoleSession, ConsoleStorage};
use shumari_registry::storage::User;
use shumari_registry::{RegistryError, Role, Storage};

/// Whether a role works at the console: those who review, and those who hold no tablet.
pub fn may_use_console(role: Role) -> bool {
    allows(role, Action::Step(Status::Submitted, Status::Approved))
        || !allows(role, Action::EnrollTablet)
}

/// Why a sign-in was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown user, no console password, or a wrong password.
    WrongCredentials,
    /// Wrong TOTP code.
    WrongCode,
    /// Too many failures; locked for a while.
    Locked,
    /// A tablet role.
    TabletRole,
    /// An administrator without a second factor.
    SecondFactorMissing,
    /// The user is disabled.
    Disabled,
}

impl Refusal {
    fn word(self) -> &'static str {
        match self {
            Refusal::WrongCredentials => "wrong_credentials",
            Refusal::WrongCode => "wrong_code",
            Refusal::Locked => "locked",
            Refusal::TabletRole => "tablet_role",
            Refusal::SecondFactorMissing => "second_factor_missing",
            Refusal::Disabled => "disabled",
        }
    }
}

/// A new session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// The id for the cookie (stored only hashed).
    pub session_id: String,
    /// The TOTP code is still owed.
    pub second_factor_due: bool,
}

/// A session that may use the console: its user and its row.
#[derive(Debug, Clone)]
pub struct Signed {
    /// Who.
    pub user: User,
    /// The session's row (its CSRF token).
    pub session: ConsoleSession,
    /// The hash its id is stored under.
    pub id_hash: [u8; 32],
}

impl<S: Storage + ConsoleStorage> Console<S> {
    async fn refuse(&self, user_id: Option<&str>, r: Refusal) -> Result<Refusal, ConsoleError> {
        self.reg.record_console_sign_in(user_id, r.word()).await?;
        Ok(r)
    }

    /// Counts a failure; `Locked` when it locked the account.
    async fn failed(&self, user_id: &str, r: Refusal) -> Result<Refusal, ConsoleError> {
        let now = self.config.clock.now();
        let locked = self
            .reg
            .storage
            .console_failure(user_id, MAX_FAILURES, now + LOCKOUT_MS)
            .await?;
        let r = if locked.is_some() { Refusal::Locked } else { r };
        self.refuse(Some(user_id), r).await
    }

    /// Signs `user_id` in with `password` (see the module docs).
    pub async fn sign_in(
        &self,
        user_id: &str,
        pw: &str,
    ) -> Result<Result<Started, Refusal>, ConsoleError> {
        let now = self.config.clock.now();
        let account = self.reg.storage.console_account(user_id).await?;
        if account
            .as_ref()
            .and_then(|a| a.locked_until)
            .is_some_and(|until| until > now)
        {
            return Ok(Err(self.refuse(Some(user_id), Refusal::Locked).await?));
        }
        let hash = account.as_ref().map_or_else(
            || password::decoy().to_string(),
            |a| a.password_hash.clone(),
        );
        let pw = zeroize::Zeroizing::new(pw.to_string());
        let ok = tokio::task::spawn_blocking(move || password::verify(&hash, &pw))
            .await
            .map_err(|e| ConsoleError::Internal(e.to_string()))?;
        let account = match account {
            Some(a) if ok => a,
            Some(_) => return Ok(Err(self.failed(user_id, Refusal::WrongCredentials).await?)),
            None => return Ok(Err(self.refuse(None, Refusal::WrongCredentials).await?)),
        };
        let user = match self.reg.acting_user(user_id).await {
            Ok(u) => u,
            Err(RegistryError::Forbidden(_)) => {
                return Ok(Err(self.refuse(Some(user_id), Refusal::Disabled).await?))
            }
            Err(e) => return Err(e.into()),
        };
        if !may_use_console(user.role) {
            return Ok(Err(self.refuse(Some(user_id), Refusal::TabletRole).await?));
        }
        if user.role == Role::Administrator && account.totp_secret.is_none() {
            return Ok(Err(self
                .refuse(Some(user_id), Refusal::SecondFactorMissing)
                .await?));
        }
        self.reg.storage.console_success(user_id).await?;
        let started = Started {
            session_id: random_token(),
            second_factor_due: account.totp_secret.is_some(),
        };
        let row = ConsoleSession {
            user_id: user.id.clone(),
            csrf: random_token(),
            second_factor_due: started.second_factor_due,
            expires_at: now + SESSION_MS,
        };
        self.reg
            .storage
            .add_console_session(id_hash(&started.session_id), &row, now)
            .await?;
        let outcome = if started.second_factor_due {
            "password_ok"
        } else {
            "ok"
        };
        self.reg
            .record_console_sign_in(Some(user_id), outcome)
            .await?;
        Ok(Ok(started))
    }

    /// The session a cookie's id names, if it is live; `pending` lets through a session that still
    /// owes its second factor (the code page only).
    pub async fn session(
        &self,
        session_id: &str,
        pending: bool,
    ) -> Result<Option<Signed>, ConsoleError> {
        let hash = id_hash(session_id);
        let Some(session) = self.reg.storage.console_session(hash).await? else {
            return Ok(None);
        };
        if session.expires_at <= self.config.clock.now() || session.second_factor_due != pending {
            return Ok(None);
        }
        // Disabled since, or moved to a tablet role: the session ends here.
        let user = match self.reg.acting_user(&session.user_id).await {
            Ok(u) if may_use_console(u.role) => u,
            Ok(_) | Err(RegistryError::Forbidden(_) | RegistryError::NotFound(_)) => {
                self.reg.storage.end_console_session(hash).await?;
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        Ok(Some(Signed {
            user,
            session,
            id_hash: hash,
        }))
    }

    /// Checks the TOTP `code` of a session that owes it; a right code opens the session.
    pub async fn second_factor(
        &self,
        pending: &Signed,
        code: &str,
    ) -> Result<Result<(), Refusal>, ConsoleError> {
        let now = self.config.clock.now();
        let user_id = pending.user.id.as_str();
        let account = self.reg.storage.console_account(user_id).await?;
        if account
            .as_ref()
            .and_then(|a| a.locked_until)
            .is_some_and(|until| until > now)
        {
            self.reg
                .storage
                .end_console_session(pending.id_hash)
                .await?;
            return Ok(Err(self.refuse(Some(user_id), Refusal::Locked).await?));
        }
        let secret = account.and_then(|a| a.totp_secret).unwrap_or_default();
        if secret.is_empty() || !totp::check(&secret, code, now) {
            let r = self.failed(user_id, Refusal::WrongCode).await?;
            if r == Refusal::Locked {
                self.reg
                    .storage
                    .end_console_session(pending.id_hash)
                    .await?;
            }
            return Ok(Err(r));
        }
        self.reg.storage.console_success(user_id).await?;
        self.reg
            .storage
            .console_second_factor_given(pending.id_hash)
            .await?;
        self.reg.record_console_sign_in(Some(user_id), "ok").await?;
        Ok(Ok(()))
    }

    /// Ends a session.
    pub async fn sign_out(&self, signed: &Signed) -> Result<(), ConsoleError> {
        Ok(self.reg.storage.end_console_session(signed.id_hash).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviewers_and_console_roles_sign_in_and_field_roles_do_not() {
        for r in [
            Role::Supervisor,
            Role::District,
            Role::Province,
            Role::Federal,
            Role::Administrator,
        ] {
            assert!(may_use_console(r), "{r}");
        }
        for r in [Role::Surveyor, Role::Community] {
            assert!(!may_use_console(r), "{r}");
        }
    }
}
