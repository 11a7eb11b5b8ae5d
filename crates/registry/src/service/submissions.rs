//! What tablets submit with the published forms (see `forms.rs`): storing the reports a push
//! carries, reading them within a user's areas, and a form's page (submissions per site per day,
//! and the reports missing).
//!
//! - **Ingest** ([`Registry::ingest_submissions`]): each report names the form version it was
//!   filled with; it is stored when that version is published to an area around the report's
//!   area, the area is in the user's, and the answers are complete for that version (the forms
//!   crate's validation: nothing required missing, nothing invalid, no answer to a question the
//!   version lacks). A report is final when sent (a correction is a new report), so one id is
//!   stored once; a repeated push stores nothing again. A report refused is named with the reason
//!   and the rest of the push goes on.
//! - **Corrections**: a report whose answers carry [`REPLACES_KEY`] (the id of a report a reviewer
//!   returned, `report_review.rs`) replaces it: the key is taken out of the answers before they are
//!   checked, the returned report must be of the same form, within the user's areas and still
//!   `returned`, and once the correction is stored the returned report reads `replaced` and leaves
//!   the form's figures and its export (a form's list of reports still shows it, in its chain).
//! - **Site and day**: a report is about the site its `site` answer names and the day its `date`
//!   answer names (`YYYY-MM-DD`); without them, the tablet's area and the day it was filled.
//! - **Missing reports** ([`Registry::form_report`]): each site that reported in the window is
//!   expected every day of it; an area the form is published to (within the user's) where no site
//!   reported at all is missing every day.

use super::access_audit::{actor_of, AccessAction};
use super::programmes::may;
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::scope::outermost;
use crate::storage::forms::{SiteDay, SubmissionQuery, SubmissionRow};
use crate::storage::{Storage, User};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use shumari_domain::area::contains;
use shumari_domain::roles::Action;
use shumari_forms::Instance;
use shumari_proto::message::{FormSubmission, SubmissionOutcome};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The answer that names a report's site.
pub const SITE_FIELD: &str = "site";
/// The answer that names the day a report is about.
pub const DATE_FIELD: &str = "date";
/// Days a form's page covers at most.
pub const MAX_REPORT_DAYS: i64 = 92;
/// Submissions read per page at most.
pub const MAX_PAGE: usize = 1000;
/// The answers' key under which a correction names the returned report it replaces (the
/// protocol's; never a question's name).
pub use shumari_proto::message::REPLACES_KEY;

/// A report as a tablet sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSubmission {
    /// Its id (the tablet's).
    pub id: Uuid,
    /// The form.
    pub form_id: String,
    /// The version it was filled with.
    pub version: String,
    /// The tablet's area it reports from.
    pub area: String,
    /// The answers (a JSON object, by question name).
    pub answers: Value,
    /// When it was filled (ms since epoch).
    pub filled_at: i64,
}

/// A report refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedSubmission {
    /// Its id.
    pub id: Uuid,
    /// Why, for the surveyor.
    pub reason: String,
}

/// What an ingest did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SubmissionsReport {
    /// Reports stored now.
    pub stored: u64,
    /// Reports already stored (sent again).
    pub already: u64,
    /// Reports refused.
    pub refused: Vec<RefusedSubmission>,
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submission {
    /// Its id.
    pub id: String,
    /// The form.
    pub form_id: String,
    /// The version it was filled with.
    pub version: String,
    /// Its area.
    pub area: String,
    /// Its site.
    pub site: String,
    /// The day it is about.
    pub day: String,
    /// The answers.
    pub answers: Value,
    /// `submitted`.
    pub status: String,
    /// When it was filled (ms since epoch).
    pub filled_at: i64,
    /// When the registry stored it (ms since epoch).
    pub received_at: i64,
    /// The user who sent it.
    pub user_id: String,
    /// The returned report this one corrects.
    pub replaces: Option<String>,
}

/// One site's reports per day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteReports {
    /// The site's area.
    pub area: String,
    /// The site.
    pub site: String,
    /// Reports on each day of the window, in order.
    pub per_day: Vec<u64>,
}

/// A report expected and not received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingReport {
    /// The day.
    pub day: String,
    /// The area.
    pub area: String,
    /// The site ("": no site of the area has reported in the window).
    pub site: String,
}

/// A form's page: its reports per site per day within a user's areas, and those missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormReport {
    /// The form.
    pub form_id: String,
    /// Every day of the window, oldest first.
    pub days: Vec<String>,
    /// Each site that reported, by area and site.
    pub sites: Vec<SiteReports>,
    /// Reports expected and not received, by day, area and site.
    pub missing: Vec<MissingReport>,
    /// Reports in the window.
    pub total: u64,
}

/// The day (UTC) of a time in ms since epoch.
fn day_of(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A report's site and day, from its answers (see the module documentation).
pub fn site_and_day(answers: &Value, area: &str, filled_at: i64) -> (String, String) {
    let site = text_of(answers.get(SITE_FIELD)).unwrap_or_else(|| area.to_string());
    let day = text_of(answers.get(DATE_FIELD))
        .and_then(|d| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .ok()
                .map(|d| d.to_string())
        })
        .unwrap_or_else(|| day_of(filled_at));
    (site, day)
}

fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| RegistryError::BadRequest(format!("`{s}` is not a day (YYYY-MM-DD)")))
}

impl<S: Storage> Registry<S> {
    /// Stores the reports a push from `device_id` (a tablet of `user`) carries.
    pub async fn ingest_submissions(
        &self,
        user: &User,
        device_id: &str,
        subs: &[NewSubmission],
    ) -> Result<SubmissionsReport> {
        may(user, Action::PushHouseholds)?;
        let now = now_ms();
        let publications = self.storage.form_publications().await?;
        let mut forms = BTreeMap::new();
        let mut report = SubmissionsReport::default();
        let mut rows = Vec::new();
        let mut replacing: BTreeSet<String> = BTreeSet::new();
        for s in subs {
            let refuse = |reason: String| RefusedSubmission { id: s.id, reason };
            if !self.scope(user).contains(&s.area) {
                report
                    .refused
                    .push(refuse(format!("`{}` is not one of your areas", s.area)));
                continue;
            }
            let reaches = publications.iter().any(|(f, v, a)| {
                *f == s.form_id && *v == s.version && (contains(a, &s.area) || contains(&s.area, a))
            });
            if !reaches {
                report.refused.push(refuse(format!(
                    "form `{}` version `{}` is not published to {}",
                    s.form_id, s.version, s.area
                )));
                continue;
            }
            let key = (s.form_id.clone(), s.version.clone());
            if !forms.contains_key(&key) {
                forms.insert(key.clone(), self.form(&s.form_id, &s.version).await?);
            }
            let Some(Some(form)) = forms.get(&key) else {
                report
                    .refused
                    .push(refuse(format!("form `{}` is not published", s.form_id)));
                continue;
            };
            let Some(mut answers) = s.answers.as_object().cloned() else {
                report
                    .refused
                    .push(refuse("the answers are not a JSON object".into()));
                continue;
            };
            let replaces = match answers.remove(REPLACES_KEY) {
                None => None,
                Some(old) => match self
                    .replaceable(user, s, old.as_str().unwrap_or(""), &mut replacing)
                    .await?
                {
                    Ok(old) => Some(old),
                    Err(why) => {
                        report.refused.push(refuse(why));
                        continue;
                    }
                },
            };
            let answers = Value::Object(answers);
            let instance = Instance::from_household_json(&json!({
                "form_id": s.form_id, "form_version": s.version, "answers": answers,
            }));
            let today = NaiveDate::parse_from_str(&day_of(now), "%Y-%m-%d").unwrap_or_default();
            let problems: Vec<String> = match instance {
                Err(e) => vec![e.to_string()],
                Ok(inst) => {
                    let v = form.validate(&inst, "en", today);
                    v.missing
                        .iter()
                        .chain(&v.invalid)
                        .chain(&v.unknown)
                        .map(|i| format!("{}: {}", i.question, i.message))
                        .collect()
                }
            };
            if !problems.is_empty() {
                report.refused.push(refuse(problems.join("; ")));
                continue;
            }
            let (site, day) = site_and_day(&answers, &s.area, s.filled_at);
            rows.push(SubmissionRow {
                id: s.id.to_string(),
                form_id: s.form_id.clone(),
                version: s.version.clone(),
                area: s.area.clone(),
                site,
                day,
                answers: answers.to_string(),
                status: "submitted".into(),
                filled_at: s.filled_at,
                received_at: now,
                device_id: device_id.to_string(),
                user_id: user.id.clone(),
                replaces,
            });
        }
        if !rows.is_empty() {
            report.stored = self.storage.insert_submissions(&rows).await?;
            report.already = rows.len() as u64 - report.stored;
        }
        Ok(report)
    }

    /// Whether `s` may replace the report `old`: of the same form, within `user`'s areas, still
    /// `returned`, not replaced by another report of this push (`claimed`) or stored before.
    /// `Ok`: its id; `Err`: why not, for the surveyor.
    async fn replaceable(
        &self,
        user: &User,
        s: &NewSubmission,
        old: &str,
        claimed: &mut BTreeSet<String>,
    ) -> Result<std::result::Result<String, String>> {
        let Some(row) = self.storage.submission(old).await? else {
            return Ok(Err(format!(
                "the report `{old}` it replaces is not at the registry"
            )));
        };
        if row.form_id != s.form_id || !self.scope(user).contains(&row.area) {
            return Ok(Err(format!(
                "the report `{old}` is not one of your `{}` reports",
                s.form_id
            )));
        }
        if row.status != "returned" || claimed.contains(old) {
            let already = self.storage.replacement_of(old).await?;
            if already.is_some_and(|r| r.id == s.id.to_string()) {
                // The same correction sent again: stored once, as any report.
                return Ok(Ok(old.to_string()));
            }
            return Ok(Err(format!(
                "the report `{old}` is {}; only a returned report is corrected",
                if claimed.contains(old) {
                    "corrected twice in this sync"
                } else {
                    &row.status
                }
            )));
        }
        claimed.insert(old.to_string());
        Ok(Ok(old.to_string()))
    }

    /// Up to `limit` of a form's reports under `area` (one of `user`'s, or under one; the command
    /// line's `None` reads any), those replaced by a correction included, on days from `from_day`
    /// to `until_day` ("": unbounded), after the position `after` (day, id), in (day, id) order.
    /// Recorded on the access trail.
    #[allow(clippy::too_many_arguments)]
    pub async fn submissions_in(
        &self,
        user: Option<&User>,
        form_id: &str,
        area: &str,
        from_day: &str,
        until_day: &str,
        after: (String, String),
        limit: usize,
    ) -> Result<Vec<Submission>> {
        if let Some(u) = user {
            may(u, Action::ReadHouseholds)?;
            if !self.scope(u).contains(area) {
                return Err(RegistryError::Forbidden(format!(
                    "`{area}` is not one of your areas"
                )));
            }
        }
        self.record_access(
            AccessAction::SubmissionList,
            actor_of(user),
            Some(form_id),
            Some(format!("area={area}")),
        )
        .await?;
        let rows = self
            .storage
            .submissions(&SubmissionQuery {
                form_id: form_id.to_string(),
                area: area.to_string(),
                from_day: from_day.to_string(),
                until_day: until_day.to_string(),
                after,
                limit: limit.min(MAX_PAGE),
                with_replaced: true,
            })
            .await?;
        Ok(rows.into_iter().map(submission_of).collect())
    }

    /// A form's page for `user` (a reader of their areas): its reports per site per day from
    /// `from_day` to `until_day` (both included, at most [`MAX_REPORT_DAYS`]) and those missing.
    pub async fn form_report(
        &self,
        user: &User,
        form_id: &str,
        from_day: &str,
        until_day: &str,
    ) -> Result<FormReport> {
        may(user, Action::ReadHouseholds)?;
        let (from, until) = (date(from_day)?, date(until_day)?);
        let span = (until - from).num_days();
        if !(0..MAX_REPORT_DAYS).contains(&span) {
            return Err(RegistryError::BadRequest(format!(
                "a form's page covers 1 to {MAX_REPORT_DAYS} days"
            )));
        }
        let days: Vec<String> = (0..=span)
            .map(|i| (from + chrono::Duration::days(i)).to_string())
            .collect();
        let mut counts: BTreeMap<(String, String), BTreeMap<String, u64>> = BTreeMap::new();
        for area in outermost(&user.areas) {
            for SiteDay {
                day,
                area,
                site,
                count,
            } in self
                .storage
                .submissions_per_site_day(form_id, &area, from_day)
                .await?
            {
                if day.as_str() <= until_day {
                    *counts
                        .entry((area, site))
                        .or_default()
                        .entry(day)
                        .or_default() += count;
                }
            }
        }
        // Areas the form is published to, within the user's (an area published above the user's
        // stands for the user's own).
        let mut published: BTreeSet<String> = BTreeSet::new();
        for (f, _, a) in self.storage.form_publications().await? {
            if f != form_id {
                continue;
            }
            for mine in &user.areas {
                if contains(mine, &a) {
                    published.insert(a.clone());
                } else if contains(&a, mine) {
                    published.insert(mine.clone());
                }
            }
        }
        let mut report = FormReport {
            form_id: form_id.to_string(),
            days: days.clone(),
            sites: Vec::new(),
            missing: Vec::new(),
            total: 0,
        };
        for ((area, site), per) in &counts {
            let per_day: Vec<u64> = days
                .iter()
                .map(|d| per.get(d).copied().unwrap_or(0))
                .collect();
            report.total += per_day.iter().sum::<u64>();
            for (d, n) in days.iter().zip(&per_day) {
                if *n == 0 {
                    report.missing.push(MissingReport {
                        day: d.clone(),
                        area: area.clone(),
                        site: site.clone(),
                    });
                }
            }
            report.sites.push(SiteReports {
                area: area.clone(),
                site: site.clone(),
                per_day,
            });
        }
        for a in &published {
            if !counts.keys().any(|(area, _)| contains(a, area)) {
                for d in &days {
                    report.missing.push(MissingReport {
                        day: d.clone(),
                        area: a.clone(),
                        site: String::new(),
                    });
                }
            }
        }
        report
            .missing
            .sort_by(|x, y| (&x.day, &x.area, &x.site).cmp(&(&y.day, &y.area, &y.site)));
        Ok(report)
    }
}

impl<S: Storage> Registry<S> {
    /// The reports a push carries, stored; one outcome per report, in push order.
    pub(super) async fn push_submissions(
        &self,
        auth: &crate::storage::DeviceAuth,
        subs: &[FormSubmission],
    ) -> Result<Vec<SubmissionOutcome>> {
        if subs.is_empty() {
            return Ok(Vec::new());
        }
        if subs.len() > MAX_PAGE {
            return Err(RegistryError::OverLimit(format!(
                "a push may hold at most {MAX_PAGE} reports; this one held {}",
                subs.len()
            )));
        }
        let mut outcomes: BTreeMap<Uuid, Option<String>> = BTreeMap::new();
        let mut new = Vec::with_capacity(subs.len());
        for s in subs {
            match serde_json::from_str::<Value>(&s.answers) {
                Ok(answers) => new.push(NewSubmission {
                    id: s.id,
                    form_id: s.form_id.clone(),
                    version: s.version.clone(),
                    area: s.area.clone(),
                    answers,
                    filled_at: i64::try_from(s.filled_at).unwrap_or(i64::MAX),
                }),
                Err(_) => {
                    outcomes.insert(s.id, Some("the answers are not JSON".into()));
                }
            }
        }
        let report = self
            .ingest_submissions(&auth.user, &auth.device_id, &new)
            .await?;
        tracing::info!(device = %auth.device_id, reports = report.stored, refused = report.refused.len(), "reports stored");
        for r in report.refused {
            outcomes.insert(r.id, Some(r.reason));
        }
        Ok(subs
            .iter()
            .map(|s| SubmissionOutcome {
                id: s.id,
                refused: outcomes.get(&s.id).cloned().flatten(),
            })
            .collect())
    }
}

/// Where the next page of a form's export starts: the granted area's place and the last (day, id)
/// read in it.
pub type SubmissionPosition = (usize, (String, String));

/// A page of a form's reports for an export.
#[derive(Debug, Clone)]
pub struct SubmissionExportPage {
    /// The reports, by (day, id) within each area.
    pub rows: Vec<Submission>,
    /// Where the next page starts (`None`: this was the last).
    pub next: Option<SubmissionPosition>,
}

impl<S: Storage> Registry<S> {
    /// Up to `limit` reports of `form_id` in `grant`'s areas after `after`, about days from
    /// `from_day` on ("": all): the submissions feature's own read for `shumari-exports`'
    /// `submissions` dataset, a page of one granted area at a time. The export is recorded once,
    /// at its end, by [`Registry::record_export`].
    pub async fn submission_export_page(
        &self,
        grant: &super::ExportGrant,
        form_id: &str,
        from_day: &str,
        after: Option<SubmissionPosition>,
        limit: usize,
    ) -> Result<SubmissionExportPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let (mut place, last) = after.unwrap_or((0, (String::new(), String::new())));
        let Some(area) = grant.areas.get(place) else {
            return Ok(SubmissionExportPage {
                rows: Vec::new(),
                next: None,
            });
        };
        let read = self
            .storage
            .submissions(&SubmissionQuery {
                form_id: form_id.to_string(),
                area: area.clone(),
                from_day: from_day.to_string(),
                until_day: String::new(),
                after: last,
                limit,
                with_replaced: false,
            })
            .await?;
        let next = if read.len() == limit {
            read.last().map(|s| (place, (s.day.clone(), s.id.clone())))
        } else {
            place += 1;
            (place < grant.areas.len()).then(|| (place, (String::new(), String::new())))
        };
        Ok(SubmissionExportPage {
            rows: read.into_iter().map(submission_of).collect(),
            next,
        })
    }

    /// Every version of a form, loaded, oldest first (by the forms crate's version order).
    pub async fn form_versions(&self, form_id: &str) -> Result<Vec<shumari_forms::Form>> {
        let mut rows: Vec<_> = self
            .storage
            .forms()
            .await?
            .into_iter()
            .filter(|f| f.form_id == form_id)
            .collect();
        rows.sort_by(|a, b| shumari_forms::compare_versions(&a.version, &b.version));
        rows.iter().map(super::forms::parse).collect()
    }
}

pub(super) fn submission_of(r: SubmissionRow) -> Submission {
    Submission {
        answers: serde_json::from_str(&r.answers).unwrap_or(Value::Null),
        id: r.id,
        form_id: r.form_id,
        version: r.version,
        area: r.area,
        site: r.site,
        day: r.day,
        status: r.status,
        filled_at: r.filled_at,
        received_at: r.received_at,
        user_id: r.user_id,
        replaces: r.replaces,
    }
}
