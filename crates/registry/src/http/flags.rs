//! The data-quality flags route, for the console and tools: `GET /v1/flags?area=&kind=&limit=`, the
//! flags standing on households within the caller's areas (and `area`, when given), of one kind
//! when asked, each with its reason in English and Urdu (`service/flags.rs`). Authenticated and
//! scoped like the review routes; an unknown kind is 400 `bad_request`.

use super::table::Route;
use super::{bearer, ErrorJson, HttpError};
use crate::error::RegistryError;
use crate::service::{Flag, FlagKind, Registry};
use crate::storage::Storage;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::Json;
use std::sync::Arc;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct FlagsQuery {
    /// An area code within the caller's areas.
    area: Option<String>,
    /// One kind of flag (`short_interview`, `gps_missing`, ...).
    kind: Option<String>,
    /// At most this many (1,000 unless asked).
    limit: Option<usize>,
}

/// The data-quality flags standing on households within the caller's areas.
#[utoipa::path(get, path = "/v1/flags", tag = "quality", params(FlagsQuery),
    responses((status = 200, body = Vec<Flag>), (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn list<S: Storage>(
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
pub(super) fn routes<S: Storage>() -> Vec<Route<S>> {
    vec![Route::get("/v1/flags", get(list::<S>))]
}
