//! The duplicates routes, for the console: `GET /v1/duplicates?area=&state=` (the queue: cases with
//! a household in the caller's areas, `open` unless another state or `all` is asked),
//! `POST /v1/duplicates/{case}/resolve` with `{"resolution": "keep", "household": ID, "note": ...}`,
//! `{"resolution": "data_error", ...}` or `{"resolution": "dismiss", ...}`;
//! `GET /v1/duplicates/possible?area=` (households whose heads' names match and that share another
//! attribute) and `POST /v1/duplicates/possible/dismiss` with `{"a": ID, "b": ID, "note": ...}`.
//! Authenticated and scoped
//! like the review routes; refusals are JSON `{code, message}` (`forbidden` for a role that does not
//! resolve cases or a case reaching outside the caller's areas, `forbidden_transition` with 409 for
//! a closed case, `not_found` for a case with no household in the caller's areas).

use super::{bearer, HttpError};
use crate::error::RegistryError;
use crate::service::{CaseState, DuplicateCase, PossibleDuplicate, Registry, Resolution};
use crate::storage::Storage;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::Arc;

#[derive(Debug, serde::Deserialize)]
struct QueueQuery {
    area: Option<String>,
    state: Option<String>,
}

async fn queue<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Query(q): Query<QueueQuery>,
) -> Result<Json<Vec<DuplicateCase>>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    let state = match q.state.as_deref() {
        None => Some(CaseState::Open),
        Some("all") => None,
        Some(s) => Some(CaseState::parse(s)?),
    };
    Ok(Json(
        reg.duplicates_list(Some(&auth.user), q.area.as_deref(), state)
            .await?,
    ))
}

async fn resolve<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Path(case): Path<String>,
    body: Result<Json<Resolution>, JsonRejection>,
) -> Result<Json<DuplicateCase>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    let Json(res) = body.map_err(|e| RegistryError::BadRequest(e.body_text()))?;
    Ok(Json(reg.resolve_duplicate(&auth.user, &case, res).await?))
}

#[derive(Debug, serde::Deserialize)]
struct PossibleQuery {
    area: String,
}

async fn possible<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Query(q): Query<PossibleQuery>,
) -> Result<Json<Vec<PossibleDuplicate>>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    Ok(Json(
        reg.possible_duplicates(Some(&auth.user), &q.area).await?,
    ))
}

#[derive(Debug, serde::Deserialize)]
struct Dismissal {
    a: String,
    b: String,
    #[serde(default)]
    note: String,
}

async fn dismiss<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    body: Result<Json<Dismissal>, JsonRejection>,
) -> Result<Json<serde_json::Value>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    let Json(d) = body.map_err(|e| RegistryError::BadRequest(e.body_text()))?;
    reg.dismiss_possible_duplicate(&auth.user, &d.a, &d.b, &d.note)
        .await?;
    Ok(Json(serde_json::json!({"dismissed": [d.a, d.b]})))
}

/// The duplicates routes, merged into the registry's router.
pub(super) fn routes<S: Storage>() -> Router<Arc<Registry<S>>> {
    Router::new()
        .route("/v1/duplicates", get(queue::<S>))
        .route("/v1/duplicates/{case}/resolve", post(resolve::<S>))
        .route("/v1/duplicates/possible", get(possible::<S>))
        .route("/v1/duplicates/possible/dismiss", post(dismiss::<S>))
}
