//! The ODK XForms functions, one test each: exact results, an empty argument (ODK's unanswered
//! value), and a wrong number of arguments refused at load with the function's name.

use shumari_forms::expr::{eval, parse, Env, XValue};
use shumari_forms::Form;

/// A context with one answer of each kind, a current value, a repeat row and a seed.
struct Ctx {
    current: XValue,
    position: f64,
    seed: u64,
}

impl Env for Ctx {
    fn value(&self, name: &str) -> XValue {
        match name {
            "items" => XValue::Str("tv fridge fan".into()),
            "trace" => XValue::Str("33.6844 73.0479 500 5;31.5204 74.3587 200 5".into()),
            "n" => XValue::Num(5.0),
            _ => XValue::empty(),
        }
    }
    fn nodes(&self, name: &str) -> Vec<XValue> {
        match name {
            "incomes" => vec![XValue::Num(10.0), XValue::empty(), XValue::Str("0".into())],
            "corners" => ["0 0 0 0", "0 0.001", "0.001 0.001", "0.001 0"]
                .map(|p| XValue::Str(p.into()))
                .to_vec(),
            "gappy_corners" => vec![XValue::Str("0 0".into()), XValue::empty()],
            _ => vec![self.value(name)],
        }
    }
    fn current(&self) -> XValue {
        self.current.clone()
    }
    fn position(&self) -> f64 {
        self.position
    }
    fn today(&self) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }
    fn choice_column(&self, _: &str) -> XValue {
        XValue::empty()
    }
    fn seed(&self) -> u64 {
        self.seed
    }
}

const PLAIN: Ctx = Ctx {
    current: XValue::Str(String::new()),
    position: 1.0,
    seed: 42,
};

fn ev_in(env: &Ctx, src: &str) -> XValue {
    eval(&parse(src).unwrap_or_else(|e| panic!("{src}: {e}")), env)
}

fn text(src: &str) -> String {
    ev_in(&PLAIN, src).to_text()
}

fn num(src: &str) -> f64 {
    ev_in(&PLAIN, src).to_num()
}

fn close(src: &str, want: f64) {
    let got = num(src);
    assert!((got - want).abs() < 1e-6, "{src} = {got}, want {want}");
}

fn arity_error(src: &str) -> String {
    parse(src).unwrap_err().message
}

#[test]
fn coalesce_count_selected_regex_and_position_keep_empty_semantics() {
    assert_eq!(text("coalesce(${missing}, 'none')"), "none");
    assert_eq!(text("coalesce(${n}, 'none')"), "5");
    assert_eq!(text("coalesce(${missing}, ${missing})"), "");
    assert_eq!(num("count-selected(${items})"), 3.0);
    assert_eq!(num("count-selected(${missing})"), 0.0);
    assert_eq!(text("regex(${items}, '^tv ')"), "true");
    assert_eq!(text("regex(${missing}, '.')"), "false");
    assert_eq!(num("position(..)"), 1.0);
    assert_eq!(
        arity_error("coalesce(1)"),
        "`coalesce()` takes 2 argument(s), got 1"
    );
    assert_eq!(
        arity_error("count-selected()"),
        "`count-selected()` takes 1 argument(s), got 0"
    );
}

#[test]
fn selected_at_is_the_nth_value_counting_from_zero() {
    assert_eq!(text("selected-at(${items}, 0)"), "tv");
    assert_eq!(text("selected-at(${items}, 2)"), "fan");
    assert_eq!(text("selected-at(${items}, '1')"), "fridge");
    assert_eq!(text("selected-at(${items}, 3)"), "");
    assert_eq!(text("selected-at(${items}, -1)"), "");
    assert_eq!(text("selected-at(${items}, 0.5)"), "");
    assert_eq!(text("selected-at(${items}, ${missing})"), "");
    assert_eq!(text("selected-at(${missing}, 0)"), "");
    assert_eq!(
        arity_error("selected-at(${items})"),
        "`selected-at()` takes 2 argument(s), got 1"
    );
}

#[test]
fn once_keeps_a_current_value_and_otherwise_evaluates_its_argument() {
    assert_eq!(ev_in(&PLAIN, "once(${n} + 1)"), XValue::Num(6.0));
    assert_eq!(text("once(${missing})"), "");
    let answered = Ctx {
        current: XValue::Str("kept".into()),
        ..PLAIN
    };
    assert_eq!(ev_in(&answered, "once(${n} + 1)").to_text(), "kept");
    assert_eq!(arity_error("once()"), "`once()` takes 1 argument(s), got 0");
}

#[test]
fn format_date_writes_odks_specifiers() {
    assert_eq!(
        text("format-date('2025-06-01', '%Y-%m-%d|%e|%a|%b|%y|%n')"),
        "2025-06-01|1|Sun|Jun|25|6"
    );
    assert_eq!(
        text("format-date(today(), '%d/%m/%Y')"),
        "01/06/2025",
        "a date value"
    );
    assert_eq!(
        text("format-date('2025-06-01T09:05:07.250+05:00', '%H:%M:%S.%3 %h')"),
        "09:05:07.250 9"
    );
    assert_eq!(text("format-date('2025-06-01', '%q 100%')"), "%q 100%");
    assert_eq!(
        text("format-date-time('2025-06-01T09:05:07', '%e %b %Y %H:%M')"),
        "1 Jun 2025 09:05"
    );
    assert_eq!(text("format-date(${missing}, '%Y')"), "");
    assert_eq!(text("format-date('not a date', '%Y')"), "");
    assert_eq!(
        arity_error("format-date('2025-06-01')"),
        "`format-date()` takes 2 argument(s), got 1"
    );
}

#[test]
fn decimal_date_time_counts_days_with_the_time_as_a_fraction() {
    assert_eq!(num("decimal-date-time('1970-01-02')"), 1.0);
    assert_eq!(num("decimal-date-time('1970-01-01T06:00:00')"), 0.25);
    assert_eq!(num("decimal-date-time('1970-01-01T00:00:00-06:00')"), 0.25);
    close(
        "decimal-date-time('2020-01-01T12:00:00.000+05:00')",
        18262.0 + 7.0 / 24.0,
    );
    assert_eq!(num("decimal-date-time(date('2020-01-01'))"), 18262.0);
    assert_eq!(text("decimal-date-time(${missing})"), "");
    assert!(num("decimal-date-time(${missing}) + 1").is_nan());
    assert_eq!(text("decimal-date-time('noon')"), "");
    assert_eq!(
        arity_error("decimal-date-time()"),
        "`decimal-date-time()` takes 1 argument(s), got 0"
    );
}

#[test]
fn uuid_and_random_derive_from_the_seed_and_the_row() {
    assert_eq!(text("uuid()"), "d43986e3-2a52-4acb-a50c-273efda85ca5");
    assert_eq!(num("random()"), 0.17230880258536352);
    let row2 = Ctx {
        position: 2.0,
        ..PLAIN
    };
    assert_eq!(
        ev_in(&row2, "uuid()").to_text(),
        "a25fd0c7-64ef-4c34-af0c-ce4c706b2a58"
    );
    assert_eq!(ev_in(&row2, "random()").to_num(), 0.41105295787017093);

    /// The trait's default seed (0), outside any repeat.
    struct Unseeded;
    impl Env for Unseeded {
        fn value(&self, _: &str) -> XValue {
            XValue::empty()
        }
        fn nodes(&self, _: &str) -> Vec<XValue> {
            Vec::new()
        }
        fn current(&self) -> XValue {
            XValue::empty()
        }
        fn position(&self) -> f64 {
            f64::NAN
        }
        fn today(&self) -> chrono::NaiveDate {
            chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
        }
        fn choice_column(&self, _: &str) -> XValue {
            XValue::empty()
        }
    }
    assert_eq!(
        eval(&parse("uuid()").unwrap(), &Unseeded).to_text(),
        "763f85f1-d472-41eb-a6f9-ac32d492b307"
    );
    assert_eq!(
        eval(&parse("random()").unwrap(), &Unseeded).to_num(),
        0.43669718739424224
    );
    assert_eq!(
        arity_error("uuid(8)"),
        "`uuid()` takes 0 argument(s), got 1"
    );
    assert_eq!(
        arity_error("random(1)"),
        "`random()` takes 0 argument(s), got 1"
    );
}

#[test]
fn digest_hashes_text_as_base64_or_hex() {
    assert_eq!(
        text("digest('abc', 'SHA-256')"),
        "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
    );
    assert_eq!(
        text("digest('abc', 'SHA-256', 'hex')"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        text("digest('abc', 'md5', 'hex')"),
        "900150983cd24fb0d6963f7d28e17f72"
    );
    assert_eq!(
        text("digest('abc', 'SHA-1', 'base64')"),
        "qZk+NkcGgWq6PiVxeFDCbJzQ2J0="
    );
    assert_eq!(
        text("digest('abc', 'SHA-384', 'hex')"),
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
    );
    assert_eq!(
        text("digest('abc', 'SHA-512')"),
        "3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="
    );
    assert_eq!(
        text("digest('نام', 'SHA-256')"),
        "acHlsf4got2BavoVHnXG+vvJeucyO6OpAS9qSCcfACI=",
        "UTF-8 bytes"
    );
    assert_eq!(text("digest(${missing}, 'SHA-256')"), "");
    assert_eq!(text("digest('abc', 'SHA-3')"), "");
    assert_eq!(text("digest('abc', 'MD5', 'base32')"), "");
    assert_eq!(
        arity_error("digest('abc')"),
        "`digest()` takes 2 to 3 argument(s), got 1"
    );
}

#[test]
fn distance_and_area_measure_on_the_sphere_in_metres() {
    close("distance('0 0;0 1')", 111_318.845_021_450_34);
    close("distance(${trace})", 270_437.014_518_283_7);
    assert_eq!(num("distance('33.6844 73.0479 500 5')"), 0.0);
    assert_eq!(text("distance(${missing})"), "");
    assert_eq!(text("distance('north;south')"), "");
    assert_eq!(text("distance('95 0;0 0')"), "", "latitude out of range");
    // A 0.001° square on the equator, closed or not: (111.3 m)².
    close(
        "area('0 0;0 0.001;0.001 0.001;0.001 0;0 0')",
        12_391.885_256_470_472,
    );
    close(
        "area('0 0 10 3;0 0.001 10 3;0.001 0.001 10 3;0.001 0 10 3')",
        12_391.885_256_470_472,
    );
    close(
        "area('33.7 73.0;33.7 73.001;33.701 73.001;33.701 73.0;33.7 73.0')",
        10_309.420_019_437_213,
    );
    // An 11 km plot: within a millionth of JavaRosa's planar projection (103 154 722.3 m²).
    let odk = 103_154_722.316_877_38;
    let got = num("area('33.6 73.0;33.6 73.1;33.7 73.1;33.7 73.0;33.6 73.0')");
    assert!((got - odk).abs() / odk < 1e-6, "{got}");
    assert_eq!(num("area('0 0;0 1')"), 0.0);
    // A geopoint answered in each row of a repeat: the rows are the points.
    close("area(${corners})", 12_391.885_256_470_472);
    close("distance(${corners})", 3.0 * 111.318_845_021_450_34);
    assert_eq!(text("distance(${gappy_corners})"), "", "a row left empty");
    assert_eq!(text("area(${missing})"), "");
    assert_eq!(
        arity_error("area('0 0', '1 1')"),
        "`area()` takes 1 argument(s), got 2"
    );
    assert_eq!(
        arity_error("distance()"),
        "`distance()` takes 1 argument(s), got 0"
    );
}

const PULLDATA_FORM: &str = r#"
[settings]
form_id = "t"
version = "1"

[[survey]]
type = "text"
name = "code"
label = "Code"

[[survey]]
type = "calculate"
name = "price"
calculation = "pulldata('prices', 'price', 'code', ${code})"
"#;

#[test]
fn pulldata_without_its_file_loads_with_a_warning_naming_the_row_and_is_empty() {
    let loaded = Form::load("t.toml", PULLDATA_FORM.as_bytes()).unwrap();
    let warnings: Vec<_> = loaded
        .warnings
        .iter()
        .map(|w| {
            (
                w.sheet.as_str(),
                w.row,
                w.column.as_str(),
                w.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        warnings,
        [(
            "survey",
            3,
            "calculation",
            "`pulldata()` reads `prices.csv`, which is not attached to the form: it gives an empty \
             value until the file is attached"
        )]
    );
    assert_eq!(text("pulldata('prices', 'price', 'code', ${n})"), "");
    assert_eq!(
        arity_error("pulldata('prices', 'price', 'code')"),
        "`pulldata()` takes 4 argument(s), got 3"
    );
}

#[test]
fn join_now_decimal_time_and_randomize() {
    assert_eq!(text("join(', ', ${incomes})"), "10, , 0");
    assert_eq!(text("join('-', 'a', 'b', ${n})"), "a-b-5");
    assert_eq!(text("now()"), "2025-06-01T00:00:00.000");
    close("decimal-time('12:00:00.000+05:00')", 0.5);
    close("decimal-time('06:30')", 0.270_833_333);
    close("decimal-time('18:00:00.000-07:00')", 0.75);
    assert_eq!(text("decimal-time('noon')"), "");
    // A seeded order: the same for the same seed, a permutation of the values.
    let order = |src: &str| match ev_in(&PLAIN, src) {
        XValue::Nodes(v) => v.iter().map(XValue::to_text).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    let a = order("randomize(${corners}, 7)");
    assert_eq!(a, order("randomize(${corners}, 7)"));
    let mut sorted = a.clone();
    sorted.sort();
    let mut want = vec!["0 0 0 0", "0 0.001", "0.001 0.001", "0.001 0"];
    want.sort();
    assert_eq!(sorted, want);
    let seeds: std::collections::BTreeSet<Vec<String>> = (0..20)
        .map(|s| order(&format!("randomize(${{corners}}, {s})")))
        .collect();
    assert!(seeds.len() > 1, "every seed gave the same order");
}

#[test]
fn indexed_repeat_takes_pairs_for_nested_repeats() {
    assert!(parse("indexed-repeat(${q}, ${outer}, 1, ${inner}, 2)").is_ok());
    assert!(arity_error("indexed-repeat(${q}, ${outer}, 1, ${inner})").contains("pairs"));
    assert!(arity_error("indexed-repeat(${q}, ${outer}, 1, 'x', 1)").contains("pairs"));
}

const CHOICES_AND_ROWS: &str = r#"
[settings]
form_id = "t"
version = "1"

[[survey]]
type = "select_one fuel"
name = "fuel"
"label::English (en)" = "Fuel"
"label::Urdu (ur)" = "ایندھن"
constraint = "jr:choice-name(., '${fuel}') != 'لکڑی'"
"constraint_message::English (en)" = "not wood"
"constraint_message::Urdu (ur)" = "لکڑی نہیں"

[[survey]]
type = "calculate"
name = "fuel_label"
calculation = "jr:choice-name(${fuel}, '${fuel}')"

[[survey]]
type = "begin_repeat"
name = "members"
label = "Members"

[[survey]]
type = "integer"
name = "age"
label = "Age"

[[survey]]
type = "geopoint"
name = "spot"
label = "Spot"

[[survey]]
type = "calculate"
name = "previous_age"
calculation = "indexed-repeat(${age}, ${members}, position(..) - 1)"

[[survey]]
type = "end_repeat"

[[survey]]
type = "calculate"
name = "second_age"
calculation = "indexed-repeat(${age}, ${members}, 2)"

[[survey]]
type = "calculate"
name = "walk"
calculation = "round(distance(${spot}), 3)"

[[survey]]
type = "calculate"
name = "fifth_age"
calculation = "indexed-repeat(${age}, ${members}, 5)"

[[choices]]
list_name = "fuel"
name = "gas"
"label::English (en)" = "Gas"
"label::Urdu (ur)" = "گیس"

[[choices]]
list_name = "fuel"
name = "wood"
"label::English (en)" = "Wood"
"label::Urdu (ur)" = "لکڑی"
"#;

fn validated(fuel: serde_json::Value, lang: &str) -> shumari_forms::Validation {
    let form = Form::from_toml_str(CHOICES_AND_ROWS).unwrap();
    let household = serde_json::json!({
        "answers": {"fuel": fuel},
        "members": [{"id": "a", "answers": {"age": 40, "spot": "0 0 0 0"}},
            {"id": "b", "answers": {"age": 12, "spot": "0 0.001 0 0"}},
            {"id": "c", "answers": {"spot": "0.001 0.001 0 0"}}],
    });
    let instance = shumari_forms::Instance::from_household_json(&household).unwrap();
    form.validate(&instance, lang, PLAIN.today())
}

fn calculated(fuel: serde_json::Value, lang: &str) -> serde_json::Value {
    serde_json::to_value(validated(fuel, lang).calculated).unwrap()
}

#[test]
fn choice_name_is_the_label_of_the_value_in_the_current_language() {
    assert_eq!(
        calculated("wood".into(), "en")["answers.fuel_label"],
        "Wood"
    );
    // A calculation is evaluated once for every language: its label is the form's default
    // language (here the first, English); a constraint is judged in the app's language.
    assert_eq!(calculated("gas".into(), "ur")["answers.fuel_label"], "Gas");
    let invalid = |fuel: &str, lang: &str| {
        serde_json::to_value(validated(fuel.into(), lang).invalid)
            .unwrap()
            .to_string()
    };
    assert!(
        invalid("wood", "ur").contains("لکڑی نہیں"),
        "{}",
        invalid("wood", "ur")
    );
    assert!(
        !invalid("wood", "en").contains("not wood"),
        "{}",
        invalid("wood", "en")
    );
    assert!(
        !invalid("gas", "ur").contains("لکڑی نہیں"),
        "{}",
        invalid("gas", "ur")
    );
    assert_eq!(calculated("".into(), "en")["answers.fuel_label"], "");
    assert_eq!(
        arity_error("jr:choice-name(${fuel})"),
        "`jr:choice-name()` takes 2 argument(s), got 1"
    );
    assert_eq!(
        arity_error("jr:choice-name(${fuel}, 'fuel')"),
        "`jr:choice-name()` takes the question as its second argument, written '${name}'"
    );
    assert_eq!(
        parse("jr:choice-name(${fuel}, ${fuel})").unwrap(),
        parse("jr:choice-name(${fuel}, '${fuel}')").unwrap(),
        "quoted as pyxform writes it, or not"
    );
    let refused = Form::from_toml_str(&CHOICES_AND_ROWS.replace("'${fuel}')", "'${nowhere}')"))
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("`${nowhere}` refers to no question of this form"),
        "{refused}"
    );
}

#[test]
fn indexed_repeat_reads_a_row_of_the_repeat_from_anywhere() {
    let v = calculated("gas".into(), "en");
    assert_eq!(v["answers.second_age"], 12);
    assert_eq!(
        v["answers.walk"], 222.638,
        "distance over the rows' geopoints"
    );
    assert_eq!(v["answers.fifth_age"], "", "no fifth row");
    assert_eq!(v["members.a.previous_age"], "", "no row 0");
    assert_eq!(v["members.b.previous_age"], 40);
    assert_eq!(v["members.c.previous_age"], 12);
    assert_eq!(
        arity_error("indexed-repeat(${age}, ${members})"),
        "`indexed-repeat()` takes 3 to 7 argument(s), got 2"
    );
    assert!(parse("indexed-repeat(${age}, ${members}, 1, ${inner}, 1)").is_ok());
    assert_eq!(
        arity_error("indexed-repeat(5, ${members}, 1)"),
        "`indexed-repeat()` takes `${question}, ${repeat}, row` and, for a nested repeat, more \
         `${repeat}, row` pairs"
    );
}

#[test]
fn string_functions_read_text_and_treat_empty_as_empty_text() {
    assert_eq!(text("contains(${items}, 'frid')"), "true");
    assert_eq!(text("contains(${missing}, 'a')"), "false");
    assert_eq!(
        text("contains('abc', ${missing})"),
        "true",
        "'' is in every text"
    );
    assert_eq!(text("starts-with(${items}, 'tv')"), "true");
    assert_eq!(text("ends-with(${items}, 'tv')"), "false");
    assert_eq!(text("substr('نام ونام', 1, 3)"), "ام");
    assert_eq!(text("substr('abcdef', 2)"), "cdef");
    assert_eq!(text("substr('abcdef', -2, 99)"), "abcdef", "clamped");
    assert_eq!(text("substr('abcdef', 4, 2)"), "");
    assert_eq!(text("substr('abcdef', ${missing})"), "");
    assert_eq!(text("substring-before('35202-1234567-1', '-')"), "35202");
    assert_eq!(text("substring-after('35202-1234567-1', '-')"), "1234567-1");
    assert_eq!(text("substring-after('abc', 'x')"), "");
    assert_eq!(text("translate('a-b-c', 'abc-', 'ABC')"), "ABC");
    assert_eq!(text("normalize-space('  two   words ')"), "two words");
    assert_eq!(text("normalize-space(${missing})"), "");
    assert_eq!(text("boolean-from-string('true')"), "true");
    assert_eq!(text("boolean-from-string('1')"), "true");
    assert_eq!(text("boolean-from-string('yes')"), "false");
    assert_eq!(text("boolean-from-string(${missing})"), "false");
    assert_eq!(
        arity_error("substr('a')"),
        "`substr()` takes 2 to 3 argument(s), got 1"
    );
    assert_eq!(
        arity_error("translate('a', 'b')"),
        "`translate()` takes 3 argument(s), got 2"
    );
    assert_eq!(
        arity_error("contains('a')"),
        "`contains()` takes 2 argument(s), got 1"
    );
}

#[test]
fn math_functions_keep_nan_for_empty() {
    assert_eq!(num("floor(-2.5)"), -3.0);
    assert_eq!(num("ceiling(2.1)"), 3.0);
    assert_eq!(num("abs(-4)"), 4.0);
    assert_eq!(num("sqrt(16)"), 4.0);
    assert_eq!(num("pow(2, 10)"), 1024.0);
    assert_eq!(num("exp10(3)"), 1000.0);
    assert_eq!(num("log10(1000)"), 3.0);
    assert_eq!(num("log(1)"), 0.0);
    assert_eq!(num("exp(0)"), 1.0);
    close("pi()", std::f64::consts::PI);
    close("sin(pi() div 2)", 1.0);
    close("cos(0)", 1.0);
    close("tan(0)", 0.0);
    close("asin(1)", std::f64::consts::FRAC_PI_2);
    close("acos(1)", 0.0);
    close("atan(1)", std::f64::consts::FRAC_PI_4);
    close("atan2(1, 1)", std::f64::consts::FRAC_PI_4);
    for f in [
        "floor", "ceiling", "abs", "sqrt", "exp", "exp10", "log", "log10", "sin", "cos", "tan",
        "asin", "acos", "atan",
    ] {
        assert!(num(&format!("{f}(${{missing}})")).is_nan(), "{f}");
        assert_eq!(
            arity_error(&format!("{f}()")),
            format!("`{f}()` takes 1 argument(s), got 0")
        );
    }
    assert!(num("pow(${missing}, 2)").is_nan());
    assert_eq!(arity_error("pi(1)"), "`pi()` takes 0 argument(s), got 1");
    assert_eq!(arity_error("pow(2)"), "`pow()` takes 2 argument(s), got 1");
}

#[test]
fn count_non_empty_counts_answered_rows() {
    assert_eq!(num("count-non-empty(${incomes})"), 2.0, "0 is an answer");
    assert_eq!(num("count(${incomes})"), 3.0);
    assert_eq!(num("count-non-empty(${missing})"), 0.0);
    assert_eq!(
        arity_error("count-non-empty('a')"),
        "`count-non-empty()` takes a `${name}` reference"
    );
    assert_eq!(
        arity_error("count-non-empty()"),
        "`count-non-empty()` takes 1 argument(s), got 0"
    );
}

#[test]
fn min_and_max_take_a_question_or_several_values() {
    assert_eq!(num("max(${n}, 7, '3')"), 7.0);
    assert_eq!(num("min(${n}, 7, '3')"), 3.0);
    assert!(
        num("max(${n}, ${missing})").is_nan(),
        "an empty value is NaN"
    );
    assert!(num("max(${incomes})").is_nan(), "a row left empty is NaN");
    assert!(num("max(${incomes}, 20)").is_nan());
    assert_eq!(arity_error("max(5)"), "`max()` takes a `${name}` reference");
    assert_eq!(
        arity_error("min()"),
        "`min()` takes at least 1 argument(s), got 0"
    );
}

#[test]
fn uuid_is_seeded_by_the_household_id_so_each_household_gets_its_own() {
    let form = Form::from_toml_str(
        r#"
[settings]
form_id = "seeded"
version = "1"

[[survey]]
type = "calculate"
name = "key"
calculation = "uuid()"
"#,
    )
    .unwrap();
    let key = |id: &str| {
        let h = serde_json::json!({"id": id, "answers": {}});
        let inst = shumari_forms::Instance::from_household_json(&h).unwrap();
        serde_json::to_value(form.validate(&inst, "en", PLAIN.today()).calculated).unwrap()
            ["answers.key"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (a, b) = (
        key("01930000-0000-7000-8000-000000000001"),
        key("01930000-0000-7000-8000-000000000002"),
    );
    assert_ne!(a, b, "two households, two keys");
    assert_eq!(
        a,
        key("01930000-0000-7000-8000-000000000001"),
        "stable for one household"
    );
    assert_eq!(a.len(), 36);
}

#[test]
fn a_calculated_date_stays_a_date_and_a_calculated_number_is_a_number() {
    let form = Form::from_toml_str(
        r#"
[settings]
form_id = "calc_json"
version = "1"

[[survey]]
type = "calculate"
name = "when"
calculation = "concat('2024', '-06-01')"

[[survey]]
type = "calculate"
name = "answer"
calculation = "concat('4', '2')"
"#,
    )
    .unwrap();
    let inst =
        shumari_forms::Instance::from_household_json(&serde_json::json!({"answers": {}})).unwrap();
    let calc = serde_json::to_value(form.validate(&inst, "en", PLAIN.today()).calculated).unwrap();
    assert_eq!(calc["answers.when"], "2024-06-01");
    assert_eq!(calc["answers.answer"], 42);
}
