//! Social protection programmes as data: the programme file, eligibility and the entitlement a
//! payment cycle is made from. No IO: a programme is read from its text, a household is given.
//!
//! - [`file`]: the programme file (TOML) and its check, every problem named by line:
//!   [`Programme::from_toml_str`].
//! - [`conditions`]: conditions are XLSForm expressions evaluated by the questionnaire's engine
//!   over the household (one condition language in the product), with the values the
//!   questionnaire calculates (`age_years`, `disabled`, ...).
//! - [`eligibility()`]: the PMT score against the limit (or an override's), the exclusion rules and
//!   the members the programme needs, with plain-words reasons in English and Urdu.
//! - [`entitlement()`]: what an enrolled household is owed for a [`Period`], exact in paisa, paid
//!   to the member the payee rules choose, conditions to keep receiving checked against
//!   [`Compliance`] records: a `shumari_domain::PlannedPayment`.
//! - [`shipped`]: the illustrative programme files (Kafalat, Taleemi Wazaif, Nashonuma).
//!
//! Programme rules live in the programme file: nothing here names a programme, a question or an
//! amount (only the questionnaire's calculated values are computed here, as its `calculate` rows
//! compute them).
//!
//! ```
//! use shumari_programmes::{shipped, Programme};
//! let kafalat = Programme::from_toml_str(shipped::KAFALAT).unwrap();
//! assert_eq!(kafalat.pmt_at_most, 32.0);
//! let e = Programme::from_toml_str("id = \"x\"\nversion = \"1\"\nbogus = 1\n").unwrap_err();
//! assert_eq!(e.issues[0].line, 3);
//! ```

pub mod conditions;
pub mod eligibility;
pub mod entitlement;
pub mod file;
pub mod period;
pub mod shipped;

pub use eligibility::{eligibility, Eligibility, Reason};
pub use entitlement::{entitlement, entitlement_explained, Compliance, NoPayment};
pub use file::{FileError, FileIssue, Programme};
pub use period::{BadPeriod, Period};
