//! The expression parser never panics, whatever the input; the evaluator never panics on what parses.

use proptest::prelude::*;
use shumari_forms::expr::{eval, parse, Env, XValue};

struct Empty;
impl Env for Empty {
    fn value(&self, _: &str) -> XValue {
        XValue::Str("3".into())
    }
    fn nodes(&self, _: &str) -> Vec<XValue> {
        vec![XValue::Num(1.0), XValue::empty()]
    }
    fn current(&self) -> XValue {
        XValue::empty()
    }
    fn position(&self) -> f64 {
        1.0
    }
    fn today(&self) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
    }
    fn choice_column(&self, _: &str) -> XValue {
        XValue::empty()
    }
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("${a}".to_string()),
        Just(".".to_string()),
        Just("..".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just(",".to_string()),
        Just(" and ".to_string()),
        Just(" or ".to_string()),
        Just(" div ".to_string()),
        Just(" mod ".to_string()),
        Just("-".to_string()),
        Just("+".to_string()),
        Just("*".to_string()),
        Just("!=".to_string()),
        Just("<=".to_string()),
        Just("=".to_string()),
        Just("'x'".to_string()),
        Just("1.5".to_string()),
        Just("if(".to_string()),
        Just("sum(".to_string()),
        Just("count-selected(".to_string()),
        Just("date(".to_string()),
        Just("regex(".to_string()),
        Just("position(".to_string()),
        Just("round(".to_string()),
        "[a-z]{1,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,60}") {
        if let Ok(e) = parse(&s) {
            let _ = eval(&e, &Empty);
        }
    }

    #[test]
    fn token_soup_never_panics(parts in proptest::collection::vec(piece(), 0..30)) {
        let s = parts.concat();
        match parse(&s) {
            Ok(e) => { let _ = eval(&e, &Empty); }
            Err(err) => prop_assert!(err.position >= 1 && err.position <= s.chars().count() + 1),
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let s = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(parse(&s).is_err());
    let s = "-".repeat(10_000) + "1";
    assert!(parse(&s).is_err());
}
