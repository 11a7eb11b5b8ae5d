//! The dashboards: the page (`?area=CODE` drills down) and the CSV of each chart's numbers. The
//! figures are the registry's (`coverage`, `district_coverage`, `pmt_histogram`: maintained
//! aggregates within the user's areas, an area outside them "not found"); the page is
//! `views/dashboards.rs`. The targeting and delivery sections below them are
//! `dashboard_delivery.rs`, the field operations ones `dashboard_field.rs`; every section follows
//! the page's `?area=`. Each handler is one [`signed_get`] call.

use super::{chrome, html, signed_get, St};
use crate::error::ConsoleError;
use crate::views::dashboards as view;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use shumari_domain::Status;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::Storage;
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<crate::Console<S>>> {
    Router::new()
        .route("/console/dashboards", get(page::<S>))
        .route("/console/dashboards/coverage.csv", get(coverage_csv::<S>))
        .route("/console/dashboards/pmt.csv", get(pmt_csv::<S>))
}

/// The `?area=` asked for (`None`: all of the user's areas).
pub(super) fn area(q: &HashMap<String, String>) -> Option<&str> {
    q.get("area").map(|a| a.trim()).filter(|a| !a.is_empty())
}

async fn page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, r| async move {
        let cov = c.reg.coverage(&s.user, area(&q)).await?;
        let districts = if view::shows_map(&cov) {
            Some(c.reg.district_coverage(&s.user).await?)
        } else {
            None
        };
        let here = cov.area.as_deref();
        let pmt = c.reg.pmt_histogram(&s.user, here).await?;
        let now = c.config.clock.now();
        let delivery = super::dashboard_delivery::figures(c, &s.user, here, now).await?;
        let field = super::dashboard_field::figures(c, &s.user, here, now).await?;
        let chrome = chrome(&r, Some(&s));
        let more = maud::html! {
            (crate::views::delivery::delivery(chrome.lang, &delivery, here))
            (crate::views::field_ops::field_ops(chrome.lang, field.as_ref(), here, now))
        };
        let page = view::dashboards(&chrome, &cov, districts.as_deref(), &pmt, more);
        Ok::<_, ConsoleError>(html(StatusCode::OK, page, &[]))
    })
    .await
}

/// A CSV download named `name`.
pub(super) fn csv_answer(name: &str, rows: Vec<Vec<String>>) -> Result<Response, ConsoleError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(&row)
            .map_err(|e| ConsoleError::Internal(e.to_string()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ConsoleError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn coverage_csv<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, _| async move {
        let cov = c.reg.coverage(&s.user, area(&q)).await?;
        let mut header: Vec<String> = ["area", "name", "level"].map(String::from).to_vec();
        header.extend(Status::ALL.iter().map(|s| s.as_str().to_string()));
        header.extend(["households", "enumerated", "target", "percent"].map(String::from));
        let mut rows = vec![header];
        for a in cov.rows.iter().chain(std::iter::once(&cov.total)) {
            let mut row = vec![
                a.code.clone(),
                a.name.clone().unwrap_or_default(),
                a.level.map(|l| l.as_str()).unwrap_or("country").to_string(),
            ];
            row.extend(
                Status::ALL
                    .iter()
                    .map(|st| a.by_status.get(st).copied().unwrap_or(0).to_string()),
            );
            row.push(a.households().to_string());
            row.push(a.enumerated.to_string());
            row.push(a.target.map(|t| t.to_string()).unwrap_or_default());
            row.push(a.percent().map(|p| format!("{p:.1}")).unwrap_or_default());
            rows.push(row);
        }
        csv_answer("coverage.csv", rows)
    })
    .await
}

async fn pmt_csv<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, _| async move {
        let h = c.reg.pmt_histogram(&s.user, area(&q)).await?;
        let mut rows = vec![["score_from", "score_below", "households"]
            .map(String::from)
            .to_vec()];
        for (i, n) in h.buckets.iter().enumerate() {
            rows.push(vec![i.to_string(), (i + 1).to_string(), n.to_string()]);
        }
        csv_answer("pmt-distribution.csv", rows)
    })
    .await
}
