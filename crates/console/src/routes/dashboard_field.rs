//! The dashboards' field operations figures and their CSVs (`backlog.csv`, `surveyor-days.csv`,
//! `durations.csv`, `devices.csv`), for the page's `?area=` (all of the user's areas without one;
//! an area outside them "not found"). Each is the registry's count (`field_figures`,
//! `field_days`: indexed grouped reads and the quality pass's per-household facts, V25), never the
//! household list, so a page view writes nothing to the access trail. A role that reads no
//! households has the sections left out and the CSVs refused.

use super::dashboards::{area, csv_answer};
use super::{signed_get, St};
use crate::error::ConsoleError;
use crate::views::field_ops::{
    average_minutes, days_since, duration_label, first_day_shown, minutes, FieldOps,
};
use crate::Console;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use shumari_domain::roles::{allows, Action};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::storage::User;
use shumari_registry::{RegistryError, Storage};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<Console<S>>> {
    Router::new()
        .route("/console/dashboards/backlog.csv", get(backlog_csv::<S>))
        .route(
            "/console/dashboards/surveyor-days.csv",
            get(surveyor_days_csv::<S>),
        )
        .route("/console/dashboards/durations.csv", get(durations_csv::<S>))
        .route("/console/dashboards/devices.csv", get(devices_csv::<S>))
}

/// The figures of `area` (`None`: all of `user`'s areas) at `now` (ms since the epoch); `None`
/// for a role that reads no households.
pub(super) async fn figures<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    user: &User,
    area: Option<&str>,
    now: i64,
) -> Result<Option<FieldOps>, ConsoleError> {
    if !allows(user.role, Action::ReadHouseholds) {
        return Ok(None);
    }
    let f = c.reg.field_figures(user, area, now).await?;
    let days = c.reg.field_days(user, area, &first_day_shown(now)).await?;
    Ok(Some(FieldOps::new(f, days, now)))
}

/// The figures, or "forbidden" for a role that reads no households.
async fn required<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    user: &User,
    area: Option<&str>,
    now: i64,
) -> Result<FieldOps, ConsoleError> {
    figures(c, user, area, now).await?.ok_or_else(|| {
        RegistryError::Forbidden(format!("a {} reads no field operations", user.role.title()))
            .into()
    })
}

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

async fn backlog_csv<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, _| async move {
        let f = required(c, &s.user, area(&q), c.config.clock.now()).await?;
        let mut rows = vec![header(&["measure", "value"])];
        for (name, value) in f.measures() {
            rows.push(vec![name.to_string(), value.to_string()]);
        }
        csv_answer("backlog.csv", rows)
    })
    .await
}

async fn surveyor_days_csv<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, _| async move {
        let f = required(c, &s.user, area(&q), c.config.clock.now()).await?;
        let mut rows = vec![header(&[
            "day",
            "surveyor",
            "name",
            "households",
            "timed",
            "average_minutes",
            "shortest_minutes",
            "longest_minutes",
        ])];
        for r in &f.days.days {
            rows.push(vec![
                r.day.clone(),
                r.surveyor.clone(),
                f.days.names.get(&r.surveyor).cloned().unwrap_or_default(),
                r.households.to_string(),
                r.timed.to_string(),
                average_minutes(r).unwrap_or_default(),
                r.shortest_secs.map(minutes).unwrap_or_default(),
                r.longest_secs.map(minutes).unwrap_or_default(),
            ]);
        }
        csv_answer("surveyor-days.csv", rows)
    })
    .await
}

async fn durations_csv<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, _| async move {
        let f = required(c, &s.user, area(&q), c.config.clock.now()).await?;
        let last = f.days.durations.len() - 1;
        let mut rows = vec![header(&["minutes", "interviews"])];
        for (i, n) in f.days.durations.iter().enumerate() {
            rows.push(vec![duration_label(i, last), n.to_string()]);
        }
        csv_answer("durations.csv", rows)
    })
    .await
}

async fn devices_csv<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &*c;
    signed_get(c, &headers, &uri, |s, _| async move {
        let now = c.config.clock.now();
        let f = required(c, &s.user, area(&q), now).await?;
        let mut rows = vec![header(&[
            "device",
            "label",
            "user",
            "last_seen",
            "days_since",
            "state",
        ])];
        for d in f.devices {
            rows.push(vec![
                d.id,
                d.label,
                d.user,
                d.last_seen_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                d.last_seen_at
                    .map(|t| days_since(t.timestamp_millis(), now).to_string())
                    .unwrap_or_default(),
                d.state.to_string(),
            ]);
        }
        csv_answer("devices.csv", rows)
    })
    .await
}
