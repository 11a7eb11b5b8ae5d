//! The entitlement: what a programme owes one enrolled household for one period, exact in paisa,
//! paid to the member its payee rules choose, with how the amount was reached in plain words.
//!
//! The amount is the household amount plus, for each member, the amount of the first
//! `per_member` rule whose group holds them (a member is paid for once), up to `max_members`
//! members in roster order. Conditions to keep receiving are checked against the period's
//! compliance records: a member's condition withholds that member's amount, a household's
//! condition the whole payment; without a record, the condition's `if_missing` decides.
//! Ages are counted as of the period's first day, so a child who turns 17 mid-quarter is paid
//! for the quarter she started in school.

use crate::conditions::View;
use crate::eligibility::Reason;
use crate::file::{IfMissing, Keep, Pick, Programme};
use crate::period::Period;
use shumari_domain::money::Paisa;
use shumari_domain::{Household, PlannedPayment};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Compliance records of one household for one period: a measure (e.g. `attendance_percent`) per
/// member, or for the household.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Compliance {
    records: BTreeMap<(Option<Uuid>, String), f64>,
}

impl Compliance {
    /// No records.
    pub fn none() -> Compliance {
        Compliance::default()
    }

    /// Records `value` of `measure` for a member (`Some`) or the household (`None`).
    pub fn set(&mut self, member: Option<Uuid>, measure: &str, value: f64) {
        self.records.insert((member, measure.to_string()), value);
    }

    /// The recorded value, if any.
    pub fn get(&self, member: Option<Uuid>, measure: &str) -> Option<f64> {
        self.records.get(&(member, measure.to_string())).copied()
    }
}

/// Why nothing is paid to a household for a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .reason.en)]
pub struct NoPayment {
    /// In plain words.
    pub reason: Reason,
}

fn no(en: impl Into<String>, ur: impl Into<String>) -> NoPayment {
    NoPayment {
        reason: Reason::new(en, ur),
    }
}

/// Whether `keep` lets the payment through for a record `value` (`None`: no record).
fn kept(keep: &Keep, value: Option<f64>) -> bool {
    match value {
        Some(v) => v >= keep.at_least,
        None => keep.if_missing == IfMissing::Pay,
    }
}

/// What `programme` owes `household` for `period`, or `None` (see [`entitlement_explained`]).
pub fn entitlement(
    programme: &Programme,
    household: &Household,
    period: &Period,
    compliance: &Compliance,
) -> Option<PlannedPayment> {
    entitlement_explained(programme, household, period, compliance).ok()
}

/// What `programme` owes `household` for `period`, or why nothing is owed (nothing counts, every
/// amount withheld, no member the payee rules accept holds a CNIC). Eligibility and enrolment are
/// the caller's: this computes the amount for a household it is told to pay.
pub fn entitlement_explained(
    programme: &Programme,
    household: &Household,
    period: &Period,
    compliance: &Compliance,
) -> Result<PlannedPayment, NoPayment> {
    let view = View::new(household, period.start());
    for k in programme.keep.iter().filter(|k| k.applies_to.is_empty()) {
        if !kept(k, compliance.get(None, &k.measure)) {
            return Err(no(
                format!("withheld for {period}: {}", k.reason.0),
                format!("{period} کے لیے روکی گئی: {}", k.reason.1),
            ));
        }
    }
    let mut parts: Vec<String> = Vec::new();
    let mut total = Paisa::ZERO;
    if let Some(a) = programme.entitlement.per_household {
        total += a;
        parts.push(format!("{a} per household"));
    }
    // (count, amount) per rule, in the file's order; withheld members per condition.
    let mut per_rule: Vec<(usize, Paisa)> =
        vec![(0, Paisa::ZERO); programme.entitlement.per_member.len()];
    let mut withheld: BTreeMap<&str, usize> = BTreeMap::new();
    let mut paid_members = 0u32;
    let mut over_cap = 0usize;
    for (i, member) in household.members.iter().enumerate() {
        let Some((r, rule)) = programme
            .entitlement
            .per_member
            .iter()
            .enumerate()
            .find(|(_, p)| {
                programme
                    .group(&p.group)
                    .is_some_and(|g| view.holds_for(&g.condition, i))
            })
        else {
            continue;
        };
        let failed = programme.keep.iter().find(|k| {
            k.applies_to.contains(&rule.group)
                && !kept(k, compliance.get(Some(member.id), &k.measure))
        });
        if let Some(k) = failed {
            *withheld.entry(k.reason.0.as_str()).or_default() += 1;
            continue;
        }
        if programme
            .entitlement
            .max_members
            .is_some_and(|m| paid_members >= m)
        {
            over_cap += 1;
            continue;
        }
        paid_members += 1;
        per_rule[r].0 += 1;
        per_rule[r].1 += rule.amount;
        total += rule.amount;
    }
    for (rule, (n, _)) in programme.entitlement.per_member.iter().zip(&per_rule) {
        if *n > 0 {
            let label = programme
                .group(&rule.group)
                .map_or(rule.group.as_str(), |g| g.label.0.as_str());
            parts.push(format!("{n} x {label} at {}", rule.amount));
        }
    }
    let mut notes: Vec<String> = withheld
        .iter()
        .map(|(why, n)| format!("withheld for {n} member(s): {why}"))
        .collect();
    if over_cap > 0 {
        notes.push(format!(
            "{over_cap} more member(s) beyond the limit of {} paid for",
            programme.entitlement.max_members.unwrap_or_default()
        ));
    }
    if total == Paisa::ZERO {
        let why = if notes.is_empty() {
            "no member counts for this programme".to_string()
        } else {
            notes.join("; ")
        };
        return Err(no(
            format!("nothing due for {period}: {why}"),
            format!("{period} کے لیے کوئی رقم واجب نہیں"),
        ));
    }
    let payee = payee(programme, household, &view).ok_or_else(|| {
        no(
            "no member the payee rules accept holds a CNIC",
            "ادائیگی کے اصولوں کے مطابق کسی فرد کے پاس شناختی کارڈ نہیں",
        )
    })?;
    let mut basis = format!("{} = {total} for {period}", parts.join(" + "));
    if !notes.is_empty() {
        basis.push_str("; ");
        basis.push_str(&notes.join("; "));
    }
    let m = &household.members[payee];
    Ok(PlannedPayment {
        household_id: household.id,
        reference: household.reference.clone(),
        area: household.area.clone(),
        payee_member: m.id,
        payee_name: m.name.clone(),
        payee_cnic: m
            .id_number
            .as_ref()
            .map(|n| n.digits().to_string())
            .unwrap_or_default(),
        amount: total,
        basis,
    })
}

/// The member the money is paid to: the first payee rule that finds a member holding a CNIC
/// decides, picking the eldest or the first on the roster.
fn payee(programme: &Programme, household: &Household, view: &View) -> Option<usize> {
    for rule in &programme.payee {
        let found: Vec<usize> = (0..household.members.len())
            .filter(|&i| household.members[i].id_number.is_some())
            .filter(|&i| view.holds_for(&rule.condition, i))
            .collect();
        let pick = match rule.pick {
            Pick::First => found.first().copied(),
            // Oldest first; a member without an age after those with one; roster order on ties.
            Pick::Eldest => found.iter().copied().min_by(|&a, &b| {
                let age = |i: usize| {
                    view.ages
                        .get(i)
                        .copied()
                        .flatten()
                        .unwrap_or(f64::NEG_INFINITY)
                };
                age(b).total_cmp(&age(a)).then(a.cmp(&b))
            }),
        };
        if pick.is_some() {
            return pick;
        }
    }
    None
}
