//! The programme runs: eligibility of every household in the officer's areas for every programme
//! in force, and enrolment of the eligible households into one programme. Each run is a job whose
//! row records its progress page by page (as the PMT rescoring run's does), so the console and the
//! command line can show how far it got.
//!
//! A household that cannot be decided yet gets a plain reason instead of a decision: one not
//! approved ("not approved yet (status: submitted)"), one without a registry score ("not scored
//! yet"). Eligibility rows are replaced per (household, programme), so they always say what the
//! household's current answers, status and score give under the rules in force. Enrolment takes
//! each eligible household not yet enrolled in any status: a suspended or exited household is
//! never enrolled again by a run.

use super::access_audit::{actor_of, AccessAction};
use super::programmes::{household_of, internal, may, PAGE};
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::programmes::{EligibilityRow, ProgrammeJobRow};
use crate::storage::{Storage, User};
use chrono::Utc;
use serde::Serialize;
use shumari_domain::roles::Action;
use shumari_domain::Status;
use shumari_programmes::{eligibility, Programme, Reason};
use std::collections::BTreeMap;
use uuid::Uuid;

/// An eligibility or enrolment run and how far it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgrammeJob {
    /// Job id.
    pub id: String,
    /// `eligibility` or `enrolment`.
    pub kind: String,
    /// The programme (an enrolment run's).
    pub programme: Option<String>,
    /// `running`, `done` or `failed`.
    pub state: &'static str,
    /// Households to go through.
    pub total: u64,
    /// Households gone through.
    pub done: u64,
    /// What the run found or did: eligible households (eligibility), households enrolled
    /// (enrolment).
    pub counted: u64,
    /// When it started (ms since epoch).
    pub started_at: i64,
    /// When it finished.
    pub finished_at: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
}

impl ProgrammeJob {
    fn row(&self, by: &str) -> ProgrammeJobRow {
        ProgrammeJobRow {
            id: self.id.clone(),
            kind: self.kind.clone(),
            programme_id: self.programme.clone(),
            started_by: by.to_string(),
            total: self.total,
            done: self.done,
            started_at: self.started_at,
            finished_at: self.finished_at,
            error: self.error.clone(),
        }
    }
}

impl From<ProgrammeJobRow> for ProgrammeJob {
    fn from(j: ProgrammeJobRow) -> Self {
        let state = match (&j.error, j.finished_at) {
            (Some(_), _) => "failed",
            (None, Some(_)) => "done",
            (None, None) => "running",
        };
        ProgrammeJob {
            id: j.id,
            kind: j.kind,
            programme: j.programme_id,
            state,
            total: j.total,
            done: j.done,
            counted: 0,
            started_at: j.started_at,
            finished_at: j.finished_at,
            error: j.error,
        }
    }
}

/// The reason a household is not decided yet, in both languages.
fn undecided(status: Status, scored: bool) -> Reason {
    if status != Status::Approved {
        Reason::new(
            format!("not approved yet (status: {})", status.as_str()),
            format!("ابھی منظور نہیں ہوا (حیثیت: {})", status.as_str()),
        )
    } else if !scored {
        Reason::new(
            "not scored yet: the registry has no PMT score for the household",
            "ابھی اسکور نہیں ہوا: رجسٹری کے پاس گھرانے کا پی ایم ٹی اسکور نہیں",
        )
    } else {
        Reason::new(
            "the household's record could not be read; the registry's operators were told",
            "گھرانے کا ریکارڈ پڑھا نہ جا سکا؛ رجسٹری کے عملے کو اطلاع دی گئی",
        )
    }
}

impl<S: Storage> Registry<S> {
    async fn start_job(
        &self,
        user: &User,
        kind: &str,
        programme: Option<&str>,
        total: u64,
    ) -> Result<ProgrammeJob> {
        let job = ProgrammeJob {
            id: format!("{kind}-{}", Uuid::now_v7().simple()),
            kind: kind.to_string(),
            programme: programme.map(str::to_string),
            state: "running",
            total,
            done: 0,
            counted: 0,
            started_at: now_ms(),
            finished_at: None,
            error: None,
        };
        let action = if kind == "eligibility" {
            AccessAction::EligibilityRun
        } else {
            AccessAction::EnrolmentRun
        };
        self.record_access(
            action,
            actor_of(Some(user)),
            Some(&job.id),
            Some(format!(
                "programme={} households={total}",
                programme.unwrap_or("all")
            )),
        )
        .await?;
        self.storage.put_programme_job(&job.row(&user.id)).await?;
        Ok(job)
    }

    async fn finish_job(
        &self,
        user: &User,
        mut job: ProgrammeJob,
        outcome: Result<()>,
        progress: &mut (impl FnMut(&ProgrammeJob) + Send),
    ) -> Result<ProgrammeJob> {
        job.finished_at = Some(now_ms());
        job.state = if outcome.is_ok() { "done" } else { "failed" };
        job.error = outcome.as_ref().err().map(ToString::to_string);
        self.storage.put_programme_job(&job.row(&user.id)).await?;
        progress(&job);
        outcome.map(|()| job)
    }

    /// Decides every household in `user`'s areas for every programme in force, page by page,
    /// calling `progress` after each page (and at the start and the end); returns the finished
    /// job, whose `counted` is the number of (household, programme) pairs found eligible.
    pub async fn run_eligibility(
        &self,
        user: &User,
        mut progress: impl FnMut(&ProgrammeJob) + Send,
    ) -> Result<ProgrammeJob> {
        may(user, Action::ManageProgrammes)?;
        let programmes = self.programmes_in_force().await?;
        if programmes.is_empty() {
            return Err(RegistryError::NotFound(
                "no programme is loaded; load one with `shumari registry programme load`".into(),
            ));
        }
        let total = self.storage.household_count().await?;
        let mut job = self.start_job(user, "eligibility", None, total).await?;
        progress(&job);
        let mut after: Option<Uuid> = None;
        let outcome: Result<()> = async {
            loop {
                let ids = self.storage.household_ids(after, PAGE).await?;
                let Some(last) = ids.last().copied() else {
                    return Ok(());
                };
                after = Some(last);
                let eligible = self.decide_page(user, &ids, &programmes).await?;
                job.done += ids.len() as u64;
                job.counted += eligible;
                job.total = job.total.max(job.done);
                self.storage.put_programme_job(&job.row(&user.id)).await?;
                progress(&job);
            }
        }
        .await;
        self.finish_job(user, job, outcome, &mut progress).await
    }

    /// Decides one page of households (those in `user`'s areas); returns how many (household,
    /// programme) pairs are eligible.
    async fn decide_page(
        &self,
        user: &User,
        ids: &[Uuid],
        programmes: &[(crate::storage::programmes::ProgrammeRow, Programme)],
    ) -> Result<u64> {
        let scope = self.scope(user);
        let summaries: BTreeMap<Uuid, Status> = self
            .storage
            .summaries_of(ids)
            .await?
            .into_iter()
            .filter(|s| scope.contains(&s.area))
            .map(|s| (s.id, s.status))
            .collect();
        let mine: Vec<Uuid> = summaries.keys().copied().collect();
        let mut scores = BTreeMap::new();
        for id in &mine {
            if let Some(s) = self.storage.score_of(*id).await? {
                scores.insert(*id, (s.score, s.model_version));
            }
        }
        let docs = self.storage.load_docs(&mine).await?;
        let programmes = programmes.to_vec();
        let now = now_ms();
        let today = Utc::now().date_naive();
        let rows = tokio::task::spawn_blocking(move || {
            let mut rows = Vec::new();
            for stored in docs.iter().flatten() {
                let status = summaries.get(&stored.id).copied().unwrap_or(Status::Draft);
                let score = scores.get(&stored.id).cloned();
                let household = household_of(stored);
                for (row, p) in &programmes {
                    let (eligible, reasons) = match (&household, &score, status) {
                        (Some(h), Some((s, _)), Status::Approved) => {
                            let e = eligibility(p, h, *s, today);
                            (e.eligible, e.reasons)
                        }
                        _ => (false, vec![undecided(status, score.is_some())]),
                    };
                    rows.push(EligibilityRow {
                        household_id: stored.id,
                        programme_id: row.id.clone(),
                        programme_version: row.version.clone(),
                        eligible,
                        reasons: serde_json::to_string(&reasons).map_err(internal)?,
                        score: score.as_ref().map(|s| s.0),
                        model_version: score.as_ref().map(|s| s.1.clone()),
                        computed_at: now,
                    });
                }
            }
            Ok::<_, RegistryError>(rows)
        })
        .await
        .map_err(internal)??;
        let eligible = rows.iter().filter(|r| r.eligible).count() as u64;
        if !rows.is_empty() {
            self.storage.put_eligibility(rows).await?;
        }
        Ok(eligible)
    }

    /// Enrols in `programme` every household in `user`'s areas that the last eligibility run
    /// found eligible and that is not enrolled in it yet (in any status), page by page with
    /// progress; returns the finished job, whose `counted` is the number enrolled.
    pub async fn run_enrolment(
        &self,
        user: &User,
        programme: &str,
        mut progress: impl FnMut(&ProgrammeJob) + Send,
    ) -> Result<ProgrammeJob> {
        may(user, Action::ManageProgrammes)?;
        self.programme_in_force(programme).await?;
        let candidates = self.storage.eligible_not_enrolled(programme).await?;
        let mut job = self
            .start_job(user, "enrolment", Some(programme), candidates.len() as u64)
            .await?;
        progress(&job);
        let outcome: Result<()> = async {
            for page in candidates.chunks(PAGE) {
                let scope = self.scope(user);
                let mine: Vec<Uuid> = self
                    .storage
                    .summaries_of(page)
                    .await?
                    .into_iter()
                    .filter(|s| scope.contains(&s.area))
                    .map(|s| s.id)
                    .collect();
                job.counted += self
                    .storage
                    .enrol(
                        programme,
                        &mine,
                        &user.id,
                        now_ms(),
                        &format!("eligible; enrolment run {}", job.id),
                    )
                    .await?;
                let name = self.programme_name_ur(programme).await;
                let notices = mine
                    .iter()
                    .map(|id| {
                        let status = shumari_sms::ProgrammeStatus::Enrolled;
                        let programme = name.clone();
                        (
                            *id,
                            shumari_sms::Notice::StatusChanged { programme, status },
                        )
                    })
                    .collect();
                self.tell_households(notices).await;
                job.done += page.len() as u64;
                self.storage.put_programme_job(&job.row(&user.id)).await?;
                progress(&job);
            }
            Ok(())
        }
        .await;
        self.finish_job(user, job, outcome, &mut progress).await
    }

    /// A programme run by id.
    pub async fn programme_job(&self, id: &str) -> Result<Option<ProgrammeJob>> {
        Ok(self
            .storage
            .programme_job(id)
            .await?
            .map(ProgrammeJob::from))
    }
}
