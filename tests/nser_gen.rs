//! The household generator of the scale harness: seeded, complete by the shipped questionnaire,
//! spread over every tehsil, rosters of Pakistan's mean size.

use shumari_domain::IdNumber;
use shumari_scenarios::nser_gen::{district_of, tehsils, Generator, REFERENCE_DATE};
use std::collections::BTreeSet;

fn reference_day() -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(REFERENCE_DATE, "%Y-%m-%d").expect("a date")
}

#[test]
fn the_same_seed_makes_the_same_households() {
    let a = Generator::new(42).households(200);
    assert_eq!(a, Generator::new(42).households(200));
    assert_ne!(a, Generator::new(43).households(200));
    // Not the same household over and over.
    assert_ne!(a[0].members, a[577 % 200].members);
}

#[test]
fn generated_households_validate_complete_with_the_shipped_questionnaire() {
    let form = shumari_forms::household_form();
    let mut gen = Generator::new(7);
    for (k, h) in gen.households(700).into_iter().enumerate() {
        let json = serde_json::to_value(&h).expect("json");
        let inst = shumari_forms::Instance::from_household_json(&json).expect("an instance");
        let v = form.validate(&inst, "en", reference_day());
        assert!(
            v.is_complete(),
            "household {k} is not complete: missing {:?}, invalid {:?}",
            v.missing,
            v.invalid
        );
        assert!(v.unknown.is_empty(), "household {k}: {:?}", v.unknown);
        for (i, m) in h.members.iter().enumerate() {
            let member = m
                .to_member(&format!("members[{i}]"), 1)
                .expect("the domain accepts the member");
            if let Some(raw) = &m.id_number {
                let id = IdNumber::parse("id_number", raw).expect("13 digits");
                let warnings = id.warnings("id_number", Some(member.sex));
                assert!(warnings.is_empty(), "{raw}: {warnings:?}");
            }
        }
    }
}

#[test]
fn areas_cover_every_tehsil_and_district_and_rosters_average_six_point_four() {
    let all = tehsils();
    let households = Generator::new(1).households(3 * all.len());
    let areas: BTreeSet<String> = households.iter().filter_map(|h| h.area.clone()).collect();
    assert_eq!(areas, all.iter().cloned().collect::<BTreeSet<_>>());
    let districts: BTreeSet<String> = areas.iter().map(|a| district_of(a)).collect();
    assert!(districts.len() > 100, "{} districts", districts.len());
    let provinces: BTreeSet<&str> = areas.iter().map(|a| &a[..3]).collect();
    assert!(provinces.len() >= 7, "{provinces:?}");

    let sizes: Vec<usize> = households.iter().map(|h| h.members.len()).collect();
    let mean = sizes.iter().sum::<usize>() as f64 / sizes.len() as f64;
    assert!((6.1..6.7).contains(&mean), "mean household size {mean}");
    let (min, max) = (sizes.iter().min(), sizes.iter().max());
    assert!(min <= Some(&3) && max >= Some(&10), "{min:?}..{max:?}");
    assert!(households.iter().all(|h| h.members[0].relation == "head"));
}

#[test]
fn id_numbers_are_unique_within_a_generator() {
    let households = Generator::new(9).households(2000);
    let ids: Vec<&String> = households
        .iter()
        .flat_map(|h| h.members.iter().filter_map(|m| m.id_number.as_ref()))
        .collect();
    let unique: BTreeSet<&String> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len());
    assert!(ids.len() > 2000 * 3, "{} ID numbers", ids.len());
}
