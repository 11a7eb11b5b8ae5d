//! Households as whole records in the JSON contract: add one, import many, set fields by path,
//! validate against the questionnaire, show one, list a page. These are the use cases of the command
//! line (`shumari household ...`), which only parses arguments and prints what these return.
//!
//! Every write is checked by the questionnaire's write-time rules ([`crate::form_rules`], the same the
//! interview screens apply) before the store's domain rules: a value breaking its question's type,
//! choices or constraint is refused naming the question, and `status=complete` is refused until the
//! whole form validates. Messages come in `lang` (`en` or `ur`).

use crate::error::{AppError, Result};
use crate::form_rules::{self, today};
use crate::questionnaire::{engine_form, form_id, form_version};
use crate::App;
use serde::Serialize;
use serde_json::Value;
use shumari_domain::HouseholdSummary;
use shumari_domain::{Household, HouseholdInput, Warning};
use shumari_forms::{pmt_model, Contribution, Instance, Issue, ProgrammeResult};
use shumari_store::{Created, HouseholdView, ListFilter};
use std::collections::BTreeMap;

/// The provisional PMT score of a validation report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportPmt {
    /// The model's version.
    pub model_version: String,
    /// 0 (poorest) to 100.
    pub score: f64,
    /// Points by variable; they sum to the score.
    pub contributions: Vec<Contribution>,
    /// Eligibility per programme.
    pub programmes: Vec<ProgrammeResult>,
}

/// A household validated against the shipped questionnaire, with its provisional PMT score.
#[derive(Debug, Clone, Serialize)]
pub struct ValidationReport {
    /// The form id validated against.
    pub form_id: String,
    /// Its version.
    pub form_version: String,
    /// Nothing missing, nothing invalid: the household may be marked complete.
    pub complete: bool,
    /// Required, relevant and empty.
    pub missing: Vec<Issue>,
    /// Constraint failures and type errors.
    pub invalid: Vec<Issue>,
    /// Answers to questions this form version does not have (kept).
    pub unknown: Vec<Issue>,
    /// Calculated values by path.
    pub calculated: BTreeMap<String, Value>,
    /// The provisional score.
    pub pmt: ReportPmt,
}

impl App {
    /// Adds one household after the questionnaire's checks; `area` overrides the input's.
    pub fn add_household(
        &self,
        input: &HouseholdInput,
        area: Option<&str>,
        lang: &str,
    ) -> Result<Created> {
        form_rules::check_new(input, lang, today())?;
        self.with_store(|store| Ok(store.add_household(input, area, form_id(), form_version())?))
    }

    /// Adds many households in one transaction. Each gets its own result: one the questionnaire or the
    /// domain refuses is reported and skipped, the others are all committed together.
    pub fn import_households(
        &self,
        inputs: &[HouseholdInput],
        lang: &str,
    ) -> Result<Vec<Result<Created>>> {
        let day = today();
        let checked: Vec<Result<()>> = inputs
            .iter()
            .map(|h| form_rules::check_new(h, lang, day))
            .collect();
        let accepted: Vec<HouseholdInput> = inputs
            .iter()
            .zip(&checked)
            .filter(|(_, c)| c.is_ok())
            .map(|(h, _)| h.clone())
            .collect();
        let mut stored = self
            .with_store(|store| {
                Ok(store.add_households(&accepted, None, form_id(), form_version())?)
            })?
            .into_iter();
        let mut out = Vec::with_capacity(inputs.len());
        for c in checked {
            out.push(match c {
                Ok(()) => match stored.next() {
                    Some(r) => r.map_err(AppError::from),
                    None => {
                        return Err(AppError::Internal(
                            "the store answered for fewer households than it was given".into(),
                        ))
                    }
                },
                Err(e) => Err(e),
            });
        }
        Ok(out)
    }

    /// Sets fields by path (`answers.rooms`, `members.<id>.name`, `status`), all or nothing, after the
    /// questionnaire's checks; `status=complete` is refused with [`AppError::Incomplete`] until the
    /// household, with the new values, validates.
    pub fn set_household_fields(
        &self,
        id_or_ref: &str,
        fields: &[(String, Value)],
        lang: &str,
    ) -> Result<(Household, Vec<Warning>)> {
        self.with_store(|store| {
            let before = store.get(id_or_ref)?.household;
            form_rules::check_set(&before, fields, lang, today())?;
            Ok(store.set_fields(id_or_ref, fields)?)
        })
    }

    /// Validates a stored household against the questionnaire (messages in `lang`) and scores it.
    pub fn validate_household(&self, id_or_ref: &str, lang: &str) -> Result<ValidationReport> {
        let h = self.with_store(|store| Ok(store.get(id_or_ref)?.household))?;
        let instance = Instance::from_household_json(&serde_json::to_value(&h)?)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let form = engine_form();
        form.open(&instance)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let day = today();
        let v = form.validate(&instance, lang, day);
        let pmt = pmt_model().score_on(&instance, day);
        Ok(ValidationReport {
            complete: v.is_complete(),
            form_id: v.form_id,
            form_version: v.form_version,
            missing: v.missing,
            invalid: v.invalid,
            unknown: v.unknown,
            calculated: v.calculated,
            pmt: ReportPmt {
                model_version: pmt.model_version,
                score: pmt.score,
                contributions: pmt.contributions,
                programmes: pmt.programmes,
            },
        })
    }

    /// One household (by id or reference number) with its open conflicts.
    pub fn household(&self, id_or_ref: &str) -> Result<HouseholdView> {
        self.with_store(|store| Ok(store.get(id_or_ref)?))
    }

    /// A page of households matching `filter` (area and everything under it, search, workflow status),
    /// newest change first.
    pub fn household_rows(&self, filter: &ListFilter) -> Result<Vec<HouseholdSummary>> {
        self.with_store(|store| Ok(store.list(filter)?))
    }
}
