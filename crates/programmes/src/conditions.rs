//! Conditions: XLSForm expressions, evaluated by the questionnaire's engine over one household.
//!
//! **Why expressions and not a typed rule set.** The forms crate's evaluator
//! ([`shumari_forms::expr::eval`]) is public and total (it never fails at run time), and it takes
//! its values through the small [`Env`] trait, so a programme condition can be evaluated over a
//! household without a form screen. One condition language in the product means a programme
//! officer writes `${occupation} = 'govt'` exactly as the questionnaire's author writes a
//! `relevant`, with the same semantics (an unanswered question is `''`, comparisons with it are
//! false, `selected()` for select_multiple answers).
//!
//! **What a condition can read.** Every question of the NSER questionnaire that the surveyor
//! records (checked when the file loads: a misspelt name is an error on its line), plus the values
//! the questionnaire calculates, computed here the way its `calculate` rows do:
//! - on a member's row: `age_years` (completed years from `dob` as of the date the condition is
//!   read for, else `age`), `disabled` (1 when a Washington Group answer is `a_lot` or `cannot`),
//!   `income_num` (`income`, 0 when unanswered);
//! - on the household: `household_size`, `disabled_members`, `total_income`.
//!
//! A household-level condition (`when`) sees a member question as the list of every member's
//! value, as XPath does outside a repeat: `${occupation} = 'govt'` holds when one member's does.
//! A member-level condition (`any_member`, member groups, payee rules) sees the member's own value,
//! and a household question's value.

use chrono::NaiveDate;
use serde_json::Value;
use shumari_domain::Household;
use shumari_forms::expr::{eval, Env, Expression, XValue};
use shumari_forms::pmt::member_age;
use shumari_forms::{household_form, Instance, QuestionType, Row};
use std::collections::BTreeMap;

/// Values computed on each member's row.
pub const MEMBER_DERIVED: &[&str] = &["age_years", "disabled", "income_num"];
/// Values computed on the household.
pub const HOUSEHOLD_DERIVED: &[&str] = &["household_size", "disabled_members", "total_income"];

const WG: &[&str] = &[
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_remembering",
    "wg_selfcare",
    "wg_communicating",
];

/// A parsed condition and where it is read.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The expression as written and parsed.
    pub expression: Expression,
    /// Read on each member's row (`true`) or on the household (`false`).
    pub on_member: bool,
}

impl Condition {
    /// Parses a condition.
    pub fn parse(
        text: &str,
        on_member: bool,
    ) -> Result<Condition, shumari_forms::expr::ParseError> {
        Ok(Condition {
            expression: Expression::parse(text)?,
            on_member,
        })
    }

    /// A condition that never holds (stands in for one that did not parse, in a refused file).
    pub(crate) fn never(on_member: bool) -> Condition {
        Condition {
            expression: Expression {
                source: "false()".into(),
                ast: shumari_forms::expr::Expr::Number(0.0),
            },
            on_member,
        }
    }
}

/// Refuses a reference to a name the questionnaire does not record and this crate does not compute.
pub(crate) fn check_references(c: &Condition) -> Result<(), String> {
    let form = household_form();
    for (name, _) in c.expression.references() {
        if MEMBER_DERIVED.contains(&name) || HOUSEHOLD_DERIVED.contains(&name) {
            continue;
        }
        match form.question(name) {
            Some(q) if q.kind.is_recorded() => {}
            Some(q) if q.kind == QuestionType::Calculate => {
                return Err(format!(
                    "`${{{name}}}` is calculated by the questionnaire and not computed for programmes; use the answers it is calculated from"
                ))
            }
            Some(_) => return Err(format!("`${{{name}}}` is not a question with an answer")),
            None => {
                return Err(format!(
                    "the NSER questionnaire has no question `{name}`"
                ))
            }
        }
    }
    Ok(())
}

fn xvalue(v: &Value) -> XValue {
    match v {
        Value::String(s) => XValue::Str(s.clone()),
        Value::Number(n) => n.as_f64().map_or_else(XValue::empty, XValue::Num),
        Value::Bool(b) => XValue::Bool(*b),
        _ => XValue::empty(),
    }
}

/// A household as conditions read it, as of one date.
#[derive(Debug, Clone)]
pub struct View {
    household: BTreeMap<String, XValue>,
    members: Vec<BTreeMap<String, XValue>>,
    /// Each member's age in completed years as of the date (roster order).
    pub ages: Vec<Option<f64>>,
    today: NaiveDate,
}

impl View {
    /// Reads `household` as of `today` (ages are computed against it).
    pub fn new(household: &Household, today: NaiveDate) -> View {
        // The household JSON contract is what the forms engine reads; a household the domain
        // holds always maps (the registry scores with the same mapping), so a failure leaves the
        // answers empty rather than guessing.
        let inst = serde_json::to_value(household)
            .ok()
            .and_then(|j| Instance::from_household_json(&j).ok())
            .unwrap_or_default();
        let rows: &[Row] = inst.repeats.get("members").map_or(&[], Vec::as_slice);
        let mut members = Vec::with_capacity(rows.len());
        let mut ages = Vec::with_capacity(rows.len());
        let (mut disabled_members, mut total_income) = (0.0, 0.0);
        for row in rows {
            let mut m: BTreeMap<String, XValue> = row
                .answers
                .iter()
                .map(|(k, v)| (k.clone(), xvalue(v)))
                .collect();
            let age = member_age(row, today);
            ages.push(age);
            m.insert(
                "age_years".into(),
                age.map_or_else(XValue::empty, XValue::Num),
            );
            let disabled = WG.iter().any(|q| {
                matches!(
                    row.answers.get(*q).and_then(Value::as_str),
                    Some("a_lot" | "cannot")
                )
            });
            disabled_members += f64::from(u8::from(disabled));
            m.insert(
                "disabled".into(),
                XValue::Num(f64::from(u8::from(disabled))),
            );
            let income = m.get("income").map_or(f64::NAN, XValue::to_num);
            let income = if income.is_nan() { 0.0 } else { income };
            total_income += income;
            m.insert("income_num".into(), XValue::Num(income));
            members.push(m);
        }
        let mut h: BTreeMap<String, XValue> = inst
            .answers
            .iter()
            .map(|(k, v)| (k.clone(), xvalue(v)))
            .collect();
        h.insert("household_size".into(), XValue::Num(rows.len() as f64));
        h.insert("disabled_members".into(), XValue::Num(disabled_members));
        h.insert("total_income".into(), XValue::Num(total_income));
        View {
            household: h,
            members,
            ages,
            today,
        }
    }

    /// Number of members.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Whether `c` holds on the household (a member condition: for at least one member).
    pub fn holds(&self, c: &Condition) -> bool {
        if c.on_member {
            (0..self.members.len()).any(|i| self.holds_for(c, i))
        } else {
            eval(
                &c.expression.ast,
                &Ctx {
                    view: self,
                    row: None,
                },
            )
            .to_bool()
        }
    }

    /// Whether the member condition `c` holds on member `i`'s row (roster order).
    pub fn holds_for(&self, c: &Condition, i: usize) -> bool {
        eval(
            &c.expression.ast,
            &Ctx {
                view: self,
                row: Some(i),
            },
        )
        .to_bool()
    }
}

struct Ctx<'a> {
    view: &'a View,
    row: Option<usize>,
}

impl Ctx<'_> {
    fn is_member_name(&self, name: &str) -> bool {
        MEMBER_DERIVED.contains(&name)
            || household_form().repeat_of(name) == Some("members")
            || self.view.members.iter().any(|m| m.contains_key(name))
    }
}

impl Env for Ctx<'_> {
    fn value(&self, name: &str) -> XValue {
        if let Some(i) = self.row {
            if let Some(v) = self.view.members[i].get(name) {
                return v.clone();
            }
            if self.is_member_name(name) {
                return XValue::empty();
            }
            return self
                .view
                .household
                .get(name)
                .cloned()
                .unwrap_or_else(XValue::empty);
        }
        if self.is_member_name(name) {
            return XValue::Nodes(self.nodes(name));
        }
        self.view
            .household
            .get(name)
            .cloned()
            .unwrap_or_else(XValue::empty)
    }

    fn nodes(&self, name: &str) -> Vec<XValue> {
        if name == "members" {
            return self
                .view
                .members
                .iter()
                .map(|_| XValue::Str(String::new()))
                .collect();
        }
        if self.is_member_name(name) {
            return self
                .view
                .members
                .iter()
                .map(|m| m.get(name).cloned().unwrap_or_else(XValue::empty))
                .collect();
        }
        vec![self.value(name)]
    }

    fn current(&self) -> XValue {
        XValue::empty()
    }

    fn position(&self) -> f64 {
        self.row.map_or(f64::NAN, |i| (i + 1) as f64)
    }

    fn today(&self) -> NaiveDate {
        self.view.today
    }

    fn choice_column(&self, _name: &str) -> XValue {
        XValue::empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_outside_the_questionnaire_are_refused_and_its_answers_and_derived_values_accepted() {
        let ok = Condition::parse("${occupation} = 'govt' and ${age_years} < 60", true).unwrap();
        assert!(check_references(&ok).is_ok());
        let bill = Condition::parse("${electricity_bill} > 5000", false).unwrap();
        assert!(check_references(&bill).is_ok());
        let typo = Condition::parse("${ocupation} = 'govt'", true).unwrap();
        assert!(check_references(&typo).unwrap_err().contains("ocupation"));
    }
}
