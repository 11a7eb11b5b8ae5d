//! Workbooks as people write them: `.xls` and `.ods` fixtures (made by fixtures/make_xls_ods.py), and
//! `.xlsx` workbooks written cell by cell here. Sheet and column names in any case, sheets and columns
//! the engine does not use, values under no header, settings left out or unknown: each is a warning
//! naming sheet, row and column, and the form loads; what is kept is written back on export.

use sha2::{Digest, Sha256};
use shumari_forms::{check_source, Flag, Form, OtherSheet, SourceFormat};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

type Located = (String, usize, String, String);

fn located(v: &[shumari_forms::FormIssue]) -> Vec<Located> {
    v.iter()
        .map(|i| (i.sheet.clone(), i.row, i.column.clone(), i.message.clone()))
        .collect()
}

fn at(sheet: &str, row: usize, column: &str, message: &str) -> Located {
    (sheet.into(), row, column.into(), message.into())
}

const HEADERLESS: &str = "a value in a column without a header is ignored";
const INSTRUCTIONS: &str =
    "sheet `Instructions` is not an XLSForm sheet (survey, choices, settings); it is ignored (kept on export)";
const COMMENTS: &str =
    "column `comments` is not used by this engine; it is ignored (kept on export)";

/// What both fixtures hold in their survey and choices sheets.
fn assert_household_rows(form: &Form) {
    let names: Vec<&str> = form.survey.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(names, ["head", "age", "owns_land"]);
    assert_eq!(form.survey[0].label[""], "Head of household");
    assert_eq!(form.survey[1].required, Flag::Yes);
    assert_eq!(
        form.survey[1].constraint.as_ref().unwrap().source,
        ". >= 0 and . <= 120"
    );
    assert_eq!(form.survey[0].extra["comments"], "ask politely");
    let choices: Vec<(&str, &str)> = form
        .choices
        .iter()
        .map(|c| (c.list_name.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(choices, [("yes_no", "yes"), ("yes_no", "no")]);
    assert_eq!(
        form.other_sheets,
        [OtherSheet {
            name: "Instructions".into(),
            rows: vec![
                vec!["Fill in one row per question.".into()],
                vec!["Version history".into(), "3".into()],
            ],
        }]
    );
}

#[test]
fn an_xls_workbook_with_capitalised_names_loads_with_warnings_and_round_trips() {
    let bytes = fixture("legacy.xls");
    assert_eq!(
        SourceFormat::detect("upload.bin", &bytes),
        SourceFormat::Xls
    );
    let loaded = Form::load("legacy.xls", &bytes).unwrap();
    let form = &loaded.form;
    assert_household_rows(form);
    let s = &form.settings;
    assert_eq!(
        (s.form_id.as_str(), s.version.as_str()),
        ("legacy", "2024010101")
    );
    assert_eq!(s.form_title.as_deref(), Some("Legacy household"));
    let extra: Vec<(&str, &str)> = s
        .extra
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        extra,
        [
            ("instance_name", "concat(${head}, ' ', ${age})"),
            ("sms_keyword", "lh"),
            ("style", "pages")
        ]
    );
    assert_eq!(
        located(&loaded.warnings),
        [
            at("survey", 3, "G", HEADERLESS),
            at("Instructions", 0, "", INSTRUCTIONS),
            at("survey", 2, "comments", COMMENTS),
        ]
    );
    // Exported as .xlsx and read again: the same form, other sheet, unused column and settings included.
    let again = Form::load("legacy.xlsx", &form.to_xlsx_bytes().unwrap()).unwrap();
    assert_eq!(&again.form, form);
    assert_eq!(
        located(&again.warnings),
        [
            at("Instructions", 0, "", INSTRUCTIONS),
            at("survey", 2, "comments", COMMENTS),
        ]
    );
}

#[test]
fn an_ods_workbook_without_settings_takes_its_id_from_the_file_name_and_version_from_content() {
    let bytes = fixture("household.ods");
    // By content, whatever the name says.
    assert_eq!(
        SourceFormat::detect("household.xlsx", &bytes),
        SourceFormat::Ods
    );
    let loaded = Form::load("uploads/household.ods", &bytes).unwrap();
    assert_household_rows(&loaded.form);
    let version: String = Sha256::digest(&bytes)[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(loaded.form.settings.form_id, "household");
    assert_eq!(loaded.form.settings.version, version);
    let version_warning = format!(
        "no version: `{version}` is derived from the file's content (the first 8 hex digits of its \
         SHA-256); set one that grows with each release so households from newer versions are told apart"
    );
    assert_eq!(
        located(&loaded.warnings),
        [
            at("survey", 3, "G", HEADERLESS),
            at("Instructions", 0, "", INSTRUCTIONS),
            at(
                "settings",
                0,
                "form_id",
                "no form_id: the file's name gives `household`"
            ),
            at("settings", 0, "version", &version_warning),
            at("survey", 2, "comments", COMMENTS),
        ]
    );
    // Without a file name there is no id to fall back on.
    let err = Form::from_xlsx_bytes(&bytes).unwrap_err();
    assert_eq!(
        located(err.issues()),
        [at("settings", 2, "form_id", "form_id is missing")]
    );
}

type Rows<'a> = Vec<Vec<&'a str>>;

fn xlsx(sheets: &[(&str, Rows<'_>)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (i, row) in rows.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(i as u32, j as u16, *v).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn survey() -> (&'static str, Rows<'static>) {
    (
        "Survey",
        vec![
            vec!["Type", "NAME", "label::English (en)"],
            vec!["select_one yes_no", "ok", "OK?"],
        ],
    )
}

#[test]
fn settings_known_unknown_and_not_honoured() {
    let bytes = xlsx(&[
        survey(),
        (
            "CHOICES",
            vec![
                vec!["list_name", "name", "label::English (en)"],
                vec!["yes_no", "yes", "Yes"],
                vec!["yes_no", "yes", "Yes again"],
            ],
        ),
        (
            "Settings",
            vec![
                vec![
                    "set form id",
                    "Version",
                    "Default_Language",
                    "allow_choice_duplicates",
                    "public_key",
                    "submission_url",
                    "clean_text_values",
                    "attribute::region",
                    "my_setting",
                ],
                vec![
                    "hh",
                    "7",
                    "English (en)",
                    "yes",
                    "MIIBIjAN",
                    "https://example.org/submit",
                    "no",
                    "north",
                    "x",
                ],
                vec!["ignored"],
            ],
        ),
    ]);
    let loaded = Form::load("ignored-name.xlsx", &bytes).unwrap();
    let s = &loaded.form.settings;
    assert_eq!((s.form_id.as_str(), s.version.as_str()), ("hh", "7"));
    assert_eq!(s.default_language.as_deref(), Some("English (en)"));
    assert_eq!(s.extra["allow_choice_duplicates"], "yes");
    assert_eq!(s.extra["attribute::region"], "north");
    assert_eq!(s.extra["my_setting"], "x");
    // allow_choice_duplicates: the repeated `yes` is accepted.
    assert_eq!(loaded.form.choices.len(), 2);
    assert_eq!(
        located(&loaded.warnings),
        [
            at(
                "settings",
                3,
                "",
                "only the first row of settings is read; this row is ignored"
            ),
            at(
                "settings",
                2,
                "public_key",
                "`public_key` is kept but not used: households are not encrypted with this key"
            ),
            at(
                "settings",
                2,
                "submission_url",
                "`submission_url` is kept but not used: households sync to the Shumari registry, not to this URL"
            ),
            at(
                "settings",
                2,
                "my_setting",
                "`my_setting` is not an XLSForm setting; it is ignored (kept on export)"
            ),
        ]
    );
    // Every setting is written back.
    let again = Form::from_xlsx_bytes(&loaded.form.to_xlsx_bytes().unwrap()).unwrap();
    assert_eq!(&again.settings, s);
    let via_toml = Form::from_toml_str(&loaded.form.to_toml_string()).unwrap();
    assert_eq!(&via_toml.settings, s);
}

#[test]
fn duplicate_choices_are_still_refused_without_the_setting() {
    let bytes = xlsx(&[
        survey(),
        (
            "choices",
            vec![
                vec!["list_name", "name", "label"],
                vec!["yes_no", "yes", "Yes"],
                vec!["yes_no", "yes", "Yes again"],
            ],
        ),
    ]);
    let checked = check_source("dup.xlsx", &bytes);
    assert!(checked.form.is_none());
    assert_eq!(
        located(&checked.errors),
        [at(
            "choices",
            3,
            "name",
            "choice `yes` appears twice in list `yes_no`"
        )]
    );
}

#[test]
fn two_survey_sheets_and_unreadable_workbooks_are_errors() {
    // (A workbook cannot hold `Survey` and `SURVEY`: spreadsheet sheet names ignore case. TOML can.)
    let src =
        "[[survey]]\ntype = \"note\"\nname = \"n\"\nlabel = \"N\"\n[[SURVEY]]\ntype = \"note\"\n";
    let checked = check_source("two.toml", src.as_bytes());
    assert_eq!(
        located(&checked.errors),
        [at(
            "survey",
            0,
            "",
            "the form has two `survey` sheets (`SURVEY` and `survey`)"
        )]
    );
    let checked = check_source("old.xls", b"not a workbook");
    assert_eq!(checked.format, SourceFormat::Xls);
    assert_eq!(checked.errors.len(), 1);
    assert_eq!(checked.errors[0].sheet, "file");
    assert!(
        checked.errors[0]
            .message
            .starts_with("not a readable .xls workbook: "),
        "{}",
        checked.errors[0].message
    );
    assert_eq!(
        SourceFormat::detect("form.ods", b"plain"),
        SourceFormat::Ods
    );
    assert_eq!(
        SourceFormat::detect("form.txt", b"[settings]"),
        SourceFormat::Toml
    );
}

#[test]
fn warnings_are_reported_with_errors_and_toml_reads_the_same_way() {
    // `lable` is ignored (a warning), which is why the question has no label (an error).
    let src = "[Settings]\nform_id = \"t\"\nVERSION = \"1\"\n\n[[survey]]\nTYPE = \"text\"\nname = \"a\"\nlable = \"A\"\n\n[notes]\nx = 1\n";
    let checked = check_source("t.toml", src.as_bytes());
    assert_eq!(checked.format, SourceFormat::Toml);
    assert_eq!(
        located(&checked.errors),
        [at("survey", 2, "label", "`a` has no label")]
    );
    assert_eq!(
        located(&checked.warnings),
        [
            at(
                "notes",
                0,
                "",
                "sheet `notes` is not an XLSForm sheet (settings, survey, choices); it is ignored"
            ),
            at(
                "survey",
                2,
                "lable",
                "column `lable` is not used by this engine; it is ignored (kept on export)"
            ),
        ]
    );
}
