//! The review routes, for the console and admin tools: `GET /v1/review?status=&area=` (the queue:
//! households in a status, `submitted` unless asked, within the caller's areas) and
//! `POST /v1/households/{id}/review` with `{decision, comment, questions}` (approve, return or
//! reject). Authenticated and scoped like the household routes; refusals are JSON `{code, message}`
//! (`forbidden` for a role that does not review, `forbidden_transition` with 409 for a household
//! whose status the decision does not follow, `not_found` outside the caller's areas).

use super::table::Route;
use super::{bearer, ErrorJson, HttpError};
use crate::error::RegistryError;
use crate::service::{Registry, ReviewRequest, Reviewed};
use crate::storage::Storage;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Json;
use shumari_domain::{HouseholdSummary, Status};
use std::sync::Arc;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct QueueQuery {
    /// The status to list (`submitted` unless asked).
    status: Option<String>,
    /// An area code within the caller's areas.
    area: Option<String>,
}

/// The review queue: households in a status within the caller's areas.
#[utoipa::path(get, path = "/v1/review", tag = "review", params(QueueQuery),
    responses((status = 200, body = Vec<HouseholdSummary>), (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn queue<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Query(q): Query<QueueQuery>,
) -> Result<Json<Vec<HouseholdSummary>>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    let status = match q.status.as_deref() {
        None => Status::Submitted,
        Some(s) => Status::parse(s).map_err(|e| RegistryError::BadRequest(e.to_string()))?,
    };
    Ok(Json(
        reg.review_list(Some(&auth.user), status, q.area.as_deref())
            .await?,
    ))
}

/// Approves, returns or rejects a household.
#[utoipa::path(post, path = "/v1/households/{id}/review", tag = "review",
    params(("id" = String, Path, description = "Household id or reference number")),
    request_body = ReviewRequest,
    responses((status = 200, body = Reviewed), (status = "4XX", description = "Refused (409 `forbidden_transition`)", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn decide<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<ReviewRequest>, JsonRejection>,
) -> Result<Json<Reviewed>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    let Json(req) = body.map_err(|e| RegistryError::BadRequest(e.body_text()))?;
    Ok(Json(reg.review(&auth.user, &id, req).await?))
}

/// The review routes, merged into the registry's router.
pub(super) fn routes<S: Storage>() -> Vec<Route<S>> {
    vec![
        Route::get("/v1/review", get(queue::<S>)),
        Route::post("/v1/households/{id}/review", post(decide::<S>)),
    ]
}
