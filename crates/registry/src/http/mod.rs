//! The HTTP face of the registry (axum): `POST /v1/{enroll,actors,push,pull,check,token}` carry protocol
//! frames; `GET /v1/households[/{id}]` serve JSON for dashboards; errors are JSON `{code, message}`
//! ([`HttpError`]). [`launch`] serves plain HTTP (loopback, or behind a TLS proxy), [`launch_tls`]
//! HTTPS; [`tls`] holds the rules for both.

mod duplicates;
mod error;
mod flags;
mod health;
mod limits;
pub mod observe;
mod pmt;
mod review;
pub mod tls;

pub use error::HttpError;
pub use limits::RateLimits;
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
use shumari_proto::limits::MAX_ENROLL_BODY;
use shumari_proto::{Endpoint, CONTENT_TYPE, PROTOCOL_VERSION, VERSION_HEADER};
use std::sync::Arc;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

async fn protocol<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    Path(endpoint): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, HttpError> {
    let ep = match endpoint.as_str() {
        "actors" => Endpoint::Actors,
        "push" => Endpoint::Push,
        "pull" => Endpoint::Pull,
        "check" => Endpoint::Check,
        "token" => Endpoint::Token,
        other => return Err(RegistryError::NotFound(format!("no endpoint `{other}`")).into()),
    };
    let limit = reg.config().max_body;
    exchange(&reg, ep, &headers, body, limit).await
}

/// `/v1/enroll` has a route of its own for its own body limit: it is the one endpoint anyone may
/// call without a token, and an enrollment is a code and a device name.
async fn enroll<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, HttpError> {
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

#[derive(Debug, serde::Deserialize)]
struct ListQuery {
    area: Option<String>,
    /// A member's CNIC or B-form number: the households holding it (within `area` when given).
    cnic: Option<String>,
}

async fn list<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<shumari_domain::HouseholdSummary>>, HttpError> {
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

async fn show<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<HouseholdDetail>, HttpError> {
    let auth = reg.authenticate(bearer(&headers)).await?;
    Ok(Json(reg.household_show(Some(&auth.user), &id).await?))
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
    let api = Router::new()
        .route(
            "/v1/enroll",
            post(enroll::<S>).layer(DefaultBodyLimit::max(MAX_ENROLL_BODY)),
        )
        .route("/v1/{endpoint}", post(protocol::<S>))
        .route("/v1/households", get(list::<S>))
        .route("/v1/households/{id}", get(show::<S>))
        .merge(review::routes::<S>())
        .merge(duplicates::routes::<S>())
        .merge(pmt::routes::<S>())
        .merge(flags::routes::<S>())
        .layer(DefaultBodyLimit::max(limit))
        .with_state(reg.clone());
    limited(api)
        .merge(limited(extra))
        .merge(health::routes(reg))
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
