//! The dashboards' targeting and delivery figures and their CSVs (`programmes.csv`,
//! `payments.csv`, `grievances.csv`), for the page's `?area=` (all of the user's areas without
//! one; an area outside them "not found"). Each is read through its own feature's service
//! (`programme_reach` from the maintained per-area counts, `payment_progress`, `grievance_tally`:
//! grouped by the database), scoped there; a role the feature refuses has the section left out of
//! the page and the CSV refused.

use super::dashboards::{area, csv_answer};
use super::{signed_get, St};
use crate::error::ConsoleError;
use crate::views::delivery::Delivery;
use crate::Console;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::storage::User;
use shumari_registry::{RegistryError, Storage};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<Console<S>>> {
    Router::new()
        .route(
            "/console/dashboards/programmes.csv",
            get(programmes_csv::<S>),
        )
        .route("/console/dashboards/payments.csv", get(payments_csv::<S>))
        .route(
            "/console/dashboards/grievances.csv",
            get(grievances_csv::<S>),
        )
}

/// `None` when the role may not read the feature: the section is left out.
fn allowed<T>(r: Result<T, RegistryError>) -> Result<Option<T>, ConsoleError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(RegistryError::Forbidden(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The sections' figures of `area` (`None`: all of `user`'s areas) at `now` (ms since the epoch).
pub(super) async fn figures<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    user: &User,
    area: Option<&str>,
    now: i64,
) -> Result<Delivery, ConsoleError> {
    Ok(Delivery {
        programmes: allowed(c.reg.programme_reach(user, area).await)?,
        payments: allowed(c.reg.payment_progress(user, area).await)?,
        grievances: allowed(c.reg.grievance_tally(user, area, now).await)?,
    })
}

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

async fn programmes_csv<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, _| async move {
        let mut rows = vec![header(&[
            "programme",
            "name_en",
            "name_ur",
            "eligible",
            "enrolled",
        ])];
        for p in c.reg.programme_reach(&s.user, area(&q)).await? {
            rows.push(vec![
                p.id,
                p.name_en,
                p.name_ur,
                p.eligible.to_string(),
                p.enrolled.to_string(),
            ]);
        }
        csv_answer("programmes.csv", rows)
    })
    .await
}

async fn payments_csv<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, _| async move {
        let mut rows = vec![header(&[
            "cycle",
            "programme",
            "period",
            "planned",
            "paid",
            "failed",
            "no_result",
        ])];
        for p in c.reg.payment_progress(&s.user, area(&q)).await? {
            rows.push(vec![
                p.cycle,
                p.programme_id,
                p.period,
                p.planned.to_string(),
                p.paid.to_string(),
                p.failed.to_string(),
                p.unanswered.to_string(),
            ]);
        }
        csv_answer("payments.csv", rows)
    })
    .await
}

async fn grievances_csv<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, _| async move {
        let now = c.config.clock.now();
        let mut rows = vec![header(&["category", "filed", "unresolved", "past_sla"])];
        for g in c.reg.grievance_tally(&s.user, area(&q), now).await? {
            rows.push(vec![
                g.category.as_str().to_string(),
                g.total.to_string(),
                g.unresolved.to_string(),
                g.past_sla.to_string(),
            ]);
        }
        csv_answer("grievances.csv", rows)
    })
    .await
}
