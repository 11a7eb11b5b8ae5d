//! The sheets as rows of text cells: what both source formats (TOML, .xlsx) read into and write from.
//! Keeping one intermediate shape means the column rules live once, in [`crate::build`]. Both readers
//! spell column names the same way through [`canonical_column`] (an alias or a known column in any
//! case is the canonical name), and sheet names through [`canonical_sheet`].

use crate::model::OtherSheet;

/// One row: its spreadsheet row number and its non-empty cells, column name to text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RawRow {
    pub row: usize,
    pub cells: Vec<(String, String)>,
}

impl RawRow {
    pub fn get(&self, col: &str) -> Option<&str> {
        self.cells
            .iter()
            .find(|(c, _)| c == col)
            .map(|(_, v)| v.as_str())
    }
}

/// The three sheets, and the workbook's other sheets as read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RawForm {
    pub survey: Vec<RawRow>,
    pub choices: Vec<RawRow>,
    pub settings: Option<RawRow>,
    pub other_sheets: Vec<OtherSheet>,
}

/// The sheets the engine reads.
pub(crate) const SHEETS: &[&str] = &["survey", "choices", "settings"];

/// `survey`, `choices` or `settings` for a sheet name in any case (`SURVEY`, `Choices`); `None` for
/// any other sheet.
pub(crate) fn canonical_sheet(name: &str) -> Option<&'static str> {
    SHEETS
        .iter()
        .copied()
        .find(|s| s.eq_ignore_ascii_case(name.trim()))
}

/// A header as the builder expects it: on `survey` and `choices`, pyxform's aliases and the known
/// columns in any case (`TYPE`, `constraint message`, `label:English`) become their canonical names
/// ([`crate::aliases`]); on `settings`, a known setting in any case or its alias becomes its name.
/// Any other header is kept as written (a choices column like `District` is what `choice_filter`
/// names).
pub(crate) fn canonical_column(sheet: &str, header: &str) -> String {
    let header = header.trim();
    match sheet {
        "survey" => return crate::aliases::column(sheet, header, SURVEY_ORDER),
        "choices" => return crate::aliases::column(sheet, header, CHOICES_ORDER),
        _ => {}
    }
    let (base, rest) = match header.find("::") {
        Some(i) => header.split_at(i),
        None => (header, ""),
    };
    let alias = SETTINGS_ALIASES
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(base))
        .map(|(_, s)| s);
    match alias.or_else(|| KNOWN_SETTINGS.iter().find(|k| k.eq_ignore_ascii_case(base))) {
        Some(k) => format!("{k}{rest}"),
        None => header.to_string(),
    }
}

/// Columns in the order they are written, for one sheet: every column any row uses.
pub(crate) fn columns(rows: &[RawRow], order: &[&str]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for r in rows {
        for (c, _) in &r.cells {
            if !seen.contains(c) {
                seen.push(c.clone());
            }
        }
    }
    let rank = |c: &str| {
        let base = c.split("::").next().unwrap_or(c);
        order.iter().position(|o| *o == base).unwrap_or(order.len())
    };
    seen.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.contains("::").cmp(&b.contains("::")))
            .then_with(|| a.cmp(b))
    });
    seen
}

/// Survey columns in canonical order.
pub(crate) const SURVEY_ORDER: &[&str] = &[
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "default",
    "choice_filter",
    "read_only",
    "repeat_count",
    "appearance",
];

/// Choices columns in canonical order (extra columns follow, sorted).
pub(crate) const CHOICES_ORDER: &[&str] = &["list_name", "name", "label"];

/// Settings columns in canonical order: the four the engine uses, then the rest of [`KNOWN_SETTINGS`].
pub(crate) const SETTINGS_ORDER: &[&str] = KNOWN_SETTINGS;

/// Every setting XLSForm defines (pyxform's settings and their aliases, the XLSForm specification's
/// settings sheet). The first four are used by the engine; the others are kept and written back, and
/// a column not in this list is kept with a warning. `attribute::NAME` columns are known too.
pub(crate) const KNOWN_SETTINGS: &[&str] = &[
    "form_id",
    "version",
    "default_language",
    "form_title",
    "instance_name",
    "style",
    "public_key",
    "submission_url",
    "auto_send",
    "auto_delete",
    "allow_choice_duplicates",
    "clean_text_values",
    "name",
    "namespaces",
    "omit_instanceID",
    "instance_xmlns",
    "sms_keyword",
    "sms_separator",
    "sms_allow_media",
    "sms_date_format",
    "sms_datetime_format",
    "prefix",
    "delimiter",
];

/// Settings that pyxform accepts under another name: alias, setting.
/// (`title` and `id_string` are the names pyxform gives them internally, and reads as written.)
pub(crate) const SETTINGS_ALIASES: &[(&str, &str)] = &[
    ("set form title", "form_title"),
    ("title", "form_title"),
    ("set form id", "form_id"),
    ("id_string", "form_id"),
];
