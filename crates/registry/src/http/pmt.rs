//! The PMT routes, for the console: `GET /v1/households/{id}/pmt` (the registry's score of one
//! household in the caller's areas: score, band, each variable's contribution, model version) and
//! `GET /v1/pmt/jobs` (the latest rescoring runs and their progress). The household detail
//! (`GET /v1/households/{id}`) carries the same score as `pmt`.

use super::table::Route;
use super::{bearer, ErrorJson, HttpError};
use crate::service::{PmtJob, Registry, RegistryScore};
use crate::storage::Storage;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::Json;
use std::sync::Arc;

/// The registry's score of one household in the caller's areas.
#[utoipa::path(get, path = "/v1/households/{id}/pmt", tag = "pmt",
    params(("id" = String, Path, description = "Household id or reference number")),
    responses((status = 200, body = RegistryScore), (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn score<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<RegistryScore>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    Ok(Json(reg.pmt_show(Some(&auth.user), &id).await?))
}

/// The latest rescoring runs and their progress.
#[utoipa::path(get, path = "/v1/pmt/jobs", tag = "pmt",
    responses((status = 200, body = Vec<PmtJob>), (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn jobs<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
) -> Result<Json<Vec<PmtJob>>, HttpError> {
    reg.authenticate(bearer(&headers)).await?;
    Ok(Json(reg.pmt_jobs(20).await?))
}

/// The PMT routes, merged into the registry's router.
pub(super) fn routes<S: Storage>() -> Vec<Route<S>> {
    vec![
        Route::get("/v1/households/{id}/pmt", get(score::<S>)),
        Route::get("/v1/pmt/jobs", get(jobs::<S>)),
    ]
}
