//! What a monitoring system or a load balancer asks the registry:
//!
//! - `GET /healthz`: the process answers (liveness). No database access, no authentication.
//! - `GET /readyz`: the database answers and its schema is the one this build migrates to
//!   (readiness: a load balancer sends devices only to a ready registry). No authentication; the
//!   answer names versions, never database details, which go to the log.
//! - `GET /metrics`: the Prometheus text exposition of [`crate::metrics::Metrics`]. With a metrics
//!   token configured ([`crate::Config::metrics_token`]) a scraper sends it as a bearer token;
//!   without one, only a scraper on the same machine (a loopback peer) is answered, so counts of a
//!   registry on a network are never public by default.
//!
//! These routes sit outside the request limits: a registry busy with syncs still says it is alive.

use super::table::Route;
use super::{bearer, ErrorJson};
use crate::service::Registry;
use crate::storage::Storage;
use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;

/// The monitoring routes, outside the request limits.
pub(super) fn routes<S: Storage>() -> Vec<Route<S>> {
    vec![
        Route::get("/healthz", get(healthz)).monitoring(),
        // The name scripts and tests used before `/healthz`.
        Route::get("/health", get(health)).monitoring(),
        Route::get("/readyz", get(readyz::<S>)).monitoring(),
        Route::get("/metrics", get(metrics::<S>)).monitoring(),
    ]
}

/// Liveness: `{"status": "ok"}`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Alive {
    /// Always `ok`.
    status: &'static str,
}

/// The process answers (no database access, no authentication).
#[utoipa::path(get, path = "/healthz", tag = "monitoring", responses((status = 200, body = Alive)))]
pub(super) async fn healthz() -> Json<Alive> {
    Json(Alive { status: "ok" })
}

/// The same as `/healthz`, under the name scripts used before it.
#[utoipa::path(get, path = "/health", tag = "monitoring", responses((status = 200, body = Alive)))]
pub(super) async fn health() -> Json<Alive> {
    healthz().await
}

/// Readiness: the database answers at the schema version this build migrates to.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Ready {
    /// `ready`.
    status: &'static str,
    /// The database's schema version.
    schema_version: i64,
}

/// The database answers and its schema is the one this build migrates to.
#[utoipa::path(get, path = "/readyz", tag = "monitoring",
    responses((status = 200, body = Ready), (status = 503, description = "Not ready: `not_ready`", body = ErrorJson)))]
pub(super) async fn readyz<S: Storage>(State(reg): State<Arc<Registry<S>>>) -> Response {
    let expected = reg.storage.expected_schema();
    let not_ready = |message: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "code": "not_ready", "message": message })),
        )
            .into_response()
    };
    match reg.storage.schema_version().await {
        Ok(v) if v == expected => Json(Ready {
            status: "ready",
            schema_version: v,
        })
        .into_response(),
        Ok(v) => not_ready(format!(
            "the database's schema is version {v}; this registry needs version {expected} (restart it to migrate, or run the build that matches the database)"
        )),
        Err(e) => {
            tracing::error!(error = %e, "readiness: the database does not answer");
            not_ready("the database does not answer".into())
        }
    }
}

/// The Prometheus text exposition (the metrics token as a bearer token, or a loopback peer).
#[utoipa::path(get, path = "/metrics", tag = "monitoring",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String),
        (status = 401, description = "No metrics token, or not on this machine", body = ErrorJson)),
    security(("metrics_token" = []), ()))]
pub(super) async fn metrics<S: Storage>(
    State(reg): State<Arc<Registry<S>>>,
    parts: Parts,
) -> Response {
    // The peer's address is there when served over a socket (`launch`), absent in in-process tests.
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
    let allowed = match &reg.config().metrics_token {
        Some(want) => bearer(&parts.headers).is_some_and(|t| {
            let got: [u8; 32] = Sha256::digest(t.as_bytes()).into();
            // Hashes of equal length compared whole: the time taken says nothing about the token.
            got.iter().zip(want).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
        }),
        None => peer.is_some_and(|ConnectInfo(a)| a.ip().is_loopback()),
    };
    if !allowed {
        let message = if reg.config().metrics_token.is_some() {
            "metrics need the metrics token as a bearer token"
        } else {
            "metrics are answered on this machine only unless a metrics token is configured (metrics_token_file)"
        };
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "code": "unauthorized", "message": message })),
        )
            .into_response();
    }
    let m = reg.metrics();
    let (held, busy) = reg.storage.pool_use();
    m.db_connections.set(held as i64);
    m.db_in_use.set(busy as i64);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        m.render(),
    )
        .into_response()
}
