//! The export page (`GET /console/exports`) and its download (`POST /console/exports`): the
//! households or members of the user's areas as CSV or Parquet, or the dataset's codebook. The
//! export runs through `shumari_exports::export` (scope, the role table's personal data, the
//! access trail) on the blocking pool into a temporary folder, and the data file is streamed back
//! from disk, so neither the export nor the answer holds the registry in memory. The answer names
//! its rows, the data's SHA-256 and whether personal data is in it (`x-shumari-rows`,
//! `x-shumari-sha256`, `x-shumari-personal`). The page is `views/exports.rs`.

use super::{chrome, csrf_ok, field, fields, html, req, with_session, St};
use crate::error::ConsoleError;
use crate::views::exports as view;
use crate::Console;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use shumari_domain::roles::{allows, Action};
use shumari_exports::{ExportError, ExportRequest, Format, What};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, Storage};
use std::sync::Arc;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<Console<S>>> {
    Router::new().route(
        "/console/exports",
        get(export_page::<S>).post(export_post::<S>),
    )
}

async fn export_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        if !allows(s.user.role, Action::ReadHouseholds) {
            let e = RegistryError::Forbidden("no household data".into());
            return (s, Err(e.into()));
        }
        let personal = allows(s.user.role, Action::ExportPersonalData);
        let page = view::form(&chrome(&r, Some(&s)), personal);
        (s, Ok(html(StatusCode::OK, page, &[])))
    })
    .await
}

fn console_error(e: ExportError) -> ConsoleError {
    match e {
        ExportError::Registry(e) => ConsoleError::Registry(e),
        ExportError::BadRequest(m) => ConsoleError::Registry(RegistryError::BadRequest(m)),
        e => ConsoleError::Internal(e.to_string()),
    }
}

/// The headers of a download of `name`.
fn download(mut r: Response, content_type: &'static str, name: &str) -> Response {
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// The form's request (the dataset and format by name; empty area and date: none).
fn request(f: &[(String, String)], format: Format) -> Result<ExportRequest, ExportError> {
    let text = |k: &str| {
        field(f, k)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Ok(ExportRequest {
        what: What::parse(field(f, "what").unwrap_or(""))?,
        format,
        area: text("area"),
        since: text("since")
            .map(|s| shumari_exports::parse_since(&s))
            .transpose()?,
        form: text("form"),
    })
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
        let out = answer(&c, &s.user, &f).await.map_err(console_error);
        (s, out)
    })
    .await
}

async fn answer<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    user: &shumari_registry::storage::User,
    f: &[(String, String)],
) -> Result<Response, ExportError> {
    let format = field(f, "format").unwrap_or("");
    if format == "codebook" {
        let req = request(f, Format::Csv)?;
        let grant = c.reg.export_grant(user, req.area.as_deref())?;
        let book = shumari_exports::codebook_csv(req.what, grant.personal)?;
        let name = format!("{}.codebook.csv", req.what.as_str());
        return Ok(download(
            book.into_response(),
            "text/csv; charset=utf-8",
            &name,
        ));
    }
    let req = request(f, Format::parse(format)?)?;
    let dir = tempfile::tempdir()?;
    let (reg, u, rq, path) = (
        c.reg.clone(),
        user.clone(),
        req.clone(),
        dir.path().to_path_buf(),
    );
    // Decoding households is CPU work: the blocking pool drives the export, not a request worker.
    let handle = tokio::runtime::Handle::current();
    let manifest = tokio::task::spawn_blocking(move || {
        handle.block_on(shumari_exports::export(&reg, &u, &rq, &path))
    })
    .await
    .map_err(|e| ExportError::Io(std::io::Error::other(e.to_string())))??;
    let name = manifest.data_file().to_string();
    let file = tokio::fs::File::open(dir.path().join(&name)).await?;
    // The open file stays readable after its folder is removed; the stream reads it from disk.
    drop(dir);
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let content_type = match req.format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Parquet => "application/vnd.apache.parquet",
    };
    let mut resp = download(body.into_response(), content_type, &name);
    let h = resp.headers_mut();
    for (k, v) in [
        ("x-shumari-rows", manifest.rows.to_string()),
        ("x-shumari-personal", manifest.personal_data.to_string()),
        (
            "x-shumari-sha256",
            manifest
                .files
                .first()
                .map(|f| f.sha256.clone())
                .unwrap_or_default(),
        ),
    ] {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
    Ok(resp)
}
