//! What each request leaves behind for operators: an `x-request-id` (kept from a proxy that set one,
//! else a new UUID, and sent back), a tracing span carrying it with the method and the route
//! *template* (never the path with its ids, nor the query string, which may hold a CNIC), and the
//! request metrics of [`crate::metrics::Metrics`].
//!
//! Every log line written while a request is served sits in its span, so an operator follows one
//! request through the log by its id, and a device's support ticket can quote the id its error
//! carried.

use crate::metrics::Metrics;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::time::Instant;
use tower_http::request_id::RequestId;
use tracing::Instrument;

/// The header a request id travels in.
pub const REQUEST_ID: &str = "x-request-id";

/// The JSON `code` of an error answer, left on the response for the metrics ([`super::HttpError`]
/// sets it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorCode(pub &'static str);

/// The route template a request matched, or `other`: a label that cannot grow with what callers send.
fn route_of(req: &Request) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "other".into())
}

/// The span a request is served in.
fn span(req: &Request) -> tracing::Span {
    let id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        route = %route_of(req),
    )
}

/// Counts a request: in flight while it is served, then by route, method and status, its latency,
/// and its error code if it failed. Outermost of the router's layers, so refusals by the rate limit
/// and timeouts are counted too.
pub(super) async fn track(State(m): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let span = span(&req);
    async move { observe(&m, req, next).await }
        .instrument(span)
        .await
}

async fn observe(m: &Metrics, req: Request, next: Next) -> Response {
    let route = route_of(&req);
    let method = req.method().as_str().to_string();
    let in_flight = m.in_flight.with_label_values(&[&route]);
    in_flight.inc();
    let started = Instant::now();
    let resp = next.run(req).await;
    in_flight.dec();
    let status = resp.status();
    m.latency
        .with_label_values(&[&route])
        .observe(started.elapsed().as_secs_f64());
    m.requests
        .with_label_values(&[&route, &method, status.as_str()])
        .inc();
    if let Some(ErrorCode(code)) = resp.extensions().get::<ErrorCode>() {
        m.errors.with_label_values(&[code]).inc();
    }
    if status.is_server_error() {
        tracing::warn!(status = status.as_u16(), "answered with a server error");
    } else {
        tracing::debug!(
            status = status.as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "answered"
        );
    }
    resp
}
