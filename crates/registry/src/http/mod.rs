//! The HTTP face of the registry (axum): `POST /v1/{enroll,actors,push,pull,check,token}` carry protocol
//! frames; `GET /v1/households[/{id}]` serve JSON for dashboards; errors are JSON `{code, message}`
//! ([`HttpError`]). Every route is a row of one table ([`table`], [`routes`]), which the router is
//! built from and the OpenAPI 3.1 document served at `GET /openapi.json` ([`openapi`]) is tested
//! against. [`launch`] serves plain HTTP (loopback, or behind a TLS proxy), [`launch_tls`]
//! HTTPS; [`tls`] holds the rules for both.

mod duplicates;
mod error;
mod flags;
mod health;
mod limits;
pub mod observe;
pub mod openapi;
mod pmt;
mod review;
mod table;
pub mod tls;

pub use error::HttpError;
pub use limits::RateLimits;
pub use openapi::ErrorJson;
pub use table::route_table;
use table::{Fence, Route};
pub use tls::{check_plain_listen, launch_tls, launch_tls_router, ServeError, TlsSettings};

use crate::error::RegistryError;
use crate::service::{HouseholdDetail, Registry};
use crate::storage::Storage;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::HeaderMap;
use axum::http::HeaderName;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use shumari_domain::HouseholdSummary;
use shumari_proto::limits::MAX_ENROLL_BODY;
use shumari_proto::{Endpoint, CONTENT_TYPE, PROTOCOL_VERSION, VERSION_HEADER};
use std::sync::Arc;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

/// The token of an `Authorization: Bearer ...` header, if there is one (also read by the DCI API's
/// routes, which authenticate system clients the same way).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// A protocol frame's answer, or a refusal.
type Answer = Result<Response, HttpError>;

/// The request body of every protocol endpoint: one frame of the compact binary codec.
const FRAME: &str = "One protocol frame in the compact binary codec of `crates/proto` (its crate \
    documentation, `lib.rs`, explains every message; `codec.rs` and `compact.rs` the bytes), labelled \
    `Content-Type: application/x-shumari-sync`, with the protocol version in `x-shumari-protocol`.";

/// Registers the device's automerge actor ids.
#[utoipa::path(post, path = "/v1/actors", tag = "sync",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = FRAME),
    responses((status = 200, description = "An `ActorsReply` frame", content_type = "application/octet-stream", body = Vec<u8>),
        (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn actors<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    exchange(
        &reg,
        Endpoint::Actors,
        &headers,
        body,
        reg.config().max_body,
    )
    .await
}

/// Sends households' changes to the registry.
#[utoipa::path(post, path = "/v1/push", tag = "sync",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = FRAME),
    responses((status = 200, description = "A `PushReply` frame: each household stored or refused", content_type = "application/octet-stream", body = Vec<u8>),
        (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn push<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    exchange(&reg, Endpoint::Push, &headers, body, reg.config().max_body).await
}

/// Receives the device's scope's feed after a cursor.
#[utoipa::path(post, path = "/v1/pull", tag = "sync",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = FRAME),
    responses((status = 200, description = "A `PullReply` frame", content_type = "application/octet-stream", body = Vec<u8>),
        (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn pull<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    exchange(&reg, Endpoint::Pull, &headers, body, reg.config().max_body).await
}

/// Compares per-household heads in buckets, to find what either side lacks.
#[utoipa::path(post, path = "/v1/check", tag = "sync",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = FRAME),
    responses((status = 200, description = "A `CheckReply` frame", content_type = "application/octet-stream", body = Vec<u8>),
        (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn check<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    exchange(&reg, Endpoint::Check, &headers, body, reg.config().max_body).await
}

/// Swaps the device's token for a new one.
#[utoipa::path(post, path = "/v1/token", tag = "sync",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = FRAME),
    responses((status = 200, description = "A `TokenReply` frame", content_type = "application/octet-stream", body = Vec<u8>),
        (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn token<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    exchange(&reg, Endpoint::Token, &headers, body, reg.config().max_body).await
}

/// A district hub registers the tablets it serves (their users, keys, actors and short ids), so
/// that their changes, relayed by the hub, verify here.
#[utoipa::path(post, path = "/v1/hub/devices", tag = "sync",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = FRAME),
    responses((status = 200, description = "A `HubDevicesReply` frame: each tablet registered or refused", content_type = "application/octet-stream", body = Vec<u8>),
        (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn hub_devices<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    exchange(
        &reg,
        Endpoint::HubDevices,
        &headers,
        body,
        reg.config().max_body,
    )
    .await
}

/// A district hub reads its district's users and devices (token hashes, keys, actors, the
/// revoked and disabled marks), so that it accepts devices enrolled here and cuts off the same.
#[utoipa::path(post, path = "/v1/hub/directory", tag = "sync",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = FRAME),
    responses((status = 200, description = "A `HubDirectoryReply` frame", content_type = "application/octet-stream", body = Vec<u8>),
        (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn hub_directory<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    exchange(
        &reg,
        Endpoint::HubDirectory,
        &headers,
        body,
        reg.config().max_body,
    )
    .await
}

/// Redeems an enrollment code for a device token. The one protocol endpoint anyone may call
/// without a token, so it has its own small body limit: an enrollment is a code and a device name.
#[utoipa::path(post, path = "/v1/enroll", tag = "sync",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = FRAME),
    responses((status = 200, description = "An `EnrollReply` frame with the device's token", content_type = "application/octet-stream", body = Vec<u8>),
        (status = "4XX", description = "Refused", body = ErrorJson)))]
pub(super) async fn enroll<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    exchange(&reg, Endpoint::Enroll, &headers, body, MAX_ENROLL_BODY).await
}

async fn exchange<S: Storage>(
    reg: &Registry<S>,
    ep: Endpoint,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<Response, HttpError> {
    if let Some(v) = headers.get(VERSION_HEADER).and_then(|v| v.to_str().ok()) {
        let v: u16 = v.trim().parse().unwrap_or(0);
        if v != PROTOCOL_VERSION {
            return Err(RegistryError::unsupported_version(v).into());
        }
    }
    let body = body.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(_) => RegistryError::TooLarge(limit),
        other => RegistryError::BadRequest(other.body_text()),
    })?;
    let out = reg.handle(ep, bearer(headers), &body).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, CONTENT_TYPE)], out).into_response())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// An area code: the households in it and under it (within the caller's areas).
    area: Option<String>,
    /// A member's CNIC or B-form number: the households holding it (within `area` when given).
    cnic: Option<String>,
}

/// The households in the caller's areas (and `area`), or those holding a CNIC.
#[utoipa::path(get, path = "/v1/households", tag = "households", params(ListQuery),
    responses((status = 200, body = Vec<HouseholdSummary>), (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn list<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<HouseholdSummary>>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    let rows = match &q.cnic {
        Some(number) => reg
            .households_with_id_number(Some(&auth.user), number)
            .await?
            .into_iter()
            .filter(|r| {
                q.area
                    .as_deref()
                    .is_none_or(|a| shumari_domain::area::contains(a, &r.area))
            })
            .collect(),
        None => {
            reg.household_list(Some(&auth.user), q.area.as_deref())
                .await?
        }
    };
    Ok(Json(rows))
}

/// One household in full, by id or reference number (not found outside the caller's areas).
#[utoipa::path(get, path = "/v1/households/{id}", tag = "households",
    params(("id" = String, Path, description = "Household id or reference number")),
    responses((status = 200, body = HouseholdDetail), (status = "4XX", description = "Refused", body = ErrorJson)),
    security(("device_token" = [])))]
pub(super) async fn show<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<HouseholdDetail>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    Ok(Json(reg.household_show(Some(&auth.user), &id).await?))
}

/// Every route of the registry's own API ([`table`]): the router is built from this list, and
/// the OpenAPI document (`openapi.rs`) is held to it by `tests/openapi.rs`.
pub(crate) fn routes<S: Storage>() -> Vec<Route<S>> {
    let mut all = vec![
        Route::post(
            "/v1/enroll",
            post(enroll::<S>).layer(DefaultBodyLimit::max(MAX_ENROLL_BODY)),
        ),
        Route::post("/v1/actors", post(actors::<S>)),
        Route::post("/v1/push", post(push::<S>)),
        Route::post("/v1/pull", post(pull::<S>)),
        Route::post("/v1/check", post(check::<S>)),
        Route::post("/v1/token", post(token::<S>)),
        Route::post("/v1/hub/devices", post(hub_devices::<S>)),
        Route::post("/v1/hub/directory", post(hub_directory::<S>)),
        Route::get("/v1/households", get(list::<S>)),
        Route::get("/v1/households/{id}", get(show::<S>)),
    ];
    all.extend(review::routes::<S>());
    all.extend(duplicates::routes::<S>());
    all.extend(pmt::routes::<S>());
    all.extend(flags::routes::<S>());
    all.extend(health::routes::<S>());
    all.extend(openapi::routes::<S>());
    all
}

/// The router. Protocol and admin routes sit inside the request limits ([`RateLimits`]): the timeout
/// outermost, then the rate limit (refusing is cheap, so it comes before waiting for a slot), then
/// the concurrency limit. The monitoring routes ([`health`]) sit outside them. Around everything,
/// [`observe`]: a request id for each request, its span and its metrics.
pub fn app<S: Storage>(reg: Arc<Registry<S>>) -> Router {
    app_with(reg, Router::new())
}

/// The router with `extra` routes served beside the protocol's (the web console's, the citizen
/// portal's): held to the same request limits (one concurrency budget shared with the protocol,
/// each address's rate, the timeout), and inside [`observe`], so they get request ids, log spans
/// and metrics by route template too. Only the monitoring routes stay outside the limits.
pub fn app_with<S: Storage>(reg: Arc<Registry<S>>, extra: Router) -> Router {
    // A served registry scores and checks pushed households in the background, off the push's
    // path (`service/queue.rs`).
    if tokio::runtime::Handle::try_current().is_ok() {
        reg.spawn_queue();
    }
    let limit = reg.config().max_body;
    let rate = reg.config().rate.clone();
    let limiter = Arc::new(limits::Limiter::new(&rate));
    let metrics = reg.metrics().clone();
    let slots = Arc::new(tokio::sync::Semaphore::new(rate.max_concurrent.max(1)));
    let limited = |r: Router| {
        r.layer(GlobalConcurrencyLimitLayer::with_semaphore(slots.clone()))
            .layer(axum::middleware::from_fn_with_state(
                limiter.clone(),
                limits::rate_limit,
            ))
            .layer(TimeoutLayer::with_status_code(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                rate.timeout,
            ))
    };
    let (monitoring, inside): (Vec<_>, Vec<_>) = routes::<S>()
        .into_iter()
        .partition(|r| r.fence == Fence::Monitoring);
    let monitoring = table::router_of(monitoring).with_state(reg.clone());
    let api = table::router_of(inside)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(reg);
    limited(api)
        .merge(limited(extra))
        .merge(monitoring)
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            observe::track,
        ))
        .layer(PropagateRequestIdLayer::new(HeaderName::from_static(
            observe::REQUEST_ID,
        )))
        .layer(SetRequestIdLayer::new(
            HeaderName::from_static(observe::REQUEST_ID),
            MakeRequestUuid,
        ))
}

/// Serves `reg` on `listener` until `shutdown` completes.
pub async fn launch<S: Storage>(
    listener: tokio::net::TcpListener,
    reg: Arc<Registry<S>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    launch_router(listener, app(reg), shutdown).await
}

/// Serves `router` (the registry's [`app`], with routes merged into it such as the web console's)
/// on `listener` until `shutdown` completes.
pub async fn launch_router(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer's address reaches the per-address rate limit through `ConnectInfo`.
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
