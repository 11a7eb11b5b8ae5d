//! The fast read of a household document: only what a list row and duplicate search need
//! ([`Projection`]), one pass per map.
//!
//! Why not [`HouseholdDoc::household`]: that builds the whole household with one automerge lookup per
//! key (about 170 of them for an NSER household), which was two thirds of the registry's time per
//! ingested household. This reads each map once with `map_range` (about ten times faster) and keeps
//! only what the projection needs, while refusing exactly the documents `household` refuses: it walks
//! the same keys in the same order through the same parsing rules (`read.rs`), so the registry never
//! accepts a household a device could not open. The tests below hold both readers to the same answer.

use super::keys;
use super::read::{
    line_of, missing, parse_gps, parse_id, parse_id_number, parse_member_id, parse_relation,
    parse_sex, parse_status, scalar_text, time_of,
};
use super::HouseholdDoc;
use crate::error::Result;
use crate::household::Relation;
use crate::id_number::IdNumber;
use crate::summary::{HouseholdSummary, Projection, RosterMember, PHONE_ANSWER};
use automerge::{
    AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, ScalarValueRef, Value, ValueRef, ROOT,
};
use std::borrow::Cow;
use std::collections::HashMap;
use uuid::Uuid;

/// A map's entries: key to (winning value, object id).
type Entries<'a> = HashMap<Cow<'a, str>, (ValueRef<'a>, ObjId)>;

fn entries<'a>(d: &'a AutoCommit, obj: &ObjId) -> Entries<'a> {
    d.map_range(obj, ..)
        .map(|item| {
            let id = item.id();
            (item.key, (item.value, id))
        })
        .collect()
}

fn scalar<'e, 'a>(e: &'e Entries<'a>, key: &str) -> Option<&'e ScalarValueRef<'a>> {
    match e.get(key) {
        Some((ValueRef::Scalar(s), _)) => Some(s),
        _ => None,
    }
}

/// The text of a scalar as the full read takes it (strings as they are, other scalars as JSON).
fn text(e: &Entries<'_>, key: &str) -> Option<String> {
    match scalar(e, key)? {
        ScalarValueRef::Str(s) => Some(s.to_string()),
        other => scalar_text(ScalarValue::from(other)),
    }
}

fn int(e: &Entries<'_>, key: &str) -> Option<i64> {
    match scalar(e, key) {
        Some(ScalarValueRef::Int(i)) => Some(*i),
        _ => None,
    }
}

fn map_of(e: &Entries<'_>, key: &str) -> Result<ObjId> {
    match e.get(key) {
        Some((ValueRef::Object(ObjType::Map), id)) => Ok(id.clone()),
        _ => Err(missing(key)),
    }
}

/// One member as the projection needs it.
struct MemberView {
    id: Uuid,
    line: u32,
    name: String,
    relation: Relation,
    id_number: Option<IdNumber>,
    issued: Option<String>,
}

fn member(d: &AutoCommit, e: &Entries<'_>, key: &str) -> Result<MemberView> {
    let id = parse_member_id(key)?;
    let relation = parse_relation(text(e, keys::RELATION))?;
    parse_sex(text(e, keys::SEX))?;
    let line = line_of(int(e, keys::LINE));
    let id_number = parse_id_number(text(e, keys::ID_NUMBER));
    // Answers must be a map (their values are never refused).
    let answers = map_of(e, keys::ANSWERS)?;
    // The card's date of issue is read only beside a number (the index holds it per number).
    let issued = match &id_number {
        Some(_) => text(&entries(d, &answers), crate::id_number::ISSUE_DATE_ANSWER),
        None => None,
    };
    Ok(MemberView {
        id,
        line,
        name: text(e, keys::NAME).unwrap_or_default(),
        relation,
        id_number,
        issued,
    })
}

fn read(d: &AutoCommit, conflict_count: u32) -> Result<Projection> {
    let root = entries(d, &ROOT);
    let id = parse_id(text(&root, keys::ID))?;
    let status = parse_status(text(&root, keys::STATUS))?;
    parse_gps(text(&root, keys::GPS))?;
    let answers = map_of(&root, keys::ANSWERS)?;
    // One key of the household's answers (the full read's answer map, as text only).
    let phone = match d.get(&answers, PHONE_ANSWER).ok().flatten() {
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Str(p) => Some(p.to_string()),
            _ => None,
        },
        _ => None,
    };
    let members_id = map_of(&root, keys::MEMBERS)?;
    let mut members = Vec::new();
    for item in d.map_range(&members_id, ..) {
        let mid = match item.value {
            ValueRef::Object(ObjType::Map) => item.id(),
            _ => return Err(missing(&item.key)),
        };
        let m = entries(d, &mid);
        if matches!(
            scalar(&m, keys::REMOVED),
            Some(ScalarValueRef::Boolean(true))
        ) {
            continue;
        }
        members.push(member(d, &m, &item.key)?);
    }
    members.sort_by(|a, b| a.line.cmp(&b.line).then(a.id.cmp(&b.id)));
    let reference = text(&root, keys::REF).unwrap_or_default();
    let area = text(&root, keys::AREA).ok_or_else(|| missing(keys::AREA))?;
    let updated_at = time_of(
        scalar(&root, keys::UPDATED_AT)
            .map(ScalarValue::from)
            .as_ref(),
    );
    let created_at = time_of(
        scalar(&root, keys::CREATED_AT)
            .map(ScalarValue::from)
            .as_ref(),
    );
    let head = members.iter().find(|m| m.relation == Relation::Head);
    let roster = members
        .iter()
        .map(|m| RosterMember {
            id: m.id,
            name: m.name.clone(),
            id_number: m.id_number.clone(),
        })
        .collect();
    Ok(Projection {
        summary: HouseholdSummary {
            id,
            reference,
            area,
            head_name: head.map(|m| m.name.clone()),
            head_id_number: head.and_then(|m| m.id_number.clone()),
            member_count: u32::try_from(members.len()).unwrap_or(u32::MAX),
            status,
            conflict_count,
            updated_at,
        },
        id_issued: members
            .iter()
            .filter_map(|m| {
                Some((
                    m.id_number.as_ref()?.digits().to_string(),
                    m.issued.clone()?,
                ))
            })
            .collect(),
        id_numbers: members.into_iter().filter_map(|m| m.id_number).collect(),
        created_at,
        phone,
        roster,
    })
}

impl HouseholdDoc {
    /// The household's [`Projection`] (its list row and members' ID numbers), given its number of open
    /// conflicts: the same as `Projection::of(&self.household()?, conflict_count)`, read in one pass
    /// per map.
    pub fn projection(&self, conflict_count: u32) -> Result<Projection> {
        read(&self.doc, conflict_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::EditContext;
    use crate::{AreaRegistry, HouseholdInput, NewHousehold};
    use automerge::transaction::Transactable;
    use automerge::ActorId;

    /// The projection as built from the full read (the slow reader this one stands in for).
    fn slow(d: AutoCommit, conflict_count: u32) -> Result<Projection> {
        let h = HouseholdDoc::from_automerge(d)?.household()?;
        Ok(Projection::of(&h, conflict_count))
    }

    fn fast(d: AutoCommit, conflict_count: u32) -> Result<Projection> {
        HouseholdDoc::from_automerge(d)?.projection(conflict_count)
    }

    fn household() -> AutoCommit {
        let at = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap();
        let ctx = EditContext::new("enum-1", at);
        let input: HouseholdInput = serde_json::from_value(serde_json::json!({
            "area": "PK10101",
            "answers": {"q00": 1, "q01": "option_2", "q02": true, "phone": "0300-1234567"},
            "members": [
                {"name": "Amina Bibi", "relation": "spouse", "sex": "female", "age": 31,
                 "id_number": "3520212345672"},
                {"name": "Bilal Khan", "relation": "head", "sex": "male", "age": 35,
                 "id_number": "35202-1234567-1", "answers": {"id_issued": "2014-06-02"}},
                {"name": "Sana", "relation": "daughter", "sex": "female", "age": 4,
                 "answers": {"m0": 2, "id_issued": "2024-01-01"}}
            ]
        }))
        .unwrap();
        let areas = AreaRegistry::builtin();
        let new = NewHousehold::from_input(&input, None, &areas, "PK10101-K7QD2-1", "f", "1", &ctx)
            .unwrap();
        let mut doc =
            HouseholdDoc::create(&new.household, ActorId::from(vec![1; 16]), &ctx).unwrap();
        AutoCommit::load(&doc.save()).unwrap()
    }

    type Mutation = Box<dyn Fn(&mut AutoCommit)>;

    fn member_ids(d: &AutoCommit) -> Vec<ObjId> {
        let (_, members) = d.get(ROOT, keys::MEMBERS).unwrap().unwrap();
        d.map_range(&members, ..).map(|i| i.id()).collect()
    }

    #[test]
    fn reads_what_household_reads_and_refuses_what_it_refuses() {
        let base = household();
        let mutations: Vec<(&str, Mutation)> = vec![
            ("as created", Box::new(|_| {})),
            (
                "bad status",
                Box::new(|d| d.put(ROOT, keys::STATUS, "bogus").unwrap()),
            ),
            (
                "status as a number",
                Box::new(|d| d.put(ROOT, keys::STATUS, 3).unwrap()),
            ),
            ("no area", Box::new(|d| d.delete(ROOT, keys::AREA).unwrap())),
            (
                "phone as a number",
                Box::new(|d| {
                    let (_, answers) = d.get(ROOT, keys::ANSWERS).unwrap().unwrap();
                    d.put(&answers, PHONE_ANSWER, 3_001_234_567_i64).unwrap();
                }),
            ),
            ("no id", Box::new(|d| d.delete(ROOT, keys::ID).unwrap())),
            (
                "bad id",
                Box::new(|d| d.put(ROOT, keys::ID, "nope").unwrap()),
            ),
            (
                "bad gps",
                Box::new(|d| d.put(ROOT, keys::GPS, "north").unwrap()),
            ),
            (
                "gps",
                Box::new(|d| d.put(ROOT, keys::GPS, "31.5 74.3 200 5").unwrap()),
            ),
            (
                "ref as a number",
                Box::new(|d| d.put(ROOT, keys::REF, 42).unwrap()),
            ),
            (
                "updated_at as an integer",
                Box::new(|d| {
                    d.put(ROOT, keys::UPDATED_AT, 1_700_000_000_000_i64)
                        .unwrap()
                }),
            ),
            (
                "no updated_at",
                Box::new(|d| d.delete(ROOT, keys::UPDATED_AT).unwrap()),
            ),
            (
                "answers not a map",
                Box::new(|d| d.put(ROOT, keys::ANSWERS, 1).unwrap()),
            ),
            (
                "members not a map",
                Box::new(|d| d.put(ROOT, keys::MEMBERS, "x").unwrap()),
            ),
            (
                "bad relation",
                Box::new(|d| {
                    let m = member_ids(d)[0].clone();
                    d.put(&m, keys::RELATION, "alien").unwrap();
                }),
            ),
            (
                "bad sex",
                Box::new(|d| {
                    let m = member_ids(d)[1].clone();
                    d.put(&m, keys::SEX, 7).unwrap();
                }),
            ),
            (
                "member answers not a map",
                Box::new(|d| {
                    let m = member_ids(d)[2].clone();
                    d.put(&m, keys::ANSWERS, "x").unwrap();
                }),
            ),
            (
                "head removed",
                Box::new(|d| {
                    for m in member_ids(d) {
                        if let Some((v, _)) = d.get(&m, keys::RELATION).unwrap() {
                            if v.as_str() == Some("head") {
                                d.put(&m, keys::REMOVED, true).unwrap();
                            }
                        }
                    }
                }),
            ),
            (
                "two heads, lines decide",
                Box::new(|d| {
                    for (i, m) in member_ids(d).into_iter().enumerate() {
                        d.put(&m, keys::RELATION, "head").unwrap();
                        d.put(&m, keys::LINE, 5 - i as i64).unwrap();
                    }
                }),
            ),
            (
                "bad id number is dropped",
                Box::new(|d| {
                    let m = member_ids(d)[0].clone();
                    d.put(&m, keys::ID_NUMBER, "123").unwrap();
                }),
            ),
            (
                "a member that is not a map",
                Box::new(|d| {
                    let (_, members) = d.get(ROOT, keys::MEMBERS).unwrap().unwrap();
                    d.put(&members, "0190c0de-0000-7000-8000-000000000000", 1)
                        .unwrap();
                }),
            ),
            (
                "a member with a bad id",
                Box::new(|d| {
                    let (_, members) = d.get(ROOT, keys::MEMBERS).unwrap().unwrap();
                    let m = d.put_object(&members, "not-a-uuid", ObjType::Map).unwrap();
                    d.put(&m, keys::RELATION, "son").unwrap();
                    d.put(&m, keys::SEX, "male").unwrap();
                    d.put_object(&m, keys::ANSWERS, ObjType::Map).unwrap();
                }),
            ),
        ];
        let mut accepted = 0;
        for (what, mutate) in mutations {
            let mut d = base.clone();
            mutate(&mut d);
            d.commit();
            let f = fast(d.clone(), 0);
            assert_eq!(f, slow(d, 0), "{what}");
            accepted += usize::from(f.is_ok());
        }
        assert_eq!(accepted, 9, "the valid cases were read");
        let p = fast(base, 2).unwrap();
        assert_eq!(p.summary.head_name.as_deref(), Some("Bilal Khan"));
        assert_eq!(
            p.summary.head_id_number.map(|n| n.dashed()).as_deref(),
            Some("35202-1234567-1")
        );
        assert_eq!(p.summary.member_count, 3);
        assert_eq!(p.summary.conflict_count, 2);
        assert_eq!(p.summary.reference, "PK10101-K7QD2-1");
        assert_eq!(p.id_numbers.len(), 2);
        // The date of issue is indexed beside a number only (Sana has none).
        assert_eq!(
            p.id_issued.into_iter().collect::<Vec<_>>(),
            vec![("3520212345671".to_string(), "2014-06-02".to_string())]
        );
        // What the citizen status page shows: the phone, the whole roster in roster order.
        assert_eq!(p.phone.as_deref(), Some("0300-1234567"));
        let names: Vec<&str> = p.roster.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Amina Bibi", "Bilal Khan", "Sana"]);
        assert_eq!(p.roster[2].id_number, None);
        assert_eq!(p.created_at.timestamp(), 1_750_000_000);
    }
}
