//! The registry's HTTP API described as OpenAPI 3.1, generated from the code with `utoipa`: each
//! handler carries a `#[utoipa::path]` (method, path, parameters, bodies, answers) and each JSON
//! type it reads or answers derives `ToSchema`, so the document changes with the code. It is
//! served, unauthenticated, at `GET /openapi.json`; it holds no personal data (types, not rows).
//!
//! What is described: the sync protocol's endpoints (`/v1/enroll`, `/v1/actors`, `/v1/push`,
//! `/v1/pull`, `/v1/check`, `/v1/token`: binary frames of the compact codec, given as
//! `application/octet-stream` with a pointer to `crates/proto`'s documentation), the JSON routes
//! (households, review, duplicates, PMT, flags), the monitoring routes and this document. The web
//! console's and the citizen portal's HTML pages, and the DCI social registry API (described by
//! its own vendored standard, `crates/dci/spec/`), are merged in by `registry serve` and are not
//! part of it.
//!
//! The document and the router cannot drift apart unnoticed: both come from one table
//! ([`super::routes`]), and `tests/openapi.rs` fails when a (method, path) of the table is missing
//! from the document or the document names one the router does not answer.

use super::table::Route;
use crate::service::{
    AuditRow, CaseHousehold, CaseKind, CaseState, DuplicateCase, Flag, FlagKind, HouseholdDetail,
    PmtJob, PossibleDuplicate, ProgrammeLine, ProvisionalScore, RegistryScore, Resolution,
    ReviewRequest, Reviewed, ScoreLine,
};
use crate::storage::Storage;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use shumari_domain::review::{Decision, Review};
use shumari_domain::{HouseholdSummary, Status};
use std::sync::OnceLock;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::OpenApi;

/// An error as every JSON route answers it (the registry's `{code, message}`).
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorJson {
    /// A stable code: `unauthorized`, `revoked`, `expired`, `forbidden`, `bad_request`,
    /// `not_found`, `forbidden_transition`, `too_large`, `rate_limited`, `unavailable`, ...
    pub code: String,
    /// What was wrong, in words.
    pub message: String,
}

/// The document's paths, schemas and tags.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Shumari registry",
        description = "The central registry of Shumari, an offline-first household enumeration \
            system: the tablets' sync protocol, households for dashboards and the console, review, \
            duplicates, PMT scores, data-quality flags and monitoring. Authenticated routes take a \
            device's token as `Authorization: Bearer TOKEN`; errors are JSON `{code, message}`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    paths(
        super::enroll,
        super::actors,
        super::push,
        super::pull,
        super::check,
        super::token,
        super::hub_devices,
        super::hub_directory,
        super::list,
        super::show,
        super::review::queue,
        super::review::decide,
        super::duplicates::queue,
        super::duplicates::resolve,
        super::duplicates::possible,
        super::duplicates::dismiss,
        super::pmt::score,
        super::pmt::jobs,
        super::flags::list,
        super::health::healthz,
        super::health::health,
        super::health::readyz,
        super::health::metrics,
        openapi_json,
    ),
    components(schemas(
        ErrorJson,
        HouseholdSummary,
        HouseholdDetail,
        AuditRow,
        Status,
        Decision,
        Review,
        ReviewRequest,
        Reviewed,
        DuplicateCase,
        CaseHousehold,
        CaseKind,
        CaseState,
        Resolution,
        PossibleDuplicate,
        super::duplicates::Dismissal,
        super::duplicates::Dismissed,
        RegistryScore,
        ProvisionalScore,
        ScoreLine,
        ProgrammeLine,
        PmtJob,
        Flag,
        FlagKind,
        super::health::Alive,
        super::health::Ready,
    )),
    modifiers(&Security),
    tags(
        (name = "sync", description = "The tablets' sync protocol: binary frames, see `crates/proto`"),
        (name = "households", description = "Households in the caller's areas"),
        (name = "review", description = "Supervisors' decisions"),
        (name = "duplicates", description = "Shared ID numbers and possible duplicates"),
        (name = "pmt", description = "Proxy means test scores"),
        (name = "quality", description = "Data-quality flags"),
        (name = "monitoring", description = "Liveness, readiness, metrics and this document"),
    )
)]
struct ApiDoc;

/// Adds the two ways a caller proves who it is.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "device_token",
            SecurityScheme::Http(
                utoipa::openapi::security::HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A device's token from `/v1/enroll` (or `/v1/token`), sent as `Authorization: Bearer TOKEN`",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The registry's OpenAPI 3.1 document.
pub fn spec() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

/// The document as served: built once, the same bytes for every request.
fn spec_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        spec()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    })
}

/// This document: the registry's HTTP API as OpenAPI 3.1 (no authentication, no personal data).
#[utoipa::path(get, path = "/openapi.json", tag = "monitoring",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json", body = Object)))]
pub(super) async fn openapi_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], spec_json())
}

/// `GET /openapi.json`, inside the request limits like every other public route.
pub(super) fn routes<S: Storage>() -> Vec<Route<S>> {
    vec![Route::get("/openapi.json", get(openapi_json))]
}
