//! The datasets an export writes, and what each must provide: its columns and its rows a page at a
//! time ([`Dataset`]). [`What`] names them (`--what`, the console's form, the files' names).
//!
//! `households` and `members` both read the registry's households through [`HouseholdPages`]: a
//! page of stored documents in (area, id) order, decoded into `Household`s, turned into rows and
//! dropped before the next page is read. `payments` and `grievances` each read through their own
//! feature's paged read (`Registry::payment_export_page`, `Registry::grievance_export_page`),
//! never another feature's tables; `submissions` reads one form's reports through
//! `Registry::submission_export_page`, its columns from the form's published versions.

mod grievances;
mod households;
mod members;
mod payments;
mod submissions;

pub use grievances::Grievances;
pub use households::Households;
pub use members::Members;
pub use payments::Payments;
pub use submissions::Submissions;

use crate::column::Column;
use crate::error::ExportError;
use crate::value::Value;
use shumari_domain::automerge::AutoCommit;
use shumari_domain::{Household, HouseholdDoc};
use shumari_registry::service::ExportGrant;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Registry, Storage};
use std::future::Future;
use uuid::Uuid;

/// One row: a value per column of the dataset, in column order.
pub type Row = Vec<Value>;

/// Households read (and decoded) per page: what memory holds at once.
pub const PAGE: usize = 200;

/// A dataset that can be exported.
pub trait Dataset<S: Storage + ConsoleStorage>: Send {
    /// Every column, personal ones included (the exporter leaves those out for a role without the
    /// right to them).
    fn columns(&self) -> &[Column];

    /// The next page of rows (each as long as [`Dataset::columns`]); `None` once there are no more.
    /// A page may be empty without being the last.
    fn next_page(
        &mut self,
        reg: &Registry<S>,
    ) -> impl Future<Output = Result<Option<Vec<Row>>, ExportError>> + Send;
}

/// A dataset by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// One row per household.
    Households,
    /// One row per member of a household's roster.
    Members,
    /// One row per payment of a payment cycle.
    Payments,
    /// One row per grievance.
    Grievances,
    /// One row per report filled with a published form (the request names the form).
    Submissions,
}

impl What {
    /// Every dataset.
    pub const ALL: [What; 5] = [
        What::Households,
        What::Members,
        What::Payments,
        What::Grievances,
        What::Submissions,
    ];

    /// The name (`--what`, file names).
    pub fn as_str(self) -> &'static str {
        match self {
            What::Households => "households",
            What::Members => "members",
            What::Payments => "payments",
            What::Grievances => "grievances",
            What::Submissions => "submissions",
        }
    }

    /// From its name.
    pub fn parse(s: &str) -> Result<What, ExportError> {
        What::ALL
            .into_iter()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| {
                ExportError::BadRequest(format!(
                    "`{s}` is not a dataset; use one of households, members, payments, grievances, submissions"
                ))
            })
    }

    /// The dataset's columns (all of them, personal ones included), without reading the registry
    /// (for `submissions`, those before the form's questions).
    pub fn columns(self) -> Vec<Column> {
        match self {
            What::Households => households::columns(),
            What::Members => members::columns(),
            What::Payments => payments::columns(),
            What::Grievances => grievances::columns(),
            What::Submissions => submissions::columns(),
        }
    }
}

/// The households of an export grant, a page at a time, decoded.
#[derive(Debug)]
pub struct HouseholdPages {
    grant: ExportGrant,
    since: Option<i64>,
    after: Option<(String, Uuid)>,
    done: bool,
}

impl HouseholdPages {
    /// The households of `grant` changed at or after `since` (ms since epoch) when given.
    pub fn new(grant: ExportGrant, since: Option<i64>) -> HouseholdPages {
        HouseholdPages {
            grant,
            since,
            after: None,
            done: false,
        }
    }

    /// The next page of households; `None` after the last.
    pub async fn next<S: Storage + ConsoleStorage>(
        &mut self,
        reg: &Registry<S>,
    ) -> Result<Option<Vec<Household>>, ExportError> {
        if self.done {
            return Ok(None);
        }
        let page = reg
            .export_page(&self.grant, self.since, self.after.take(), PAGE)
            .await?;
        self.done = page.next.is_none();
        self.after = page.next;
        let mut out = Vec::with_capacity(page.docs.len());
        for d in page.docs {
            let am = AutoCommit::load(&d.doc)
                .map_err(|e| ExportError::Document(format!("{}: {e}", d.id)))?;
            let h = HouseholdDoc::from_automerge(am)
                .and_then(|hd| hd.household())
                .map_err(|e| ExportError::Document(format!("{}: {e}", d.id)))?;
            out.push(h);
        }
        Ok(Some(out))
    }
}
