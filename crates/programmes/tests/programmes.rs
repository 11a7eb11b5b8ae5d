//! The shipped programme files on households built for each rule: eligibility and exclusions with
//! their reasons, the disability override, entitlement arithmetic per child by level and sex, the
//! payee choice, conditions to keep receiving, and file errors that name their line.

use chrono::NaiveDate;
use serde_json::{json, Value};
use shumari_domain::money::Paisa;
use shumari_domain::Household;
use shumari_programmes::{
    eligibility, entitlement, entitlement_explained, shipped, Compliance, Period, Programme,
};
use uuid::Uuid;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
}

fn q4() -> Period {
    Period::parse("2026-Q4", 4).unwrap()
}

fn kafalat() -> Programme {
    Programme::from_toml_str(shipped::KAFALAT).unwrap()
}

fn taleemi() -> Programme {
    Programme::from_toml_str(shipped::TALEEMI_WAZAIF).unwrap()
}

fn nashonuma() -> Programme {
    Programme::from_toml_str(shipped::NASHONUMA).unwrap()
}

/// A member: (line, relation, sex, age, CNIC, answers).
fn member(
    line: u32,
    relation: &str,
    sex: &str,
    age: u32,
    cnic: Option<&str>,
    answers: Value,
) -> Value {
    let mut m = json!({
        "id": Uuid::from_u128(u128::from(line)).to_string(),
        "line": line, "name": format!("Member {line}"), "relation": relation, "sex": sex,
        "age": age, "answers": answers,
    });
    if let Some(c) = cnic {
        m["id_number"] = json!(c);
    }
    m
}

fn household(answers: Value, members: Vec<Value>) -> Household {
    serde_json::from_value(json!({
        "id": Uuid::from_u128(99).to_string(), "ref": "PK60301-AB-0001", "area": "PK60301",
        "form_id": "nser_household", "form_version": "1", "answers": answers, "members": members,
        "status": "approved", "created_by": "u", "created_at": "2026-01-01T00:00:00Z",
        "updated_by": "u", "updated_at": "2026-01-01T00:00:00Z"
    }))
    .unwrap()
}

fn head_man() -> Value {
    member(
        1,
        "head",
        "male",
        45,
        Some("3520212345671"),
        json!({"occupation": "labour", "income": 12000}),
    )
}

fn wife() -> Value {
    member(
        2,
        "spouse",
        "female",
        38,
        Some("3520212345682"),
        json!({"occupation": "housework"}),
    )
}

fn child(line: u32, sex: &str, age: u32, education: &str) -> Value {
    member(
        line,
        if sex == "male" { "son" } else { "daughter" },
        sex,
        age,
        None,
        json!({"in_school": "yes", "education": education, "literate": "yes"}),
    )
}

#[test]
fn a_poor_household_is_eligible_and_told_why() {
    let h = household(json!({"electricity_bill": 1200}), vec![head_man(), wife()]);
    let e = eligibility(&kafalat(), &h, 28.4, day());
    assert!(e.eligible);
    assert_eq!(e.summary().en, "PMT 28.4 ≤ 32; no exclusion applies");
    assert!(e.summary().ur.contains("28.4"));
    let above = eligibility(&kafalat(), &h, 40.0, day());
    assert!(!above.eligible);
    assert_eq!(
        above.summary().en,
        "PMT 40 is above the limit of 32; no exclusion applies"
    );
}

#[test]
fn exclusions_hold_whatever_the_score_and_each_is_named() {
    let mut clerk = head_man();
    clerk["answers"]["occupation"] = json!("govt");
    let h = household(json!({"electricity_bill": 9000}), vec![clerk, wife()]);
    let e = eligibility(&kafalat(), &h, 10.0, day());
    assert!(!e.eligible);
    assert_eq!(
        e.excluded_by,
        ["government_employee", "high_electricity_bill"]
    );
    assert_eq!(
        e.summary().en,
        "PMT 10 ≤ 32; excluded: a member is a government employee; excluded: the monthly electricity bill is above Rs 5,000"
    );
    let mut abroad = wife();
    abroad["answers"]["occupation"] = json!("overseas");
    let h = household(json!({}), vec![head_man(), abroad]);
    let e = eligibility(&kafalat(), &h, 10.0, day());
    assert_eq!(e.excluded_by, ["works_abroad"]);
    // An unanswered bill is no bill above the limit.
    let h = household(json!({}), vec![head_man()]);
    assert!(eligibility(&kafalat(), &h, 10.0, day()).eligible);
}

#[test]
fn a_disabled_member_raises_the_limit() {
    let mut m = wife();
    m["answers"]["wg_walking"] = json!("cannot");
    let h = household(json!({}), vec![head_man(), m]);
    let e = eligibility(&kafalat(), &h, 35.0, day());
    assert!(e.eligible);
    assert_eq!(e.threshold, 37.0);
    assert!(e.reasons[0]
        .en
        .contains("35 ≤ 37 (the limit for a household with a disabled member)"));
    let h = household(json!({}), vec![head_man(), wife()]);
    assert!(!eligibility(&kafalat(), &h, 35.0, day()).eligible);
}

#[test]
fn school_stipends_need_a_child_in_school() {
    let h = household(json!({}), vec![head_man(), wife()]);
    let e = eligibility(&taleemi(), &h, 20.0, day());
    assert!(!e.eligible);
    assert!(e
        .summary()
        .en
        .contains("no member counts for this programme"));
    let h = household(
        json!({}),
        vec![head_man(), wife(), child(3, "female", 8, "none")],
    );
    let e = eligibility(&taleemi(), &h, 20.0, day());
    assert!(e.eligible, "{:?}", e.reasons);
    assert!(e.summary().en.contains("1 member(s) count"));
}

#[test]
fn stipends_add_up_per_child_by_level_and_sex_and_go_to_the_eldest_woman() {
    let grandmother = member(
        6,
        "parent",
        "female",
        66,
        Some("3520212345693"),
        json!({"occupation": "none"}),
    );
    let h = household(
        json!({}),
        vec![
            head_man(),
            wife(),
            child(3, "female", 8, "none"),     // primary girl: 3,000
            child(4, "male", 9, "none"),       // primary boy: 2,500
            child(5, "female", 13, "primary"), // secondary girl: 4,000
            grandmother,
            child(7, "male", 17, "matric"), // higher secondary boy: 4,500
            member(8, "son", "male", 3, None, json!({})), // too young: nothing
        ],
    );
    let p = entitlement(&taleemi(), &h, &q4(), &Compliance::none()).unwrap();
    assert_eq!(p.amount, Paisa::rupees(3000 + 2500 + 4000 + 4500));
    assert_eq!(p.amount, Paisa(1_400_000));
    assert_eq!(
        p.payee_member,
        Uuid::from_u128(6),
        "the grandmother is the eldest woman"
    );
    assert_eq!(p.payee_cnic, "3520212345693");
    assert_eq!(p.reference, "PK60301-AB-0001");
    assert!(
        p.basis.contains("1 x girl in primary school at Rs 3,000"),
        "{}",
        p.basis
    );
    assert!(p.basis.contains("= Rs 14,000 for 2026-Q4"), "{}", p.basis);
}

#[test]
fn attendance_below_the_rule_withholds_that_childs_stipend_and_no_record_pays() {
    let h = household(
        json!({}),
        vec![
            head_man(),
            wife(),
            child(3, "female", 8, "none"),
            child(4, "male", 9, "none"),
        ],
    );
    let mut c = Compliance::none();
    c.set(Some(Uuid::from_u128(3)), "attendance_percent", 55.0);
    c.set(Some(Uuid::from_u128(4)), "attendance_percent", 70.0);
    let p = entitlement(&taleemi(), &h, &q4(), &c).unwrap();
    assert_eq!(p.amount, Paisa::rupees(2500));
    assert!(
        p.basis
            .contains("withheld for 1 member(s): school attendance below 70%"),
        "{}",
        p.basis
    );
    c.set(Some(Uuid::from_u128(4)), "attendance_percent", 40.0);
    let none = entitlement_explained(&taleemi(), &h, &q4(), &c).unwrap_err();
    assert!(
        none.reason.en.contains("nothing due for 2026-Q4"),
        "{}",
        none.reason.en
    );
    let p = entitlement(&taleemi(), &h, &q4(), &Compliance::none()).unwrap();
    assert_eq!(p.amount, Paisa::rupees(5500));
}

#[test]
fn a_household_amount_goes_to_the_head_when_no_woman_holds_a_cnic() {
    let no_card_wife = member(2, "spouse", "female", 38, None, json!({}));
    let h = household(json!({}), vec![no_card_wife, head_man()]);
    let p = entitlement(&kafalat(), &h, &q4(), &Compliance::none()).unwrap();
    assert_eq!(p.amount, Paisa(1_050_000));
    assert_eq!(p.payee_member, Uuid::from_u128(1));
    let nobody = household(
        json!({}),
        vec![member(1, "head", "male", 40, None, json!({}))],
    );
    let e = entitlement_explained(&kafalat(), &nobody, &q4(), &Compliance::none()).unwrap_err();
    assert!(e.reason.en.contains("CNIC"));
}

#[test]
fn nutrition_counts_children_under_two_and_waits_for_the_clinic_record() {
    let baby = member(3, "daughter", "female", 1, None, json!({}));
    let h = household(json!({}), vec![head_man(), wife(), baby]);
    assert!(eligibility(&nashonuma(), &h, 25.0, day()).eligible);
    assert!(entitlement(&nashonuma(), &h, &q4(), &Compliance::none()).is_none());
    let mut c = Compliance::none();
    c.set(Some(Uuid::from_u128(3)), "clinic_visits", 1.0);
    let p = entitlement(&nashonuma(), &h, &q4(), &c).unwrap();
    assert_eq!(p.amount, Paisa::rupees(3000));
    assert_eq!(p.payee_member, Uuid::from_u128(2));
}

#[test]
fn file_errors_name_their_line() {
    let bad = shipped::KAFALAT.replace("pmt_at_most = 32\n", "pmt_at_most = 32\nbogus = 1\n");
    let e = Programme::from_toml_str(&bad).unwrap_err();
    let line = bad.lines().position(|l| l == "bogus = 1").unwrap() + 1;
    assert_eq!(e.issues[0].line, line, "{e}");
    assert!(e.issues[0].message.contains("bogus"), "{e}");

    let bad = shipped::KAFALAT
        .replace(
            "per_household = \"10,500\"",
            "per_household = \"10,500.505\"",
        )
        .replace("${occupation} = 'govt'", "${ocupation} = 'govt'")
        .replace("${electricity_bill} > 5000", "${electricity_bill} >");
    let e = Programme::from_toml_str(&bad).unwrap_err();
    let at = |needle: &str| bad.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let lines: Vec<usize> = e.issues.iter().map(|i| i.line).collect();
    assert_eq!(
        lines,
        [
            at("${ocupation}"),
            at("${electricity_bill} >"),
            at("10,500.505")
        ],
        "{e}"
    );
    assert!(e.issues[0].message.contains("ocupation"));
    assert!(e.issues[2].message.contains("10,500.505"));

    let bad = shipped::TALEEMI_WAZAIF.replace("group = \"higher_boy\"", "group = \"higher_bo\"");
    let e = Programme::from_toml_str(&bad).unwrap_err();
    assert_eq!(
        e.issues[0].line,
        bad.lines().position(|l| l.contains("higher_bo\"")).unwrap() + 1
    );

    let bad = shipped::KAFALAT.replace("instalments_per_year = 4", "instalments_per_year = 3");
    let e = Programme::from_toml_str(&bad).unwrap_err();
    assert!(e.issues[0].message.contains("quarterly"), "{e}");
}

#[test]
fn every_shipped_file_loads_and_says_its_amounts_are_illustrative() {
    for (name, src) in shipped::ALL {
        let p = Programme::from_toml_str(src).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            src.lines().take(6).any(|l| l.contains("ILLUSTRATIVE")),
            "{name}"
        );
        assert_eq!(p.instalments_per_year, 4, "{name}");
    }
}
