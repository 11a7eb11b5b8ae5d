//! Files that travel with a form: CSVs that `pulldata()` reads and that `select_one_from_file` /
//! `select_multiple_from_file` offer as choices, and the images, audio and video that `media::*`
//! columns name.
//!
//! A form names the files it needs ([`Form::attachment_needs`]); whoever reads the form from disk
//! (the CLI, the field app) reads those files from beside it or from its `<form>-media/` folder, as
//! ODK Collect lays them out, and gives their bytes to [`Form::attach`] or
//! [`Form::load_with_attachments`]. The engine itself does no IO.
//!
//! A CSV is parsed once when it is attached (header row first; UTF-8 with or without a byte order
//! mark; comma-separated as pyxform and ODK expect); a malformed CSV refuses the form with the file,
//! line and reason, like a bad sheet. A file the form needs but is not given is a warning naming the
//! row that needs it, and the engine degrades as ODK Collect does without the file: `pulldata()`
//! gives an empty value and a select from the file offers no choices (and accepts any name).
//!
//! Lookups by key are indexed per column on first use, so a `pulldata()` over a 100,000-row CSV
//! costs one hash lookup per evaluation after the first.

use crate::error::FormIssue;
use crate::expr::{Expr, Func};
use crate::model::{Choice, Form, QuestionType, Text};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

/// The files attached to a form, by file name.
#[derive(Debug, Clone, Default)]
pub struct Attachments {
    files: BTreeMap<String, Attached>,
}

#[derive(Debug, Clone)]
struct Attached {
    bytes: Arc<[u8]>,
    /// The parsed rows, for a `.csv`.
    table: Option<Arc<Table>>,
}

/// A parsed CSV: the header and the rows (each as long as the header).
#[derive(Debug)]
pub(crate) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Per column, the first row holding each value (built on first use).
    index: Vec<OnceLock<HashMap<String, usize>>>,
}

impl Table {
    fn parse(name: &str, bytes: &[u8]) -> Result<Table, FormIssue> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| csv_issue(name, &e))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if header.iter().all(String::is_empty) {
            return Err(FormIssue::new(name, 1, "", "the CSV has no header row"));
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_issue(name, &e))?;
            rows.push(record.iter().map(|c| c.trim().to_string()).collect());
        }
        let index = header.iter().map(|_| OnceLock::new()).collect();
        Ok(Table {
            header,
            rows,
            index,
        })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The value of `column` in the first row whose `key_column` is `key`.
    pub(crate) fn lookup(&self, column: &str, key_column: &str, key: &str) -> Option<&str> {
        let (c, k) = (self.column(column)?, self.column(key_column)?);
        let index = self.index[k].get_or_init(|| {
            let mut m = HashMap::with_capacity(self.rows.len());
            for (i, row) in self.rows.iter().enumerate() {
                m.entry(row[k].clone()).or_insert(i);
            }
            m
        });
        index.get(key).map(|&i| self.rows[i][c].as_str())
    }
}

fn csv_issue(name: &str, e: &csv::Error) -> FormIssue {
    let line = e.position().map_or(0, |p| p.line() as usize);
    let why = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} field(s) where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "the CSV is not UTF-8 text".to_string(),
        _ => e.to_string(),
    };
    FormIssue::new(name, line, "", why)
}

impl Attachments {
    /// The attached files' names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// An attached file's bytes.
    pub fn bytes(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(|a| &*a.bytes)
    }

    /// Whether no file is attached.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub(crate) fn table(&self, name: &str) -> Option<&Table> {
        self.files.get(name)?.table.as_deref()
    }
}

/// What a form uses a file for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// `pulldata()` reads it.
    Pulldata,
    /// A select's choices come from it.
    Choices,
    /// A `media::*` column shows it.
    Media,
}

/// A file the form needs, and where it says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The file's name (`prices.csv`).
    pub file: String,
    /// Sheet, row and column that name it.
    pub sheet: &'static str,
    /// Spreadsheet row.
    pub row: usize,
    /// Column.
    pub column: String,
    /// What for.
    pub used_for: Use,
}

/// `pulldata('prices', ...)` reads `prices.csv`; a name with an extension is taken as it is.
fn pulldata_file(arg: &str) -> String {
    if arg.contains('.') {
        arg.to_string()
    } else {
        format!("{arg}.csv")
    }
}

impl Form {
    /// The files this form names, in the order of its rows: `pulldata()` sources, `_from_file`
    /// selects' lists and `media::*` files. A `pulldata()` whose file is not a literal text names no
    /// file (it is reported by [`Form::attachment_warnings`]).
    pub fn attachment_needs(&self) -> Vec<Need> {
        self.scan_needs().0
    }

    /// The files the form names, and where a `pulldata()` names its file with an expression
    /// (row, column): one walk over every row and expression.
    fn scan_needs(&self) -> (Vec<Need>, Vec<(usize, &'static str)>) {
        let mut out = Vec::new();
        let mut dynamic = Vec::new();
        for q in &self.survey {
            match &q.kind {
                QuestionType::SelectOneFromFile(f) | QuestionType::SelectMultipleFromFile(f) => {
                    out.push(need(f, "survey", q.row, "type", Use::Choices))
                }
                _ => {}
            }
            for (col, e) in crate::build::expressions(q) {
                let mut named_by_expression = false;
                e.ast.any(&mut |x| {
                    if let Expr::Call(Func::Pulldata, args) = x {
                        match args.first() {
                            Some(Expr::Text(f)) => out.push(need(
                                &pulldata_file(f),
                                "survey",
                                q.row,
                                col,
                                Use::Pulldata,
                            )),
                            _ => named_by_expression = true,
                        }
                    }
                    false
                });
                if named_by_expression {
                    dynamic.push((q.row, col));
                }
            }
            media_needs(&q.extra, "survey", q.row, &mut out);
        }
        for c in &self.choices {
            media_needs(&c.extra, "choices", c.row, &mut out);
        }
        (out, dynamic)
    }

    /// Attaches a file (replacing one of the same name). A `.csv` is parsed now: a malformed one is
    /// refused with its line and reason, and the form is unchanged.
    pub fn attach(&mut self, name: &str, bytes: Vec<u8>) -> Result<(), FormIssue> {
        self.insert_attachment(name, bytes)?;
        self.layout.file_choices = file_choices(self);
        Ok(())
    }

    /// Attaches several files, deriving the choices they offer once; returns the files refused.
    pub(crate) fn attach_all(&mut self, files: &[crate::Attachment<'_>]) -> Vec<FormIssue> {
        let refused = files
            .iter()
            .filter_map(|(name, bytes)| self.insert_attachment(name, bytes.to_vec()).err())
            .collect();
        self.layout.file_choices = file_choices(self);
        refused
    }

    fn insert_attachment(&mut self, name: &str, bytes: Vec<u8>) -> Result<(), FormIssue> {
        let table = if name.to_ascii_lowercase().ends_with(".csv") {
            Some(Arc::new(Table::parse(name, &bytes)?))
        } else {
            None
        };
        self.attachments.files.insert(
            name.to_string(),
            Attached {
                bytes: bytes.into(),
                table,
            },
        );
        Ok(())
    }

    /// The files attached to the form.
    pub fn attachments(&self) -> &Attachments {
        &self.attachments
    }

    /// What the attached files leave out: each needed file that is not attached (at the row that
    /// needs it, with what the engine does without it), a `pulldata()` whose file is not a literal,
    /// a choices CSV without the columns its question reads, and attached files no row uses.
    pub fn attachment_warnings(&self) -> Vec<FormIssue> {
        let (needs, dynamic) = self.scan_needs();
        let mut out = Vec::new();
        for n in &needs {
            let attached = self.attachments.files.contains_key(&n.file);
            let why = match n.used_for {
                Use::Pulldata if !attached => format!(
                    "`pulldata()` reads `{}`, which is not attached to the form: it gives an empty \
                     value until the file is attached",
                    n.file
                ),
                Use::Choices if !n.file.to_ascii_lowercase().ends_with(".csv") => format!(
                    "choices from `{}`: only CSV files are read; the question offers no choices and \
                     accepts any choice name",
                    n.file
                ),
                Use::Choices if !attached => format!(
                    "the choices come from `{}`, which is not attached to the form: the question \
                     offers no choices and accepts any choice name until the file is attached",
                    n.file
                ),
                Use::Choices => match self.question_at_row(n.row).map(choice_columns) {
                    Some((value, label)) => {
                        let table = self.attachments.table(&n.file);
                        let missing: Vec<&str> = [value.as_str(), label.as_str()]
                            .into_iter()
                            .filter(|c| table.is_some_and(|t| t.column(c).is_none()))
                            .collect();
                        if missing.is_empty() {
                            continue;
                        }
                        format!(
                            "`{}` has no column {}: its rows cannot be offered as choices",
                            n.file,
                            missing
                                .iter()
                                .map(|c| format!("`{c}`"))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        )
                    }
                    None => continue,
                },
                Use::Media if !attached => format!(
                    "`{}` is not attached to the form: the text shows without it",
                    n.file
                ),
                _ => continue,
            };
            out.push(FormIssue::new(n.sheet, n.row, &n.column, why));
        }
        let mut dynamic = dynamic.into_iter().peekable();
        for q in &self.survey {
            if let QuestionType::SelectOneExternal(list) = &q.kind {
                if !self.layout.file_choices.contains_key(&q.name) {
                    out.push(FormIssue::new(
                        "survey",
                        q.row,
                        "type",
                        format!(
                            "list `{list}` has no rows on the external_choices sheet: the question \
                             offers no choices and accepts any choice name"
                        ),
                    ));
                }
            }
            while let Some((row, col)) = dynamic.next_if(|(row, _)| *row == q.row) {
                out.push(FormIssue::new(
                    "survey",
                    row,
                    col,
                    "`pulldata()` names its file with an expression: the file cannot be known \
                     when the form loads, and attach it by name",
                ));
            }
        }
        for name in self.attachments.names() {
            if !needs.iter().any(|n| n.file == name) {
                out.push(FormIssue::new(
                    name,
                    0,
                    "",
                    "the file is attached but no row of the form uses it",
                ));
            }
        }
        out
    }

    /// `pulldata(file, column, key_column, key)` over the attached files.
    pub(crate) fn pulldata(&self, file: &str, column: &str, key_column: &str, key: &str) -> &str {
        self.attachments
            .table(&pulldata_file(file))
            .and_then(|t| t.lookup(column, key_column, key))
            .unwrap_or("")
    }

    fn question_at_row(&self, row: usize) -> Option<&crate::model::Question> {
        self.survey.iter().find(|q| q.row == row)
    }
}

fn need(file: &str, sheet: &'static str, row: usize, column: &str, used_for: Use) -> Need {
    Need {
        file: file.trim().to_string(),
        sheet,
        row,
        column: column.to_string(),
        used_for,
    }
}

fn media_needs(
    extra: &BTreeMap<String, String>,
    sheet: &'static str,
    row: usize,
    out: &mut Vec<Need>,
) {
    for (col, file) in extra {
        if col.starts_with("media::") && !file.trim().is_empty() {
            out.push(need(file, sheet, row, col, Use::Media));
        }
    }
}

/// The columns a `_from_file` select reads: `value=` and `label=` in its `parameters`, else `name`
/// and `label` (pyxform's defaults).
fn choice_columns(q: &crate::model::Question) -> (String, String) {
    let (mut value, mut label) = ("name".to_string(), "label".to_string());
    let params = q.extra.get("parameters").map_or("", String::as_str);
    for item in params.split([' ', ',', ';']) {
        match item.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("value") => value = v.trim().into(),
            Some((k, v)) if k.trim().eq_ignore_ascii_case("label") => label = v.trim().into(),
            _ => {}
        }
    }
    (value, label)
}

/// The choices of every `_from_file` select whose CSV is attached (by question name), and of every
/// `select_one_external` whose list is on the `external_choices` sheet. Columns other than the
/// value are kept as the choice's columns, so `choice_filter` can test them; `label::LANG` columns
/// are its translations.
pub(crate) fn file_choices(form: &Form) -> HashMap<String, Vec<Choice>> {
    let mut out = HashMap::new();
    for q in &form.survey {
        let choices = match &q.kind {
            QuestionType::SelectOneFromFile(f) | QuestionType::SelectMultipleFromFile(f) => {
                let Some(t) = form.attachments.table(f.trim()) else {
                    continue;
                };
                let (value, label) = choice_columns(q);
                let (Some(v), Some(_)) = (t.column(&value), t.column(&label)) else {
                    continue;
                };
                t.rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| !r[v].is_empty())
                    .map(|(i, r)| row_choice(&t.header, r, i + 2, f, v, &label))
                    .collect()
            }
            QuestionType::SelectOneExternal(list) => {
                let choices = external_choices(form, list);
                if choices.is_empty() {
                    continue;
                }
                choices
            }
            _ => continue,
        };
        out.insert(q.name.clone(), choices);
    }
    out
}

fn row_choice(
    header: &[String],
    row: &[String],
    line: usize,
    list: &str,
    v: usize,
    label: &str,
) -> Choice {
    let mut text = Text::new();
    let mut extra = BTreeMap::new();
    for (h, cell) in header.iter().zip(row) {
        if h == label {
            text.insert(String::new(), cell.clone());
        } else if let Some(lang) = h
            .strip_prefix(label)
            .and_then(|rest| rest.strip_prefix("::").or_else(|| rest.strip_prefix(':')))
        {
            text.insert(lang.trim().to_string(), cell.clone());
        } else if h != &header[v] {
            extra.insert(h.clone(), cell.clone());
        }
    }
    Choice {
        row: line,
        list_name: list.to_string(),
        name: row[v].clone(),
        label: text,
        extra,
    }
}

/// The rows of `list` on the workbook's `external_choices` sheet (same columns as `choices`).
fn external_choices(form: &Form, list: &str) -> Vec<Choice> {
    let Some(sheet) = form
        .other_sheets
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case("external_choices"))
    else {
        return Vec::new();
    };
    let Some((header, rows)) = sheet.rows.split_first() else {
        return Vec::new();
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| crate::aliases::column("choices", h, &["list_name", "name", "label"]))
        .collect();
    let (Some(l), Some(v)) = (
        header.iter().position(|h| h == "list_name"),
        header.iter().position(|h| h == "name"),
    ) else {
        return Vec::new();
    };
    rows.iter()
        .enumerate()
        .filter(|(_, r)| r.get(l).is_some_and(|c| c.trim() == list))
        .map(|(i, r)| {
            let mut r = r.clone();
            r.resize(header.len(), String::new());
            let mut c = row_choice(&header, &r, i + 2, list, v, "label");
            c.extra.remove("list_name");
            c
        })
        .filter(|c| !c.name.is_empty())
        .collect()
}
