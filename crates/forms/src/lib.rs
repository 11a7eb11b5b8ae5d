//! Shumari's questionnaire engine: XLSForm-compatible forms, ODK XPath expressions, validation of a
//! household against its form, and the (illustrative) proxy means test. No IO besides the explicit
//! .xlsx functions taking bytes.
//!
//! - [`model`]: the form model ([`Form`], [`Question`], [`Choice`], [`Settings`]).
//! - [`text_format`]: the TOML form format that mirrors XLSForm's sheets (reviewable in git);
//!   [`Form::from_xlsx_bytes`] / [`Form::to_xlsx_bytes`] read and write `.xlsx` XLSForms.
//! - [`expr`]: the ODK XPath subset: parser and evaluator with JavaRosa's empty-value semantics.
//! - [`instance`]: a household's answers ([`Instance::from_household_json`], the JSON contract).
//! - [`validate`]: [`Form::validate`] (missing, invalid, unknown, calculated, in one language) and
//!   [`Form::check_value`] (refuse one bad write).
//! - [`evaluation`]: [`Form::evaluate`], everything a screen needs in one call: relevance of every
//!   question, note and group at every place, the choices a `choice_filter` offers there, required and
//!   read-only flags, calculations, and findings with messages in every language of the form.
//! - [`pmt`]: [`pmt_model`] and [`PmtModel::score_on`].
//!
//! The engine never reads the clock: the date `today()` returns (and ages are computed against) is a
//! parameter of every call that needs one.
//!
//! ```
//! use shumari_forms::{household_form, Instance};
//! let form = household_form();
//! let h = serde_json::json!({"area": "PK60301", "answers": {"rooms": 0}, "members": []});
//! let inst = Instance::from_household_json(&h).unwrap();
//! let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
//! let v = form.validate(&inst, "en", today);
//! assert!(!v.is_complete());
//! assert!(v.invalid.iter().any(|i| i.path == "answers.rooms"));
//! ```

mod build;
mod check;
pub mod error;
pub mod evaluation;
pub mod expr;
pub mod instance;
mod messages;
pub mod model;
pub mod pmt;
mod raw;
mod state;
pub mod text_format;
mod typing;
pub mod validate;
mod xlsx;

pub use error::{FormError, FormIssue};
pub use evaluation::{Evaluation, Finding, Item, RowRef};
pub use instance::{Instance, Row};
pub use model::{Choice, Flag, Form, Question, QuestionType, Settings, Text};
pub use pmt::{pmt_model, Contribution, PmtModel, PmtResult, ProgrammeResult};
pub use validate::{compare_versions, Issue, Validation};

use std::sync::OnceLock;

impl Form {
    /// Loads a form from the TOML text format.
    pub fn from_toml_str(src: &str) -> Result<Form, FormError> {
        let raw = text_format::read(src).map_err(FormError::Invalid)?;
        build::build(&raw).map_err(FormError::Invalid)
    }

    /// Writes the form in the TOML text format.
    pub fn to_toml_string(&self) -> String {
        text_format::write(&build::unbuild(self))
    }

    /// Loads an XLSForm `.xlsx` workbook (sheets `survey`, `choices`, `settings`).
    pub fn from_xlsx_bytes(bytes: &[u8]) -> Result<Form, FormError> {
        let raw = xlsx::read(bytes).map_err(FormError::Invalid)?;
        build::build(&raw).map_err(FormError::Invalid)
    }

    /// Writes the form as an XLSForm `.xlsx` workbook.
    pub fn to_xlsx_bytes(&self) -> Result<Vec<u8>, FormError> {
        xlsx::write(&build::unbuild(self))
    }
}

/// Every problem in a form source, for `shumari form check`. `file_name` decides the format
/// (`.xlsx`, else TOML; a zip signature also means .xlsx). Empty when the form is valid.
pub fn check_form_source(file_name: &str, bytes: &[u8]) -> Vec<FormIssue> {
    let is_xlsx =
        file_name.to_ascii_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04");
    let result = if is_xlsx {
        Form::from_xlsx_bytes(bytes)
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => Form::from_toml_str(s),
            Err(e) => return vec![FormIssue::file(format!("not UTF-8 text: {e}"))],
        }
    };
    match result {
        Ok(_) => Vec::new(),
        Err(FormError::Invalid(issues)) => issues,
        Err(other) => vec![FormIssue::file(other.to_string())],
    }
}

/// The shipped questionnaire's source (TOML).
pub const HOUSEHOLD_FORM_TOML: &str = include_str!("../questionnaires/nser-household.toml");

/// The shipped NSER household questionnaire, parsed once.
pub fn household_form() -> &'static Form {
    static FORM: OnceLock<Form> = OnceLock::new();
    FORM.get_or_init(|| match Form::from_toml_str(HOUSEHOLD_FORM_TOML) {
        Ok(f) => f,
        // The shipped file is checked by this crate's tests; failing here is a build defect.
        Err(e) => panic!("the shipped questionnaire does not load: {e}"),
    })
}
