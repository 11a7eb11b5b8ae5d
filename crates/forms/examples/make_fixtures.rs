//! Writes the small XLSForm workbooks in `tests/fixtures/` (run once, outputs committed):
//! `cargo run -p shumari-forms --example make_fixtures`.
//!
//! They are written cell by cell with rust_xlsxwriter, not with the crate's own exporter, so that the
//! importer is tested against spreadsheets shaped like hand-made ones (numeric cells, `begin group` with
//! a space, blank rows, an extra sheet).

use rust_xlsxwriter::{Workbook, XlsxError};
use std::path::Path;

type Sheet<'a> = (&'a str, Vec<Vec<&'a str>>);

fn write(path: &Path, sheets: &[Sheet<'_>]) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name)?;
        for (i, row) in rows.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                if cell.is_empty() {
                    continue;
                }
                // Numbers go in as numeric cells, as a spreadsheet would store them.
                match cell.parse::<f64>() {
                    Ok(n) if !cell.starts_with('0') || *cell == "0" => {
                        ws.write_number(i as u32, j as u16, n)?;
                    }
                    _ => {
                        ws.write_string(i as u32, j as u16, *cell)?;
                    }
                }
            }
        }
    }
    wb.save(path)
}

fn settings(id: &str) -> Sheet<'_> {
    (
        "settings",
        vec![
            vec!["form_id", "version", "default_language"],
            vec![id, "3", "English (en)"],
        ],
    )
}

fn yes_no() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "list_name",
            "name",
            "label::English (en)",
            "label::Urdu (ur)",
        ],
        vec!["yes_no", "yes", "Yes", "ہاں"],
        vec!["yes_no", "no", "No", "نہیں"],
    ]
}

fn main() -> Result<(), XlsxError> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::create_dir_all(&dir).map_err(|e| XlsxError::ParameterError(e.to_string()))?;

    // Every question type and the per-question columns.
    let mut choices = yes_no();
    choices.extend([
        vec!["assets", "tv", "Television", "ٹیلی ویژن"],
        vec!["assets", "fridge", "Refrigerator", "فریج"],
        vec!["assets", "none", "None", "کوئی نہیں"],
    ]);
    write(
        &dir.join("types.xlsx"),
        &[
            (
                "survey",
                vec![
                    vec![
                        "type",
                        "name",
                        "label::English (en)",
                        "label::Urdu (ur)",
                        "hint::English (en)",
                        "required",
                        "required_message::English (en)",
                        "required_message::Urdu (ur)",
                        "constraint",
                        "constraint_message::English (en)",
                        "constraint_message::Urdu (ur)",
                        "calculation",
                        "default",
                        "read_only",
                        "appearance",
                    ],
                    vec![
                        "text",
                        "address",
                        "Address",
                        "پتہ",
                        "House and street",
                        "yes",
                        "Give the address",
                        "پتہ درج کریں",
                        "string-length(.) >= 3",
                        "Too short",
                        "بہت مختصر",
                        "",
                        "",
                        "",
                        "",
                    ],
                    vec![
                        "integer",
                        "rooms",
                        "Rooms",
                        "کمرے",
                        "",
                        "yes",
                        "",
                        "",
                        ". >= 1 and . <= 50",
                        "1 to 50 rooms",
                        "1 سے 50 کمرے",
                        "",
                        "",
                        "",
                        "",
                    ],
                    vec![
                        "decimal",
                        "land",
                        "Land (acres)",
                        "زمین (ایکڑ)",
                        "",
                        "",
                        "",
                        "",
                        ". >= 0",
                        "",
                        "",
                        "",
                        "0",
                        "",
                        "",
                    ],
                    vec![
                        "date",
                        "visit_date",
                        "Visit date",
                        "ملاقات کی تاریخ",
                        "",
                        "",
                        "",
                        "",
                        ". <= today()",
                        "Not in the future",
                        "مستقبل کی نہیں",
                        "",
                        "",
                        "",
                        "no-calendar",
                    ],
                    vec![
                        "geopoint", "gps", "Location", "مقام", "", "", "", "", "", "", "", "", "",
                        "", "",
                    ],
                    vec![
                        "note",
                        "intro",
                        "Read this to the respondent",
                        "یہ پڑھ کر سنائیں",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ],
                    vec![
                        "acknowledge",
                        "consent",
                        "Consent given",
                        "رضامندی دی گئی",
                        "",
                        "yes",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ],
                    vec![
                        "select_one yes_no",
                        "electricity",
                        "Electricity?",
                        "بجلی؟",
                        "",
                        "yes",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "minimal",
                    ],
                    vec![
                        "select_multiple assets",
                        "assets",
                        "Assets",
                        "اثاثے",
                        "",
                        "",
                        "",
                        "",
                        "not(selected(., 'none') and count-selected(.) > 1)",
                        "None alone",
                        "کوئی نہیں اکیلا",
                        "",
                        "",
                        "",
                        "",
                    ],
                    vec![
                        "calculate",
                        "rooms_plus",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "${rooms} + 1",
                        "",
                        "",
                        "",
                    ],
                    vec![
                        "text",
                        "code",
                        "Office code",
                        "دفتر کا کوڈ",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "X1",
                        "yes",
                        "",
                    ],
                ],
            ),
            ("choices", choices),
            settings("types"),
        ],
    )?;

    // Groups (spelled with spaces, as many spreadsheets do), relevance, and a blank row.
    write(
        &dir.join("groups.xlsx"),
        &[
            (
                "survey",
                vec![
                    vec![
                        "type",
                        "name",
                        "label",
                        "relevant",
                        "required",
                        "appearance",
                    ],
                    vec![
                        "select_one yes_no",
                        "has_livestock",
                        "Any livestock?",
                        "",
                        "yes",
                        "",
                    ],
                    vec![
                        "begin group",
                        "animals",
                        "Animals",
                        "${has_livestock} = 'yes'",
                        "",
                        "field-list",
                    ],
                    vec!["integer", "goats", "Goats", "", "yes", ""],
                    vec!["integer", "cattle", "Cattle", "${goats} < 100", "yes", ""],
                    vec!["end group", "", "", "", "", ""],
                    vec![],
                    vec!["text", "remarks", "Remarks", "", "", ""],
                ],
            ),
            (
                "choices",
                vec![
                    vec!["list_name", "name", "label"],
                    vec!["yes_no", "yes", "Yes"],
                    vec!["yes_no", "no", "No"],
                ],
            ),
            settings("groups"),
        ],
    )?;

    // A roster: repeat_count, position(..), references to the own row and to household level,
    // count() and sum() over the repeat.
    write(
        &dir.join("repeat.xlsx"),
        &[
            (
                "survey",
                vec![
                    vec![
                        "type",
                        "name",
                        "label",
                        "relevant",
                        "required",
                        "constraint",
                        "calculation",
                        "repeat_count",
                    ],
                    vec![
                        "integer",
                        "size",
                        "How many members?",
                        "",
                        "yes",
                        ". >= 1",
                        "",
                        "",
                    ],
                    vec![
                        "begin_repeat",
                        "members",
                        "Members",
                        "",
                        "",
                        "",
                        "",
                        "${size}",
                    ],
                    vec!["text", "name", "Name", "", "yes", "", "", ""],
                    vec![
                        "integer",
                        "age",
                        "Age",
                        "",
                        "yes",
                        ". >= 0 and . <= 120",
                        "",
                        "",
                    ],
                    vec![
                        "select_one yes_no",
                        "in_school",
                        "In school?",
                        "${age} >= 5 and ${age} <= 16",
                        "yes",
                        "",
                        "",
                        "",
                    ],
                    vec!["calculate", "line", "", "", "", "", "position(..)", ""],
                    vec![
                        "integer",
                        "income",
                        "Income",
                        "${age} >= 15",
                        "yes",
                        ". <= ${cap}",
                        "",
                        "",
                    ],
                    vec!["end_repeat", "", "", "", "", "", "", ""],
                    vec![
                        "integer",
                        "cap",
                        "Highest plausible income",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ],
                    vec!["calculate", "n", "", "", "", "", "count(${members})", ""],
                    vec!["calculate", "total", "", "", "", "", "sum(${income})", ""],
                ],
            ),
            (
                "choices",
                vec![
                    vec!["list_name", "name", "label"],
                    vec!["yes_no", "yes", "Yes"],
                    vec!["yes_no", "no", "No"],
                ],
            ),
            settings("repeat"),
        ],
    )?;

    // A cascading select: districts filtered by province (an extra column of the choices sheet).
    write(
        &dir.join("choice_filter.xlsx"),
        &[
            (
                "survey",
                vec![
                    vec!["type", "name", "label", "choice_filter"],
                    vec!["select_one province", "province", "Province", ""],
                    vec![
                        "select_one district",
                        "district",
                        "District",
                        "province = ${province}",
                    ],
                ],
            ),
            (
                "choices",
                vec![
                    vec!["list_name", "name", "label", "province"],
                    vec!["province", "punjab", "Punjab", ""],
                    vec!["province", "sindh", "Sindh", ""],
                    vec!["district", "lahore", "Lahore", "punjab"],
                    vec!["district", "karachi", "Karachi", "sindh"],
                ],
            ),
            settings("choice_filter"),
        ],
    )?;

    // Errors: an unsupported type, an unsupported column, a broken expression.
    write(
        &dir.join("unknown_type.xlsx"),
        &[
            (
                "survey",
                vec![
                    vec!["type", "name", "label"],
                    vec!["text", "address", "Address"],
                    vec!["image", "photo", "Photo of the house"],
                ],
            ),
            settings("unknown_type"),
        ],
    )?;
    write(
        &dir.join("unknown_column.xlsx"),
        &[
            (
                "survey",
                vec![
                    vec!["type", "name", "label", "media::image"],
                    vec!["text", "address", "Address", "house.jpg"],
                ],
            ),
            settings("unknown_column"),
        ],
    )?;
    write(
        &dir.join("bad_expression.xlsx"),
        &[
            (
                "survey",
                vec![
                    vec!["type", "name", "label", "constraint", "relevant"],
                    vec!["integer", "rooms", "Rooms", ". >= ", ""],
                    vec!["integer", "beds", "Beds", "", "${room} > 0"],
                ],
            ),
            settings("bad_expression"),
        ],
    )?;
    println!("fixtures written to {}", dir.display());
    Ok(())
}
