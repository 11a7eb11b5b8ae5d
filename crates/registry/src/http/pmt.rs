//! The PMT routes, for the console: `GET /v1/households/{id}/pmt` (the registry's score of one
//! household in the caller's areas: score, band, each variable's contribution, model version) and
//! `GET /v1/pmt/jobs` (the latest rescoring runs and their progress). The household detail
//! (`GET /v1/households/{id}`) carries the same score as `pmt`.

use super::{bearer, HttpError};
use crate::service::{PmtJob, Registry, RegistryScore};
use crate::storage::Storage;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;

async fn score<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<RegistryScore>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    Ok(Json(reg.pmt_show(Some(&auth.user), &id).await?))
}

async fn jobs<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
) -> Result<Json<Vec<PmtJob>>, HttpError> {
    reg.authenticate(bearer(&headers)).await?;
    Ok(Json(reg.pmt_jobs(20).await?))
}

/// The PMT routes, merged into the registry's router.
pub(super) fn routes<S: Storage>() -> Router<Arc<Registry<S>>> {
    Router::new()
        .route("/v1/households/{id}/pmt", get(score::<S>))
        .route("/v1/pmt/jobs", get(jobs::<S>))
}
