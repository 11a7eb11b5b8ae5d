//! Shumari's questionnaire engine: XLSForm-compatible forms, ODK XPath expressions, validation of a
//! household against its form, and the (illustrative) proxy means test. No IO: form sources (TOML,
//! `.xlsx`, `.xls`, `.ods`) are read from bytes.
//!
//! - [`model`]: the form model ([`Form`], [`Question`], [`Choice`], [`Settings`]).
//! - [`text_format`]: the TOML form format that mirrors XLSForm's sheets (reviewable in git);
//!   [`Form::load`] reads any source by name and content (TOML, `.xlsx`, `.xls`, `.ods`) and returns
//!   the form with its load warnings ([`Loaded`]); [`Form::to_xlsx_bytes`] writes `.xlsx` XLSForms;
//!   [`check_source`] is what `shumari form check` reports.
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

mod aliases;
pub mod attachments;
mod build;
mod check;
pub mod error;
pub mod evaluation;
pub mod expr;
pub mod instance;
pub mod languages;
mod messages;
pub mod metadata;
pub mod model;
pub mod pmt;
mod question_types;
mod raw;
mod source;
mod state;
pub mod text_format;
mod typing;
pub mod validate;
mod workbook;

pub use error::{FormError, FormIssue};
pub use evaluation::{Evaluation, Finding, Item, RowRef};
pub use instance::{Instance, Row};
pub use model::{
    Choice, External, Flag, Form, Media, Meta, OtherSheet, Question, QuestionType, RangeParams,
    Settings, Text,
};
pub use pmt::{pmt_model, Contribution, PmtModel, PmtResult, ProgrammeResult};
pub use question_types::Preset;
pub use source::{check_source, check_source_with, Attachment, Loaded, SourceCheck, SourceFormat};
pub use validate::{compare_versions, Issue, Validation};

use std::sync::OnceLock;

impl Form {
    /// Loads a form source of any format (see [`SourceFormat::detect`]): the form and its load
    /// warnings. `file_name` also gives the `form_id` when the settings have none.
    pub fn load(file_name: &str, bytes: &[u8]) -> Result<Loaded, FormError> {
        Form::load_with_attachments(file_name, bytes, &[])
    }

    /// Loads a form source with the files attached to it (see [`attachments`]): a malformed CSV
    /// refuses the form like a bad sheet; a file the form needs and is not given is a warning.
    pub fn load_with_attachments(
        file_name: &str,
        bytes: &[u8],
        attachments: &[Attachment<'_>],
    ) -> Result<Loaded, FormError> {
        let format = SourceFormat::detect(file_name, bytes);
        match source::load(format, Some(file_name), bytes, attachments) {
            (Some(form), issues) => Ok(Loaded {
                form,
                warnings: issues.warnings,
            }),
            (None, issues) => Err(FormError::Invalid(issues.errors)),
        }
    }

    /// Loads a form from the TOML text format (`form_id` is required; warnings are dropped: use
    /// [`Form::load`] to see them).
    pub fn from_toml_str(src: &str) -> Result<Form, FormError> {
        Form::from_source(SourceFormat::Toml, src.as_bytes())
    }

    /// Writes the form in the TOML text format.
    pub fn to_toml_string(&self) -> String {
        text_format::write(&build::unbuild(self))
    }

    /// Loads an XLSForm workbook (`.xlsx`, `.xls` or `.ods`, told apart by content; `form_id` is
    /// required; warnings are dropped: use [`Form::load`] to see them).
    pub fn from_xlsx_bytes(bytes: &[u8]) -> Result<Form, FormError> {
        let format = match SourceFormat::detect("", bytes) {
            SourceFormat::Toml => SourceFormat::Xlsx,
            workbook => workbook,
        };
        Form::from_source(format, bytes)
    }

    fn from_source(format: SourceFormat, bytes: &[u8]) -> Result<Form, FormError> {
        match source::load(format, None, bytes, &[]) {
            (Some(form), _) => Ok(form),
            (None, issues) => Err(FormError::Invalid(issues.errors)),
        }
    }

    /// Writes the form as an XLSForm `.xlsx` workbook.
    pub fn to_xlsx_bytes(&self) -> Result<Vec<u8>, FormError> {
        workbook::write(&build::unbuild(self))
    }
}

/// Every error in a form source, for `shumari form check` (empty when the form loads; warnings
/// are in [`check_source`]). The format is recognised by content and by `file_name`'s extension.
pub fn check_form_source(file_name: &str, bytes: &[u8]) -> Vec<FormIssue> {
    check_source(file_name, bytes).errors
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
