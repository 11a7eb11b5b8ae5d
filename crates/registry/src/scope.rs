//! Jurisdiction: a user's areas each include everything under them.

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

    /// Whether `code` lies in one of the areas (itself or anything under it).
    pub fn contains(&self, code: &str) -> bool {
        self.areas
            .iter()
            .any(|a| area_contains(self.registry, a, code))
    }
}

/// Whether `ancestor` contains `code`. Union councils and villages a district office added may be
/// unknown here; they are matched through their tehsil's P-code (`PK60301-UC012` lies in `PK60301`).
pub fn area_contains(reg: &AreaRegistry, ancestor: &str, code: &str) -> bool {
    if code == ancestor || reg.contains(ancestor, code) {
        return true;
    }
    if code.len() > ancestor.len()
        && code.starts_with(ancestor)
        && code.as_bytes()[ancestor.len()] == b'-'
    {
        return true;
    }
    match code.split_once('-') {
        Some((base, _)) => reg.contains(ancestor, base),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_include_what_is_under_them_and_nothing_else() {
        let reg = AreaRegistry::builtin();
        let tehsil = reg
            .all()
            .find(|a| a.level == shumari_domain::AreaLevel::Tehsil)
            .unwrap()
            .clone();
        let district = tehsil.parent.clone().unwrap();
        let province = reg.get(&district).unwrap().parent.clone().unwrap();
        let uc = format!("{}-UC001", tehsil.code);
        for anc in [&province, &district, &tehsil.code] {
            assert!(area_contains(&reg, anc, &tehsil.code));
            assert!(area_contains(&reg, anc, &uc));
        }
        assert!(!area_contains(&reg, &tehsil.code, &district));
        assert!(!area_contains(&reg, &uc, &tehsil.code));
        let other = reg
            .all()
            .find(|a| a.level == shumari_domain::AreaLevel::Province && a.code != province)
            .unwrap();
        assert!(!area_contains(&reg, &other.code, &uc));
    }
}
