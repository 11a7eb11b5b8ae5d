//! Answering one search request item from the registry, in the client's scope, through the
//! registry's public service functions only: `households_with_id_number` (the ID-number index),
//! `household_list` (the area index) and `household_show` (the household, its members and its PMT
//! score). Each of them applies the client's user's areas and appends its own rows to the access
//! trail, so every household a client is shown is recorded as shown to it.
//!
//! Household-level filters narrow the candidates first (an ID number through its index, areas
//! through theirs, the roster size from the list row); only the remaining candidates are read in
//! full, at most [`crate::DciConfig::max_scan`] of them (more is `rjct.search.too_many_records_found`:
//! narrow the search by area).

use crate::query::{Criteria, Entity, Filter, Refusal};
use crate::records::{group_record, member_record};
use crate::store::DciStore;
use serde_json::Value;
use shumari_domain::{Household, HouseholdSummary, Member};
use shumari_registry::storage::User;
use shumari_registry::{Registry, RegistryError};

/// A page of records and how many there are in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The page's records (JSON-LD Group or Member objects).
    pub records: Vec<Value>,
    /// Records matching the search across all pages.
    pub total: usize,
}

fn member_matches(m: &Member, filters: &[Filter], today: chrono::NaiveDate) -> bool {
    filters.iter().all(|f| match f {
        Filter::Sex(s) => m.sex.as_str() == s,
        Filter::Age(op, v) => {
            let age = m.dob.map(|d| today.years_since(d).unwrap_or(0)).or(m.age);
            age.is_some_and(|a| op.holds(f64::from(a), *v))
        }
        Filter::IdNumber(n) => {
            let digits: String = n.chars().filter(char::is_ascii_digit).collect();
            m.id_number.as_ref().is_some_and(|i| i.digits() == digits)
        }
        _ => true,
    })
}

fn refused(e: RegistryError) -> Result<Found, Refusal> {
    match e {
        RegistryError::BadRequest(m) => Err(Refusal {
            code: "rjct.search_criteria.invalid",
            message: m,
        }),
        other => Err(Refusal {
            code: "rjct.search_criteria.invalid",
            message: format!("the registry could not answer: {}", other.code()),
        }),
    }
}

/// Runs `c` as `user`; `max_scan` bounds the households read in full.
pub async fn run<S: DciStore>(
    reg: &Registry<S>,
    user: &User,
    c: &Criteria,
    max_scan: usize,
) -> Result<Found, Refusal> {
    let id_number = c.filters.iter().find_map(|f| match f {
        Filter::IdNumber(n) => Some(n.clone()),
        _ => None,
    });
    let areas: Vec<String> = c
        .filters
        .iter()
        .filter_map(|f| match f {
            Filter::Area(a) => Some(a.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let mut candidates: Vec<HouseholdSummary> = match &id_number {
        Some(n) => match reg.households_with_id_number(Some(user), n).await {
            Ok(rows) => rows,
            Err(e) => return refused(e),
        },
        None if areas.is_empty() => match reg.household_list(Some(user), None).await {
            Ok(rows) => rows,
            Err(e) => return refused(e),
        },
        None => {
            let mut rows = Vec::new();
            for a in &areas {
                match reg.household_list(Some(user), Some(a)).await {
                    Ok(r) => rows.extend(r),
                    Err(e) => return refused(e),
                }
            }
            rows
        }
    };
    if !areas.is_empty() {
        candidates.retain(|r| {
            areas
                .iter()
                .any(|a| shumari_domain::area::contains(a, &r.area))
        });
    }
    candidates.sort_by(|a, b| a.reference.cmp(&b.reference));
    candidates.dedup_by(|a, b| a.id == b.id);
    for f in &c.filters {
        if let Filter::Size(op, v) = f {
            candidates.retain(|r| op.holds(f64::from(r.member_count), *v));
        }
    }
    if candidates.len() > max_scan {
        return Err(Refusal {
            code: "rjct.search.too_many_records_found",
            message: format!(
                "{} households match before the score and member conditions; narrow the search by area (at most {max_scan})",
                candidates.len()
            ),
        });
    }
    let member_filters: Vec<Filter> = c
        .filters
        .iter()
        .filter(|f| f.is_member_level())
        .cloned()
        .collect();
    let today = chrono::Utc::now().date_naive();
    // (score, record) pairs, so a PMT sort can order them.
    let mut matched: Vec<(Option<f64>, Value)> = Vec::new();
    for r in &candidates {
        let detail = match reg.household_show(Some(user), &r.id.to_string()).await {
            Ok(d) => d,
            Err(RegistryError::NotFound(_)) => continue,
            Err(e) => return refused(e),
        };
        let score = detail.pmt.as_ref().map(|p| p.score);
        let pmt_ok = c.filters.iter().all(|f| match f {
            Filter::Pmt(op, v) => score.is_some_and(|s| op.holds(s, *v)),
            _ => true,
        });
        if !pmt_ok {
            continue;
        }
        let h: &Household = &detail.household;
        let members: Vec<&Member> = h
            .members
            .iter()
            .filter(|m| member_matches(m, &member_filters, today))
            .collect();
        match c.entity {
            Entity::Group => {
                if member_filters.is_empty() || !members.is_empty() {
                    matched.push((score, group_record(h, detail.pmt.as_ref())));
                }
            }
            Entity::Member => {
                for m in members {
                    matched.push((score, member_record(m, h)));
                }
            }
        }
    }
    if let Some(asc) = c.pmt_order {
        matched.sort_by(|a, b| {
            let (x, y) = (a.0.unwrap_or(f64::MAX), b.0.unwrap_or(f64::MAX));
            let o = x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal);
            if asc {
                o
            } else {
                o.reverse()
            }
        });
    }
    let total = matched.len();
    let records = matched
        .into_iter()
        .skip((c.page_number - 1).saturating_mul(c.page_size))
        .take(c.page_size)
        .map(|(_, r)| r)
        .collect();
    Ok(Found { records, total })
}
