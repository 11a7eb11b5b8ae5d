//! Columns and languages as pyxform reads them: every alias of pyxform's tables loads to the same
//! form as its canonical column; a language column in any of its forms (`label::Urdu (ur)`,
//! `label:English`, `jr:constraintMsg::Urdu (ur)`, `media::image::English (en)`) lands in its
//! language; a language the app does not have and a column the engine does not act on load with a
//! warning naming sheet, row, column and reason; what was read is written back on export.

use shumari_forms::languages::app_language;
use shumari_forms::{check_source, Form, SourceCheck};

type Rows = Vec<Vec<String>>;

fn xlsx(survey: &Rows, choices: &Rows) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let settings = vec![
        vec!["form_id".to_string(), "version".to_string()],
        vec!["columns".to_string(), "1".to_string()],
    ];
    for (name, rows) in [
        ("survey", survey),
        ("choices", choices),
        ("settings", &settings),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (i, row) in rows.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(i as u32, j as u16, v).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn rows(v: &[&[&str]]) -> Rows {
    v.iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// A survey where every column has a row it applies to: a count, a repeat, a select.
fn base_survey() -> Rows {
    rows(&[
        &["type", "name", "label"],
        &["integer", "n", "How many?"],
        &["begin_repeat", "people", "People"],
        &["text", "pname", "Name"],
        &["end_repeat", "", ""],
        &["select_one yes_no", "ok", "OK?"],
    ])
}

fn base_choices() -> Rows {
    rows(&[
        &["list_name", "name", "label"],
        &["yes_no", "yes", "Yes"],
        &["yes_no", "no", "No"],
    ])
}

/// `sheet` with `header` as column `canonical`: in place of it when the base has that column,
/// else as a new column holding `value` on body row `at` (0 = spreadsheet row 2).
fn with_column(mut sheet: Rows, header: &str, canonical: &str, at: usize, value: &str) -> Rows {
    if let Some(j) = sheet[0].iter().position(|h| h == canonical) {
        sheet[0][j] = header.to_string();
        return sheet;
    }
    let width = sheet[0].len();
    for (i, r) in sheet.iter_mut().enumerate() {
        r.resize(width, String::new());
        r.push(match i {
            0 => header.to_string(),
            i if i == at + 1 => value.to_string(),
            _ => String::new(),
        });
    }
    sheet
}

fn check(survey: &Rows, choices: &Rows) -> SourceCheck {
    check_source("columns.xlsx", &xlsx(survey, choices))
}

fn loaded(c: &SourceCheck) -> &Form {
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    c.form.as_ref().unwrap()
}

fn exported_equal(form: &Form) {
    let again = Form::from_xlsx_bytes(&form.to_xlsx_bytes().unwrap()).unwrap();
    assert_eq!(&again, form);
    let again = Form::from_toml_str(&form.to_toml_string()).unwrap();
    assert_eq!(&again, form);
}

/// (alias as written, canonical column, body row, value).
const SURVEY_ALIASES: &[(&str, &str, usize, &str)] = &[
    ("Type", "type", 0, ""),
    ("command", "type", 0, ""),
    ("NAME", "name", 0, ""),
    ("tag", "name", 0, ""),
    ("value", "name", 0, ""),
    ("caption", "label", 0, ""),
    ("relevance", "relevant", 0, "1 = 1"),
    ("bind::relevant", "relevant", 0, "1 = 1"),
    ("bind::required", "required", 0, "yes"),
    ("bind::constraint", "constraint", 0, ". > 0"),
    ("constraint message", "constraint_message", 0, "Too few"),
    ("constraining message", "constraint_message", 0, "Too few"),
    ("jr:constraintMsg", "constraint_message", 0, "Too few"),
    ("bind::jr:constraintMsg", "constraint_message", 0, "Too few"),
    ("required message", "required_message", 0, "Needed"),
    ("requiredMsg", "required_message", 0, "Needed"),
    ("jr:requiredMsg", "required_message", 0, "Needed"),
    ("bind::jr:requiredMsg", "required_message", 0, "Needed"),
    ("calculate", "calculation", 0, "1 + 1"),
    ("bind::calculate", "calculation", 0, "1 + 1"),
    ("readonly", "read_only", 0, "yes"),
    ("bind::readonly", "read_only", 0, "yes"),
    ("control::appearance", "appearance", 4, "minimal"),
    ("count", "repeat_count", 1, "${n}"),
    ("jr:count", "repeat_count", 1, "${n}"),
    ("control::jr:count", "repeat_count", 1, "${n}"),
    ("Choice_Filter", "choice_filter", 4, "name != 'no'"),
    ("Default", "default", 0, "3"),
    ("HINT", "hint", 0, "A number"),
    ("image", "media::image", 0, "n.png"),
    ("big-image", "media::big-image", 0, "n.png"),
    ("audio", "media::audio", 0, "n.mp3"),
    ("video", "media::video", 0, "n.mp4"),
    ("Guidance_Hint", "guidance_hint", 0, "Count everyone"),
    ("no_app_error_string", "bind::jr:noAppErrorString", 0, "x"),
];

#[test]
fn each_survey_alias_loads_to_the_same_form_as_its_canonical_column() {
    for &(alias, canonical, at, value) in SURVEY_ALIASES {
        let mut survey = base_survey();
        if canonical == "calculation" {
            survey[1][0] = "calculate".into();
        }
        let a = check(
            &with_column(survey.clone(), alias, canonical, at, value),
            &base_choices(),
        );
        let c = check(
            &with_column(survey, canonical, canonical, at, value),
            &base_choices(),
        );
        assert_eq!(loaded(&a), loaded(&c), "{alias}");
        assert_eq!(a.warnings, c.warnings, "{alias}");
        exported_equal(loaded(&a));
    }
    // The alias really sets the column.
    let a = check(
        &with_column(base_survey(), "relevance", "relevant", 0, "1 = 1"),
        &base_choices(),
    );
    assert_eq!(
        loaded(&a).survey[0].relevant.as_ref().unwrap().source,
        "1 = 1"
    );
}

#[test]
fn each_choices_alias_loads_to_the_same_form_as_its_canonical_column() {
    for (alias, canonical, value) in [
        ("list name", "list_name", ""),
        ("LIST NAME", "list_name", ""),
        ("List_name", "list_name", ""),
        ("value", "name", ""),
        ("caption", "label", ""),
        ("image", "media::image", "yes.png"),
        ("audio", "media::audio", "yes.mp3"),
    ] {
        let a = check(
            &base_survey(),
            &with_column(base_choices(), alias, canonical, 0, value),
        );
        let c = check(
            &base_survey(),
            &with_column(base_choices(), canonical, canonical, 0, value),
        );
        assert_eq!(loaded(&a), loaded(&c), "{alias}");
        assert_eq!(a.warnings, c.warnings, "{alias}");
        exported_equal(loaded(&a));
    }
}

#[test]
fn each_language_column_form_loads_to_its_language() {
    // (header, language key kept on the form, app language).
    for (header, key, lang) in [
        ("label::English (en)", "English (en)", "en"),
        ("label::Urdu (ur)", "Urdu (ur)", "ur"),
        ("LABEL::Urdu (ur)", "Urdu (ur)", "ur"),
        ("label:English", "English", "en"),
        ("Label:Urdu", "Urdu", "ur"),
        ("label::اردو", "اردو", "ur"),
        ("label::ur", "ur", "ur"),
        ("label :: English (en)", "English (en)", "en"),
    ] {
        let mut survey = base_survey();
        survey[0].push(header.into());
        survey[1].push("Translated".into());
        let c = check(&survey, &base_choices());
        assert!(c.warnings.is_empty(), "{header}: {:?}", c.warnings);
        let form = loaded(&c);
        let label = &form.survey[0].label;
        assert_eq!(label.get(key).map(String::as_str), Some("Translated"));
        assert_eq!(app_language(key), Some(lang), "{header}");
        assert_eq!(form.text(label, lang), Some("Translated"), "{header}");
        exported_equal(form);
    }
    // Every translated column, in its aliases too.
    let survey = rows(&[
        &[
            "type",
            "name",
            "label",
            "required",
            "constraint",
            "hint::Urdu (ur)",
            "constraint message::Urdu (ur)",
            "bind::jr:requiredMsg::Urdu (ur)",
        ],
        &["integer", "n", "N", "yes", ". > 0", "اشارہ", "غلط", "ضروری"],
    ]);
    let choices = rows(&[
        &["list name", "value", "label:English", "label:Urdu"],
        &["yes_no", "yes", "Yes", "ہاں"],
    ]);
    let c = check(&survey, &choices);
    let form = loaded(&c);
    let q = &form.survey[0];
    assert_eq!(form.text(&q.hint, "ur"), Some("اشارہ"));
    assert_eq!(form.text(&q.constraint_message, "ur"), Some("غلط"));
    assert_eq!(form.text(&q.required_message, "ur"), Some("ضروری"));
    assert_eq!(form.choice_label("yes_no", "yes", "ur"), "ہاں");
    assert_eq!(form.choice_label("yes_no", "yes", "en"), "Yes");
    assert_eq!(form.languages(), ["", "English", "Urdu", "Urdu (ur)"]);
    exported_equal(form);
}

type Located = (String, usize, String, String);

fn located(c: &SourceCheck) -> Vec<Located> {
    c.warnings
        .iter()
        .map(|i| (i.sheet.clone(), i.row, i.column.clone(), i.message.clone()))
        .collect()
}

fn at(sheet: &str, row: usize, column: &str, message: &str) -> Located {
    (sheet.into(), row, column.into(), message.into())
}

#[test]
fn a_language_the_app_does_not_have_is_kept_with_a_warning() {
    let survey = rows(&[
        &["type", "name", "label::English (en)", "label::French (fr)"],
        &["integer", "n", "How many?", "Combien ?"],
        &["text", "m", "Name", "Nom"],
    ]);
    let choices = rows(&[
        &["list_name", "name", "label::English (en)", "label::Pashto"],
        &["yes_no", "yes", "Yes", "هو"],
    ]);
    let c = check(&survey, &choices);
    let why = |l: &str| {
        format!(
            "language `{l}` is not one of the app's languages (English (en), Urdu (ur)); its \
             texts are kept, and the app shows the default language in its place"
        )
    };
    assert_eq!(
        located(&c),
        [
            at("survey", 2, "label::French (fr)", &why("French (fr)")),
            at("choices", 2, "label::Pashto", &why("Pashto")),
        ]
    );
    let form = loaded(&c);
    let label = &form.survey[0].label;
    assert_eq!(form.text(label, "fr"), Some("Combien ?"));
    assert_eq!(form.text(label, "French"), Some("Combien ?"));
    // The app's Urdu has no text here: the default language is shown.
    assert_eq!(form.text(label, "ur"), Some("How many?"));
    exported_equal(form);
}

#[test]
fn columns_the_engine_does_not_act_on_load_with_a_warning_naming_the_feature() {
    let survey = rows(&[
        &[
            "type",
            "name",
            "label",
            "guidance_hint",
            "media::image::English (en)",
            "parameters",
            "trigger",
            "bind::oc:external",
            "comments",
        ],
        &["integer", "n", "How many?", "", "n.png", "", "", "", ""],
        &[
            "text",
            "m",
            "Name",
            "Full name",
            "",
            "rows=3",
            "${n}",
            "clinicaldata",
            "ask",
        ],
    ]);
    let choices = rows(&[
        &["list_name", "name", "label", "image"],
        &["yes_no", "yes", "Yes", "yes.png"],
    ]);
    let c = check(&survey, &choices);
    let kept = |col: &str, feature: &str| {
        format!("column `{col}` ({feature}) is not acted on by this engine; it is kept for export")
    };
    assert_eq!(
        located(&c),
        [
            at(
                "survey",
                2,
                "media::image::English (en)",
                &kept("media::image::English (en)", "images in labels")
            ),
            at(
                "survey",
                3,
                "guidance_hint",
                &kept("guidance_hint", "guidance hints")
            ),
            at(
                "survey",
                3,
                "parameters",
                &kept("parameters", "question parameters")
            ),
            at(
                "survey",
                3,
                "trigger",
                &kept("trigger", "calculations triggered by another question")
            ),
            at(
                "survey",
                3,
                "bind::oc:external",
                &kept("bind::oc:external", "an XForm attribute")
            ),
            at(
                "survey",
                3,
                "comments",
                "column `comments` is not used by this engine; it is ignored (kept on export)"
            ),
            at(
                "choices",
                2,
                "media::image",
                &kept("media::image", "images in labels")
            ),
            // The files they name travel with the form; these are not attached.
            at(
                "survey",
                2,
                "media::image::English (en)",
                "`n.png` is not attached to the form: the text shows without it"
            ),
            at(
                "choices",
                2,
                "media::image",
                "`yes.png` is not attached to the form: the text shows without it"
            ),
        ]
    );
    let form = loaded(&c);
    assert_eq!(form.survey[0].extra["media::image::English (en)"], "n.png");
    assert_eq!(form.survey[1].extra["parameters"], "rows=3");
    assert_eq!(form.choices[0].extra["media::image"], "yes.png");
    exported_equal(form);
}

#[test]
fn the_toml_format_reads_aliases_and_default_language_by_name_or_code() {
    let src = r#"
[settings]
form_id = "t"
version = "1"
default_language = "English"

[[survey]]
type = "integer"
name = "n"
"label::English (en)" = "How many?"
"label::French (fr)" = "Combien ?"
relevance = "1 = 1"
"constraint message::English (en)" = "Too few"
constraint = ". > 0"
"#;
    let c = check_source("t.toml", src.as_bytes());
    let form = loaded(&c);
    let q = &form.survey[0];
    assert_eq!(q.relevant.as_ref().unwrap().source, "1 = 1");
    assert_eq!(form.text(&q.constraint_message, "en"), Some("Too few"));
    // `English` is the `English (en)` columns: the app's Urdu shows them.
    assert_eq!(form.text(&q.label, "ur"), Some("How many?"));
    assert_eq!(
        located(&c),
        [at(
            "survey",
            2,
            "label::French (fr)",
            "language `French (fr)` is not one of the app's languages (English (en), Urdu (ur)); \
             its texts are kept, and the app shows the default language in its place"
        )]
    );
    let toml = form.to_toml_string();
    assert!(toml.contains("relevant = \"1 = 1\""), "{toml}");
    assert!(
        toml.contains("\"constraint_message::English (en)\" = \"Too few\""),
        "{toml}"
    );
    exported_equal(form);
}
