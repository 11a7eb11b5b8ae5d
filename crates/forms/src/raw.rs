//! The sheets as rows of text cells: what both source formats (TOML, .xlsx) read into and write from.
//! Keeping one intermediate shape means the column rules live once, in [`crate::build`].

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

/// The three sheets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RawForm {
    pub survey: Vec<RawRow>,
    pub choices: Vec<RawRow>,
    pub settings: Option<RawRow>,
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

/// Settings columns in canonical order.
pub(crate) const SETTINGS_ORDER: &[&str] =
    &["form_id", "version", "default_language", "form_title"];
