//! XLSForm workbooks: `.xlsx`, `.xls` (the older Excel format) and `.ods` (LibreOffice) are read with
//! calamine into the same sheet rows as the TOML format; `.xlsx` is written with rust_xlsxwriter.
//!
//! Row numbers are the spreadsheet's (row 1 is the header). Sheet names are matched in any case
//! (`SURVEY`, `Choices`), and so are the columns the builder knows (`TYPE`, `Label`). What the engine
//! does not read is a warning, not an error: another sheet (instructions, `entities`, ...) is kept
//! cell by cell and written back on export; a value under no header is dropped.

use crate::error::{FormError, FormIssue, Issues};
use crate::model::OtherSheet;
use crate::raw::{
    canonical_column, canonical_sheet, columns, RawForm, RawRow, CHOICES_ORDER, SETTINGS_ORDER,
    SURVEY_ORDER,
};
use crate::source::SourceFormat;
use calamine::{Data, Ods, Range, Reader, Sheets, Xls, Xlsx};
use std::io::Cursor;

/// XLSForm sheets that pyxform reads and this engine does not (yet).
const UNSUPPORTED_SHEETS: &[&str] = &["entities", "osm"];

/// A cell as text; spreadsheet errors and unreadable dates are errors at that cell.
fn cell_text(sheet: &str, row: usize, col: &str, d: &Data, issues: &mut Issues) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => crate::expr::XValue::Num(*f).to_text(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Data::DateTime(dt) => match chrono::NaiveDate::from_ymd_opt(1899, 12, 30).and_then(|base| {
            base.checked_add_signed(chrono::Duration::days(dt.as_f64().floor() as i64))
        }) {
            // Excel's day numbers count from 1899-12-30 (for dates after February 1900).
            Some(d) => d.format("%Y-%m-%d").to_string(),
            None => {
                issues.push(sheet, row, col, "unreadable date cell");
                String::new()
            }
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => {
            issues.push(
                sheet,
                row,
                col,
                format!("the cell holds a spreadsheet error ({e})"),
            );
            String::new()
        }
    }
}

/// The spreadsheet's name for a 0-based column index: A, B, ..., Z, AA, ...
fn column_letter(mut j: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (j % 26) as u8);
        if j < 26 {
            break;
        }
        j = j / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// The (1-based row, 0-based column) of a range's first cell.
fn origin(range: &Range<Data>) -> (usize, usize) {
    range
        .start()
        .map_or((1, 0), |(r, c)| (r as usize + 1, c as usize))
}

fn sheet_rows(sheet: &str, range: &Range<Data>, issues: &mut Issues) -> Vec<RawRow> {
    let (header_row, col0) = origin(range);
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Vec::new();
    };
    let mut cols: Vec<String> = Vec::new();
    for h in header {
        let name = canonical_column(sheet, &cell_text(sheet, header_row, "", h, issues));
        if !name.is_empty() && cols.contains(&name) {
            issues.push(
                sheet,
                header_row,
                &name,
                format!("column `{name}` appears twice"),
            );
        }
        cols.push(name);
    }
    let mut headerless: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for (i, r) in rows.enumerate() {
        let row = header_row + 1 + i;
        let mut cells = Vec::new();
        for (j, d) in r.iter().enumerate() {
            let col = cols.get(j).map_or("", String::as_str);
            let v = cell_text(sheet, row, col, d, issues);
            if v.trim().is_empty() {
                continue;
            }
            if col.is_empty() {
                // pyxform drops such values; one warning per column is enough to find them.
                if !headerless.contains(&j) {
                    headerless.push(j);
                    issues.warn(
                        sheet,
                        row,
                        &column_letter(col0 + j),
                        "a value in a column without a header is ignored",
                    );
                }
                continue;
            }
            cells.push((col.to_string(), v));
        }
        if !cells.is_empty() {
            out.push(RawRow { row, cells });
        }
    }
    out
}

/// A sheet the engine does not read, cell by cell from A1, for writing it back.
fn other_sheet(name: &str, range: &Range<Data>) -> OtherSheet {
    let (row1, col0) = origin(range);
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); row1 - 1];
    for r in range.rows() {
        let mut cells = vec![String::new(); col0];
        cells.extend(r.iter().map(|d| match d {
            Data::Empty => String::new(),
            other => other.to_string(),
        }));
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        rows.push(cells);
    }
    OtherSheet {
        name: name.to_string(),
        rows,
    }
}

fn open(format: SourceFormat, bytes: &[u8]) -> Result<Sheets<Cursor<&[u8]>>, String> {
    let c = Cursor::new(bytes);
    let r = match format {
        SourceFormat::Xls => Xls::new(c).map(Sheets::Xls).map_err(|e| e.to_string()),
        SourceFormat::Ods => Ods::new(c).map(Sheets::Ods).map_err(|e| e.to_string()),
        _ => Xlsx::new(c).map(Sheets::Xlsx).map_err(|e| e.to_string()),
    };
    r.map_err(|e| format!("not a readable {} workbook: {e}", format.extension()))
}

/// Reads an XLSForm workbook into sheet rows; `None` when the file is not a readable workbook.
pub(crate) fn read(format: SourceFormat, bytes: &[u8], issues: &mut Issues) -> Option<RawForm> {
    let mut wb = match open(format, bytes) {
        Ok(wb) => wb,
        Err(e) => {
            issues.errors.push(FormIssue::file(e));
            return None;
        }
    };
    let mut raw = RawForm::default();
    let mut seen: Vec<(&str, String)> = Vec::new();
    let mut settings_rows = Vec::new();
    for name in wb.sheet_names() {
        let range = match wb.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                issues.push(&name, 0, "", format!("unreadable sheet: {e}"));
                continue;
            }
        };
        let Some(sheet) = canonical_sheet(&name) else {
            let lower = name.trim().to_ascii_lowercase();
            // Read by `select_one_external` questions (see `crate::attachments`), kept as a sheet.
            if lower == "external_choices" {
                raw.other_sheets.push(other_sheet(&name, &range));
                continue;
            }
            let why = if UNSUPPORTED_SHEETS.contains(&lower.as_str()) {
                format!("the `{lower}` sheet is not supported yet; it is ignored (kept on export)")
            } else {
                format!(
                    "sheet `{name}` is not an XLSForm sheet (survey, choices, settings); it is \
                     ignored (kept on export)"
                )
            };
            issues.warn(&name, 0, "", why);
            raw.other_sheets.push(other_sheet(&name, &range));
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == sheet) {
            issues.push(
                &name,
                0,
                "",
                format!("the workbook has two `{sheet}` sheets (`{first}` and `{name}`)"),
            );
            continue;
        }
        seen.push((sheet, name.clone()));
        let rows = sheet_rows(sheet, &range, issues);
        match sheet {
            "survey" => raw.survey = rows,
            "choices" => raw.choices = rows,
            _ => settings_rows = rows,
        }
    }
    if !seen.iter().any(|(s, _)| *s == "survey") {
        issues.push("survey", 0, "", "the workbook has no `survey` sheet");
    }
    for extra in settings_rows.iter().skip(1) {
        issues.warn(
            "settings",
            extra.row,
            "",
            "only the first row of settings is read; this row is ignored",
        );
    }
    raw.settings = settings_rows.into_iter().next();
    Some(raw)
}

fn write_sheet(
    wb: &mut rust_xlsxwriter::Workbook,
    name: &str,
    rows: &[RawRow],
    order: &[&str],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    let cols = columns(rows, order);
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (j, c) in cols.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, c, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        for (j, c) in cols.iter().enumerate() {
            if let Some(v) = r.get(c) {
                ws.write_string(i as u32 + 1, j as u16, v)?;
            }
        }
    }
    Ok(())
}

/// Writes sheet rows as an XLSForm workbook (.xlsx), other sheets after the three.
pub(crate) fn write(raw: &RawForm) -> Result<Vec<u8>, FormError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let err = |e: rust_xlsxwriter::XlsxError| FormError::Xlsx(e.to_string());
    write_sheet(&mut wb, "survey", &raw.survey, SURVEY_ORDER).map_err(err)?;
    write_sheet(&mut wb, "choices", &raw.choices, CHOICES_ORDER).map_err(err)?;
    let settings: Vec<RawRow> = raw.settings.iter().cloned().collect();
    write_sheet(&mut wb, "settings", &settings, SETTINGS_ORDER).map_err(err)?;
    for sheet in &raw.other_sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name).map_err(err)?;
        for (i, row) in sheet.rows.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(i as u32, j as u16, v).map_err(err)?;
                }
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}
