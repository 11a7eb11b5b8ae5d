//! The conformance suite: every form of `tests/corpus/` (the XLSForm specification's examples, forms
//! modelled on ODK's, Kobo's and pyxform's, and the refusals pyxform and ODK Validate make), loaded
//! as the workbook a user would upload, against its expectation file: the form loads with exactly
//! these warnings and question counts by type, or it is refused with exactly these errors.
//!
//! The expectations are written by the engine itself and reviewed in git:
//!
//! ```sh
//! SHUMARI_WRITE_CORPUS=1 cargo test -p shumari-forms --test conformance
//! ```
//!
//! rewrites every `*.expect.json` from what the engine says now; `git diff` is the review.

mod corpus_support;

use corpus_support::{corpus, CorpusForm};
use serde_json::{json, Value};
use shumari_forms::{check_source, Form, FormIssue};

fn issues(v: &[FormIssue]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

/// What the engine says about a corpus form, in the expectation file's shape.
fn outcome(f: &CorpusForm) -> Value {
    let check = check_source(&f.load_name, &f.bytes);
    match &check.form {
        Some(form) => json!({
            "source": f.file,
            "loads": {
                "form_id": form.settings.form_id,
                "version": form.settings.version,
                "languages": form.languages(),
                "survey_rows": form.survey.len(),
                "questions": form.question_counts(),
                "warnings": issues(&check.warnings),
            }
        }),
        None => json!({
            "source": f.file,
            "refuses": {
                "errors": issues(&check.errors),
                "warnings": issues(&check.warnings),
            }
        }),
    }
}

#[test]
fn every_corpus_form_loads_or_is_refused_as_expected() {
    let write = std::env::var_os("SHUMARI_WRITE_CORPUS").is_some();
    let forms = corpus();
    assert!(forms.len() >= 30, "the corpus has {} forms", forms.len());
    let mut failures = Vec::new();
    for f in &forms {
        let got = outcome(f);
        let text = serde_json::to_string_pretty(&got).expect("JSON") + "\n";
        if write {
            std::fs::write(&f.expect, &text).expect("writable corpus");
            continue;
        }
        let want: Value = match std::fs::read_to_string(&f.expect) {
            Ok(s) => serde_json::from_str(&s).expect("an expectation is JSON"),
            Err(_) => {
                failures.push(format!("{}: no {}", f.file, f.expect.display()));
                continue;
            }
        };
        if want != got {
            failures.push(format!(
                "{}: expected\n{}\ngot\n{text}",
                f.file,
                serde_json::to_string_pretty(&want).expect("JSON")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus form(s) differ from their expectation (rewrite with SHUMARI_WRITE_CORPUS=1 \
         and review the diff):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The same form loaded twice gives the same bytes and the same form: a markdown form's workbook
/// (and the version derived from it) does not depend on when the test runs.
#[test]
fn a_markdown_form_becomes_the_same_workbook_every_time() {
    let a = corpus_support::corpus_form("spec_question_types.md");
    let b = corpus_support::corpus_form("spec_question_types.md");
    assert_eq!(a.bytes, b.bytes);
}

/// Every form that loads is written back as `.xlsx` and loads again to the same form: what the
/// corpus holds survives an export.
#[test]
fn every_loading_corpus_form_survives_an_xlsx_export() {
    for f in corpus() {
        let Ok(loaded) = Form::load(&f.load_name, &f.bytes) else {
            continue;
        };
        let bytes = loaded.form.to_xlsx_bytes().expect("exports");
        // The export is an .xlsx whatever the source was; its name says so.
        let stem = f
            .load_name
            .rsplit_once('.')
            .map_or(f.load_name.as_str(), |(s, _)| s);
        let again = Form::load(&format!("{stem}.xlsx"), &bytes)
            .unwrap_or_else(|e| panic!("{}: the export does not load: {e}", f.file));
        assert_eq!(again.form, loaded.form, "{}", f.file);
    }
}

/// The markdown notation: a first cell names a sheet, rows follow with an empty first cell,
/// prose is skipped, `\|` is a `|` in a cell, and trailing empty cells are dropped.
#[test]
fn markdown_tables_read_as_sheets() {
    let sheets = corpus_support::parse_markdown(
        "A form.\n\
         | survey |        |       |\n\
         |        | type   | name  | constraint |\n\
         |        | text   | a     | . = 'x' or . = 'y\\|z' |\n\
         |        | note   | b     |   |\n\
         \n\
         | choices |\n\
         | | list_name | name |\n",
    );
    let want: Vec<corpus_support::Sheet> = vec![
        (
            "survey".into(),
            vec![
                vec!["type".into(), "name".into(), "constraint".into()],
                vec!["text".into(), "a".into(), ". = 'x' or . = 'y|z'".into()],
                vec!["note".into(), "b".into()],
            ],
        ),
        (
            "choices".into(),
            vec![vec!["list_name".into(), "name".into()]],
        ),
    ];
    assert_eq!(sheets, want);
}
