//! Jurisdiction: a user's areas each include everything under them.
//!
//! "Under" is the domain's one rule ([`shumari_domain::area::contains`]), the same the device's store
//! and both registry backends apply. On top of it the registry asks that the code names an area at all
//! ([`AreaRegistry::recognises`]): the shipped list, or a union council or village under a known tehsil,
//! since the areas district offices add are not sent to the registry.

use shumari_domain::area::contains;
use shumari_domain::AreaRegistry;

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
