//! Sessions and CSRF tokens.
//!
//! A session id is 256 random bits, sent to the browser once in the cookie [`SESSION_COOKIE`]
//! (HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it; Secure when the
//! console is reached over HTTPS; Path `/console`), and stored only as its SHA-256, so the table
//! alone signs no one in. Each session has its own CSRF token, written into every form as the
//! hidden field [`CSRF_FIELD`] and compared on every POST.
//!
//! The sign-in form comes before any session: its token is sent both in the cookie
//! [`SIGN_IN_COOKIE`] and in the form (double submit), and the two must match.

use axum::http::HeaderMap;
use cookie::{Cookie, SameSite};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The session cookie.
pub const SESSION_COOKIE: &str = "shumari_session";
/// The sign-in form's token cookie.
pub const SIGN_IN_COOKIE: &str = "shumari_sign_in";
/// The language cookie.
pub const LANG_COOKIE: &str = "shumari_lang";
/// The hidden form field holding the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
/// Where the console's cookies apply.
pub const PATH: &str = "/console";

/// 256 random bits as 64 hex digits.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// What a session id is stored under.
pub fn id_hash(id: &str) -> [u8; 32] {
    Sha256::digest(id.as_bytes()).into()
}

/// Whether two tokens are equal, in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (id_hash(a), id_hash(b));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// A cookie of the console with the attributes every one of its cookies has.
pub fn cookie(name: &'static str, value: String, secure: bool, max_age_secs: i64) -> String {
    Cookie::build((name, value))
        .path(PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(time_secs(max_age_secs))
        .build()
        .to_string()
}

fn time_secs(s: i64) -> cookie::time::Duration {
    cookie::time::Duration::seconds(s)
}

/// The value of the cookie `name` in a request.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| Cookie::parse(c.trim().to_string()).ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_cookie_is_http_only_strict_and_secure_when_asked() {
        let c = cookie(SESSION_COOKIE, random_token(), true, 60);
        for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/console"] {
            assert!(c.contains(attr), "{c}");
        }
        assert!(!cookie(SESSION_COOKIE, "x".into(), false, 60).contains("Secure"));
        assert_eq!(random_token().len(), 64);
        assert!(same_token("abc", "abc") && !same_token("abc", "abd"));
    }

    #[test]
    fn a_cookie_is_read_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            "a=1; shumari_lang=ur; b=2".parse().unwrap(),
        );
        assert_eq!(read_cookie(&h, LANG_COOKIE).as_deref(), Some("ur"));
        assert_eq!(read_cookie(&h, SESSION_COOKIE), None);
    }
}
