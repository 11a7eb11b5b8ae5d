//! Jurisdiction: a user's areas each include everything under them.
//!
//! "Under" is the domain's one rule ([`shumari_domain::area::contains`]), the same the device's store
//! and both registry backends apply. On top of it the registry asks that the code names an area at all
//! ([`AreaRegistry::recognises`]): the shipped list, or a union council or village under a known tehsil,
//! since the areas district offices add are not sent to the registry.

use shumari_domain::area::{contains, district_of, DISTRICT_CODE_LEN};
use shumari_domain::{AreaRange, AreaRegistry};

/// The areas one user may read and write.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    areas: &'a [String],
    registry: &'a AreaRegistry,
}

impl<'a> Scope<'a> {
    /// A scope over `areas`.
    pub fn new(areas: &'a [String], registry: &'a AreaRegistry) -> Self {
        Scope { areas, registry }
    }

    /// Whether `code` is an area in one of the areas (itself or anything under it).
    pub fn contains(&self, code: &str) -> bool {
        self.registry.recognises(code) && self.areas.iter().any(|a| contains(a, code))
    }
}

/// `areas` without those inside another of them, sorted and without repeats: each household of the
/// scope lies under exactly one, so reading each through the area index reads the scope once.
pub fn outermost(areas: &[String]) -> Vec<String> {
    let mut out: Vec<String> = areas
        .iter()
        .filter(|a| !areas.iter().any(|b| b != *a && contains(b, a)))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Where a feed reads the change log for `areas` ([`crate::storage::Storage::read_log_in`]): pairs
/// of a district's code and an area range inside it, whose entries together are exactly the
/// scope's. An area at or below a district is one pair; an area above (a province) is itself (a
/// household recorded at that level: the log's district expression of a code shorter than a
/// district's is the whole code) and every province and district under it.
pub fn log_reads(areas: &[String], registry: &AreaRegistry) -> Vec<(String, AreaRange)> {
    let mut out = Vec::new();
    for a in outermost(areas) {
        match district_of(&a) {
            Some(d) => out.push((d.to_string(), AreaRange::of(&a))),
            None => {
                for x in registry.all() {
                    if x.code.len() <= DISTRICT_CODE_LEN && x.code != a && contains(&a, &x.code) {
                        out.push((x.code.clone(), AreaRange::of(&x.code)));
                    }
                }
                out.push((a.clone(), AreaRange::of(&a)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use shumari_domain::AreaLevel;

    #[test]
    fn outermost_keeps_each_area_once_and_drops_those_inside_another() {
        let areas = ["PK60301", "PK603", "PK701", "PK603", "PK60301-UC001"].map(String::from);
        assert_eq!(outermost(&areas), ["PK603", "PK701"]);
        assert!(outermost(&[]).is_empty());
    }

    #[test]
    fn areas_include_what_is_under_them_and_nothing_else() {
        let reg = AreaRegistry::builtin();
        let tehsil = reg
            .all()
            .find(|a| a.level == AreaLevel::Tehsil)
            .unwrap()
            .clone();
        let district = tehsil.parent.clone().unwrap();
        let province = reg.get(&district).unwrap().parent.clone().unwrap();
        let uc = format!("{}-UC001", tehsil.code);
        for anc in [&province, &district, &tehsil.code] {
            let scope = [anc.clone()];
            let scope = Scope::new(&scope, &reg);
            assert!(scope.contains(&tehsil.code));
            assert!(scope.contains(&uc), "a union council added elsewhere");
        }
        let in_tehsil = [tehsil.code.clone()];
        assert!(!Scope::new(&in_tehsil, &reg).contains(&district));
        let in_uc = [uc.clone()];
        assert!(!Scope::new(&in_uc, &reg).contains(&tehsil.code));
        assert!(Scope::new(&in_uc, &reg).contains(&format!("{uc}-V1")));
        let other = reg
            .all()
            .find(|a| a.level == AreaLevel::Province && a.code != province)
            .unwrap();
        assert!(!Scope::new(std::slice::from_ref(&other.code), &reg).contains(&uc));
        // Under the user's province by its code, but no such area: refused.
        let in_province = [province.clone()];
        assert!(!Scope::new(&in_province, &reg).contains(&format!("{province}ZZ")));
        assert!(!Scope::new(&in_province, &reg).contains(&format!("{}-uc 1", tehsil.code)));
    }
}
