//! The data-quality flags route, for the console and tools: `GET /v1/flags?area=&kind=&limit=`, the
//! flags standing on households within the caller's areas (and `area`, when given), of one kind
//! when asked, each with its reason in English and Urdu (`service/flags.rs`). Authenticated and
//! scoped like the review routes; an unknown kind is 400 `bad_request`.

use super::{bearer, HttpError};
use crate::error::RegistryError;
use crate::service::{Flag, FlagKind, Registry};
use crate::storage::Storage;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;

#[derive(Debug, serde::Deserialize)]
struct FlagsQuery {
    area: Option<String>,
    kind: Option<String>,
    limit: Option<usize>,
}

async fn list<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Query(q): Query<FlagsQuery>,
) -> Result<Json<Vec<Flag>>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    let kind = q
        .kind
        .as_deref()
        .map(|k| {
            FlagKind::parse(k)
                .ok_or_else(|| RegistryError::BadRequest(format!("no flag kind `{k}`")))
        })
        .transpose()?;
    let limit = q.limit.unwrap_or(1000);
    Ok(Json(
        reg.flags_list(&auth.user, q.area.as_deref(), kind, limit)
            .await?,
    ))
}

/// The flags route, merged into the registry's router.
pub(super) fn routes<S: Storage>() -> Router<Arc<Registry<S>>> {
    Router::new().route("/v1/flags", get(list::<S>))
}
