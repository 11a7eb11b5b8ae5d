//! The dashboards' field operations figures and their CSVs (`backlog.csv`, `devices.csv`), each
//! read through the registry's own public reads, scoped there to the user's areas: the household
//! list (status, open conflicts and last change of each household), the open duplicate cases, the
//! flagged count and the devices of the areas' users (`device_freshness`). A role that reads no
//! households has the sections left out and the CSVs refused.

use super::dashboards::csv_answer;
use super::{req, with_session, St};
use crate::error::ConsoleError;
use crate::views::field_ops::{days_since, FieldOps};
use crate::Console;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use shumari_domain::roles::{allows, Action};
use shumari_domain::Status;
use shumari_registry::service::CaseState;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::storage::User;
use shumari_registry::{RegistryError, Storage};
use std::sync::Arc;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<Console<S>>> {
    Router::new()
        .route("/console/dashboards/backlog.csv", get(backlog_csv::<S>))
        .route("/console/dashboards/devices.csv", get(devices_csv::<S>))
}

/// The figures of `user`'s areas at `now` (ms since the epoch); `None` for a role that reads no
/// households.
pub(super) async fn figures<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    user: &User,
    now: i64,
) -> Result<Option<FieldOps>, ConsoleError> {
    if !allows(user.role, Action::ReadHouseholds) {
        return Ok(None);
    }
    let mut f = FieldOps::default();
    for h in c.reg.household_list(Some(user), None).await? {
        if h.status == Status::Submitted {
            f.wait(now - h.updated_at.timestamp_millis());
        }
        if h.conflict_count > 0 {
            f.conflicts += 1;
        }
    }
    f.duplicates = c
        .reg
        .duplicates_list(Some(user), None, Some(CaseState::Open))
        .await?
        .len() as u64;
    f.flagged = c.reg.flagged_count(user).await?;
    f.devices = c.reg.device_freshness(user).await?;
    Ok(Some(f))
}

/// The figures, or "forbidden" for a role that reads no households.
async fn required<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    user: &User,
    now: i64,
) -> Result<FieldOps, ConsoleError> {
    figures(c, user, now).await?.ok_or_else(|| {
        RegistryError::Forbidden(format!("a {} reads no field operations", user.role.title()))
            .into()
    })
}

async fn backlog_csv<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let out = async {
            let f = required(&c, &s.user, c.config.clock.now()).await?;
            let mut rows = vec![vec!["measure".to_string(), "value".to_string()]];
            for (name, value) in f.measures() {
                rows.push(vec![name.to_string(), value.to_string()]);
            }
            csv_answer("backlog.csv", rows)
        }
        .await;
        (s, out)
    })
    .await
}

async fn devices_csv<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let out = async {
            let now = c.config.clock.now();
            let f = required(&c, &s.user, now).await?;
            let mut rows = vec![[
                "device",
                "label",
                "user",
                "last_seen",
                "days_since",
                "state",
            ]
            .map(String::from)
            .to_vec()];
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
        }
        .await;
        (s, out)
    })
    .await
}
