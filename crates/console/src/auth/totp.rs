//! The TOTP second factor (RFC 6238 as authenticator apps use it: SHA-1, 6 digits, 30-second steps,
//! a code of the step before or after accepted for clock drift), with `totp-rs`. The secret is 160
//! random bits, shown once as an `otpauth://` URL (which apps take from a QR code or typed in).

use rand::RngCore;
use totp_rs::{Algorithm, TOTP};

/// The issuer shown in the authenticator app.
pub const ISSUER: &str = "Shumari";

/// A new random secret.
pub fn new_secret() -> Vec<u8> {
    let mut s = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut s);
    s
}

fn totp(secret: &[u8], account: &str) -> Result<TOTP, totp_rs::TotpUrlError> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        secret.to_vec(),
        Some(ISSUER.to_string()),
        account.replace(':', "_"),
    )
}

/// The `otpauth://totp/...` URL for `account` (the user id).
pub fn url(secret: &[u8], account: &str) -> Result<String, totp_rs::TotpUrlError> {
    Ok(totp(secret, account)?.get_url())
}

/// Whether `code` is the code of `secret` at `now_ms` (or one step either side).
pub fn check(secret: &[u8], code: &str, now_ms: i64) -> bool {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let Ok(t) = totp(secret, "check") else {
        return false;
    };
    t.check(&code, u64::try_from(now_ms / 1000).unwrap_or(0))
}

/// The code of `secret` at `now_ms` (for tests and for people setting up an app).
pub fn code_at(secret: &[u8], now_ms: i64) -> String {
    totp(secret, "check")
        .map(|t| t.generate(u64::try_from(now_ms / 1000).unwrap_or(0)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_of_now_and_the_next_step_pass_and_an_old_one_does_not() {
        let s = new_secret();
        let t = 1_700_000_000_000;
        assert!(check(&s, &code_at(&s, t), t));
        assert!(check(&s, &code_at(&s, t + 30_000), t));
        assert!(!check(&s, &code_at(&s, t - 120_000), t));
        assert!(!check(&s, "", t));
        let u = url(&s, "u-1").unwrap();
        assert!(u.starts_with("otpauth://totp/Shumari:u-1?"), "{u}");
    }
}
