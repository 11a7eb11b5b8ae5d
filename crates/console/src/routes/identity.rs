//! Identity verification with NADRA in the console: the exchange page, the export as a CSV
//! download (its manifest at `/console/identity/batches/{batch}/manifest.json`, named in the
//! download's `x-shumari-manifest` header), and the upload of the authority's result file (a
//! multipart form whose CSRF field is checked before the file is read into the registry). The work
//! is the registry's identity service; the page is `views/identity.rs`.

use super::{chrome, csrf_ok, field, fields, html, req, with_session, St};
use crate::error::ConsoleError;
use crate::views::identity as view;
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, Storage};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<Console<S>>> {
    Router::new()
        .route("/console/identity", get(exchange_page::<S>))
        .route("/console/identity/export", post(export_post::<S>))
        .route("/console/identity/import", post(import_post::<S>))
        .route(
            "/console/identity/batches/{batch}/manifest.json",
            get(manifest_get::<S>),
        )
}

async fn exchange_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let area = q
            .get("area")
            .cloned()
            .or_else(|| s.user.areas.first().cloned())
            .unwrap_or_default();
        let page = view::exchange(&chrome(&r, Some(&s)), &area, None, None);
        (s, Ok(html(StatusCode::OK, page, &[])))
    })
    .await
}

/// A download of `bytes` named `name`.
fn attachment(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut r = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        bytes,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

async fn export_post<S: Storage + ConsoleStorage>(
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
        let area = field(&f, "area").unwrap_or("").trim().to_string();
        let out = c
            .reg
            .identity_export(&s.user, &area)
            .await
            .map(|e| {
                let batch = e.manifest.batch_id.clone();
                let mut resp =
                    attachment(e.csv, "text/csv; charset=utf-8", &format!("{batch}.csv"));
                let link = format!("/console/identity/batches/{batch}/manifest.json");
                if let Ok(v) = HeaderValue::from_str(&link) {
                    resp.headers_mut().insert("x-shumari-manifest", v);
                }
                resp
            })
            .map_err(ConsoleError::from);
        (s, out)
    })
    .await
}

async fn manifest_get<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(batch): Path<String>,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let out = async {
            let m = c.reg.identity_manifest(&s.user, &batch).await?;
            let json = serde_json::to_vec_pretty(&m)
                .map_err(|e| RegistryError::Internal(e.to_string()))?;
            Ok(attachment(
                json,
                "application/json",
                &format!("{batch}.csv.manifest.json"),
            ))
        }
        .await;
        (s, out)
    })
    .await
}

async fn import_post<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    mut form: Multipart,
) -> Response {
    let r = req(&headers, &uri);
    // The parts, read before the session is looked at: a multipart body is read once.
    let mut csrf = None;
    let mut file = None;
    let mut unreadable = false;
    loop {
        match form.next_field().await {
            Ok(Some(part)) => match part.name() {
                Some("csrf") => csrf = part.text().await.ok(),
                Some("file") => file = part.bytes().await.ok(),
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
        let Some(file) = file else {
            return (s, Err(ConsoleError::BadForm));
        };
        let area = s.user.areas.first().cloned().unwrap_or_default();
        let out = match c.reg.identity_import(&s.user, &file, None).await {
            Ok(report) => Ok(html(
                StatusCode::OK,
                view::exchange(&chrome(&r, Some(&s)), &area, Some(&report), None),
                &[],
            )),
            Err(e @ RegistryError::BadRequest(_)) => {
                let err = ConsoleError::Registry(e);
                Ok(html(
                    err.status(),
                    view::exchange(&chrome(&r, Some(&s)), &area, None, Some(&err.to_string())),
                    &[],
                ))
            }
            Err(e) => Err(e.into()),
        };
        (s, out)
    })
    .await
}
