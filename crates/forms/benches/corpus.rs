//! Loads the largest form of the conformance corpus from its workbook bytes, and validates a filled
//! instance of it. Run: `cargo bench -p shumari-forms --bench corpus`. Aims: load under 50 ms,
//! validation under 2 ms (median).

#[path = "../tests/corpus_support/mod.rs"]
mod corpus_support;

mod support;

use shumari_forms::{Form, Instance};
use std::hint::black_box;

const LARGEST: &str = "household_survey_long.md";

fn main() {
    // The largest corpus form is the one with the most survey rows.
    let largest = corpus_support::corpus()
        .into_iter()
        .max_by_key(|f| f.survey_rows)
        .expect("a corpus");
    assert_eq!(largest.file, LARGEST);
    let loaded = Form::load(&largest.load_name, &largest.bytes).expect("the largest form loads");
    let form = &loaded.form;
    let instance = corpus_support::generate(form, 1);
    let today = corpus_support::today();
    let v = form.validate(&instance, "en", today);
    assert!(v.is_complete(), "the generated household is complete");
    let members = instance.repeats.get("members").map_or(0, Vec::len);
    let answers = instance.answers.len()
        + instance
            .repeats
            .values()
            .flatten()
            .map(|r| r.answers.len())
            .sum::<usize>();
    println!(
        "{LARGEST}: {} survey rows, {} choices, workbook {} bytes; filled household: {members} members, {answers} answers",
        form.survey.len(),
        form.choices.len(),
        largest.bytes.len()
    );
    println!();
    println!(
        "| {:<52} | {:>6} | {:>10} | {:>10} | {:>10} |",
        "operation", "iters", "median", "p95", "max"
    );
    println!(
        "|{:-<54}|{:-<8}|{:-<12}|{:-<12}|{:-<12}|",
        "", "", "", "", ""
    );
    support::measure("Form::load (.xlsx bytes, warnings included)", 100, || {
        black_box(Form::load(&largest.load_name, black_box(&largest.bytes)).expect("loads"));
    });
    support::measure("Form::validate filled household (en)", 500, || {
        black_box(form.validate(black_box(&instance), "en", today));
    });
    support::measure(
        "Form::evaluate filled household (every language)",
        500,
        || {
            black_box(form.evaluate(black_box(&instance), "en", today));
        },
    );
    let json = corpus_support::household_json(&instance);
    support::measure("from_household_json + validate", 500, || {
        let i = Instance::from_household_json(black_box(&json)).expect("imports");
        black_box(form.validate(&i, "en", today));
    });
}
