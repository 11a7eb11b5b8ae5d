//! The console's handlers, one module per screen (each with its `routes()`, composed here), and
//! what they share: reading the language cookie and the session (pages other than sign-in send a
//! visitor without one to the sign-in page), checking the CSRF token of every POST, and answering
//! HTML. Answers carry a strict Content-Security-Policy (no script at all, styles and forms from
//! the console only), no caching, and no framing.
//!
//! A screen's module holds its handlers and nothing else: the page itself is in [`crate::views`],
//! the data comes from the registry's service.

mod assignments;
mod dashboard_delivery;
mod dashboard_field;
mod dashboards;
mod duplicates;
mod exports;
mod forms;
mod grievances;
mod households;
mod identity;
mod payments;
mod people;
mod scoring;
mod session;

use crate::auth::session::{
    cookie, read_cookie, same_token, CSRF_FIELD, LANG_COOKIE, SESSION_COOKIE,
};
use crate::auth::sign_in::Signed;
use crate::auth::SESSION_MS;
use crate::error::ConsoleError;
use crate::i18n::{Lang, T};
use crate::views::layout::{message, Chrome};
use crate::Console;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::Markup;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, Storage};
use std::sync::Arc;

/// The state every handler extracts.
pub(crate) type St<S> = State<Arc<Console<S>>>;

/// Rows per page of the household list.
pub const PAGE_ROWS: usize = 50;

/// The stylesheet, compiled in.
const CSS: &str = include_str!("../../assets/console.css");

/// The routes (see [`crate::router`]).
pub fn router<S: Storage + ConsoleStorage>(c: Arc<Console<S>>) -> Router {
    Router::new()
        .route("/console/console.css", get(css))
        .route("/console/fonts/{name}", get(font))
        .merge(session::routes::<S>())
        .merge(households::routes::<S>())
        .merge(people::routes::<S>())
        .merge(scoring::routes::<S>())
        .merge(assignments::routes::<S>())
        .merge(duplicates::routes::<S>())
        .merge(identity::routes::<S>())
        .merge(payments::routes::<S>())
        .merge(grievances::routes::<S>())
        .merge(exports::routes::<S>())
        .merge(forms::routes::<S>())
        .merge(dashboards::routes::<S>())
        .merge(dashboard_delivery::routes::<S>())
        .merge(dashboard_field::routes::<S>())
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
        "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self'; \
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

/// The bundled Urdu font's two weights.
const FONTS: [(&str, &[u8]); 2] = [
    (
        "noto-nastaliq-urdu-400.woff2",
        include_bytes!("../../assets/fonts/noto-nastaliq-urdu-400.woff2"),
    ),
    (
        "noto-nastaliq-urdu-700.woff2",
        include_bytes!("../../assets/fonts/noto-nastaliq-urdu-700.woff2"),
    ),
];

async fn font(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    match FONTS.iter().find(|(n, _)| *n == name) {
        Some((_, bytes)) => (
            [
                (header::CONTENT_TYPE, "font/woff2"),
                (header::CACHE_CONTROL, "max-age=604800, immutable"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The language and the page's own address, from the request.
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub(crate) lang: Lang,
    pub(crate) here: String,
}

pub(crate) fn req(headers: &HeaderMap, uri: &Uri) -> Req {
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

pub(crate) fn html(status: StatusCode, m: Markup, cookies: &[String]) -> Response {
    let mut r = (status, m).into_response();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

pub(crate) fn see_other(to: &str, cookies: &[String]) -> Response {
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
pub(crate) fn error_page(r: &Req, signed: Option<&Signed>, e: &ConsoleError) -> Response {
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

pub(crate) fn chrome<'a>(r: &'a Req, signed: Option<&'a Signed>) -> Chrome<'a> {
    Chrome {
        lang: r.lang,
        here: &r.here,
        signed: signed.map(|s| (&s.user, s.session.csrf.as_str())),
    }
}

/// The form fields of a POST body.
pub(crate) fn fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

pub(crate) fn field<'a>(f: &'a [(String, String)], name: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The form's CSRF token is the session's.
pub(crate) fn csrf_ok(f: &[(String, String)], signed: &Signed) -> bool {
    field(f, CSRF_FIELD).is_some_and(|t| same_token(t, &signed.session.csrf))
}

impl<S: Storage + ConsoleStorage> Console<S> {
    /// The signed-in session of a request (`pending`: one owing its second factor).
    pub(crate) async fn signed(
        &self,
        headers: &HeaderMap,
        pending: bool,
    ) -> Result<Option<Signed>, ConsoleError> {
        match read_cookie(headers, SESSION_COOKIE) {
            Some(id) => self.session(&id, pending).await,
            None => Ok(None),
        }
    }

    pub(crate) fn session_cookie(&self, id: String) -> String {
        cookie(
            SESSION_COOKIE,
            id,
            self.config.secure_cookies,
            SESSION_MS / 1000,
        )
    }

    pub(crate) fn expired(&self, name: &'static str) -> String {
        cookie(name, String::new(), self.config.secure_cookies, 0)
    }
}

/// Runs a page that needs a full session: without one, the sign-in page.
pub(crate) async fn with_session<S, F, Fut>(
    c: &Console<S>,
    headers: &HeaderMap,
    r: &Req,
    f: F,
) -> Response
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

/// Runs a GET page or download that needs a full session, in one call: reads the request's
/// language and address, sends a visitor without a session to the sign-in page, hands `f` the
/// session and the request, and answers an error of `f` with the error page in the request's
/// language. The dashboards' handlers are each one call of this.
pub(crate) async fn signed_get<S, F, Fut>(
    c: &Console<S>,
    headers: &HeaderMap,
    uri: &Uri,
    f: F,
) -> Response
where
    S: Storage + ConsoleStorage,
    F: FnOnce(Signed, Req) -> Fut,
    Fut: std::future::Future<Output = Result<Response, ConsoleError>>,
{
    let r = req(headers, uri);
    with_session(c, headers, &r, |s| async {
        let out = f(s.clone(), r.clone()).await;
        (s, out)
    })
    .await
}
