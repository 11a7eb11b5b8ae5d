//! Forms besides the household questionnaire in the console: the list (`/console/forms`), the
//! administrator's publication by upload (a multipart form whose CSRF field is checked before the
//! file reaches the registry's forms service, which checks the form with the forms crate), and a
//! form's page (`/console/forms/{id}`, reports per site per day and the missing ones, within the
//! user's areas; seven days up to today unless `?from=&until=` say otherwise). The work is the
//! registry's forms and submissions services; the pages are `views/forms.rs`.

use super::{chrome, csrf_ok, html, req, see_other, signed_get, with_session, St};
use crate::error::ConsoleError;
use crate::views::forms as view;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, Storage};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<crate::Console<S>>> {
    Router::new()
        .route("/console/forms", get(list_page::<S>))
        .route("/console/forms/publish", post(publish_post::<S>))
        .route("/console/forms/{id}", get(form_page::<S>))
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
        Ok(html(
            StatusCode::OK,
            view::report(&chrome(&r, Some(&s)), &form.title, &report),
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
