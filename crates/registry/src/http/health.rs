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

use super::bearer;
use crate::service::Registry;
use crate::storage::Storage;
use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;

/// The monitoring routes.
pub(super) fn routes<S: Storage>(reg: Arc<Registry<S>>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        // The name scripts and tests used before `/healthz`.
        .route("/health", get(healthz))
        .route("/readyz", get(readyz::<S>))
        .route("/metrics", get(metrics::<S>))
        .with_state(reg)
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz<S: Storage>(State(reg): State<Arc<Registry<S>>>) -> Response {
    let expected = reg.storage.expected_schema();
    let not_ready = |message: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "code": "not_ready", "message": message })),
        )
            .into_response()
    };
    match reg.storage.schema_version().await {
        Ok(v) if v == expected => Json(json!({ "status": "ready", "schema_version": v })).into_response(),
        Ok(v) => not_ready(format!(
            "the database's schema is version {v}; this registry needs version {expected} (restart it to migrate, or run the build that matches the database)"
        )),
        Err(e) => {
            tracing::error!(error = %e, "readiness: the database does not answer");
            not_ready("the database does not answer".into())
        }
    }
}

async fn metrics<S: Storage>(State(reg): State<Arc<Registry<S>>>, parts: Parts) -> Response {
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
