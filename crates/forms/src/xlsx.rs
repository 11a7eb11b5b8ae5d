//! XLSForm `.xlsx` import (calamine) and export (rust_xlsxwriter), through the same sheet rows as the
//! TOML format. Row numbers are the spreadsheet's (row 1 is the header).

use crate::error::{FormError, FormIssue};
use crate::raw::{columns, RawForm, RawRow, CHOICES_ORDER, SETTINGS_ORDER, SURVEY_ORDER};
use calamine::{Data, Range, Reader, Xlsx};
use std::io::Cursor;

fn cell_text(sheet: &str, row: usize, col: &str, d: &Data, issues: &mut Vec<FormIssue>) -> String {
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
                issues.push(FormIssue::new(sheet, row, col, "unreadable date cell"));
                String::new()
            }
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => {
            issues.push(FormIssue::new(
                sheet,
                row,
                col,
                format!("the cell holds a spreadsheet error ({e})"),
            ));
            String::new()
        }
    }
}

fn sheet_rows(sheet: &str, range: &Range<Data>, issues: &mut Vec<FormIssue>) -> Vec<RawRow> {
    let (row0, col0) = range
        .start()
        .map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Vec::new();
    };
    let header_row = row0 + 1;
    let mut cols: Vec<String> = Vec::new();
    for (j, h) in header.iter().enumerate() {
        let name = cell_text(sheet, header_row, "", h, issues)
            .trim()
            .to_string();
        if !name.is_empty() && cols.contains(&name) {
            issues.push(FormIssue::new(
                sheet,
                header_row,
                &name,
                format!("column `{name}` appears twice"),
            ));
        }
        let _ = col0 + j;
        cols.push(name);
    }
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
                issues.push(FormIssue::new(
                    sheet,
                    row,
                    &format!("#{}", col0 + j + 1),
                    "a value in a column without a header",
                ));
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

/// Reads an XLSForm workbook into sheet rows.
pub(crate) fn read(bytes: &[u8]) -> Result<RawForm, Vec<FormIssue>> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| vec![FormIssue::file(format!("not a readable .xlsx file: {e}"))])?;
    let mut issues = Vec::new();
    let names = wb.sheet_names();
    for n in &names {
        if !matches!(n.as_str(), "survey" | "choices" | "settings") {
            issues.push(FormIssue::new(
                n,
                0,
                "",
                format!("unsupported sheet `{n}` (expected survey, choices, settings)"),
            ));
        }
    }
    let mut get = |name: &str, issues: &mut Vec<FormIssue>| -> Vec<RawRow> {
        if !names.iter().any(|n| n == name) {
            return Vec::new();
        }
        match wb.worksheet_range(name) {
            Ok(range) => sheet_rows(name, &range, issues),
            Err(e) => {
                issues.push(FormIssue::new(
                    name,
                    0,
                    "",
                    format!("unreadable sheet: {e}"),
                ));
                Vec::new()
            }
        }
    };
    if !names.iter().any(|n| n == "survey") {
        issues.push(FormIssue::new(
            "survey",
            0,
            "",
            "the workbook has no `survey` sheet",
        ));
    }
    let survey = get("survey", &mut issues);
    let choices = get("choices", &mut issues);
    let mut settings_rows = get("settings", &mut issues);
    if settings_rows.len() > 1 {
        issues.push(FormIssue::new(
            "settings",
            settings_rows[1].row,
            "",
            "settings has one row of values",
        ));
    }
    let settings = if settings_rows.is_empty() {
        None
    } else {
        Some(settings_rows.swap_remove(0))
    };
    if issues.is_empty() {
        Ok(RawForm {
            survey,
            choices,
            settings,
        })
    } else {
        Err(issues)
    }
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

/// Writes sheet rows as an XLSForm workbook.
pub(crate) fn write(raw: &RawForm) -> Result<Vec<u8>, FormError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let err = |e: rust_xlsxwriter::XlsxError| FormError::Xlsx(e.to_string());
    write_sheet(&mut wb, "survey", &raw.survey, SURVEY_ORDER).map_err(err)?;
    write_sheet(&mut wb, "choices", &raw.choices, CHOICES_ORDER).map_err(err)?;
    let settings: Vec<RawRow> = raw.settings.iter().cloned().collect();
    write_sheet(&mut wb, "settings", &settings, SETTINGS_ORDER).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}
