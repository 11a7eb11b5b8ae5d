//! The household screens: the home page with the queues, the household list, one household's
//! detail, and the review form on it.

use super::{
    chrome, csrf_ok, field, fields, html, req, see_other, with_session, Req, St, PAGE_ROWS,
};
use crate::auth::sign_in::Signed;
use crate::error::ConsoleError;
use crate::views::{detail, home, list};
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use shumari_domain::review::Decision;
use shumari_domain::roles::{allows, Action};
use shumari_domain::Status;
use shumari_registry::service::{FlagKind, HouseholdPage, PageRequest};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, ReviewRequest, Storage};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes<S: Storage + ConsoleStorage>() -> Router<Arc<Console<S>>> {
    Router::new()
        .route("/console", get(home_page::<S>))
        .route("/console/households", get(list_page::<S>))
        .route("/console/households/{id}", get(detail_page::<S>))
        .route("/console/households/{id}/review", post(review_post::<S>))
}

async fn home_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let out = async {
            let (counts, flagged) = if allows(s.user.role, Action::ReadHouseholds) {
                let flagged = c.reg.flagged_count(&s.user).await?;
                (Some(c.reg.status_counts(&s.user, None).await?), flagged)
            } else {
                (None, 0)
            };
            let duplicates = if allows(
                s.user.role,
                Action::Step(Status::Submitted, Status::Approved),
            ) {
                let open = Some(shumari_registry::service::CaseState::Open);
                Some(
                    c.reg
                        .duplicates_list(Some(&s.user), None, open)
                        .await?
                        .len(),
                )
            } else {
                None
            };
            let grievances = if allows(s.user.role, Action::HandleGrievances)
                || allows(s.user.role, Action::FileGrievance)
            {
                Some(c.reg.open_grievance_count(&s.user).await?)
            } else {
                None
            };
            let page = home::home(
                &chrome(&r, Some(&s)),
                &s.user.areas,
                counts.as_ref(),
                duplicates,
                flagged,
                grievances,
            );
            Ok(html(StatusCode::OK, page, &[]))
        }
        .await;
        (s, out)
    })
    .await
}

/// `AREA~ID` back to a position.
fn parse_cursor(s: &str) -> Option<(String, uuid::Uuid)> {
    let (area, id) = s.split_once('~')?;
    Some((area.to_string(), uuid::Uuid::parse_str(id).ok()?))
}

async fn list_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let out = async {
            let get = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
            let filters = list::Filters {
                area: get("area"),
                status: get("status"),
                q: get("q"),
                surveyor: get("surveyor"),
                from: get("from"),
                to: get("to"),
                flag: get("flag"),
            };
            let day = |s: &str, next: bool| -> Result<Option<i64>, RegistryError> {
                if s.is_empty() {
                    return Ok(None);
                }
                let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| RegistryError::BadRequest(format!("`{s}` is not a date")))?;
                let d = if next { d.succ_opt().unwrap_or(d) } else { d };
                Ok(d.and_hms_opt(0, 0, 0)
                    .map(|t| t.and_utc().timestamp_millis()))
            };
            let status = match filters.status.as_str() {
                "" => None,
                s => Some(Status::parse(s).map_err(|e| RegistryError::BadRequest(e.to_string()))?),
            };
            let after = q.get("after").and_then(|a| parse_cursor(a));
            let request = PageRequest {
                area: Some(filters.area.clone()).filter(|a| !a.is_empty()),
                status,
                search: Some(filters.q.clone()).filter(|s| !s.is_empty()),
                surveyor: Some(filters.surveyor.clone()).filter(|s| !s.is_empty()),
                changed_from: day(&filters.from, false)?,
                changed_until: day(&filters.to, true)?,
                after: after.clone(),
                limit: PAGE_ROWS,
            };
            let surveyors = c.reg.surveyors_for(&s.user).await?;
            let rows = match filters.flag.as_str() {
                "" => c.reg.household_page(&s.user, &request).await?,
                flag => flagged_page(&c, &s, &request, flag).await?,
            };
            let ids: Vec<uuid::Uuid> = rows.rows.iter().map(|r| r.id).collect();
            let markers = c.reg.flag_kinds_of(&ids).await?;
            let page = list::list(
                &chrome(&r, Some(&s)),
                &filters,
                &surveyors,
                &rows,
                after.is_some(),
                &markers,
            );
            Ok(html(StatusCode::OK, page, &[]))
        }
        .await;
        (s, out)
    })
    .await
}

/// The list filtered by a flag (`any` or a kind): the flagged households of the filters' area and
/// status, one page of at most 500 (flagged households are a small share of the registry).
async fn flagged_page<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    s: &Signed,
    request: &PageRequest,
    flag: &str,
) -> Result<HouseholdPage, ConsoleError> {
    let kind = match flag {
        "any" => None,
        k => Some(
            FlagKind::parse(k)
                .ok_or_else(|| RegistryError::BadRequest(format!("no flag kind `{k}`")))?,
        ),
    };
    let rows = c
        .reg
        .flagged_households(&s.user, request.area.as_deref(), kind, 500)
        .await?
        .into_iter()
        .filter(|r| request.status.is_none_or(|st| r.status == st))
        .collect();
    Ok(HouseholdPage { rows, next: None })
}

async fn detail_page<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = req(&headers, &uri);
    with_session(&c, &headers, &r, |s| async {
        let decided = q.contains_key("decided");
        let out = render_detail(&c, &r, &s, &id, decided, None, StatusCode::OK).await;
        (s, out)
    })
    .await
}

async fn render_detail<S: Storage + ConsoleStorage>(
    c: &Console<S>,
    r: &Req,
    s: &Signed,
    id: &str,
    decided: bool,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let d = c.reg.household_show(Some(&s.user), id).await?;
    // Read after `household_show` checked the scope and recorded the look.
    let eligibility = c.reg.eligibility_of(d.household.id).await?;
    let enrolments = c.reg.enrolments_of(d.household.id).await?;
    let state = detail::DetailState {
        may_review: allows(
            s.user.role,
            Action::Step(Status::Submitted, Status::Approved),
        ),
        decided,
        error,
        programmes: (&eligibility, &enrolments),
    };
    let form = shumari_forms::household_form();
    Ok(html(
        status,
        detail::detail(&chrome(r, Some(s)), form, &d, state),
        &[],
    ))
}

async fn review_post<S: Storage + ConsoleStorage>(
    State(c): St<S>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let r = req(&headers, &uri);
    let f = fields(&body);
    with_session(&c, &headers, &r, |s| async {
        if !csrf_ok(&f, &s) {
            return (s, Err(ConsoleError::BadForm));
        }
        let Some(decision) = field(&f, "decision").and_then(|d| d.parse::<Decision>().ok()) else {
            return (s, Err(ConsoleError::BadForm));
        };
        let request = ReviewRequest {
            decision,
            comment: field(&f, "comment").unwrap_or("").trim().to_string(),
            questions: f
                .iter()
                .filter(|(k, _)| k == "question")
                .map(|(_, v)| v.clone())
                .collect(),
        };
        let out = match c.reg.review(&s.user, &id, request).await {
            Ok(done) => Ok(see_other(
                &format!("/console/households/{}?decided=1", done.id),
                &[],
            )),
            Err(e @ (RegistryError::BadRequest(_) | RegistryError::Transition(_))) => {
                let err = ConsoleError::Registry(e);
                let status = err.status();
                let text = err.to_string();
                let back = Req {
                    lang: r.lang,
                    here: format!("/console/households/{id}"),
                };
                render_detail(&c, &back, &s, &id, false, Some(&text), status).await
            }
            Err(e) => Err(e.into()),
        };
        (s, out)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back() {
        let id = uuid::Uuid::now_v7();
        let pos = ("PK10101-UC01".to_string(), id);
        assert_eq!(parse_cursor(&list::cursor(&pos)), Some(pos));
        assert_eq!(parse_cursor("nope"), None);
    }
}
