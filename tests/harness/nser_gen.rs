//! Realistic NSER households for scale tests and the scale benchmark: every question of the shipped
//! questionnaire (`shumari_forms::household_form()`) answered with a value its type, choice list and
//! constraint accept, rosters of about 6.4 members (Pakistan's mean household size) with a spread,
//! CNICs of the domain's shape, and areas spread evenly over every tehsil of the shipped area list.
//!
//! The same seed gives the same households, so a registry built twice holds the same data and a
//! failing test can be rerun. Household `k` of a [`Generator`] lies in tehsil `k mod T` (T tehsils in
//! code order), so any run of `T` consecutive households covers every tehsil, every district and
//! every province; [`Generator::household_in`] puts one in a chosen area instead.
//!
//! Skip logic is followed as an enumerator would: education and the Washington Group questions from
//! age 5, marital status and work from age 10, a CNIC from 18 (a B-form number for some children),
//! income only for occupations that earn, livestock counts only when the household has livestock.
//! Dates of birth are written for some members, consistent with their age on [`REFERENCE_DATE`]
//! (validate with that date or a later one within the same year of age).
//!
//! This file is also compiled into the registry's scale benchmark (included by path), so it uses
//! only crates the registry's dev-dependencies also have: `shumari-domain`, `shumari-forms` and
//! `serde_json`.
#![allow(dead_code)]

use serde_json::{json, Map, Value};
use shumari_domain::{AreaLevel, AreaRegistry, GeoPoint, HouseholdInput, MemberInput};
use std::collections::BTreeMap;

/// The day the generated ages and dates of birth agree on (`YYYY-MM-DD`).
pub const REFERENCE_DATE: &str = "2025-06-30";
const REFERENCE_YEAR: u32 = 2025;

/// SplitMix64 (Steele, Lea and Flood 2014): a few lines, seeded, and its sequence is fixed by this
/// code rather than by a crate's version, so a seed names the same households for as long as this
/// file is unchanged. Statistical quality is ample for picking answers; nothing here is secret.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next_u64() % u64::from(hi - lo + 1)) as u32
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

const MALE_NAMES: &[&str] = &[
    "Muhammad",
    "Ahmed",
    "Ali",
    "Hassan",
    "Bilal",
    "Usman",
    "Imran",
    "Asif",
    "Tariq",
    "Zahid",
    "Naveed",
    "Kashif",
    "Faisal",
    "Shahid",
    "Abdul Rehman",
    "Ghulam Mustafa",
    "Sajjad",
    "Irfan",
    "Waqas",
    "Hamza",
    "Rashid",
    "Nadeem",
    "Javed",
    "Saleem",
    "Aslam",
    "Akbar",
    "Gul Khan",
    "Noor",
];
const FEMALE_NAMES: &[&str] = &[
    "Ayesha", "Fatima", "Zainab", "Maryam", "Khadija", "Rukhsana", "Nasreen", "Shazia", "Sadia",
    "Bushra", "Samina", "Parveen", "Naseem", "Farzana", "Rabia", "Hina", "Saima", "Kulsoom",
    "Amina", "Sughra", "Nazia", "Tahira", "Bibi Jan", "Shamim",
];
const FAMILY_NAMES: &[&str] = &[
    "Khan",
    "Ahmed",
    "Hussain",
    "Shah",
    "Malik",
    "Butt",
    "Qureshi",
    "Chaudhry",
    "Awan",
    "Baloch",
    "Khattak",
    "Memon",
    "Siddiqui",
    "Abbasi",
    "Jatoi",
    "Bhatti",
    "Rajput",
    "Mengal",
    "Yousafzai",
    "Soomro",
    "Gill",
    "Mirza",
    "Sheikh",
    "Ansari",
];
const STREETS: &[&str] = &[
    "Mohalla Islamabad",
    "Gali Masjid",
    "Chowk Bazaar",
    "Mohalla Rehmanabad",
    "Basti Noor",
    "Gulshan Colony",
    "Mohalla Qasimabad",
    "Jinnah Road",
    "Dera Sultan",
    "Goth Haji Ali",
];

/// The choice names the generator answers with, taken from the shipped questionnaire so a choice
/// list that changes there changes here.
#[derive(Debug, Clone)]
struct Choices(BTreeMap<&'static str, Vec<String>>);

/// Select questions the generator answers, household-level and member-level.
const SELECTS: &[&str] = &[
    "relation",
    "sex",
    "marital_status",
    "literate",
    "education",
    "in_school",
    "wg_seeing",
    "occupation",
    "tenure",
    "walls",
    "roof",
    "floor",
    "toilet",
    "water",
    "cooking_fuel",
    "lighting",
    "electricity",
    "gas",
    "assets",
    "has_livestock",
    "support",
];

impl Choices {
    fn from_form() -> Self {
        let form = shumari_forms::household_form();
        let mut lists = BTreeMap::new();
        for name in SELECTS {
            let q = form
                .question(name)
                .unwrap_or_else(|| panic!("the questionnaire has no question `{name}`"));
            let names: Vec<String> = form.choices_for(q).map(|c| c.name.clone()).collect();
            assert!(!names.is_empty(), "question `{name}` offers no choice");
            lists.insert(*name, names);
        }
        Choices(lists)
    }

    fn of(&self, q: &str) -> &[String] {
        &self.0[q]
    }

    /// A choice of `q` other than the names in `not`.
    fn pick_except(&self, rng: &mut SplitMix64, q: &str, not: &[&str]) -> String {
        let names: Vec<&String> = self
            .of(q)
            .iter()
            .filter(|n| !not.contains(&n.as_str()))
            .collect();
        (*rng.pick(&names)).clone()
    }

    /// `select_multiple` answer: one to `max` distinct names (space-separated), or `none` alone.
    fn several(&self, rng: &mut SplitMix64, q: &str, max: u32, none_p: f64) -> String {
        let names: Vec<&String> = self.of(q).iter().filter(|n| *n != "none").collect();
        if rng.chance(none_p) || names.is_empty() {
            return "none".into();
        }
        let k = rng.range(1, max.min(names.len() as u32));
        let mut chosen: Vec<&str> = Vec::new();
        while chosen.len() < k as usize {
            let n = rng.pick(&names).as_str();
            if !chosen.contains(&n) {
                chosen.push(n);
            }
        }
        chosen.join(" ")
    }
}

/// Makes households; see the module documentation.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: SplitMix64,
    tehsils: Vec<String>,
    choices: Choices,
    /// Households made so far (picks the next tehsil).
    made: u64,
    /// ID numbers handed out so far (makes each one unique within a generator).
    ids: u64,
}

/// Every tehsil of the shipped area list, in code order.
pub fn tehsils() -> Vec<String> {
    let mut out: Vec<String> = AreaRegistry::builtin()
        .all()
        .filter(|a| a.level == AreaLevel::Tehsil)
        .map(|a| a.code.clone())
        .collect();
    out.sort();
    out
}

/// The district a tehsil code lies in (`PK10101` -> `PK101`).
pub fn district_of(tehsil: &str) -> String {
    AreaRegistry::builtin()
        .get(tehsil)
        .ok()
        .and_then(|a| a.parent.clone())
        .unwrap_or_else(|| panic!("`{tehsil}` is not a shipped tehsil"))
}

impl Generator {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Generator {
            rng: SplitMix64::new(seed),
            tehsils: tehsils(),
            choices: Choices::from_form(),
            made: 0,
            ids: 0,
        }
    }

    /// The next household, in the next tehsil in turn.
    pub fn household(&mut self) -> HouseholdInput {
        let area = self.tehsils[(self.made % self.tehsils.len() as u64) as usize].clone();
        self.household_in(&area)
    }

    /// The next `n` households.
    pub fn households(&mut self, n: usize) -> Vec<HouseholdInput> {
        (0..n).map(|_| self.household()).collect()
    }

    /// A household in `area` (any area code; the CNICs' first digit follows its province).
    pub fn household_in(&mut self, area: &str) -> HouseholdInput {
        self.made += 1;
        let size = self.household_size();
        let family = self.rng.pick(FAMILY_NAMES).to_string();
        let mut members = Vec::with_capacity(size as usize);
        let head_male = self.rng.chance(0.88);
        let head_age = self.rng.range(24, 75);
        members.push(self.member(area, "head", head_male, head_age, &family));
        if size >= 2 {
            let age = (head_age + self.rng.range(0, 8)).saturating_sub(4).max(18);
            members.push(self.member(area, "spouse", !head_male, age, &family));
        }
        for _ in 2..size {
            let (relation, age) = self.relative(head_age);
            let male = self.rng.chance(0.5);
            let relation = match (relation, male) {
                ("son", false) => "daughter",
                (r, _) => r,
            };
            let male = male || relation == "son";
            members.push(self.member(area, relation, male, age, &family));
        }
        let respondent = members[self.rng.range(0, (members.len() as u32 - 1).min(1)) as usize]
            .name
            .clone();
        HouseholdInput {
            area: Some(area.to_string()),
            gps: Some(self.gps()),
            answers: self.household_answers(&respondent),
            members,
            ..Default::default()
        }
    }

    /// 1 + the sum of 18 draws of probability 0.3: mean 6.4 (Pakistan's mean household size),
    /// standard deviation about 1.9, from 1 to 19.
    fn household_size(&mut self) -> u32 {
        1 + (0..18).filter(|_| self.rng.chance(0.3)).count() as u32
    }

    /// A relation other than head and spouse, with an age that fits it.
    fn relative(&mut self, head_age: u32) -> (&'static str, u32) {
        let r = self.rng.range(0, 99);
        let child_max = head_age.saturating_sub(16).clamp(0, 40);
        match r {
            0..=79 => ("son", self.rng.range(0, child_max)),
            80..=84 => ("parent", (head_age + self.rng.range(18, 30)).min(110)),
            85..=89 => (
                "sibling",
                head_age.saturating_sub(10) + self.rng.range(0, 20),
            ),
            90..=94 if head_age >= 45 => ("grandchild", self.rng.range(0, 12)),
            90..=94 => ("in_law", self.rng.range(18, 35)),
            _ => ("other", self.rng.range(5, 70)),
        }
    }

    /// A 13-digit number: province digit, 4 digits of place, a 7-digit serial unique within this
    /// generator, and a last digit whose parity follows the sex (odd male, even female), as NADRA's.
    fn id_number(&mut self, area: &str, male: bool) -> String {
        self.ids += 1;
        let province = area
            .as_bytes()
            .get(2)
            .map_or(3, |d| u32::from(d.wrapping_sub(b'0')))
            .clamp(1, 7);
        let place = self.rng.range(0, 9999);
        let serial = self.ids % 10_000_000;
        let last = self.rng.range(0, 4) * 2 + u32::from(male);
        format!("{province}{place:04}-{serial:07}-{last}")
    }

    fn member(
        &mut self,
        area: &str,
        relation: &str,
        male: bool,
        age: u32,
        family: &str,
    ) -> MemberInput {
        let given = if male {
            self.rng.pick(MALE_NAMES)
        } else {
            self.rng.pick(FEMALE_NAMES)
        };
        let c = self.choices.clone();
        let mut answers = Map::new();
        if age >= 5 {
            let literate = self.rng.chance(0.6);
            answers.insert("literate".into(), json!(yes_no(literate)));
            let education = if literate {
                c.pick_except(&mut self.rng, "education", &["none"])
            } else {
                "none".to_string()
            };
            answers.insert("education".into(), json!(education));
            if age <= 22 {
                answers.insert("in_school".into(), json!(yes_no(self.rng.chance(0.5))));
            }
            for wg in [
                "wg_seeing",
                "wg_hearing",
                "wg_walking",
                "wg_remembering",
                "wg_selfcare",
                "wg_communicating",
            ] {
                // Most people report no difficulty; the list is the same for all six questions.
                let v = if self.rng.chance(0.9) {
                    c.of("wg_seeing")[0].clone()
                } else {
                    self.rng.pick(c.of("wg_seeing")).clone()
                };
                answers.insert(wg.into(), json!(v));
            }
        }
        if age >= 10 {
            let marital = if age < 16 {
                "never_married".to_string()
            } else if relation == "head" || relation == "spouse" {
                "married".to_string()
            } else {
                self.rng.pick(c.of("marital_status")).clone()
            };
            answers.insert("marital_status".into(), json!(marital));
            let occupation = if age < 16 {
                "student".to_string()
            } else {
                self.rng.pick(c.of("occupation")).clone()
            };
            if !["none", "student", "housework"].contains(&occupation.as_str()) {
                let income = self.rng.range(5, 120) * 1_000;
                answers.insert("income".into(), json!(income));
            }
            answers.insert("occupation".into(), json!(occupation));
        }
        let id_number = if age >= 18 || self.rng.chance(0.3) {
            Some(self.id_number(area, male))
        } else {
            None
        };
        if id_number.is_some() && age >= 18 {
            // The card's date of issue (the citizen status page's second factor): at 18 or later.
            let from = (REFERENCE_YEAR + 18 - age).clamp(2005, REFERENCE_YEAR - 1);
            let issued = format!(
                "{:04}-{:02}-{:02}",
                self.rng.range(from, REFERENCE_YEAR - 1),
                self.rng.range(1, 12),
                self.rng.range(1, 28)
            );
            answers.insert("id_issued".into(), json!(issued));
        }
        let dob = self.rng.chance(0.4).then(|| {
            // Born in the first half of the year, at most on the 28th: `age` whole years (and a
            // few days more) before the reference date.
            format!(
                "{:04}-{:02}-{:02}",
                REFERENCE_YEAR - age,
                self.rng.range(1, 6),
                self.rng.range(1, 28)
            )
        });
        MemberInput {
            name: format!("{given} {family}"),
            relation: relation.to_string(),
            sex: if male { "male" } else { "female" }.to_string(),
            age: Some(json!(age)),
            dob,
            id_number,
            answers: answers.into_iter().collect(),
            ..Default::default()
        }
    }

    fn household_answers(&mut self, respondent: &str) -> BTreeMap<String, Value> {
        let c = self.choices.clone();
        let r = &mut self.rng;
        let mut a = BTreeMap::new();
        a.insert(
            "address".into(),
            json!(format!(
                "House {}, {} {}",
                r.range(1, 999),
                r.pick(STREETS),
                r.range(1, 40)
            )),
        );
        if r.chance(0.8) {
            a.insert(
                "phone".into(),
                json!(format!(
                    "03{:02}-{:07}",
                    r.range(0, 49),
                    r.range(0, 9_999_999)
                )),
            );
        }
        a.insert("respondent".into(), json!(respondent));
        a.insert("consent".into(), json!("OK"));
        for q in [
            "tenure",
            "walls",
            "roof",
            "floor",
            "toilet",
            "water",
            "cooking_fuel",
            "lighting",
        ] {
            a.insert(q.into(), json!(r.pick(c.of(q))));
        }
        a.insert("rooms".into(), json!(r.range(1, 6)));
        let electricity = r.chance(0.85);
        a.insert("electricity".into(), json!(yes_no(electricity)));
        if electricity {
            a.insert("electricity_bill".into(), json!(r.range(5, 300) * 100));
        }
        a.insert("gas".into(), json!(yes_no(r.chance(0.35))));
        a.insert("assets".into(), json!(c.several(r, "assets", 5, 0.1)));
        let livestock = r.chance(0.4);
        a.insert("has_livestock".into(), json!(yes_no(livestock)));
        if livestock {
            for q in ["cattle", "buffalo", "goats", "sheep", "camels", "poultry"] {
                let n = if r.chance(0.5) { r.range(1, 12) } else { 0 };
                a.insert(q.into(), json!(n));
            }
        }
        let owned = if r.chance(0.35) {
            f64::from(r.range(1, 80)) / 4.0
        } else {
            0.0
        };
        a.insert("land_owned".into(), json!(owned));
        a.insert("land_rented".into(), json!(f64::from(r.range(0, 20)) / 4.0));
        a.insert("support".into(), json!(c.several(r, "support", 2, 0.5)));
        a
    }

    /// A point inside Pakistan's bounding box, to 5 decimals (about a metre).
    fn gps(&mut self) -> GeoPoint {
        GeoPoint {
            lat: f64::from(self.rng.range(2_400_000, 3_600_000)) / 100_000.0,
            lon: f64::from(self.rng.range(6_200_000, 7_500_000)) / 100_000.0,
            accuracy: Some(f64::from(self.rng.range(3, 25))),
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}
