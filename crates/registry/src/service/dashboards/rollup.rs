//! The roll-up rules, pure: which area-code level a code sits at, the code of its ancestor at a
//! level (P-codes nest by prefix: `PK6` > `PK603` > `PK60301` > `PK60301-UC012` > `PK60301-UC012-V03`,
//! the shipped codes of fixed widths), and the target of an area given the targets set under it.

use shumari_domain::area::contains;
use shumari_domain::{AreaLevel, AreaRange};
use std::collections::BTreeMap;

/// The whole country's code: every area lies under it.
pub const COUNTRY: &str = "PK";

/// The level of `code` from its shape (`None`: the country, or not an area code).
pub fn level_of(code: &str) -> Option<AreaLevel> {
    let mut parts = code.split('-');
    let base = parts.next().unwrap_or_default();
    match (parts.count(), base.len()) {
        (0, 3) => Some(AreaLevel::Province),
        (0, 5) => Some(AreaLevel::District),
        (0, 7) => Some(AreaLevel::Tehsil),
        (1, 7) => Some(AreaLevel::UnionCouncil),
        (2, 7) => Some(AreaLevel::Village),
        _ => None,
    }
}

/// The code of the area at `level` that holds `code` (`None` when `code` sits above that level).
pub fn ancestor_at(code: &str, level: AreaLevel) -> Option<&str> {
    let prefix = |n: usize| code.get(..n).filter(|p| contains(p, code));
    match level {
        AreaLevel::Province => prefix(3),
        AreaLevel::District => prefix(5),
        AreaLevel::Tehsil => prefix(7),
        AreaLevel::UnionCouncil | AreaLevel::Village => {
            let dashes = if level == AreaLevel::UnionCouncil {
                1
            } else {
                2
            };
            let mut seen = 0;
            for (i, b) in code.bytes().enumerate() {
                if b == b'-' {
                    seen += 1;
                    if seen > dashes {
                        return Some(&code[..i]);
                    }
                }
            }
            (seen == dashes).then_some(code)
        }
    }
}

/// The level of the rows shown under `parent` (`None`: the country, whose rows are provinces).
pub fn child_level(parent: Option<AreaLevel>) -> Option<AreaLevel> {
    match parent {
        None => Some(AreaLevel::Province),
        Some(l) => l.child(),
    }
}

/// The row `code` counts in under `parent` (of level `parent_level`): its ancestor one level down,
/// or `parent` itself for a household recorded at the parent's own level.
pub fn row_of<'a>(parent: &'a str, parent_level: Option<AreaLevel>, code: &'a str) -> &'a str {
    child_level(parent_level)
        .and_then(|l| ancestor_at(code, l))
        .unwrap_or(parent)
}

/// The households expected in `code`: its own target when one is set, else the sum of the
/// outermost targets set under it (a district without a target of its own counts its tehsils';
/// a tehsil's target is not counted again with its union councils').
pub fn target_of(code: &str, targets: &BTreeMap<String, u64>) -> Option<u64> {
    if let Some(t) = targets.get(code) {
        return Some(*t);
    }
    // The codes under `code` are one contiguous run of the sorted map (the domain's `AreaRange`),
    // and the codes under any of them follow it directly: skipping those under the last one kept
    // leaves the outermost, in one pass.
    let r = AreaRange::of(code);
    let mut last: Option<&str> = None;
    let mut sum = None;
    for (a, n) in targets.range(r.from.clone()..r.until.clone()) {
        if a == code || last.is_some_and(|l| contains(l, a)) {
            continue;
        }
        last = Some(a);
        *sum.get_or_insert(0) += n;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_ancestors_follow_the_code_prefixes() {
        assert_eq!(level_of("PK6"), Some(AreaLevel::Province));
        assert_eq!(level_of("PK603"), Some(AreaLevel::District));
        assert_eq!(level_of("PK60301"), Some(AreaLevel::Tehsil));
        assert_eq!(level_of("PK60301-UC012"), Some(AreaLevel::UnionCouncil));
        assert_eq!(level_of("PK60301-UC012-V03"), Some(AreaLevel::Village));
        assert_eq!(level_of(COUNTRY), None);
        let v = "PK60301-UC012-V03";
        assert_eq!(ancestor_at(v, AreaLevel::Province), Some("PK6"));
        assert_eq!(ancestor_at(v, AreaLevel::District), Some("PK603"));
        assert_eq!(ancestor_at(v, AreaLevel::Tehsil), Some("PK60301"));
        assert_eq!(
            ancestor_at(v, AreaLevel::UnionCouncil),
            Some("PK60301-UC012")
        );
        assert_eq!(ancestor_at(v, AreaLevel::Village), Some(v));
        assert_eq!(ancestor_at("PK60301", AreaLevel::UnionCouncil), None);
        assert_eq!(ancestor_at("PK603", AreaLevel::Tehsil), None);
    }

    #[test]
    fn rows_are_one_level_down_or_the_parent_itself() {
        assert_eq!(row_of(COUNTRY, None, "PK60301-UC1"), "PK6");
        assert_eq!(
            row_of("PK6", Some(AreaLevel::Province), "PK60301-UC1"),
            "PK603"
        );
        assert_eq!(
            row_of("PK60301", Some(AreaLevel::Tehsil), "PK60301-UC1-V2"),
            "PK60301-UC1"
        );
        // A household recorded at the tehsil itself counts in the tehsil's own row.
        assert_eq!(
            row_of("PK60301", Some(AreaLevel::Tehsil), "PK60301"),
            "PK60301"
        );
    }

    #[test]
    fn a_target_is_the_areas_own_or_the_outermost_ones_under_it() {
        let t: BTreeMap<String, u64> = [
            ("PK60301", 100),
            ("PK60301-UC1", 40),
            ("PK60302", 50),
            ("PK701", 7),
        ]
        .into_iter()
        .map(|(a, n)| (a.to_string(), n))
        .collect();
        assert_eq!(target_of("PK60301", &t), Some(100));
        assert_eq!(target_of("PK603", &t), Some(150), "UC1 is inside PK60301");
        assert_eq!(target_of("PK6", &t), Some(150));
        assert_eq!(target_of(COUNTRY, &t), Some(157));
        assert_eq!(target_of("PK604", &t), None);
    }
}
