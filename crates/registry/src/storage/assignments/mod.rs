//! The assignments a supervisor makes (migration V12): which surveyor is given which area (with an
//! optional target) or which household, by whom and when, and when it was withdrawn. A withdrawn
//! assignment keeps its row, so the record says who took it back; only active ones are read for
//! tablets and the console.
//!
//! Who may assign what, and the progress of each assignment, are the service's
//! (`service/assignments.rs`, with the domain's `assignment` rules); each backend (`sqlite.rs`,
//! `postgres.rs`) only stores and reads the columns, with fixed statements and bound parameters,
//! and [`AssignmentStore`] is a supertrait of [`super::Storage`], so every backend has it.

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::{Result, StorageError};
use shumari_domain::assignment::{Assignment, Work};
use std::future::Future;
use uuid::Uuid;

/// One assignment as stored: the assignment and, once withdrawn, when and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    /// The assignment.
    pub assignment: Assignment,
    /// When it was withdrawn (ms since epoch).
    pub withdrawn_at: Option<i64>,
    /// Who withdrew it (user id).
    pub withdrawn_by: Option<String>,
}

/// The assignment columns in the order both backends select them.
pub(super) struct Columns {
    pub id: String,
    pub surveyor: String,
    pub kind: String,
    pub area: String,
    pub household_id: Option<String>,
    pub reference: Option<String>,
    pub target: Option<i64>,
    pub assigned_by: String,
    pub assigned_by_name: String,
    pub assigned_at: i64,
    pub withdrawn_at: Option<i64>,
    pub withdrawn_by: Option<String>,
}

/// The select list [`Columns`] reads, as a literal for `concat!` (statements stay fixed text).
macro_rules! assignment_columns {
    () => {
        "SELECT id, surveyor, kind, area, household_id, reference, target, assigned_by,
                assigned_by_name, assigned_at, withdrawn_at, withdrawn_by FROM assignments"
    };
}
pub(super) use assignment_columns;

impl Columns {
    /// The row back as typed values (the registry wrote them, so another shape is a damaged row).
    pub fn into_row(self) -> Result<AssignmentRow> {
        let bad = |what: &str| StorageError::Other(format!("bad assignment row: {what}"));
        let work = match self.kind.as_str() {
            "area" => Work::Area {
                code: self.area,
                target: self
                    .target
                    .map(|t| u32::try_from(t).map_err(|_| bad("target")))
                    .transpose()?,
            },
            "household" => Work::Household {
                id: self
                    .household_id
                    .as_deref()
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .ok_or_else(|| bad("household"))?,
                reference: self.reference.unwrap_or_default(),
                area: self.area,
            },
            _ => return Err(bad("kind")),
        };
        Ok(AssignmentRow {
            assignment: Assignment {
                id: self.id,
                surveyor: self.surveyor,
                work,
                assigned_by: self.assigned_by,
                assigned_by_name: self.assigned_by_name,
                assigned_at: self.assigned_at,
            },
            withdrawn_at: self.withdrawn_at,
            withdrawn_by: self.withdrawn_by,
        })
    }
}

/// The columns an assignment is written with: (kind, area, household id, reference, target).
pub(super) fn work_columns(
    w: &Work,
) -> (
    &'static str,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
) {
    match w {
        Work::Area { code, target } => ("area", code.clone(), None, None, target.map(i64::from)),
        Work::Household {
            id,
            reference,
            area,
        } => (
            "household",
            area.clone(),
            Some(id.to_string()),
            Some(reference.clone()),
            None,
        ),
    }
}

/// Assignments. Every method is one transaction.
pub trait AssignmentStore {
    /// Stores a new assignment.
    fn put_assignment(&self, a: &Assignment) -> impl Future<Output = Result<()>> + Send;
    /// One assignment (active or withdrawn).
    fn assignment(&self, id: &str) -> impl Future<Output = Result<Option<AssignmentRow>>> + Send;
    /// Withdraws an active assignment; `false` when it is not active (withdrawn meanwhile, or
    /// unknown).
    fn withdraw_assignment(
        &self,
        id: &str,
        by: &str,
        at: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// The active assignments of one surveyor, oldest first.
    fn assignments_of(
        &self,
        surveyor: &str,
    ) -> impl Future<Output = Result<Vec<Assignment>>> + Send;
    /// Up to `limit` active assignments whose area lies under `area` (the domain's `AreaRange`),
    /// by (area, id).
    fn assignments_under(
        &self,
        area: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Assignment>>> + Send;
}
