//! The console's handlers: one per page or form, each reading the language cookie, the session
//! (pages other than sign-in send a visitor without one to the sign-in page), checking the CSRF
//! token of every POST, and calling the registry's service. Answers carry a strict
//! Content-Security-Policy (no script at all, styles and forms from the console only), no caching,
//! and no framing.

use crate::auth::session::{
    cookie, random_token, read_cookie, same_token, CSRF_FIELD, LANG_COOKIE, SESSION_COOKIE,
    SIGN_IN_COOKIE,
};
use crate::auth::sign_in::{Refusal, Signed};
use crate::auth::SESSION_MS;
use crate::error::ConsoleError;
use crate::i18n::{Lang, T};
use crate::views::layout::{message, Chrome};
use crate::views::{detail, home, list, sign_in};
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::Markup;
use shumari_domain::review::Decision;
use shumari_domain::roles::{allows, Action};
use shumari_domain::Status;
use shumari_registry::service::PageRequest;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, ReviewRequest, Storage};
use std::collections::HashMap;
use std::sync::Arc;

type St<S> = State<Arc<Console<S>>>;

/// Rows per page of the household list.
pub const PAGE_ROWS: usize = 50;

/// The stylesheet, compiled in.
const CSS: &str = include_str!("../assets/console.css");

/// The routes (see [`crate::router`]).
pub fn router<S: Storage + ConsoleStorage>(c: Arc<Console<S>>) -> Router {
    Router::new()
        .route("/console", get(home_page::<S>))
        .route("/console/console.css", get(css))
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
        .route("/console/households", get(list_page::<S>))
        .route("/console/households/{id}", get(detail_page::<S>))
        .route("/console/households/{id}/review", post(review_post::<S>))
        .with_state(c)
        .layer(axum::middleware::map_response(protect))
}

/// Headers on every console answer.
async fn protect(mut r: Response) -> Response {
    let h = r.headers_mut();
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, "x-frame-options", "DENY");
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "no-referrer");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    r
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

/// The language and the page's own address, from the request.
struct Req {
    lang: Lang,
    here: String,
}

fn req(headers: &HeaderMap, uri: &Uri) -> Req {
    Req {
        lang: read_cookie(headers, LANG_COOKIE)
            .map(|v| Lang::parse(&v))
            .unwrap_or_default(),
        here: uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/console".into()),
    }
}

fn html(status: StatusCode, m: Markup, cookies: &[String]) -> Response {
    let mut r = (status, m).into_response();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

fn see_other(to: &str, cookies: &[String]) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

/// A console error as a page in the request's language.
fn error_page(r: &Req, signed: Option<&Signed>, e: &ConsoleError) -> Response {
    let text = match e {
        ConsoleError::Registry(RegistryError::NotFound(_)) => T::NotFound,
        ConsoleError::Registry(RegistryError::Forbidden(_)) => T::Forbidden,
        ConsoleError::BadForm => T::BadForm,
        _ => T::Failed,
    };
    if e.status().is_server_error() {
        tracing::error!(error = %e, "console request failed");
    }
    let c = chrome(r, signed);
    html(e.status(), message(&c, r.lang.t(text), r.lang.t(text)), &[])
}

fn chrome<'a>(r: &'a Req, signed: Option<&'a Signed>) -> Chrome<'a> {
    Chrome {
        lang: r.lang,
        here: &r.here,
        signed: signed.map(|s| (&s.user, s.session.csrf.as_str())),
    }
}

/// The form fields of a POST body.
fn fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(f: &'a [(String, String)], name: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The form's CSRF token is the session's.
fn csrf_ok(f: &[(String, String)], signed: &Signed) -> bool {
    field(f, CSRF_FIELD).is_some_and(|t| same_token(t, &signed.session.csrf))
}

impl<S: Storage + ConsoleStorage> Console<S> {
    /// The signed-in session of a request (`pending`: one owing its second factor).
    async fn signed(
        &self,
        headers: &HeaderMap,
        pending: bool,
    ) -> Result<Option<Signed>, ConsoleError> {
        match read_cookie(headers, SESSION_COOKIE) {
            Some(id) => self.session(&id, pending).await,
            None => Ok(None),
        }
    }

    fn session_cookie(&self, id: String) -> String {
        cookie(
            SESSION_COOKIE,
            id,
            self.config.secure_cookies,
            SESSION_MS / 1000,
        )
    }

    fn expired(&self, name: &'static str) -> String {
        cookie(name, String::new(), self.config.secure_cookies, 0)
    }
}

/// Runs a page that needs a full session: without one, the sign-in page.
async fn with_session<S, F, Fut>(c: &Console<S>, headers: &HeaderMap, r: &Req, f: F) -> Response
where
    S: Storage + ConsoleStorage,
    F: FnOnce(Signed) -> Fut,
    Fut: std::future::Future<Output = (Signed, Result<Response, ConsoleError>)>,
{
    match c.signed(headers, false).await {
        Ok(Some(s)) => {
            let (s, out) = f(s).await;
            out.unwrap_or_else(|e| error_page(r, Some(&s), &e))
        }
        Ok(None) => see_other("/console/sign-in", &[]),
        Err(e) => error_page(r, None, &e),
    }
}

async fn home_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let out = async {
            let counts = if allows(s.user.role, Action::ReadHouseholds) {
                Some(c.reg.status_counts(&s.user, None).await?)
            } else {
                None
            };
            let page = home::home(&chrome(&r, Some(&s)), &s.user.areas, counts.as_ref());
            Ok(html(StatusCode::OK, page, &[]))
        }
        .await;
        (s, out)
    })
    .await
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

/// `AREA~ID` back to a position.
fn parse_cursor(s: &str) -> Option<(String, uuid::Uuid)> {
    let (area, id) = s.split_once('~')?;
    Some((area.to_string(), uuid::Uuid::parse_str(id).ok()?))
}

async fn list_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let out = async {
            let get = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
            let filters = list::Filters {
                area: get("area"),
                status: get("status"),
                q: get("q"),
            };
            let status = match filters.status.as_str() {
                "" => None,
                s => Some(Status::parse(s).map_err(|e| RegistryError::BadRequest(e.to_string()))?),
            };
            let after = q.get("after").and_then(|a| parse_cursor(a));
            let request = PageRequest {
                area: Some(filters.area.clone()).filter(|a| !a.is_empty()),
                status,
                search: Some(filters.q.clone()).filter(|s| !s.is_empty()),
                after: after.clone(),
                limit: PAGE_ROWS,
            };
            let rows = c.reg.household_page(&s.user, &request).await?;
            let page = list::list(&chrome(&r, Some(&s)), &filters, &rows, after.is_some());
            Ok(html(StatusCode::OK, page, &[]))
        }
        .await;
        (s, out)
    })
    .await
}

async fn detail_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let decided = q.contains_key("decided");
        let out = render_detail(&c, &r, &s, &id, decided, None, StatusCode::OK).await;
        (s, out)
    })
    .await
}

async fn render_detail<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    r: &Req,
    s: &Signed,
    id: &str,
    decided: bool,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let d = c.reg.household_show(Some(&s.user), id).await?;
    let state = detail::DetailState {
        may_review: allows(
            s.user.role,
            Action::Step(Status::Submitted, Status::Approved),
        ),
        decided,
        error,
    };
    let form = shumari_forms::household_form();
    Ok(html(
        status,
        detail::detail(&chrome(r, Some(s)), form, &d, state),
        &[],
    ))
}

async fn review_post<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let r = req(&headers, &uri);
    let f = fields(&body);
    with_session(&c, &headers, &r, |s| async {
        if !csrf_ok(&f, &s) {
            return (s, Err(ConsoleError::BadForm));
        }
        let Some(decision) = field(&f, "decision").and_then(|d| d.parse::<Decision>().ok()) else {
            return (s, Err(ConsoleError::BadForm));
        };
        let request = ReviewRequest {
            decision,
            comment: field(&f, "comment").unwrap_or("").trim().to_string(),
            questions: f
                .iter()
                .filter(|(k, _)| k == "question")
                .map(|(_, v)| v.clone())
                .collect(),
        };
        let out = match c.reg.review(&s.user, &id, request).await {
            Ok(done) => Ok(see_other(
                &format!("/console/households/{}?decided=1", done.id),
                &[],
            )),
            Err(e @ (RegistryError::BadRequest(_) | RegistryError::Transition(_))) => {
                let err = ConsoleError::Registry(e);
                let status = err.status();
                let text = err.to_string();
                let back = Req {
                    lang: r.lang,
                    here: format!("/console/households/{id}"),
                };
                render_detail(&c, &back, &s, &id, false, Some(&text), status).await
            }
            Err(e) => Err(e.into()),
        };
        (s, out)
    })
    .await
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

    #[test]
    fn a_cursor_reads_back() {
        let id = uuid::Uuid::now_v7();
        let pos = ("PK10101-UC01".to_string(), id);
        assert_eq!(parse_cursor(&list::cursor(&pos)), Some(pos));
        assert_eq!(parse_cursor("nope"), None);
    }
}
