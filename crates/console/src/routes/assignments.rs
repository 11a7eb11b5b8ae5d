//! The assignments screen: the overview (`GET /console/assignments`), a new assignment of an area
//! or a household (`POST /console/assignments`) and a withdrawal
//! (`POST /console/assignments/withdraw`), each POST checked for the session's CSRF token and
//! answered with a redirect to the overview (or the overview with the refusal's reason).

use super::{chrome, csrf_ok, field, fields, html, req, see_other, with_session, Req, St};
use crate::auth::sign_in::Signed;
use crate::error::ConsoleError;
use crate::views::assignments::{assignments, Notice};
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use shumari_domain::roles::{allows, Action};
use shumari_registry::service::AssignWhat;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, Storage};
use std::collections::HashMap;
use std::sync::Arc;

const HERE: &str = "/console/assignments";

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<Console<S>>> {
    Router::new()
        .route(HERE, get(page::<S>).post(assign_post::<S>))
        .route("/console/assignments/withdraw", post(withdraw_post::<S>))
}

async fn render<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    r: &Req,
    s: &Signed,
    notice: Notice,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let o = c.reg.assignment_overview(&s.user, None).await?;
    let may_assign = allows(s.user.role, Action::AssignWork);
    let surveyors = if may_assign {
        c.reg.surveyors_for(&s.user).await?
    } else {
        Vec::new()
    };
    Ok(html(
        status,
        assignments(
            &chrome(r, Some(s)),
            &o,
            &surveyors,
            may_assign,
            notice,
            error,
        ),
        &[],
    ))
}

async fn page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    let notice = match q.get("done").map(String::as_str) {
        Some("made") => Notice::Made,
        Some("withdrawn") => Notice::Withdrawn,
        _ => Notice::None,
    };
    with_session(&c, &headers, &r, |s| async {
        let out = render(&c, &r, &s, notice, None, StatusCode::OK).await;
        (s, out)
    })
    .await
}

/// A refusal the person can act on is shown on the page; anything else is an error page.
async fn answer<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    r: &Req,
    s: &Signed,
    outcome: Result<&'static str, RegistryError>,
) -> Result<Response, ConsoleError> {
    match outcome {
        Ok(done) => Ok(see_other(&format!("{HERE}?done={done}"), &[])),
        Err(e @ (RegistryError::BadRequest(_) | RegistryError::NotFound(_))) => {
            let err = ConsoleError::Registry(e);
            let text = err.to_string();
            let back = Req {
                lang: r.lang,
                here: HERE.to_string(),
            };
            render(c, &back, s, Notice::None, Some(&text), err.status()).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn assign_post<S: Storage + ConsoleStorage>(
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
        let text = |k: &str| field(&f, k).map(str::trim).unwrap_or("").to_string();
        let what = match field(&f, "kind") {
            Some("area") => {
                let target = match text("target").as_str() {
                    "" => Ok(None),
                    t => t.parse::<u32>().map(Some),
                };
                match target {
                    Ok(target) => AssignWhat::Area {
                        code: text("area"),
                        target,
                    },
                    Err(_) => return (s, Err(ConsoleError::BadForm)),
                }
            }
            Some("household") => AssignWhat::Household(text("household")),
            _ => return (s, Err(ConsoleError::BadForm)),
        };
        let outcome = c
            .reg
            .assign(&s.user, &text("surveyor"), what)
            .await
            .map(|_| "made");
        let out = answer(&c, &r, &s, outcome).await;
        (s, out)
    })
    .await
}

async fn withdraw_post<S: Storage + ConsoleStorage>(
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
        let Some(id) = field(&f, "assignment") else {
            return (s, Err(ConsoleError::BadForm));
        };
        let outcome = c
            .reg
            .withdraw_assignment(&s.user, id)
            .await
            .map(|()| "withdrawn");
        let out = answer(&c, &r, &s, outcome).await;
        (s, out)
    })
    .await
}
