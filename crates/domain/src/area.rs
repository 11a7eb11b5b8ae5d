//! Administrative areas: province > district > tehsil from the shipped P-code list, plus deeper levels
//! (union council, village/block) that a district office adds under a tehsil.
//!
//! Codes nest by prefix: `PK6` (Punjab) > `PK603` > `PK60301` > `PK60301-UC012` > `PK60301-UC012-V03`.
//! An area *contains* itself and everything under it; jurisdiction checks use [`AreaRegistry::contains`].

use crate::error::{DomainError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The built-in list (see `data/README.md` for source and licence).
const BUILTIN_CSV: &str = include_str!("../data/pk-admin-areas.csv");

/// How deep an area sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaLevel {
    /// Province or territory, e.g. `PK6`.
    Province,
    /// District, e.g. `PK603`.
    District,
    /// Tehsil or taluka, e.g. `PK60301`.
    Tehsil,
    /// Union council, added by a district office, e.g. `PK60301-UC012`.
    UnionCouncil,
    /// Village, mauza or census block, e.g. `PK60301-UC012-V03`.
    Village,
}

impl AreaLevel {
    /// The level a child of this level has, if any.
    pub fn child(self) -> Option<AreaLevel> {
        match self {
            AreaLevel::Province => Some(AreaLevel::District),
            AreaLevel::District => Some(AreaLevel::Tehsil),
            AreaLevel::Tehsil => Some(AreaLevel::UnionCouncil),
            AreaLevel::UnionCouncil => Some(AreaLevel::Village),
            AreaLevel::Village => None,
        }
    }

    /// Lower-case name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AreaLevel::Province => "province",
            AreaLevel::District => "district",
            AreaLevel::Tehsil => "tehsil",
            AreaLevel::UnionCouncil => "union_council",
            AreaLevel::Village => "village",
        }
    }
}

/// One administrative area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    /// P-code, or a deeper code under a tehsil's P-code.
    pub code: String,
    /// English name.
    pub name: String,
    /// Depth.
    pub level: AreaLevel,
    /// The enclosing area; `None` for provinces.
    pub parent: Option<String>,
}

/// All known areas, indexed by code.
#[derive(Debug, Clone, Default)]
pub struct AreaRegistry {
    areas: BTreeMap<String, Area>,
}

impl AreaRegistry {
    /// The shipped province/district/tehsil list.
    pub fn builtin() -> Self {
        let mut reg = AreaRegistry::default();
        let mut rdr = csv::Reader::from_reader(BUILTIN_CSV.as_bytes());
        for rec in rdr.records() {
            // The CSV is compiled in and covered by tests, so a bad row is a build defect, not input.
            let rec = rec.expect("built-in area list is valid CSV");
            let (pc, pn, dc, dn, tc, tn) = (&rec[2], &rec[3], &rec[4], &rec[5], &rec[6], &rec[7]);
            reg.insert_if_absent(pc, pn, AreaLevel::Province, None);
            reg.insert_if_absent(dc, dn, AreaLevel::District, Some(pc));
            reg.insert_if_absent(tc, tn, AreaLevel::Tehsil, Some(dc));
        }
        reg
    }

    fn insert_if_absent(&mut self, code: &str, name: &str, level: AreaLevel, parent: Option<&str>) {
        self.areas.entry(code.to_string()).or_insert_with(|| Area {
            code: code.to_string(),
            name: name.to_string(),
            level,
            parent: parent.map(str::to_string),
        });
    }

    /// Looks up an area; an unknown code is an error.
    pub fn get(&self, code: &str) -> Result<&Area> {
        self.areas
            .get(code)
            .ok_or_else(|| DomainError::UnknownArea(code.to_string()))
    }

    /// Whether `code` is known.
    pub fn exists(&self, code: &str) -> bool {
        self.areas.contains_key(code)
    }

    /// Direct children of `parent`, or the provinces when `parent` is `None`, sorted by code.
    pub fn children(&self, parent: Option<&str>) -> Result<Vec<&Area>> {
        if let Some(p) = parent {
            self.get(p)?;
        }
        Ok(self
            .areas
            .values()
            .filter(|a| a.parent.as_deref() == parent)
            .collect())
    }

    /// Every area, sorted by code.
    pub fn all(&self) -> impl Iterator<Item = &Area> {
        self.areas.values()
    }

    /// Adds a union council under a tehsil or a village under a union council, as a district office does.
    ///
    /// The code must be the parent's code, a dash, and a suffix of letters and digits
    /// (`PK60301-UC012`). Adding an area that already exists with the same name and parent is a no-op, so
    /// replaying an area list is safe.
    pub fn add(&mut self, code: &str, name: &str, parent: &str) -> Result<&Area> {
        let parent_area = self.get(parent)?;
        let level = match parent_area.level {
            AreaLevel::Tehsil | AreaLevel::UnionCouncil => parent_area.level.child(),
            _ => None,
        }
        .ok_or_else(|| {
            DomainError::invalid(
                "parent",
                format!(
                    "areas can be added only under a tehsil or a union council; `{parent}` is a {}",
                    parent_area.level.as_str()
                ),
            )
        })?;
        let suffix = code
            .strip_prefix(parent)
            .and_then(|s| s.strip_prefix('-'))
            .ok_or_else(|| {
                DomainError::invalid(
                    "code",
                    format!("must start with `{parent}-`, e.g. `{parent}-UC012`"),
                )
            })?;
        if suffix.is_empty()
            || suffix.len() > 12
            || !suffix
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(DomainError::invalid(
                "code",
                "the part after the dash must be 1-12 capital letters or digits",
            ));
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(DomainError::invalid("name", "the area needs a name"));
        }
        if let Some(existing) = self.areas.get(code) {
            if existing.name != name {
                return Err(DomainError::invalid(
                    "code",
                    format!("`{code}` already exists with another name"),
                ));
            }
        }
        self.insert_if_absent(code, name, level, Some(parent));
        self.get(code)
    }

    /// Whether `ancestor` contains `code` (an area contains itself). Unknown codes are contained by nothing.
    pub fn contains(&self, ancestor: &str, code: &str) -> bool {
        let mut cur = self.areas.get(code);
        while let Some(a) = cur {
            if a.code == ancestor {
                return true;
            }
            cur = a.parent.as_deref().and_then(|p| self.areas.get(p));
        }
        false
    }

    /// The chain from the province down to `code`.
    pub fn path(&self, code: &str) -> Result<Vec<&Area>> {
        let mut out = vec![self.get(code)?];
        while let Some(p) = out.last().and_then(|a| a.parent.as_deref()) {
            out.push(self.get(p)?);
        }
        out.reverse();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_list_has_the_documented_counts() {
        let reg = AreaRegistry::builtin();
        let count = |l| reg.all().filter(|a| a.level == l).count();
        assert_eq!(count(AreaLevel::Province), 7);
        assert_eq!(count(AreaLevel::District), 160);
        assert_eq!(count(AreaLevel::Tehsil), 577);
    }

    #[test]
    fn lookup_children_and_unknown() {
        let reg = AreaRegistry::builtin();
        let t = reg.get("PK10101").unwrap();
        assert_eq!(t.name, "Bagh");
        assert_eq!(t.level, AreaLevel::Tehsil);
        assert_eq!(t.parent.as_deref(), Some("PK101"));
        assert_eq!(reg.children(None).unwrap().len(), 7);
        assert!(reg
            .children(Some("PK101"))
            .unwrap()
            .iter()
            .any(|a| a.code == "PK10102"));
        assert_eq!(
            reg.get("PK999").unwrap_err(),
            DomainError::UnknownArea("PK999".into())
        );
        assert!(reg.children(Some("nope")).is_err());
        let names: Vec<_> = reg
            .path("PK10101")
            .unwrap()
            .iter()
            .map(|a| a.code.clone())
            .collect();
        assert_eq!(names, ["PK1", "PK101", "PK10101"]);
    }

    #[test]
    fn deeper_levels_nest_under_tehsils() {
        let mut reg = AreaRegistry::builtin();
        let uc = reg.add("PK10101-UC012", "UC 12", "PK10101").unwrap();
        assert_eq!(uc.level, AreaLevel::UnionCouncil);
        let v = reg
            .add("PK10101-UC012-V03", "Village 3", "PK10101-UC012")
            .unwrap();
        assert_eq!(v.level, AreaLevel::Village);
        assert!(reg.contains("PK1", "PK10101-UC012-V03"));
        assert!(reg.contains("PK101", "PK10101-UC012"));
        assert!(reg.contains("PK10101-UC012", "PK10101-UC012"));
        assert!(!reg.contains("PK102", "PK10101-UC012"));
        assert!(!reg.contains("PK1", "PK999"));
        // replay is a no-op, a rename is refused
        reg.add("PK10101-UC012", "UC 12", "PK10101").unwrap();
        assert!(reg.add("PK10101-UC012", "Other", "PK10101").is_err());
        // wrong prefix, wrong parent level, bad suffix
        assert!(reg.add("PK10102-UC1", "x", "PK10101").is_err());
        assert!(reg.add("PK101-UC1", "x", "PK101").is_err());
        assert!(reg.add("PK10101-uc1", "x", "PK10101").is_err());
        assert!(reg.add("PK10101-", "x", "PK10101").is_err());
        assert!(reg
            .add("PK10101-UC012-V03-X1", "x", "PK10101-UC012-V03")
            .is_err());
        assert!(reg.add("PK10101-UC9", "x", "PK00000").is_err());
    }
}
