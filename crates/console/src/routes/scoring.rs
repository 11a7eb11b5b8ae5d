//! The scoring page (`GET /console/scoring`): the PMT model in force and the rescoring runs, for
//! anyone who reads households.

use super::{chrome, html, req, with_session, St};
use crate::views::scoring;
use crate::Console;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use shumari_domain::roles::{allows, Action};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, Storage};
use std::sync::Arc;

/// Runs listed, newest first.
const RUNS: usize = 20;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<Console<S>>> {
    Router::new().route("/console/scoring", get(page::<S>))
}

async fn page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let out = async {
            if !allows(s.user.role, Action::ReadHouseholds) {
                return Err(
                    RegistryError::Forbidden("no household data for this role".into()).into(),
                );
            }
            let model = c.reg.pmt_model_version().await?;
            let jobs = c.reg.pmt_jobs(RUNS).await?;
            Ok(html(
                StatusCode::OK,
                scoring::scoring(&chrome(&r, Some(&s)), &model, &jobs),
                &[],
            ))
        }
        .await;
        (s, out)
    })
    .await
}
