//! The Shumari domain: what a household *is*, independent of where it is stored or how it travels.
//!
//! This crate does no IO: no files, no network, no clock except through [`doc::EditContext`] which the
//! caller fills in. Everything here is deterministic and unit-tested.
//!
//! - [`area`]: Pakistan's provinces, districts and tehsils (shipped list) plus union councils and villages
//!   added by district offices; "an area contains everything under it".
//! - [`id_number`]: CNIC / B-form numbers: shape rules (errors) and plausibility checks (warnings).
//! - [`household`]: households and members, the JSON a user gives, and the whole-household rules.
//! - [`reference`]: short reference numbers unique without coordination.
//! - [`money`]: amounts in paisa, read from and written as rupees.
//! - [`payment`]: what a programme owes a household for one instalment ([`PlannedPayment`]).
//! - [`roles`]: who may do what (role x action), the table the registry enforces.
//! - [`review`]: a supervisor's decision on a submitted household (approve, return, reject).
//! - [`summary`]: the list row every crate shows ([`HouseholdSummary`]) and what stores index.
//! - [`doc`]: the mapping of a household onto one automerge document (its key names in [`doc::keys`]),
//!   the full and the fast read, edits, and conflicts.
//!
//! Creating a household from user input:
//! ```
//! use shumari_domain::{AreaRegistry, HouseholdInput, NewHousehold, doc::EditContext};
//! let areas = AreaRegistry::builtin();
//! let input: HouseholdInput = serde_json::from_str(r#"{"area":"PK10101","answers":{"rooms":2},
//!     "members":[{"name":"Ayesha","relation":"head","sex":"female","age":34,"id_number":"35202-1234567-2"}]}"#).unwrap();
//! let at = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap(); // the caller's clock
//! let ctx = EditContext::new("surveyor-1", at);
//! let new = NewHousehold::from_input(&input, None, &areas, "PK10101-K7QD2-1", "nser-household", "1", &ctx).unwrap();
//! assert_eq!(new.household.members.len(), 1);
//! ```

pub mod area;
pub mod assignment;
pub mod doc;
pub mod error;
pub mod household;
pub mod id_number;
pub mod identity;
pub mod money;
pub mod names;
pub mod payment;
pub mod reference;
pub mod review;
pub mod roles;
pub mod summary;

pub use area::{Area, AreaLevel, AreaRange, AreaRegistry};
pub use assignment::{Assignment, Progress, Work};
pub use doc::{Conflict, ConflictValue, EditContext, FieldPath, HouseholdDoc, Paradata};
pub use error::{DomainError, Result};
pub use household::{
    Answers, GeoPoint, Household, HouseholdInput, Member, MemberInput, Relation, Sex, Status,
};
pub use id_number::{IdNumber, Warning};
pub use identity::{Verification, VerificationState};
pub use money::Paisa;
pub use payment::PlannedPayment;
pub use review::{Decision, Review};
pub use roles::{Action, Role, UnknownRole};
pub use summary::{HouseholdSummary, Projection, RosterMember, PHONE_ANSWER};

/// Automerge types the other crates need, re-exported so that everyone uses the one pinned version.
pub use automerge;

/// A validated new household and the warnings its data raised.
#[derive(Debug, Clone)]
pub struct NewHousehold {
    /// The household, status `draft`.
    pub household: Household,
    /// Plausibility warnings (ID number parity, province digit).
    pub warnings: Vec<Warning>,
}

impl NewHousehold {
    /// Validates user input into a new household. `area_override` (from a command-line flag) wins over
    /// the input's `area`.
    pub fn from_input(
        input: &HouseholdInput,
        area_override: Option<&str>,
        areas: &AreaRegistry,
        reference: &str,
        form_id: &str,
        form_version: &str,
        ctx: &EditContext,
    ) -> Result<Self> {
        let area = area_override
            .map(str::to_string)
            .or_else(|| input.area.clone())
            .ok_or_else(|| DomainError::InvalidField {
                field: "area".into(),
                problem: "the area code is missing (give `area` or --area)".into(),
            })?;
        areas.get(&area)?;
        let mut members = Vec::with_capacity(input.members.len());
        for (i, m) in input.members.iter().enumerate() {
            members.push(m.to_member(&format!("members[{i}]"), i as u32 + 1)?);
        }
        let household = Household {
            id: id_at(ctx.at),
            reference: reference.to_string(),
            area,
            gps: input.gps,
            form_id: form_id.to_string(),
            form_version: form_version.to_string(),
            answers: input.answers.clone(),
            members,
            status: Status::Draft,
            created_by: ctx.user.clone(),
            created_at: ctx.at,
            updated_by: ctx.user.clone(),
            updated_at: ctx.at,
            review: None,
        };
        let warnings = household.validate(areas, ctx.today)?;
        Ok(NewHousehold {
            household,
            warnings,
        })
    }
}

/// A new household id: a UUIDv7 whose time part is the edit's time (from the caller, like every time
/// in this crate), so ids still sort by creation; the rest is random, so devices need no coordination.
fn id_at(at: chrono::DateTime<chrono::Utc>) -> uuid::Uuid {
    let secs = u64::try_from(at.timestamp()).unwrap_or(0);
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, at.timestamp_subsec_nanos());
    uuid::Uuid::new_v7(ts)
}
