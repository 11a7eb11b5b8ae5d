//! Payment cycles in the console: the cycles page with the selected cycle's reconciliation, and
//! the approval form of a finance officer (CSRF-checked; the registry's `approve_cycle` holds the
//! four-eyes rule). The work is the registry's payments service; the page is `views/payments.rs`.

use super::{chrome, csrf_ok, field, fields, html, req, see_other, with_session, St};
use crate::error::ConsoleError;
use crate::views::payments as view;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::Storage;
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<crate::Console<S>>> {
    Router::new()
        .route("/console/payments", get(cycles_page::<S>))
        .route("/console/payments/approve", post(approve_post::<S>))
}

async fn cycles_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let out = async {
            let cycles = c.reg.cycles(&s.user).await?;
            let chosen = q
                .get("cycle")
                .cloned()
                .or_else(|| cycles.first().map(|x| x.id.clone()));
            let selected = match chosen {
                Some(id) => {
                    let cycle = c.reg.cycle_show(&s.user, &id).await?;
                    // Citizens' reported shortfalls join the report where grievances are filed.
                    let report = c.reg.reconcile_with_reports(&s.user, &id, None).await?;
                    Some((cycle, report))
                }
                None => None,
            };
            let page = view::cycles(
                &chrome(&r, Some(&s)),
                &cycles,
                selected.as_ref().map(|(a, b)| (a, b)),
            );
            Ok::<_, ConsoleError>(html(StatusCode::OK, page, &[]))
        }
        .await;
        (s, out)
    })
    .await
}

async fn approve_post<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let r = req(&headers, &uri);
    let f = fields(&body);
    with_session(&c, &headers, &r, |s| async {
        if !csrf_ok(&f, &s) {
            return (s, Err(ConsoleError::BadForm));
        }
        let cycle = field(&f, "cycle").unwrap_or("").to_string();
        let out = c
            .reg
            .approve_cycle(&s.user, &cycle)
            .await
            .map(|_| {
                see_other(
                    &format!(
                        "/console/payments{}",
                        crate::views::query(&[("cycle", &cycle)])
                    ),
                    &[],
                )
            })
            .map_err(ConsoleError::from);
        (s, out)
    })
    .await
}
