//! Administrative areas: province > district > tehsil from the shipped P-code list, plus deeper levels
//! (union council, village/block) that a district office adds under a tehsil.
//!
//! Codes nest by prefix: `PK6` (Punjab) > `PK603` > `PK60301` > `PK60301-UC012` > `PK60301-UC012-V03`.
//!
//! # An area contains everything under it
//! Decided here, once, on the codes alone ([`contains`]), so that every place that asks gives the same
//! answer: a device's list filter and counts, the registry's jurisdiction checks, and both stores' SQL,
//! which select the same codes with the bound parameters of [`AreaRange`]. The shipped P-codes have
//! fixed widths (province 1 digit, district 3, tehsil 5), so below a P-code every longer code starting
//! with it lies under it; below a code with a dash (a union council), only `code-…` does
//! (`PK60301-UC01` does not contain `PK60301-UC012`).
//!
//! Containment does not say a code exists: [`AreaRegistry::get`] does, and
//! [`AreaRegistry::recognises`] accepts also the union councils and villages a district office added
//! elsewhere, under a known tehsil.

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
        if !valid_suffix(suffix) {
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

    /// Whether `code` names an area: a known one, or a union council or village under a known tehsil
    /// with a code of the shape [`AreaRegistry::add`] accepts (`PK60301-UC012`, `PK60301-UC012-V03`).
    /// The registry does not receive the areas district offices add, so it recognises them by shape.
    pub fn recognises(&self, code: &str) -> bool {
        if self.exists(code) {
            return true;
        }
        let mut parts = code.split('-');
        let base = parts.next().unwrap_or_default();
        let suffixes: Vec<&str> = parts.collect();
        self.areas
            .get(base)
            .is_some_and(|a| a.level == AreaLevel::Tehsil)
            && (1..=2).contains(&suffixes.len())
            && suffixes.iter().all(|s| valid_suffix(s))
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

/// The part after a dash in an added area's code: 1-12 capital letters or digits.
fn valid_suffix(s: &str) -> bool {
    (1..=12).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Whether the area `ancestor` contains the area `code`: it is `code`, or `code` lies under it.
///
/// This is the product's one rule for "an area contains everything under it" (see the module
/// documentation); [`AreaRange`] is the same rule as SQL parameters. A string that cannot be an area
/// code (empty, or with characters other than letters, digits and dashes) contains only itself.
pub fn contains(ancestor: &str, code: &str) -> bool {
    if code == ancestor {
        return true;
    }
    if !is_code_text(ancestor) {
        return false;
    }
    match code.strip_prefix(ancestor) {
        Some(rest) if ancestor.contains('-') => rest.starts_with('-'),
        Some(rest) => !rest.is_empty(),
        None => false,
    }
}

/// The length of a district's code (`PK603`). Province codes have 3 characters (`PK6`), districts
/// 5, tehsils 7 (`PK60301`), and every area added below a tehsil starts with its tehsil's code
/// ([`AreaRegistry::add`]), so the first five characters of any code at or below a district name
/// its district. The registry's change log is indexed by that prefix (`substr(area, 1, 5)` in its
/// migrations, checked against [`district_of`] by its tests), so a device's feed reads its own
/// districts' entries and no others.
pub const DISTRICT_CODE_LEN: usize = 5;

/// The district of an area at or below district level (`PK60301-UC012` → `PK603`); `None` for a
/// province, the country, or a string that is not an area code.
pub fn district_of(code: &str) -> Option<&str> {
    (code.len() >= DISTRICT_CODE_LEN && is_code_text(code)).then(|| &code[..DISTRICT_CODE_LEN])
}

fn is_code_text(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The codes an area contains, as the parameters a SQL store binds: a row's `area` is under `code` when
/// `area = code OR (area >= from AND area < until)`.
///
/// The comparison must be bytewise: SQLite's default `BINARY` collation, PostgreSQL's `COLLATE "C"`.
/// The range holds exactly the codes [`contains`] accepts (the codes starting with `code`, or with
/// `code-` under a code with a dash), and can use an index on `area`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaRange {
    /// The area itself.
    pub code: String,
    /// The smallest code under it.
    pub from: String,
    /// The first code after everything under it (excluded).
    pub until: String,
}

impl AreaRange {
    /// The range of `code` and everything under it.
    pub fn of(code: &str) -> Self {
        let (from, until) = if !is_code_text(code) {
            // Not a code: nothing lies under it (an empty range).
            (String::new(), String::new())
        } else if code.contains('-') {
            // `code-…`: from `code-` up to `code.` ('.' is the byte after '-').
            (format!("{code}-"), format!("{code}."))
        } else {
            // Every code starting with `code`: up to `code` with its last byte raised by one (the last
            // byte is a letter or digit, so the result is still ASCII).
            let mut until = code.as_bytes().to_vec();
            if let Some(last) = until.last_mut() {
                *last += 1;
            }
            (
                code.to_string(),
                String::from_utf8_lossy(&until).into_owned(),
            )
        };
        AreaRange {
            code: code.to_string(),
            from,
            until,
        }
    }

    /// Whether `area` is selected by `area = code OR (area >= from AND area < until)`, as SQL reads it.
    pub fn selects(&self, area: &str) -> bool {
        area == self.code || (self.from.as_str() <= area && area < self.until.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_area_below_a_province_starts_with_its_district() {
        let reg = AreaRegistry::builtin();
        for a in reg.all() {
            let path = reg.path(&a.code).unwrap();
            let district = path.iter().find(|p| p.level == AreaLevel::District);
            assert_eq!(
                district_of(&a.code),
                district.map(|d| d.code.as_str()),
                "{}",
                a.code
            );
        }
        assert_eq!(district_of("PK60301-UC012-V03"), Some("PK603"));
        assert_eq!(district_of("PK6"), None);
        assert_eq!(district_of("PK 60"), None);
    }

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
        assert!(reg.recognises("PK10101-UC012-V03"));
        assert!(
            reg.recognises("PK10101-UC099"),
            "added elsewhere, under a known tehsil"
        );
        assert!(!reg.recognises("PK999"));
        assert!(
            !reg.recognises("PK101-UC1"),
            "only tehsils have union councils"
        );
        assert!(!reg.recognises("PK10101-uc1"));
        assert!(!reg.recognises("PK10101-UC1-V1-X1"));
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

    #[test]
    fn an_area_contains_itself_and_everything_under_it_and_nothing_else() {
        let reg = AreaRegistry::builtin();
        let tehsil = "PK10101";
        let uc = "PK10101-UC01";
        for (ancestor, code, expected) in [
            ("PK1", "PK1", true),
            ("PK1", "PK101", true),
            ("PK1", "PK10101", true),
            ("PK101", tehsil, true),
            (tehsil, uc, true),
            ("PK1", "PK10101-UC01-V3", true),
            (uc, "PK10101-UC01-V3", true),
            (uc, uc, true),
            (uc, "PK10101-UC012", false),
            (uc, tehsil, false),
            (tehsil, "PK101", false),
            ("PK101", "PK102", false),
            ("PK1", "PK2", false),
            ("PK10", "PK2", false),
            ("", "PK1", false),
            ("PK%", "PK%1", false),
        ] {
            assert_eq!(
                contains(ancestor, code),
                expected,
                "{ancestor} contains {code}"
            );
        }
        // Every known area lies under its parent and its parent's ancestors.
        for a in reg.all() {
            for anc in reg.path(&a.code).unwrap() {
                assert!(contains(&anc.code, &a.code), "{} in {}", a.code, anc.code);
            }
        }
    }

    #[test]
    fn the_sql_range_selects_exactly_what_contains_accepts() {
        let reg = AreaRegistry::builtin();
        let mut codes: Vec<String> = reg.all().map(|a| a.code.clone()).collect();
        codes.extend(
            [
                "PK10101-UC01",
                "PK10101-UC012",
                "PK10101-UC01-V3",
                "PK10101-UC1",
                "PK10101-UC0",
                "PK10101-UC01-",
                "PK10101-UC01.",
                "PK10101-UC01A",
                "PK10102-UC01",
                "PK1z",
                "PK2",
                "PK",
                "",
                "PK10101-UC01-V3-",
                "PK1-",
            ]
            .map(String::from),
        );
        let ancestors = [
            "PK1",
            "PK101",
            "PK10101",
            "PK10101-UC01",
            "PK10101-UC01-V3",
            "PK9",
            "",
            "P_%",
        ];
        for anc in ancestors
            .iter()
            .copied()
            .chain(reg.all().map(|a| a.code.as_str()))
        {
            let range = AreaRange::of(anc);
            for code in &codes {
                assert_eq!(range.selects(code), contains(anc, code), "{anc} / {code}");
            }
        }
        assert_eq!(AreaRange::of("PK6").until, "PK7");
        assert_eq!(AreaRange::of("PK60301-UC012").from, "PK60301-UC012-");
    }
}
