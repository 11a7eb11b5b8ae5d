//! The district map of the coverage dashboard: the shapes of `assets/map/pakistan-districts.json`
//! (the npm package `@svg-maps/pakistan.districts`, Unlicense; see the README beside it) joined to
//! the shipped P-code list, and drawn as an inline SVG choropleth.
//!
//! The join: a shape's name matches a district of the list when both read the same as lower-case
//! letters only ("Dera Bugti" = "Dera Bugti"); [`ALIASES`] gives the P-codes of the shapes whose
//! spelling differs or that cover districts made later (one shape, several districts: their
//! figures are added up); [`UNMATCHED`] names the shapes with no district in the list. A test holds
//! every shape to one of the three.
//!
//! Drawn by hand, not with `plotters`: the shapes are SVG path data (relative moves and lines), which
//! plotters would have to re-parse into polygons only to write them back as the same paths; here each
//! path is written as it ships, in a link to its district's page, with a `<title>` for its figures.

use maud::{html, Markup};
use serde::Deserialize;
use shumari_domain::{AreaLevel, AreaRegistry};
use std::collections::BTreeMap;
use std::sync::LazyLock;

const DATA: &str = include_str!("../assets/map/pakistan-districts.json");

/// Shapes whose name is spelled otherwise in the P-code list, or that cover several of its
/// districts: (shape id, P-codes).
pub const ALIASES: &[(&str, &[&str])] = &[
    ("sheerani", &["PK227"]),
    ("naseerabad", &["PK222"]),
    ("jafarabad", &["PK207"]),
    ("haranai", &["PK206"]),
    ("chaghai", &["PK203"]),
    // Bolan district was renamed Kachhi.
    ("bolan", &["PK209"]),
    ("qambar-shahdatkot", &["PK709"]),
    // Nawabshah district was renamed Shaheed Benazir Abad.
    ("nawabshah", &["PK719"]),
    ("naushahro-firoze", &["PK717"]),
    // One shape for the city's six districts.
    (
        "karachi",
        &["PK702", "PK704", "PK712", "PK714", "PK721", "PK729"],
    ),
    ("shaikhupura", &["PK633"]),
    ("nankana-sahab", &["PK624"]),
    ("layyah", &["PK618"]),
    // Split into Upper, Lower and Kolai Palas.
    ("kohistan", &["PK515", "PK516", "PK517"]),
    ("dera-ismail-khan", &["PK509"]),
    // Split into Lower and Upper.
    ("chitral", &["PK507", "PK508"]),
    ("battagram", &["PK504"]),
    // Hattian Bala is the seat of Jhelum Valley district.
    ("hattian", &["PK103"]),
    ("sudhnati", &["PK110"]),
    ("diamer", &["PK302"]),
    // One shape for Hunza and Nagar.
    ("hunza-nagar", &["PK306", "PK308"]),
    ("ghanhce", &["PK303"]),
];

/// Shapes with no district in the P-code list: the former Frontier Regions, merged into their
/// neighbouring districts in 2018 (drawn grey, without figures).
pub const UNMATCHED: &[&str] = &[
    "tank-subdivision",
    "peshawar-subdivision",
    "lakki-subdivision",
    "kohat-subdivision",
    "d-i-khan-subdivision",
    "bannu-subdivision",
];

#[derive(Debug, Deserialize)]
struct Raw {
    #[serde(rename = "viewBox")]
    view_box: String,
    locations: Vec<RawShape>,
}

#[derive(Debug, Deserialize)]
struct RawShape {
    id: String,
    name: String,
    path: String,
}

/// One shape of the map.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The package's id (`dera-bugti`).
    pub id: String,
    /// The package's name.
    pub name: String,
    /// SVG path data.
    pub path: String,
    /// The districts it covers (empty: unmatched).
    pub codes: Vec<String>,
}

/// The map: its `viewBox` and shapes.
#[derive(Debug)]
pub struct DistrictMap {
    /// The SVG `viewBox`.
    pub view_box: String,
    /// The shapes, in the package's order.
    pub shapes: Vec<Shape>,
}

fn letters(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The map joined to the shipped list (built once).
pub fn map() -> &'static DistrictMap {
    static MAP: LazyLock<DistrictMap> = LazyLock::new(|| {
        // Compiled in and covered by the tests: a bad file is a build defect, not input.
        let raw: Raw = serde_json::from_str(DATA).expect("the vendored district map is valid JSON");
        let areas = AreaRegistry::builtin();
        let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for a in areas.all().filter(|a| a.level == AreaLevel::District) {
            by_name
                .entry(letters(&a.name))
                .or_default()
                .push(a.code.clone());
        }
        let shapes = raw
            .locations
            .into_iter()
            .map(|s| {
                let codes = match ALIASES.iter().find(|(id, _)| *id == s.id) {
                    Some((_, codes)) => codes.iter().map(|c| c.to_string()).collect(),
                    None if UNMATCHED.contains(&s.id.as_str()) => Vec::new(),
                    None => by_name
                        .get(&letters(&s.name))
                        .filter(|c| c.len() == 1)
                        .cloned()
                        .unwrap_or_default(),
                };
                Shape {
                    id: s.id,
                    name: s.name,
                    path: s.path,
                    codes,
                }
            })
            .collect();
        DistrictMap {
            view_box: raw.view_box,
            shapes,
        }
    });
    &MAP
}

/// A shape's figures: (enumerated, target), added up over its districts.
pub type Figures = BTreeMap<String, (u64, Option<u64>)>;

/// The colour class of a coverage percentage (`None`: no target), for the stylesheet.
fn class(pct: Option<f64>) -> &'static str {
    match pct {
        None => "map-none",
        Some(p) if p < 25.0 => "map-q1",
        Some(p) if p < 50.0 => "map-q2",
        Some(p) if p < 75.0 => "map-q3",
        Some(_) => "map-q4",
    }
}

/// The choropleth: each shape in the user's districts (`figures`) coloured by enumerated / target
/// and linked to its district's page; the rest grey. `title` says each shape's figures in the
/// page's language (`None`: outside the user's areas).
pub fn choropleth(
    figures: &Figures,
    label: &str,
    title: impl Fn(&str, Option<(u64, Option<u64>)>) -> String,
) -> Markup {
    let m = map();
    html! {
        svg.district-map viewBox=(m.view_box) role="img" aria-label=(label) data-testid="district-map" xmlns="http://www.w3.org/2000/svg" {
            @for s in &m.shapes {
                @let mine: Vec<&(u64, Option<u64>)> = s.codes.iter().filter_map(|c| figures.get(c)).collect();
                @if mine.is_empty() {
                    path.map-out d=(s.path) data-shape=(s.id) { title { (title(&s.name, None)) } }
                } @else {
                    @let done: u64 = mine.iter().map(|f| f.0).sum();
                    @let target: Option<u64> = mine.iter().filter_map(|f| f.1).reduce(|a, b| a + b);
                    @let pct = target.filter(|t| *t > 0).map(|t| done as f64 * 100.0 / t as f64);
                    @let code = s.codes.iter().find(|c| figures.contains_key(*c)).cloned().unwrap_or_default();
                    a href=(format!("/console/dashboards{}", crate::views::query(&[("area", &code)]))) {
                        path class=(class(pct)) d=(s.path) data-shape=(s.id) data-codes=(s.codes.join(" ")) {
                            title { (title(&s.name, Some((done, target)))) }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_is_matched_or_listed_as_unmatched() {
        let m = map();
        assert_eq!(m.shapes.len(), 144);
        let areas = AreaRegistry::builtin();
        for s in &m.shapes {
            if UNMATCHED.contains(&s.id.as_str()) {
                assert!(s.codes.is_empty(), "{} is listed as unmatched", s.id);
            } else {
                assert!(
                    !s.codes.is_empty(),
                    "shape `{}` ({}) matches no district: add it to ALIASES or UNMATCHED",
                    s.id,
                    s.name
                );
            }
            for c in &s.codes {
                assert_eq!(
                    areas.get(c).map(|a| a.level).ok(),
                    Some(AreaLevel::District),
                    "{c}"
                );
            }
        }
        for (id, _) in ALIASES {
            assert!(
                m.shapes.iter().any(|s| s.id == *id),
                "alias of no shape: {id}"
            );
        }
        for id in UNMATCHED {
            assert!(
                m.shapes.iter().any(|s| s.id == *id),
                "unmatched of no shape: {id}"
            );
        }
        // No district is drawn twice.
        let mut all: Vec<&String> = m.shapes.iter().flat_map(|s| &s.codes).collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "a district in two shapes");
    }

    #[test]
    fn shapes_are_coloured_by_coverage_and_link_to_their_district() {
        let mut f = Figures::new();
        f.insert("PK603".into(), (30, Some(40)));
        let svg = choropleth(&f, "map", |name, fig| format!("{name}: {fig:?}")).into_string();
        assert!(
            svg.contains("href=\"/console/dashboards?area=PK603\""),
            "{svg:.300}"
        );
        assert!(svg.contains("class=\"map-q4\""));
        assert_eq!(svg.matches("<a ").count(), 1);
        assert!(!svg.contains("<script"));
    }
}
