//! Loading a form source from its bytes: which format it is, reading it into sheet rows, building
//! the form, and the settings a file may leave out.
//!
//! The format is recognised by content first ([`SourceFormat::detect`]): a zip file is `.ods` when
//! its first entry says so (`mimetype` = OpenDocument spreadsheet) and `.xlsx` otherwise; the
//! OLE/CFB signature `D0 CF 11 E0` is the older Excel `.xls`; anything else is taken by its
//! extension, and text without one is the TOML format.
//!
//! A settings sheet is optional, as in pyxform: without a `form_id` the file's name without its
//! extension is the id, and without a `version` the version is the first 8 hex digits of the
//! SHA-256 of the file's bytes (pyxform leaves the version out; a form's households need one). Both
//! defaults are stated as warnings, so `shumari form check` shows where the id and version came from.

use crate::error::{FormIssue, Issues};
use crate::model::Form;
use crate::{build, text_format, workbook};
use sha2::{Digest, Sha256};

/// The file formats a form is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// The TOML text format ([`crate::text_format`]).
    Toml,
    /// Excel 2007+ (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel 97-2003 (`.xls`).
    Xls,
    /// OpenDocument spreadsheet (`.ods`).
    Ods,
}

const ZIP: &[u8] = b"PK\x03\x04";
const CFB: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// An OpenDocument file's first zip entry is `mimetype`, stored uncompressed: its name starts at
/// byte 30 and its content follows.
const ODS_MIMETYPE: &[u8] = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet";

impl SourceFormat {
    /// The format of `bytes`, by content, then by the extension of `file_name`.
    pub fn detect(file_name: &str, bytes: &[u8]) -> SourceFormat {
        let ext = file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if bytes.starts_with(ZIP) {
            if bytes.get(30..).is_some_and(|b| b.starts_with(ODS_MIMETYPE)) || ext == "ods" {
                SourceFormat::Ods
            } else {
                SourceFormat::Xlsx
            }
        } else if bytes.starts_with(CFB) {
            SourceFormat::Xls
        } else {
            match ext.as_str() {
                "xlsx" | "xlsm" => SourceFormat::Xlsx,
                "xls" => SourceFormat::Xls,
                "ods" => SourceFormat::Ods,
                _ => SourceFormat::Toml,
            }
        }
    }

    /// The usual extension, with its dot.
    pub fn extension(self) -> &'static str {
        match self {
            SourceFormat::Toml => ".toml",
            SourceFormat::Xlsx => ".xlsx",
            SourceFormat::Xls => ".xls",
            SourceFormat::Ods => ".ods",
        }
    }
}

/// A form that loaded, and what loading it noticed.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The form.
    pub form: Form,
    /// Warnings, located like errors: what was ignored or derived (see [`crate::error`]).
    pub warnings: Vec<FormIssue>,
}

/// Everything known about a form source, loaded or not: for `shumari form check`.
#[derive(Debug, Clone)]
pub struct SourceCheck {
    /// The format the bytes were read as.
    pub format: SourceFormat,
    /// The form, when there are no errors.
    pub form: Option<Form>,
    /// Problems that refuse the form (empty when `form` is set).
    pub errors: Vec<FormIssue>,
    /// What was ignored or derived; reported with or without errors.
    pub warnings: Vec<FormIssue>,
}

/// Values for the settings a source leaves out.
pub(crate) struct Defaults {
    /// The file's name without its extension; without a file name `form_id` is required.
    pub form_id: Option<String>,
    /// Derived from the source's bytes.
    pub version: String,
}

/// The version a source without one gets: the first 8 hex digits of the SHA-256 of its bytes.
pub(crate) fn content_version(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn file_stem(file_name: &str) -> Option<String> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s).trim();
    (!stem.is_empty()).then(|| stem.to_string())
}

/// A file given with a form source: its name and bytes (see [`crate::attachments`]).
pub type Attachment<'a> = (&'a str, &'a [u8]);

/// Reads and builds a source and attaches its files: the form (when no errors), and every error
/// and warning (those of the attachments after the sheets').
pub(crate) fn load(
    format: SourceFormat,
    file_name: Option<&str>,
    bytes: &[u8],
    attachments: &[Attachment<'_>],
) -> (Option<Form>, Issues) {
    let (form, mut issues) = load_sheets(format, file_name, bytes);
    let Some(mut form) = form else {
        return (None, issues);
    };
    issues.errors.extend(form.attach_all(attachments));
    issues.warnings.extend(form.attachment_warnings());
    (issues.errors.is_empty().then_some(form), issues)
}

fn load_sheets(
    format: SourceFormat,
    file_name: Option<&str>,
    bytes: &[u8],
) -> (Option<Form>, Issues) {
    let mut issues = Issues::default();
    let raw = match format {
        SourceFormat::Toml => match std::str::from_utf8(bytes) {
            Ok(src) => text_format::read(src, &mut issues),
            Err(e) => {
                issues
                    .errors
                    .push(FormIssue::file(format!("not UTF-8 text: {e}")));
                None
            }
        },
        _ => workbook::read(format, bytes, &mut issues),
    };
    let defaults = Defaults {
        form_id: file_name.and_then(file_stem),
        version: content_version(bytes),
    };
    let form = match raw {
        Some(raw) if issues.errors.is_empty() => build::build(&raw, &defaults, &mut issues),
        _ => None,
    };
    (form, issues)
}

/// Checks a source, keeping errors and warnings apart.
pub fn check_source(file_name: &str, bytes: &[u8]) -> SourceCheck {
    check_source_with(file_name, bytes, &[])
}

/// Checks a source with the files attached to it.
pub fn check_source_with(
    file_name: &str,
    bytes: &[u8],
    attachments: &[Attachment<'_>],
) -> SourceCheck {
    let format = SourceFormat::detect(file_name, bytes);
    let (form, issues) = load(format, Some(file_name), bytes, attachments);
    SourceCheck {
        format,
        form,
        errors: issues.errors,
        warnings: issues.warnings,
    }
}

impl Form {
    /// Survey rows by type, as `shumari form check` and the app's form preview count them:
    /// `select_one LIST` counts as `select_one`, and `end_group`/`end_repeat` rows are not counted.
    pub fn question_counts(&self) -> std::collections::BTreeMap<String, usize> {
        let mut by_type = std::collections::BTreeMap::new();
        for q in &self.survey {
            if matches!(
                q.kind,
                crate::QuestionType::EndGroup | crate::QuestionType::EndRepeat
            ) {
                continue;
            }
            let cell = q.kind.as_cell();
            let base = cell.split_whitespace().next().unwrap_or_default();
            *by_type.entry(base.to_string()).or_insert(0) += 1;
        }
        by_type
    }

    /// The form's language keys as its authors see them: the plain `label` column is `default`, as
    /// pyxform calls it.
    pub fn language_names(&self) -> Vec<String> {
        self.languages()
            .into_iter()
            .map(|l| if l.is_empty() { "default".into() } else { l })
            .collect()
    }
}
