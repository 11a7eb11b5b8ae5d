//! The duplicates screens: the queue, one case and its resolution, the possible duplicates of an
//! area and their dismissal. Every read and decision goes through the registry's duplicates service,
//! so the role table, the user's areas and the access trail apply as they do to the command line.

use super::{chrome, csrf_ok, field, fields, html, req, see_other, with_session, Req, St};
use crate::auth::sign_in::Signed;
use crate::error::ConsoleError;
use crate::views::duplicates as view;
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use shumari_registry::service::{CaseState, Resolution};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, Storage};
use std::collections::HashMap;
use std::sync::Arc;

/// Cases per page of the queue.
pub const CASES_PER_PAGE: usize = 50;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<Console<S>>> {
    Router::new()
        .route("/console/duplicates", get(queue_page::<S>))
        .route("/console/duplicates/possible", get(possible_page::<S>))
        .route(
            "/console/duplicates/possible/dismiss",
            post(dismiss_post::<S>),
        )
        .route("/console/duplicates/{case}", get(case_page::<S>))
        .route(
            "/console/duplicates/{case}/resolve",
            post(resolve_post::<S>),
        )
}

fn param(q: &HashMap<String, String>, k: &str) -> String {
    q.get(k).map(|v| v.trim().to_string()).unwrap_or_default()
}

async fn queue_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let out = async {
            let area = param(&q, "area");
            let page_no: usize = param(&q, "page").parse().unwrap_or(0);
            let cases = c
                .reg
                .duplicates_list(
                    Some(&s.user),
                    Some(area.as_str()).filter(|a| !a.is_empty()),
                    Some(CaseState::Open),
                )
                .await?;
            let start = page_no.saturating_mul(CASES_PER_PAGE).min(cases.len());
            let end = (start + CASES_PER_PAGE).min(cases.len());
            let page = view::queue(
                &chrome(&r, Some(&s)),
                &area,
                &cases[start..end],
                page_no,
                end < cases.len(),
            );
            Ok(html(StatusCode::OK, page, &[]))
        }
        .await;
        (s, out)
    })
    .await
}

async fn render_case<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    r: &Req,
    s: &Signed,
    case_id: &str,
    error: Option<&str>,
    status: StatusCode,
    done: bool,
) -> Result<Response, ConsoleError> {
    let k = c.reg.duplicate_case(Some(&s.user), case_id).await?;
    let mut households = Vec::new();
    for h in k.households.iter().filter(|h| h.household.is_some()) {
        households.push(
            c.reg
                .household_show(Some(&s.user), &h.id.to_string())
                .await?,
        );
    }
    let page = view::case(&chrome(r, Some(s)), &k, &households, error, done);
    Ok(html(status, page, &[]))
}

async fn case_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(case_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let done = q.contains_key("resolved");
        let out = render_case(&c, &r, &s, &case_id, None, StatusCode::OK, done).await;
        (s, out)
    })
    .await
}

async fn resolve_post<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(case_id): Path<String>,
    body: Bytes,
) -> Response {
    let r = req(&headers, &uri);
    let f = fields(&body);
    with_session(&c, &headers, &r, |s| async {
        if !csrf_ok(&f, &s) {
            return (s, Err(ConsoleError::BadForm));
        }
        let note = field(&f, "note").unwrap_or("").trim().to_string();
        let resolution = match field(&f, "resolution") {
            Some("keep") => match field(&f, "household") {
                Some(h) => Resolution::Keep {
                    household: h.to_string(),
                    note,
                },
                None => return (s, Err(ConsoleError::BadForm)),
            },
            Some("data_error") => Resolution::DataError { note },
            Some("dismiss") => Resolution::Dismiss { note },
            _ => return (s, Err(ConsoleError::BadForm)),
        };
        let out = match c.reg.resolve_duplicate(&s.user, &case_id, resolution).await {
            Ok(done) => Ok(see_other(
                &format!("/console/duplicates/{}?resolved=1", done.id),
                &[],
            )),
            Err(e @ (RegistryError::BadRequest(_) | RegistryError::Transition(_))) => {
                let err = ConsoleError::Registry(e);
                let (status, text) = (err.status(), err.to_string());
                let back = Req {
                    lang: r.lang,
                    here: format!("/console/duplicates/{case_id}"),
                };
                render_case(&c, &back, &s, &case_id, Some(&text), status, false).await
            }
            Err(e) => Err(e.into()),
        };
        (s, out)
    })
    .await
}

async fn possible_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let out = async {
            // The user's first area unless another is asked for: the list is per area.
            let area = Some(param(&q, "area"))
                .filter(|a| !a.is_empty())
                .or_else(|| s.user.areas.first().cloned())
                .unwrap_or_default();
            let pairs = c.reg.possible_duplicates(Some(&s.user), &area).await?;
            let dismissed = q.contains_key("dismissed");
            let page = view::possible(&chrome(&r, Some(&s)), &area, &pairs, dismissed);
            Ok(html(StatusCode::OK, page, &[]))
        }
        .await;
        (s, out)
    })
    .await
}

async fn dismiss_post<S: Storage + ConsoleStorage>(
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
        let (Some(a), Some(b)) = (field(&f, "a"), field(&f, "b")) else {
            return (s, Err(ConsoleError::BadForm));
        };
        let note = field(&f, "note").unwrap_or("").trim();
        let area = field(&f, "area").unwrap_or("");
        let out = c
            .reg
            .dismiss_possible_duplicate(&s.user, a, b, note)
            .await
            .map(|()| {
                see_other(
                    &format!(
                        "/console/duplicates/possible{}",
                        crate::views::query(&[("area", area), ("dismissed", "1")])
                    ),
                    &[],
                )
            })
            .map_err(ConsoleError::from);
        (s, out)
    })
    .await
}
