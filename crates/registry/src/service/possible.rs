//! Possible duplicates: households of one area whose heads' names match after normalisation
//! (`shumari_domain::names`: spellings, honorifics, Urdu and English script) *and* that share
//! another attribute: the phone number, the head's father's or husband's name, or a GPS point
//! within [`NEAR_METRES`]. A name match alone is common (a village has many Muhammad Aslams), so it
//! never makes a pair.
//!
//! Pairs are computed when asked, for one area at a time ([`Registry::possible_duplicates`]):
//! households are compared within their own area code (a village, or the tehsil when no village
//! was recorded), after blocking on the first consonant of the head's name, and only name-matched
//! pairs have their documents read. A pair a reviewer dismissed
//! ([`Registry::dismiss_possible_duplicate`]) is kept and not listed again. Nothing here changes a
//! household: a true duplicate is resolved by returning or rejecting one of them.

use super::access_audit::{actor_of, AccessAction};
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::{HouseholdSummary, Storage, User};
use serde::Serialize;
use serde_json::Value;
use shumari_domain::names::{self, NameKey, MATCH};
use shumari_domain::{Household, HouseholdDoc, Relation, Sex};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// GPS points closer than this are the same place, in metres.
pub const NEAR_METRES: f64 = 50.0;

/// A pair of households that may be one.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PossibleDuplicate {
    /// The two households, by reference.
    #[schema(value_type = Vec<HouseholdSummary>, min_items = 2, max_items = 2)]
    pub households: [HouseholdSummary; 2],
    /// How alike the heads' names are, 0 to 1.
    pub name_similarity: f64,
    /// What else they share: `phone`, `father_or_husband_name`, `gps`.
    #[schema(value_type = Vec<String>)]
    pub also: Vec<&'static str>,
    /// The distance between their GPS points, in metres, when both have one.
    pub distance_m: Option<f64>,
}

/// What a household offers to compare beyond the head's name.
#[derive(Debug, Clone, Default)]
struct Traits {
    phone: Option<String>,
    relative: Option<String>,
    gps: Option<(f64, f64)>,
}

/// The last ten digits of a phone number (`0300-1234567` and `+923001234567` are one number).
fn phone_key(v: &Value) -> Option<String> {
    let digits: String = v.as_str()?.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 10).then(|| digits[digits.len() - 10..].to_string())
}

fn traits_of(h: &Household) -> Traits {
    let head = h.head();
    let answer = |k: &str| {
        head.and_then(|m| m.answers.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    // The head's father's or husband's name: an answer when the form asks it, else a female
    // head's husband on the roster.
    let relative = answer("father_name")
        .or_else(|| answer("husband_name"))
        .or_else(|| {
            head.filter(|m| m.sex == Sex::Female).and_then(|_| {
                h.members
                    .iter()
                    .find(|m| m.relation == Relation::Spouse)
                    .map(|m| m.name.clone())
            })
        });
    Traits {
        phone: h.answers.get("phone").and_then(phone_key),
        relative,
        gps: h.gps.as_ref().map(|g| (g.lat, g.lon)),
    }
}

/// Great-circle distance in metres (haversine on a 6,371 km sphere).
fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

/// What two households share besides the head's name.
fn shared(a: &Traits, b: &Traits) -> (Vec<&'static str>, Option<f64>) {
    let mut also = Vec::new();
    if a.phone.is_some() && a.phone == b.phone {
        also.push("phone");
    }
    if let (Some(x), Some(y)) = (&a.relative, &b.relative) {
        if names::similarity(x, y) >= MATCH {
            also.push("father_or_husband_name");
        }
    }
    let d = a.gps.zip(b.gps).map(|(x, y)| distance_m(x, y));
    if d.is_some_and(|d| d <= NEAR_METRES) {
        also.push("gps");
    }
    (also, d)
}

/// The blocking key of a head's name: the first letter of its first informative skeleton token.
fn block(name: &str) -> Option<char> {
    let k = NameKey::of(name);
    k.skeleton
        .iter()
        .find(|t| !matches!(t.as_str(), "mhmd"))
        .or(k.skeleton.first())
        .and_then(|t| t.chars().next())
}

fn ordered(a: Uuid, b: Uuid) -> (Uuid, Uuid) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

impl<S: Storage> Registry<S> {
    /// The possible duplicates among the households in `area` (and what is under it) within
    /// `user`'s areas when given, most alike first. Recorded in the access audit trail.
    pub async fn possible_duplicates(
        &self,
        user: Option<&User>,
        area: &str,
    ) -> Result<Vec<PossibleDuplicate>> {
        let rows: Vec<HouseholdSummary> = self
            .storage
            .list(Some(area))
            .await?
            .into_iter()
            .filter(|r| user.is_none_or(|u| self.scope(u).contains(&r.area)))
            .collect();
        let mut blocks: BTreeMap<(String, char), Vec<&HouseholdSummary>> = BTreeMap::new();
        for r in &rows {
            if let Some(c) = r.head_name.as_deref().and_then(block) {
                blocks.entry((r.area.clone(), c)).or_default().push(r);
            }
        }
        let mut candidates: Vec<(&HouseholdSummary, &HouseholdSummary, f64)> = Vec::new();
        for group in blocks.values() {
            for (i, a) in group.iter().enumerate() {
                for b in &group[i + 1..] {
                    let (Some(x), Some(y)) = (&a.head_name, &b.head_name) else {
                        continue;
                    };
                    let s = names::similarity(x, y);
                    if s >= MATCH {
                        candidates.push((a, b, s));
                    }
                }
            }
        }
        let ids: Vec<Uuid> = candidates
            .iter()
            .flat_map(|(a, b, _)| [a.id, b.id])
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let dismissed: BTreeSet<(Uuid, Uuid)> = self
            .storage
            .dismissed_pairs(&ids)
            .await?
            .into_iter()
            .collect();
        let stored = self.storage.load_docs(&ids).await?;
        let traits: HashMap<Uuid, Traits> = tokio::task::spawn_blocking(move || {
            stored
                .into_iter()
                .flatten()
                .filter_map(|s| {
                    let am = automerge::AutoCommit::load(&s.doc).ok()?;
                    let h = HouseholdDoc::from_automerge(am).ok()?.household().ok()?;
                    Some((s.id, traits_of(&h)))
                })
                .collect()
        })
        .await
        .map_err(|e| RegistryError::Internal(e.to_string()))?;
        let mut out: Vec<PossibleDuplicate> = candidates
            .into_iter()
            .filter(|(a, b, _)| !dismissed.contains(&ordered(a.id, b.id)))
            .filter_map(|(a, b, s)| {
                let (also, d) = shared(traits.get(&a.id)?, traits.get(&b.id)?);
                (!also.is_empty()).then(|| PossibleDuplicate {
                    households: [a.clone(), b.clone()],
                    name_similarity: (s * 1000.0).round() / 1000.0,
                    also,
                    distance_m: d.map(|d| d.round()),
                })
            })
            .collect();
        out.sort_by(|x, y| y.name_similarity.total_cmp(&x.name_similarity));
        self.record_access(
            AccessAction::DuplicateList,
            actor_of(user),
            None,
            Some(format!("possible area={area} rows={}", out.len())),
        )
        .await?;
        Ok(out)
    }

    /// Sets a possible-duplicate pair aside as not a duplicate (both households id or reference,
    /// both in `user`'s areas; a role that resolves duplicate cases). Recorded in the access
    /// audit trail; dismissing a pair again changes nothing.
    pub async fn dismiss_possible_duplicate(
        &self,
        user: &User,
        a: &str,
        b: &str,
        note: &str,
    ) -> Result<()> {
        super::duplicates::may_resolve(user)?;
        let mut ids = Vec::new();
        for x in [a, b] {
            let not_found = || RegistryError::NotFound(format!("no household `{x}`"));
            let id = self.storage.resolve(x).await?.ok_or_else(not_found)?;
            let row = self.storage.summaries_of(&[id]).await?;
            if !row.iter().any(|r| self.scope(user).contains(&r.area)) {
                return Err(not_found());
            }
            ids.push(id);
        }
        if ids[0] == ids[1] {
            return Err(RegistryError::BadRequest(
                "a household is not a duplicate of itself".into(),
            ));
        }
        let (x, y) = ordered(ids[0], ids[1]);
        self.record_access(
            AccessAction::DuplicateResolve,
            actor_of(Some(user)),
            Some(&format!("{x}+{y}")),
            Some("possible=dismissed".into()),
        )
        .await?;
        let note = Some(note.trim()).filter(|n| !n.is_empty());
        self.storage
            .dismiss_pair(x, y, &user.id, note, now_ms())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn phone_numbers_compare_by_their_last_ten_digits() {
        assert_eq!(
            phone_key(&json!("0300-1234567")),
            phone_key(&json!("+92 300 1234567"))
        );
        assert_eq!(phone_key(&json!("12345")), None);
    }

    #[test]
    fn fifty_metres_is_near_and_a_kilometre_is_not() {
        let base = (31.5200, 74.3500);
        // 0.0004 degrees of latitude are about 44 m.
        assert!(distance_m(base, (31.5204, 74.3500)) < NEAR_METRES);
        assert!(distance_m(base, (31.5290, 74.3500)) > 900.0);
    }

    #[test]
    fn a_name_match_needs_a_second_attribute() {
        let a = Traits {
            phone: Some("3001234567".into()),
            relative: Some("Muhammad Bashir".into()),
            gps: Some((31.52, 74.35)),
        };
        let far = Traits {
            phone: Some("3111111111".into()),
            relative: Some("Allah Ditta".into()),
            gps: Some((31.60, 74.35)),
        };
        assert!(shared(&a, &far).0.is_empty());
        let same_father = Traits {
            relative: Some("محمد بشیر".into()),
            ..far.clone()
        };
        assert_eq!(shared(&a, &same_father).0, ["father_or_husband_name"]);
        let same_phone = Traits {
            phone: a.phone.clone(),
            gps: Some((31.5202, 74.3501)),
            ..far
        };
        assert_eq!(shared(&a, &same_phone).0, ["phone", "gps"]);
    }
}
