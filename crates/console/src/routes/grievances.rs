//! The grievances screens: the queue, one grievance with its note and resolve forms, and filing a
//! grievance on a citizen's behalf. Every read and change goes through the registry's grievances
//! service with the console's clock, so the role table, the user's areas, the SLA and the access
//! trail apply as they do to the command line.

use super::{chrome, csrf_ok, field, fields, html, req, see_other, with_session, Req, St};
use crate::auth::sign_in::Signed;
use crate::error::ConsoleError;
use crate::views::grievances::{self as view, FileForm, QueueFilters, G};
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use shumari_domain::money::Paisa;
use shumari_domain::roles::{allows, Action};
use shumari_registry::service::{Category, GrievanceFilter, GrievanceStatus, NewGrievance};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, Role, Storage};
use std::collections::HashMap;
use std::sync::Arc;

/// Grievances per page of the queue.
pub const PER_PAGE: usize = 50;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<Console<S>>> {
    Router::new()
        .route(
            "/console/grievances",
            get(queue_page::<S>).post(file_post::<S>),
        )
        .route("/console/grievances/new", get(file_page::<S>))
        .route("/console/grievances/{tracking}", get(grievance_page::<S>))
        .route("/console/grievances/{tracking}/note", post(note_post::<S>))
        .route(
            "/console/grievances/{tracking}/resolve",
            post(resolve_post::<S>),
        )
}

fn param(q: &HashMap<String, String>, k: &str) -> String {
    q.get(k).map(|v| v.trim().to_string()).unwrap_or_default()
}

/// A refusal the user can fix, shown on the page rather than as an error page.
fn fixable(e: &RegistryError) -> bool {
    matches!(
        e,
        RegistryError::BadRequest(_) | RegistryError::Transition(_)
    )
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
            let f = QueueFilters {
                status: param(&q, "status"),
                category: param(&q, "category"),
                overdue: param(&q, "overdue") == "1",
            };
            let filter = GrievanceFilter {
                status: Some(f.status.as_str())
                    .filter(|v| !v.is_empty())
                    .map(GrievanceStatus::parse)
                    .transpose()?,
                category: Some(f.category.as_str())
                    .filter(|v| !v.is_empty())
                    .map(Category::parse)
                    .transpose()?,
                overdue: f.overdue,
                after: Some(param(&q, "after")).filter(|a| !a.is_empty()),
                limit: PER_PAGE,
            };
            let p = c
                .reg
                .grievance_list(&s.user, &filter, c.config.clock.now())
                .await?;
            let may_file = allows(s.user.role, Action::FileGrievance);
            Ok(html(
                StatusCode::OK,
                view::queue(&chrome(&r, Some(&s)), &f, &p, may_file),
                &[],
            ))
        }
        .await;
        (s, out)
    })
    .await
}

async fn render<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    r: &Req,
    s: &Signed,
    tracking: &str,
    notice: Option<G>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, ConsoleError> {
    let d = c
        .reg
        .grievance_show(&s.user, tracking, c.config.clock.now())
        .await?;
    let may_handle = allows(s.user.role, Action::HandleGrievances);
    let status = error.as_ref().map_or(StatusCode::OK, |(st, _)| *st);
    let page = view::grievance(
        &chrome(r, Some(s)),
        &d,
        may_handle,
        notice,
        error.as_ref().map(|(_, e)| e.as_str()),
    );
    Ok(html(status, page, &[]))
}

async fn grievance_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(tracking): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let notice = match param(&q, "done").as_str() {
            "note" => Some(G::Noted),
            "resolved" => Some(G::ResolvedDone),
            "filed" => Some(G::FiledDone),
            _ => None,
        };
        let out = render(&c, &r, &s, &tracking, notice, None).await;
        (s, out)
    })
    .await
}

async fn act_post<S: Storage + ConsoleStorage>(
    c: Arc<Console<S>>,
    headers: HeaderMap,
    uri: Uri,
    tracking: String,
    body: Bytes,
    resolve: bool,
) -> Response {
    let r = req(&headers, &uri);
    let f = fields(&body);
    with_session(&c, &headers, &r, |s| async {
        if !csrf_ok(&f, &s) {
            return (s, Err(ConsoleError::BadForm));
        }
        let now = c.config.clock.now();
        let outcome = if resolve {
            let text = field(&f, "resolution").unwrap_or("");
            c.reg.grievance_resolve(&s.user, &tracking, text, now).await
        } else {
            let text = field(&f, "note").unwrap_or("");
            c.reg.grievance_note(&s.user, &tracking, text, now).await
        };
        let out = match outcome {
            Ok(d) => Ok(see_other(
                &format!(
                    "/console/grievances/{}?done={}",
                    d.grievance.tracking,
                    if resolve { "resolved" } else { "note" }
                ),
                &[],
            )),
            Err(e) if fixable(&e) => {
                let err = ConsoleError::Registry(e);
                let back = Req {
                    lang: r.lang,
                    here: format!("/console/grievances/{tracking}"),
                };
                render(
                    &c,
                    &back,
                    &s,
                    &tracking,
                    None,
                    Some((err.status(), err.to_string())),
                )
                .await
            }
            Err(e) => Err(e.into()),
        };
        (s, out)
    })
    .await
}

async fn note_post<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(tracking): Path<String>,
    body: Bytes,
) -> Response {
    act_post(c, headers, uri, tracking, body, false).await
}

async fn resolve_post<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(tracking): Path<String>,
    body: Bytes,
) -> Response {
    act_post(c, headers, uri, tracking, body, true).await
}

async fn file_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let out = if allows(s.user.role, Action::FileGrievance) {
            let form = FileForm {
                area: s.user.areas.first().cloned().unwrap_or_default(),
                ..FileForm::default()
            };
            Ok(html(
                StatusCode::OK,
                view::file_form(&chrome(&r, Some(&s)), &form, None),
                &[],
            ))
        } else {
            Err(ConsoleError::Registry(RegistryError::Forbidden(
                "files no grievances".into(),
            )))
        };
        (s, out)
    })
    .await
}

async fn file_post<S: Storage + ConsoleStorage>(
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
        let get = |k: &str| field(&f, k).unwrap_or("").trim().to_string();
        let form = FileForm {
            household: get("household"),
            area: get("area"),
            category: get("category"),
            text: get("text"),
            phone: get("phone"),
            payment: get("payment"),
            received: get("received"),
        };
        let again = |e: String, status: StatusCode| {
            let back = Req {
                lang: r.lang,
                here: "/console/grievances/new".into(),
            };
            html(
                status,
                view::file_form(&chrome(&back, Some(&s)), &form, Some(&e)),
                &[],
            )
        };
        let received = match Some(form.received.as_str())
            .filter(|v| !v.is_empty())
            .map(Paisa::parse_rupees)
            .transpose()
        {
            Ok(v) => v,
            Err(e) => {
                let page = again(e.to_string(), StatusCode::BAD_REQUEST);
                return (s, Ok(page));
            }
        };
        let new = NewGrievance {
            household: Some(form.household.clone()).filter(|v| !v.is_empty()),
            area: Some(form.area.clone()).filter(|v| !v.is_empty()),
            category: form.category.clone(),
            // A community organisation files as one; officers on the citizen's behalf.
            channel: if s.user.role == Role::Community {
                "community"
            } else {
                "console"
            }
            .into(),
            text: form.text.clone(),
            phone: form.phone.clone(),
            payment_reference: Some(form.payment.clone()).filter(|v| !v.is_empty()),
            reported_amount: received,
        };
        let out = match c
            .reg
            .file_grievance(&s.user, new, c.config.clock.now())
            .await
        {
            Ok(g) => Ok(see_other(
                &format!("/console/grievances/{}?done=filed", g.tracking),
                &[],
            )),
            Err(e) if fixable(&e) || matches!(e, RegistryError::NotFound(_)) => {
                let err = ConsoleError::Registry(e);
                Ok(again(err.to_string(), err.status()))
            }
            Err(e) => Err(e.into()),
        };
        (s, out)
    })
    .await
}
