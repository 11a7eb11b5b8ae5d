//! Errors of the questionnaire engine.
//!
//! A form that does not load is described by [`FormIssue`]s: each names the sheet (`survey`, `choices`,
//! `settings`), the spreadsheet row (row 1 is the header, so the first question is row 2; in the TOML
//! format row 2 is the first `[[survey]]` entry, which is the row it gets when exported to .xlsx) and
//! the column, so that a form author can go straight to the cell.
//!
//! Loading also yields warnings, located the same way (a [`FormIssue`] too): what the engine reads
//! past without refusing the form (a sheet or column it does not use, a value in a column without a
//! header, a setting it does not honour, a `form_id` or `version` it had to derive). A form with
//! warnings loads; a form with errors does not, and its warnings are reported alongside the errors
//! (an ignored column `lable` explains a missing label). Readers and the builder push both kinds
//! into one `Issues`.

use serde::Serialize;
use std::fmt;

/// One problem in a form source, located by sheet, row and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormIssue {
    /// `survey`, `choices`, `settings`, `file` for problems with the file as a whole, or (in a
    /// warning) the name of another sheet of the workbook.
    pub sheet: String,
    /// Spreadsheet row (1 = header); 0 when the problem is not about one row.
    pub row: usize,
    /// Column name; empty when the problem is not about one column.
    pub column: String,
    /// What is wrong, for the form author.
    pub message: String,
}

impl FormIssue {
    pub(crate) fn new(
        sheet: &str,
        row: usize,
        column: &str,
        message: impl Into<String>,
    ) -> FormIssue {
        FormIssue {
            sheet: sheet.to_string(),
            row,
            column: column.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn file(message: impl Into<String>) -> FormIssue {
        FormIssue::new("file", 0, "", message)
    }
}

impl fmt::Display for FormIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sheet {}", self.sheet)?;
        if self.row > 0 {
            write!(f, ", row {}", self.row)?;
        }
        if !self.column.is_empty() {
            write!(f, ", column {}", self.column)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Errors and warnings found while loading a form source.
#[derive(Debug, Default)]
pub(crate) struct Issues {
    /// Problems that refuse the form.
    pub errors: Vec<FormIssue>,
    /// What was read past; the form still loads.
    pub warnings: Vec<FormIssue>,
}

impl Issues {
    /// Records an error.
    pub fn push(&mut self, sheet: &str, row: usize, col: &str, msg: impl Into<String>) {
        self.errors.push(FormIssue::new(sheet, row, col, msg));
    }

    /// Records a warning.
    pub fn warn(&mut self, sheet: &str, row: usize, col: &str, msg: impl Into<String>) {
        self.warnings.push(FormIssue::new(sheet, row, col, msg));
    }
}

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// The form source has problems (all of them are listed).
    #[error("the form has {} problem(s): {}", .0.len(), join(.0))]
    Invalid(Vec<FormIssue>),
    /// A household's JSON does not have the expected shape.
    #[error("{path}: {message}")]
    Instance {
        /// Where in the household JSON.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A household was filled with another form, or a newer version of this one.
    #[error("{0}")]
    Version(String),
    /// The PMT model file does not load.
    #[error("PMT model: {0}")]
    Pmt(String),
    /// Writing the .xlsx failed.
    #[error("writing xlsx: {0}")]
    Xlsx(String),
}

fn join(issues: &[FormIssue]) -> String {
    issues
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl FormError {
    /// The located issues, when the error is about a form source.
    pub fn issues(&self) -> &[FormIssue] {
        match self {
            FormError::Invalid(v) => v,
            _ => &[],
        }
    }
}
