//! The proxy means test at the registry: every merged household scored with the registry's model, by
//! the same `shumari_forms` code the tablet scores with, and kept with its band, each variable's
//! contribution and the model version ([`crate::storage::ScoreStore`]).
//!
//! **When.** The households a push stored are scored after its batch is committed, by the
//! registry's background queue when it runs one (`queue.rs`), else in the same request after the
//! ingest lock is released; a scoring failure never undoes a stored household (it is logged, and
//! the next push of the household or a rescoring run scores it). Scoring passes are serialised by
//! one lock, and each pass reads the households from storage after taking it, so the last score
//! written is always of the newest committed document, whatever order passes run in.
//!
//! **Which model.** The model in force is the one installed last in the registry's database
//! ([`Registry::install_pmt_model`]); without one, the model shipped with `shumari-forms`. Each pass
//! reads the version in force (one small query) and reloads the model when it changed, so a model
//! installed by `shumari registry pmt rescore --model` from another process is used by a running
//! server from its next push. Installing a model is followed by a rescoring run
//! ([`Registry::rescore`]) that scores every household page by page and records its progress in a
//! job row the console and the command line read.
//!
//! **Band.** The model's programmes are cut-offs on one scale: the band is the first programme (in
//! the model's order) whose cut-off the household meets, or [`NOT_ELIGIBLE`].
//!
//! Ages are computed as of the day of scoring (the tablet computes its provisional score as of its
//! own day), so the two can differ across a birthday or a model change; the household detail shows
//! the registry's score with its model version for the console to set beside the device's.

use super::access_audit::{actor_of, AccessAction};
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::casework::{JobRow, ScoreRow};
use crate::storage::{Storage, StoredDoc, User};
use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use shumari_domain::HouseholdDoc;
use shumari_forms::pmt::{pmt_model, PmtModel, PmtResult};
use shumari_forms::Instance;
use std::sync::Arc;
use uuid::Uuid;

/// The band of a household that meets no programme's cut-off.
pub const NOT_ELIGIBLE: &str = "not_eligible";

/// Households scored per page of a rescoring run (one storage read and one write each).
const PAGE: usize = 500;

fn rfc3339<S: Serializer>(t: &DateTime<Utc>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339())
}

/// One variable's share of a registry score (the variables' points sum to the score).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScoreLine {
    /// Variable name (`constant` and `clamp` for the fixed lines).
    pub variable: String,
    /// English label.
    pub label_en: String,
    /// Urdu label.
    pub label_ur: String,
    /// The household's value for the variable.
    pub value: Value,
    /// Points it adds.
    pub points: f64,
}

/// Eligibility for one programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProgrammeLine {
    /// Programme name.
    pub programme: String,
    /// The cut-off that applied (the disability cut-off when it applied).
    pub threshold: f64,
    /// Score at or below the cut-off.
    pub eligible: bool,
}

/// A household's score at the registry (`registry pmt show`, the household detail's `pmt`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegistryScore {
    /// Household id.
    pub household: Uuid,
    /// The model version that scored it.
    pub model_version: String,
    /// Whether that is the model in force (`false` until a rescoring run reaches the household).
    pub current: bool,
    /// 0 (poorest) to 100.
    pub score: f64,
    /// The first programme whose cut-off the household meets, or `not_eligible`.
    pub band: String,
    /// Each variable's points.
    pub contributions: Vec<ScoreLine>,
    /// Eligibility per programme.
    pub programmes: Vec<ProgrammeLine>,
    /// When the registry scored it.
    #[serde(serialize_with = "rfc3339")]
    pub scored_at: DateTime<Utc>,
}

/// A rescoring run and how far it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PmtJob {
    /// Job id.
    pub id: String,
    /// The model it scores with.
    pub model_version: String,
    /// `running`, `done` or `failed`.
    #[schema(value_type = String)]
    pub state: &'static str,
    /// Households to score.
    pub total: u64,
    /// Households scored so far.
    pub done: u64,
    /// When it started (ms since epoch).
    pub started_at: i64,
    /// When it finished.
    pub finished_at: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
}

impl From<JobRow> for PmtJob {
    fn from(j: JobRow) -> Self {
        let state = match (&j.error, j.finished_at) {
            (Some(_), _) => "failed",
            (None, Some(_)) => "done",
            (None, None) => "running",
        };
        PmtJob {
            id: j.id,
            model_version: j.model_version,
            state,
            total: j.total,
            done: j.done,
            started_at: j.started_at,
            finished_at: j.finished_at,
            error: j.error,
        }
    }
}

fn job_row(j: &PmtJob) -> JobRow {
    JobRow {
        id: j.id.clone(),
        model_version: j.model_version.clone(),
        total: j.total,
        done: j.done,
        started_at: j.started_at,
        finished_at: j.finished_at,
        error: j.error.clone(),
    }
}

/// The band of a result: the first programme it is eligible for, or [`NOT_ELIGIBLE`].
pub fn band_of(r: &PmtResult) -> String {
    r.programmes
        .iter()
        .find(|p| p.eligible)
        .map_or_else(|| NOT_ELIGIBLE.to_string(), |p| p.programme.clone())
}

/// The score a tablet shows for a household: the model shipped with `shumari-forms` (what the app
/// scores with), as of `today`. `None` when the household cannot be scored (no members yet).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProvisionalScore {
    /// 0 (poorest) to 100.
    pub score: f64,
    /// The shipped model's version.
    pub model_version: String,
    /// The band it falls in.
    pub band: String,
}

/// The tablet's score of `household` ([`ProvisionalScore`]).
pub fn provisional(
    household: &shumari_domain::Household,
    today: NaiveDate,
) -> Option<ProvisionalScore> {
    if household.members.is_empty() {
        return None;
    }
    let instance = instance_of(household).ok()?;
    let r = pmt_model().score_on(&instance, today);
    Some(ProvisionalScore {
        score: r.score,
        band: band_of(&r),
        model_version: r.model_version,
    })
}

/// A household as the forms engine's instance, the one input both scores read.
fn instance_of(household: &shumari_domain::Household) -> std::result::Result<Instance, String> {
    let json = serde_json::to_value(household).map_err(|e| e.to_string())?;
    Instance::from_household_json(&json).map_err(|e| e.to_string())
}

/// Scores one stored household with `model` as of `today` (CPU only).
fn score_doc(
    model: &PmtModel,
    stored: &StoredDoc,
    today: NaiveDate,
    now: i64,
) -> std::result::Result<ScoreRow, String> {
    let am = automerge::AutoCommit::load(&stored.doc).map_err(|e| e.to_string())?;
    let household = HouseholdDoc::from_automerge(am)
        .and_then(|hd| hd.household())
        .map_err(|e| e.to_string())?;
    let instance = instance_of(&household)?;
    let r = model.score_on(&instance, today);
    let lines: Vec<ScoreLine> = r
        .contributions
        .iter()
        .map(|c| ScoreLine {
            variable: c.variable.clone(),
            label_en: c.label_en.clone(),
            label_ur: c.label_ur.clone(),
            value: c.value.clone(),
            points: c.points,
        })
        .collect();
    let programmes: Vec<ProgrammeLine> = r
        .programmes
        .iter()
        .map(|p| ProgrammeLine {
            programme: p.programme.clone(),
            threshold: p.threshold,
            eligible: p.eligible,
        })
        .collect();
    Ok(ScoreRow {
        household_id: stored.id,
        model_version: r.model_version.clone(),
        score: r.score,
        band: band_of(&r),
        contributions: serde_json::to_string(&lines).map_err(|e| e.to_string())?,
        programmes: serde_json::to_string(&programmes).map_err(|e| e.to_string())?,
        scored_at: now,
    })
}

fn internal(e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Internal(e.to_string())
}

impl<S: Storage> Registry<S> {
    /// The model in force, reloaded when the stored version changed. Called with the scoring lock
    /// held (`cache` is what it guards).
    async fn model_in_force(&self, cache: &mut Option<Arc<PmtModel>>) -> Result<Arc<PmtModel>> {
        let version = self.storage.current_model_version().await?;
        let wanted = version
            .clone()
            .unwrap_or_else(|| pmt_model().model_version.clone());
        if let Some(m) = cache.as_ref().filter(|m| m.model_version == wanted) {
            return Ok(m.clone());
        }
        let model = match version {
            None => pmt_model().clone(),
            Some(_) => match self.storage.current_model().await? {
                Some((_, source)) => PmtModel::from_toml_str(&source).map_err(internal)?,
                None => pmt_model().clone(),
            },
        };
        let model = Arc::new(model);
        *cache = Some(model.clone());
        Ok(model)
    }

    /// Scores the households `ids` with the model in force and stores the scores; returns how many
    /// were scored. A household that cannot be scored is logged and skipped.
    pub(super) async fn score_households(&self, ids: &[Uuid]) -> Result<usize> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut cache = self.scoring.lock().await;
        let model = self.model_in_force(&mut cache).await?;
        let stored = self.storage.load_docs(ids).await?;
        let now = now_ms();
        let today = Utc::now().date_naive();
        let rows = tokio::task::spawn_blocking(move || {
            stored
                .par_iter()
                .flatten()
                .filter_map(|s| {
                    score_doc(&model, s, today, now)
                        .inspect_err(|e| tracing::warn!(household = %s.id, error = %e, "could not score a household"))
                        .ok()
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(internal)?;
        let n = rows.len();
        self.storage.put_scores(rows).await?;
        Ok(n)
    }

    /// Installs a PMT model from its TOML text (checked as the tablet checks it) and makes it the
    /// model in force; returns its version. Households keep their scores until a rescoring run
    /// ([`Registry::rescore`]) or their next push scores them with it.
    pub async fn install_pmt_model(&self, source: &str) -> Result<String> {
        let model = PmtModel::from_toml_str(source)
            .map_err(|e| RegistryError::BadRequest(format!("the PMT model does not load: {e}")))?;
        self.record_access(
            AccessAction::PmtModelInstall,
            super::CONSOLE,
            None,
            Some(format!("model={}", model.model_version)),
        )
        .await?;
        self.storage
            .install_model(&model.model_version, source, now_ms())
            .await?;
        Ok(model.model_version)
    }

    /// The version of the model in force.
    pub async fn pmt_model_version(&self) -> Result<String> {
        Ok(self
            .storage
            .current_model_version()
            .await?
            .unwrap_or_else(|| pmt_model().model_version.clone()))
    }

    /// Starts a rescoring run of every household with the model in force, as a task on the current
    /// runtime; returns the job at its start (its id names it for [`Registry::pmt_job`]).
    pub async fn start_rescore(self: &Arc<Self>) -> Result<PmtJob> {
        let job = self.new_rescore_job().await?;
        let reg = self.clone();
        let started = job.clone();
        tokio::spawn(async move {
            if let Err(e) = reg.run_rescore(started, |_| {}).await {
                tracing::error!(error = %e, "rescoring run failed");
            }
        });
        Ok(job)
    }

    /// Rescores every household with the model in force, page by page, calling `progress` after
    /// each page (and at the start and the end) with the job as recorded; returns the finished job.
    /// Pushes go on meanwhile: each page holds the scoring lock only while it scores.
    pub async fn rescore(&self, progress: impl FnMut(&PmtJob) + Send) -> Result<PmtJob> {
        let job = self.new_rescore_job().await?;
        self.run_rescore(job, progress).await
    }

    async fn new_rescore_job(&self) -> Result<PmtJob> {
        let model_version = self.pmt_model_version().await?;
        let job = PmtJob {
            id: format!("rescore-{}", Uuid::now_v7().simple()),
            model_version,
            state: "running",
            total: self.storage.household_count().await?,
            done: 0,
            started_at: now_ms(),
            finished_at: None,
            error: None,
        };
        self.record_access(
            AccessAction::PmtRescore,
            super::CONSOLE,
            Some(&job.id),
            Some(format!(
                "model={} households={}",
                job.model_version, job.total
            )),
        )
        .await?;
        self.storage.put_job(&job_row(&job)).await?;
        Ok(job)
    }

    async fn run_rescore(
        &self,
        mut job: PmtJob,
        mut progress: impl FnMut(&PmtJob) + Send,
    ) -> Result<PmtJob> {
        progress(&job);
        let mut after: Option<Uuid> = None;
        let outcome: Result<()> = async {
            loop {
                let ids = self.storage.household_ids(after, PAGE).await?;
                let Some(last) = ids.last().copied() else {
                    return Ok(());
                };
                self.score_households(&ids).await?;
                after = Some(last);
                job.done += ids.len() as u64;
                // Households pushed during the run are counted as they are reached.
                job.total = job.total.max(job.done);
                self.storage.put_job(&job_row(&job)).await?;
                progress(&job);
            }
        }
        .await;
        job.finished_at = Some(now_ms());
        job.state = if outcome.is_ok() { "done" } else { "failed" };
        job.error = outcome.as_ref().err().map(ToString::to_string);
        self.storage.put_job(&job_row(&job)).await?;
        progress(&job);
        outcome.map(|()| job)
    }

    /// A rescoring run by id.
    pub async fn pmt_job(&self, id: &str) -> Result<Option<PmtJob>> {
        Ok(self.storage.job(id).await?.map(PmtJob::from))
    }

    /// The latest rescoring runs, newest first.
    pub async fn pmt_jobs(&self, limit: usize) -> Result<Vec<PmtJob>> {
        Ok(self
            .storage
            .jobs(limit)
            .await?
            .into_iter()
            .map(PmtJob::from)
            .collect())
    }

    /// The registry's stored score of household `id` (`None`: not scored yet), once the queue no
    /// longer holds it.
    pub(super) async fn stored_score(&self, id: Uuid) -> Result<Option<RegistryScore>> {
        self.settle_queue().await;
        let row = match self.storage.score_of(id).await? {
            Some(row) => row,
            // Not scored yet (queued in another process, or stored before scoring): score it now.
            None => {
                self.score_households(&[id]).await?;
                match self.storage.score_of(id).await? {
                    Some(row) => row,
                    None => return Ok(None),
                }
            }
        };
        let current = self.pmt_model_version().await? == row.model_version;
        Ok(Some(RegistryScore {
            household: id,
            current,
            score: row.score,
            band: row.band,
            contributions: serde_json::from_str(&row.contributions).map_err(internal)?,
            programmes: serde_json::from_str(&row.programmes).map_err(internal)?,
            scored_at: DateTime::from_timestamp_millis(row.scored_at).unwrap_or_default(),
            model_version: row.model_version,
        }))
    }

    /// The registry's score of one household (id or reference number), limited to `user`'s scope
    /// when given (outside it: "not found"); recorded in the access audit trail.
    pub async fn pmt_show(&self, user: Option<&User>, id_or_ref: &str) -> Result<RegistryScore> {
        let not_found = || RegistryError::NotFound(format!("no household `{id_or_ref}`"));
        let found = match self.storage.resolve(id_or_ref).await? {
            Some(id) => self.storage.summaries_of(&[id]).await?.into_iter().next(),
            None => None,
        };
        let in_scope = found
            .as_ref()
            .filter(|s| user.is_none_or(|u| self.scope(u).contains(&s.area)));
        let outcome = match (&found, in_scope) {
            (_, Some(_)) => "shown",
            (Some(_), None) => "out_of_scope",
            (None, _) => "not_found",
        };
        self.record_access(
            AccessAction::PmtShow,
            actor_of(user),
            found.as_ref().map(|s| s.id.to_string()).as_deref(),
            Some(format!("outcome={outcome}")),
        )
        .await?;
        let id = in_scope.ok_or_else(not_found)?.id;
        self.stored_score(id).await?.ok_or_else(|| {
            RegistryError::NotFound(format!(
                "household `{id_or_ref}` has not been scored yet; run `shumari registry pmt rescore`"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shumari_forms::pmt::ProgrammeResult;

    fn result(programmes: &[(&str, bool)]) -> PmtResult {
        PmtResult {
            model_version: "m".into(),
            score: 30.0,
            disability: false,
            contributions: Vec::new(),
            programmes: programmes
                .iter()
                .map(|(p, eligible)| ProgrammeResult {
                    programme: (*p).into(),
                    threshold: 32.0,
                    eligible: *eligible,
                })
                .collect(),
        }
    }

    #[test]
    fn the_band_is_the_first_programme_met() {
        assert_eq!(band_of(&result(&[("kafalat", true)])), "kafalat");
        assert_eq!(
            band_of(&result(&[("kafalat", false), ("taleemi", true)])),
            "taleemi"
        );
        assert_eq!(band_of(&result(&[("kafalat", false)])), NOT_ELIGIBLE);
        assert_eq!(band_of(&result(&[])), NOT_ELIGIBLE);
    }

    #[test]
    fn a_job_reads_its_state_from_its_row() {
        let row = JobRow {
            id: "j".into(),
            model_version: "m".into(),
            total: 3,
            done: 1,
            started_at: 1,
            finished_at: None,
            error: None,
        };
        assert_eq!(PmtJob::from(row.clone()).state, "running");
        let done = JobRow {
            finished_at: Some(2),
            ..row.clone()
        };
        assert_eq!(PmtJob::from(done).state, "done");
        let failed = JobRow {
            finished_at: Some(2),
            error: Some("x".into()),
            ..row
        };
        assert_eq!(PmtJob::from(failed).state, "failed");
    }
}
