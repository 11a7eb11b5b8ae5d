//! Validates a complete 12-member household against the shipped questionnaire, and scores it.
//! Run: `cargo bench -p shumari-forms --bench validate`. Target: median and p95 under 2 ms.

#[path = "../tests/common/mod.rs"]
mod common;

mod support;

use shumari_forms::{household_form, pmt_model, Instance};
use std::hint::black_box;

fn main() {
    let form = household_form();
    let json = common::household(12);
    let instance = Instance::from_household_json(&json).expect("valid household");
    let today = common::today();
    assert!(form.validate(&instance, "en", today).is_complete());
    println!(
        "| {:<44} | {:>6} | {:>10} | {:>10} | {:>10} |",
        "operation", "iters", "median", "p95", "max"
    );
    println!(
        "|{:-<46}|{:-<8}|{:-<12}|{:-<12}|{:-<12}|",
        "", "", "", "", ""
    );
    support::measure("validate 12-member household (en)", 2000, || {
        black_box(form.validate(black_box(&instance), "en", today));
    });
    support::measure("validate 12-member household (ur)", 2000, || {
        black_box(form.validate(black_box(&instance), "ur", today));
    });
    support::measure("from_household_json + validate + PMT score", 2000, || {
        let i = Instance::from_household_json(black_box(&json)).expect("valid");
        black_box(form.validate(&i, "en", today));
        black_box(pmt_model().score_on(&i, today));
    });
    support::measure("check_value members.<id>.id_number", 2000, || {
        let v = serde_json::json!("35202-1234567-1");
        let _ = black_box(form.check_value(&instance, "members.m-05.id_number", &v, "en", today));
    });
}
