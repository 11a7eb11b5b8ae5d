//! Users and devices, for administrators: the user list and the form to add one, an enrollment code
//! with its QR code, disabling a user, the device list and revoking a device. Each act is the
//! registry's (`Registry::add_user_as` and its siblings), which checks the role and the areas and
//! records it under the administrator's id.

use super::{chrome, csrf_ok, field, fields, html, req, see_other, with_session, Req, St};
use crate::auth::sign_in::Signed;
use crate::error::ConsoleError;
use crate::views::people::{self, Done};
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use shumari_domain::Role;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, Storage};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<Console<S>>> {
    Router::new()
        .route("/console/users", get(users_page::<S>).post(add_user::<S>))
        .route("/console/users/{id}/code", post(make_code::<S>))
        .route("/console/users/{id}/disable", post(disable_user::<S>))
        .route("/console/devices", get(devices_page::<S>))
        .route("/console/devices/{id}/revoke", post(revoke_device::<S>))
}

/// A refusal the page shows beside the form (anything else is an error page).
fn shown(e: &RegistryError) -> bool {
    matches!(
        e,
        RegistryError::BadRequest(_) | RegistryError::Forbidden(_)
    )
}

async fn render_users<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    r: &Req,
    s: &Signed,
    done: Done,
    error: Option<(StatusCode, String)>,
) -> Result<Response, ConsoleError> {
    let rows = c.reg.users_for(&s.user).await?;
    let (status, text) = error.map_or((StatusCode::OK, None), |(st, t)| (st, Some(t)));
    Ok(html(
        status,
        people::users(&chrome(r, Some(s)), &rows, done, text.as_deref()),
        &[],
    ))
}

async fn users_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    let done = match q.get("done").map(String::as_str) {
        Some("added") => Done::Added,
        Some("disabled") => Done::Disabled,
        _ => Done::Nothing,
    };
    with_session(&c, &headers, &r, |s| async {
        let out = render_users(&c, &r, &s, done, None).await;
        (s, out)
    })
    .await
}

async fn add_user<S: Storage + ConsoleStorage>(
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
        let Some(role) = field(&f, "role").and_then(|v| v.parse::<Role>().ok()) else {
            return (s, Err(ConsoleError::BadForm));
        };
        let name = field(&f, "name").unwrap_or("").trim().to_string();
        let areas: Vec<String> = field(&f, "areas")
            .unwrap_or("")
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect();
        let out = match c.reg.add_user_as(&s.user, &name, role, &areas).await {
            Ok(_) => Ok(see_other("/console/users?done=added", &[])),
            Err(e) if shown(&e) => {
                let err = ConsoleError::Registry(e);
                let status = err.status();
                render_users(&c, &r, &s, Done::Nothing, Some((status, err.to_string()))).await
            }
            Err(e) => Err(e.into()),
        };
        (s, out)
    })
    .await
}

/// The registry's address as this browser reaches it (what a tablet on the same network enrolls
/// with): the request's `Host`, over HTTPS when the console is served with secure cookies.
fn registry_url<S>(c: &Console<S>, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if c.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

async fn make_code<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let r = req(&headers, &uri);
    let f = fields(&body);
    let url = registry_url(&c, &headers);
    with_session(&c, &headers, &r, |s| async {
        if !csrf_ok(&f, &s) {
            return (s, Err(ConsoleError::BadForm));
        }
        let out = async {
            let code = match c.reg.enroll_code_as(&s.user, &id).await {
                Ok(code) => code,
                Err(e) if shown(&e) => {
                    let err = ConsoleError::Registry(e);
                    let status = err.status();
                    return render_users(
                        &c,
                        &r,
                        &s,
                        Done::Nothing,
                        Some((status, err.to_string())),
                    )
                    .await;
                }
                Err(e) => return Err(e.into()),
            };
            let users = c.reg.users_for(&s.user).await?;
            let user = users
                .iter()
                .find(|u| u.user.id == id)
                .ok_or_else(|| RegistryError::NotFound(format!("no user `{id}`")))?;
            let back = Req {
                lang: r.lang,
                here: "/console/users".into(),
            };
            Ok(html(
                StatusCode::OK,
                people::code(&chrome(&back, Some(&s)), user, &code, &url),
                &[],
            ))
        }
        .await;
        (s, out)
    })
    .await
}

async fn disable_user<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let r = req(&headers, &uri);
    let f = fields(&body);
    with_session(&c, &headers, &r, |s| async {
        if !csrf_ok(&f, &s) || field(&f, "confirm") != Some("yes") {
            return (s, Err(ConsoleError::BadForm));
        }
        let out = match c.reg.disable_user_as(&s.user, &id).await {
            Ok(_) => Ok(see_other("/console/users?done=disabled", &[])),
            Err(e) if shown(&e) => {
                let err = ConsoleError::Registry(e);
                let status = err.status();
                render_users(&c, &r, &s, Done::Nothing, Some((status, err.to_string()))).await
            }
            Err(e) => Err(e.into()),
        };
        (s, out)
    })
    .await
}

async fn devices_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    let revoked = q.get("done").is_some_and(|d| d == "revoked");
    with_session(&c, &headers, &r, |s| async {
        let out = async {
            let rows = c.reg.devices_for(&s.user).await?;
            Ok(html(
                StatusCode::OK,
                people::devices(&chrome(&r, Some(&s)), &rows, revoked, None),
                &[],
            ))
        }
        .await;
        (s, out)
    })
    .await
}

async fn revoke_device<S: Storage + ConsoleStorage>(
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
        let out = c
            .reg
            .revoke_device_as(&s.user, &id)
            .await
            .map(|()| see_other("/console/devices?done=revoked", &[]))
            .map_err(ConsoleError::from);
        (s, out)
    })
    .await
}
