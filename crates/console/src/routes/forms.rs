//! Forms besides the household questionnaire in the console: the list (`/console/forms`), the
//! administrator's publication by upload (a multipart form whose CSRF field is checked before the
//! file reaches the registry's forms service, which checks the form with the forms crate), and a
//! form's page (`/console/forms/{id}`, reports per site per day and the missing ones, within the
//! user's areas; seven days up to today unless `?from=&until=` say otherwise, with the reports of
//! those days and where each stands), and a report's page (`/console/forms/{id}/reports/{rid}`: its
//! chain of corrections with each decision, and for a reviewer the decision form, posted to
//! `.../review` with the session's CSRF token). The work is the registry's forms, submissions and
//! report review services; the pages are `views/forms.rs`.

use super::{
    chrome, csrf_ok, field, fields, html, req, see_other, signed_get, with_session, Req, St,
};
use crate::auth::sign_in::Signed;
use crate::error::ConsoleError;
use crate::views::forms as view;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use shumari_domain::review::Decision;
use shumari_domain::roles::{allows, Action};
use shumari_domain::Status;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, Storage};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<crate::Console<S>>> {
    Router::new()
        .route("/console/forms", get(list_page::<S>))
        .route("/console/forms/publish", post(publish_post::<S>))
        .route("/console/forms/{id}", get(form_page::<S>))
        .route("/console/forms/{id}/reports/{rid}", get(report_page::<S>))
        .route(
            "/console/forms/{id}/reports/{rid}/review",
            post(review_post::<S>),
        )
}

/// Reports a form's page lists at most, per area of the user's.
const LISTED: usize = 200;

/// Whether the user's role reviews (the role table's review steps).
fn reviews(s: &Signed) -> bool {
    allows(
        s.user.role,
        Action::Step(Status::Submitted, Status::Approved),
    )
}

async fn list_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, r| async move {
        let forms = c.reg.forms(Some(&s.user)).await?;
        let outcome = q.get("published").map(|p| Ok(p.clone()));
        Ok(html(
            StatusCode::OK,
            view::list(&chrome(&r, Some(&s)), &forms, outcome),
            &[],
        ))
    })
    .await
}

/// The day (UTC) of a time in ms since epoch, `days` earlier.
fn day(now: i64, days: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(now - days * 86_400_000)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

async fn form_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, r| async move {
        let forms = c.reg.forms(Some(&s.user)).await?;
        let Some(form) = forms.iter().find(|f| f.form_id == id) else {
            return Err(RegistryError::NotFound(format!("form `{id}`")).into());
        };
        let now = c.config.clock.now();
        let until = q.get("until").cloned().unwrap_or_else(|| day(now, 0));
        let from = q.get("from").cloned().unwrap_or_else(|| day(now, 6));
        let report = c.reg.form_report(&s.user, &id, &from, &until).await?;
        let listed = c
            .reg
            .form_reports(&s.user, &id, &from, &until, LISTED)
            .await?;
        Ok(html(
            StatusCode::OK,
            view::report(&chrome(&r, Some(&s)), &form.title, &report, &listed),
            &[],
        ))
    })
    .await
}

async fn publish_post<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    mut form: Multipart,
) -> Response {
    let r = req(&headers, &uri);
    // The parts, read before the session is looked at: a multipart body is read once.
    let mut csrf = None;
    let mut file = None;
    let mut areas = String::new();
    let mut unreadable = false;
    loop {
        match form.next_field().await {
            Ok(Some(part)) => match part.name() {
                Some("csrf") => csrf = part.text().await.ok(),
                Some("areas") => areas = part.text().await.unwrap_or_default(),
                Some("file") => {
                    let name = part.file_name().unwrap_or("form.xlsx").to_string();
                    file = part.bytes().await.ok().map(|b| (name, b));
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                unreadable = true;
                break;
            }
        }
    }
    with_session(&c, &headers, &r, |s| async {
        let f: Vec<(String, String)> = csrf
            .map(|t| vec![(crate::auth::session::CSRF_FIELD.to_string(), t)])
            .unwrap_or_default();
        if unreadable || !csrf_ok(&f, &s) {
            return (s, Err(ConsoleError::BadForm));
        }
        let Some((name, bytes)) = file else {
            return (s, Err(ConsoleError::BadForm));
        };
        let areas: Vec<String> = areas.split_whitespace().map(str::to_string).collect();
        let out = match c
            .reg
            .publish_form(Some(&s.user), &name, &bytes, &areas)
            .await
        {
            Ok(p) => Ok(see_other(
                &format!(
                    "/console/forms{}",
                    crate::views::query(&[("published", &format!("{} {}", p.form_id, p.version))])
                ),
                &[],
            )),
            Err(RegistryError::BadRequest(why)) => match c.reg.forms(Some(&s.user)).await {
                Ok(forms) => Ok(html(
                    StatusCode::BAD_REQUEST,
                    view::list(&chrome(&r, Some(&s)), &forms, Some(Err(why))),
                    &[],
                )),
                Err(e) => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        };
        (s, out)
    })
    .await
}

/// A report's page: `decided` after a decision, `error` when one was refused.
async fn render_report<S: Storage + ConsoleStorage>(
    c: &crate::Console<S>,
    r: &Req,
    s: &Signed,
    (form_id, rid): (&str, &str),
    decided: bool,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let chain = c.reg.report_chain(Some(&s.user), rid).await?;
    if chain.chain.iter().all(|x| x.report.form_id != form_id) {
        return Err(RegistryError::NotFound(format!("no report `{rid}`")).into());
    }
    let state = view::ReportState {
        may_review: reviews(s),
        decided,
        error,
    };
    Ok(html(
        status,
        view::report_detail(&chrome(r, Some(s)), &chain, state),
        &[],
    ))
}

async fn report_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path((id, rid)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, r| async move {
        let decided = q.contains_key("decided");
        render_report(c, &r, &s, (&id, &rid), decided, None, StatusCode::OK).await
    })
    .await
}

async fn review_post<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path((id, rid)): Path<(String, String)>,
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
        let note = field(&f, "note").unwrap_or("");
        let out = match c.reg.review_report(&s.user, &rid, decision, note).await {
            Ok(done) => {
                let stands = done.chain.last().map_or(rid.as_str(), |x| &x.report.id);
                Ok(see_other(
                    &format!("/console/forms/{id}/reports/{stands}?decided=1"),
                    &[],
                ))
            }
            Err(e @ (RegistryError::BadRequest(_) | RegistryError::Transition(_))) => {
                let err = ConsoleError::Registry(e);
                let status = err.status();
                let text = err.to_string();
                let back = Req {
                    lang: r.lang,
                    here: format!("/console/forms/{id}/reports/{rid}"),
                };
                render_report(&c, &back, &s, (&id, &rid), false, Some(&text), status).await
            }
            Err(e) => Err(e.into()),
        };
        (s, out)
    })
    .await
}
