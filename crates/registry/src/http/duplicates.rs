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

use super::table::Route;
use super::{bearer, ErrorJson, HttpError};
use crate::error::RegistryError;
use crate::service::{CaseState, DuplicateCase, PossibleDuplicate, Registry, Resolution};
use crate::storage::Storage;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Json;
use std::sync::Arc;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct QueueQuery {
    /// An area code within the caller's areas.
    area: Option<String>,
    /// `open` (the default), `resolved`, `data_error`, `dismissed` or `all`.
    state: Option<String>,
}

/// The duplicates queue: cases with a household in the caller's areas.
#[utoipa::path(get, path = "/v1/duplicates", tag = "duplicates", params(QueueQuery),
    responses((status = 200, body = Vec<DuplicateCase>), (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn queue<S: Storage>(
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

/// Closes a case: keep the member in one household, a data error, or not a duplicate.
#[utoipa::path(post, path = "/v1/duplicates/{case}/resolve", tag = "duplicates",
    params(("case" = String, Path, description = "Case id")),
    request_body = Resolution,
    responses((status = 200, body = DuplicateCase), (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn resolve<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Path(case): Path<String>,
    body: Result<Json<Resolution>, JsonRejection>,
) -> Result<Json<DuplicateCase>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    let Json(res) = body.map_err(|e| RegistryError::BadRequest(e.body_text()))?;
    Ok(Json(reg.resolve_duplicate(&auth.user, &case, res).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PossibleQuery {
    /// The area to compare households within.
    area: String,
}

/// Households whose heads' names match and that share another attribute.
#[utoipa::path(get, path = "/v1/duplicates/possible", tag = "duplicates", params(PossibleQuery),
    responses((status = 200, body = Vec<PossibleDuplicate>), (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn possible<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Query(q): Query<PossibleQuery>,
) -> Result<Json<Vec<PossibleDuplicate>>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    Ok(Json(
        reg.possible_duplicates(Some(&auth.user), &q.area).await?,
    ))
}

/// Two households a reviewer says are not one.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct Dismissal {
    /// One household (id or reference number).
    a: String,
    /// The other.
    b: String,
    /// Why.
    #[serde(default)]
    note: String,
}

/// What a dismissal answers.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Dismissed {
    /// The two households, as given.
    dismissed: [String; 2],
}

/// Dismisses a possible duplicate pair.
#[utoipa::path(post, path = "/v1/duplicates/possible/dismiss", tag = "duplicates",
    request_body = Dismissal,
    responses((status = 200, body = Dismissed), (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn dismiss<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    body: Result<Json<Dismissal>, JsonRejection>,
) -> Result<Json<Dismissed>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    let Json(d) = body.map_err(|e| RegistryError::BadRequest(e.body_text()))?;
    reg.dismiss_possible_duplicate(&auth.user, &d.a, &d.b, &d.note)
        .await?;
    Ok(Json(Dismissed {
        dismissed: [d.a, d.b],
    }))
}

/// The duplicates routes, merged into the registry's router.
pub(super) fn routes<S: Storage>() -> Vec<Route<S>> {
    vec![
        Route::get("/v1/duplicates", get(queue::<S>)),
        Route::post("/v1/duplicates/{case}/resolve", post(resolve::<S>)),
        Route::get("/v1/duplicates/possible", get(possible::<S>)),
        Route::post("/v1/duplicates/possible/dismiss", post(dismiss::<S>)),
    ]
}
