//! Signing in and out: the sign-in page and form, the second factor, signing out, and the language
//! switch (which works before sign-in too).

use super::{csrf_ok, error_page, field, fields, html, req, see_other, with_session, St};
use crate::auth::session::{
    cookie, random_token, read_cookie, same_token, CSRF_FIELD, LANG_COOKIE, SESSION_COOKIE,
    SIGN_IN_COOKIE,
};
use crate::auth::sign_in::Refusal;
use crate::error::ConsoleError;
use crate::i18n::{Lang, T};
use crate::views::sign_in;
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::Storage;
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<Console<S>>> {
    Router::new()
        .route(
            "/console/sign-in",
            get(sign_in_page::<S>).post(sign_in_post::<S>),
        )
        .route(
            "/console/second-factor",
            get(second_factor_page::<S>).post(second_factor_post::<S>),
        )
        .route("/console/sign-out", post(sign_out::<S>))
        .route("/console/lang/{code}", get(switch_lang::<S>))
}

async fn sign_in_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let r = req(&headers, &uri);
    if let Ok(Some(_)) = c.signed(&headers, false).await {
        return see_other("/console", &[]);
    }
    let token = random_token();
    let set = cookie(SIGN_IN_COOKIE, token.clone(), c.config.secure_cookies, 3600);
    html(
        StatusCode::OK,
        sign_in::sign_in(r.lang, &r.here, &token, None),
        &[set],
    )
}

async fn sign_in_post<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let r = req(&headers, &uri);
    let f = fields(&body);
    let cookie_token = read_cookie(&headers, SIGN_IN_COOKIE);
    let form_token = field(&f, CSRF_FIELD);
    let (Some(token), Some(given)) = (cookie_token, form_token) else {
        return error_page(&r, None, &ConsoleError::BadForm);
    };
    if !same_token(&token, given) {
        return error_page(&r, None, &ConsoleError::BadForm);
    }
    let user = field(&f, "user").unwrap_or("").trim().to_string();
    let pw = zeroize::Zeroizing::new(field(&f, "password").unwrap_or("").to_string());
    match c.sign_in(&user, &pw).await {
        Ok(Ok(started)) => {
            let to = if started.second_factor_due {
                "/console/second-factor"
            } else {
                "/console"
            };
            see_other(
                to,
                &[
                    c.session_cookie(started.session_id),
                    c.expired(SIGN_IN_COOKIE),
                ],
            )
        }
        Ok(Err(refusal)) => {
            let (status, text) = refusal_text(refusal);
            html(
                status,
                sign_in::sign_in(r.lang, &r.here, &token, Some(text)),
                &[],
            )
        }
        Err(e) => error_page(&r, None, &e),
    }
}

fn refusal_text(r: Refusal) -> (StatusCode, T) {
    match r {
        Refusal::WrongCredentials => (StatusCode::UNAUTHORIZED, T::WrongSignIn),
        Refusal::WrongCode => (StatusCode::UNAUTHORIZED, T::WrongCode),
        Refusal::Locked => (StatusCode::TOO_MANY_REQUESTS, T::Locked),
        Refusal::TabletRole => (StatusCode::FORBIDDEN, T::TabletRole),
        Refusal::SecondFactorMissing => (StatusCode::FORBIDDEN, T::TotpNeeded),
        Refusal::Disabled => (StatusCode::FORBIDDEN, T::Disabled),
    }
}

async fn second_factor_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let r = req(&headers, &uri);
    match c.signed(&headers, true).await {
        Ok(Some(s)) => html(
            StatusCode::OK,
            sign_in::second_factor(r.lang, &r.here, &s.session.csrf, None),
            &[],
        ),
        Ok(None) => see_other("/console/sign-in", &[]),
        Err(e) => error_page(&r, None, &e),
    }
}

async fn second_factor_post<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let r = req(&headers, &uri);
    let f = fields(&body);
    let s = match c.signed(&headers, true).await {
        Ok(Some(s)) => s,
        Ok(None) => return see_other("/console/sign-in", &[]),
        Err(e) => return error_page(&r, None, &e),
    };
    if !csrf_ok(&f, &s) {
        return error_page(&r, None, &ConsoleError::BadForm);
    }
    match c.second_factor(&s, field(&f, "code").unwrap_or("")).await {
        Ok(Ok(())) => see_other("/console", &[]),
        Ok(Err(refusal)) => {
            let (status, text) = refusal_text(refusal);
            html(
                status,
                sign_in::second_factor(r.lang, &r.here, &s.session.csrf, Some(text)),
                &[],
            )
        }
        Err(e) => error_page(&r, None, &e),
    }
}

async fn sign_out<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let r = req(&headers, &uri);
    let f = fields(&body);
    with_session(&c, &headers, &r, |s| async {
        if !csrf_ok(&f, &s) {
            return (s, Err(ConsoleError::BadForm));
        }
        let out = c
            .sign_out(&s)
            .await
            .map(|()| see_other("/console/sign-in", &[c.expired(SESSION_COOKIE)]));
        (s, out)
    })
    .await
}

/// Only the console's own pages are places to come back to.
fn safe_back(back: Option<&String>) -> &str {
    match back {
        Some(b)
            if (b == "/console" || b.starts_with("/console/") || b.starts_with("/console?"))
                && !b.contains("//")
                && !b.contains('\\') =>
        {
            b
        }
        _ => "/console",
    }
}

async fn switch_lang<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::parse(&code);
    let set = cookie(
        LANG_COOKIE,
        lang.code().to_string(),
        c.config.secure_cookies,
        365 * 24 * 3600,
    );
    see_other(safe_back(q.get("back")), &[set])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_console_pages_are_come_back_to() {
        let s = |v: &str| safe_back(Some(&v.to_string())).to_string();
        assert_eq!(
            s("/console/households?status=submitted"),
            "/console/households?status=submitted"
        );
        assert_eq!(s("https://evil.example/"), "/console");
        assert_eq!(s("//evil.example/console"), "/console");
        assert_eq!(s("/console//evil"), "/console");
        assert_eq!(s("/consoles"), "/console");
        assert_eq!(safe_back(None), "/console");
    }
}
