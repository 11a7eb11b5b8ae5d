//! The full read of a household document ([`super::HouseholdDoc::household`]) and the parsing rules it
//! shares with the fast projection read ([`super::projection`]), so both refuse the same documents.

use super::keys;
use super::values::{am_value_to_json, ms_to_time, scalar_to_json};
use crate::error::{DomainError, Result};
use crate::household::{Answers, GeoPoint, Household, Member, Relation, Sex, Status};
use crate::id_number::IdNumber;
use automerge::{AutoCommit, ObjId as ExId, ObjType, ReadDoc, ScalarValue, Value as AmValue, ROOT};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use uuid::Uuid;

pub(super) fn missing(field: &str) -> DomainError {
    DomainError::Document(format!("field `{field}` is missing"))
}

/// The household's id from its stored text.
pub(super) fn parse_id(text: Option<String>) -> Result<Uuid> {
    let text = text.ok_or_else(|| missing(keys::ID))?;
    Uuid::parse_str(&text).map_err(|_| DomainError::Document("bad id".into()))
}

/// The workflow status from its stored text.
pub(super) fn parse_status(text: Option<String>) -> Result<Status> {
    Status::parse(&text.ok_or_else(|| missing(keys::STATUS))?)
}

/// The GPS fix from its stored ODK text, if any.
pub(super) fn parse_gps(text: Option<String>) -> Result<Option<GeoPoint>> {
    text.map(|s| GeoPoint::from_odk(&s)).transpose()
}

/// A member's id from its key in the members map.
pub(super) fn parse_member_id(key: &str) -> Result<Uuid> {
    Uuid::parse_str(key).map_err(|_| DomainError::Document(format!("bad member id `{key}`")))
}

/// A member's relation from its stored text (absent reads as empty, which is refused).
pub(super) fn parse_relation(text: Option<String>) -> Result<Relation> {
    serde_json::from_value(Value::String(text.unwrap_or_default()))
        .map_err(|_| DomainError::Document("bad relation".into()))
}

/// A member's sex from its stored text (absent reads as empty, which is refused).
pub(super) fn parse_sex(text: Option<String>) -> Result<Sex> {
    serde_json::from_value(Value::String(text.unwrap_or_default()))
        .map_err(|_| DomainError::Document("bad sex".into()))
}

/// A stored ID number; one that no longer parses is dropped rather than refusing the household.
pub(super) fn parse_id_number(text: Option<String>) -> Option<IdNumber> {
    text.and_then(|s| IdNumber::parse(keys::ID_NUMBER, &s).ok())
}

/// A roster line number (absent or out of range: 0).
pub(super) fn line_of(v: Option<i64>) -> u32 {
    v.map_or(0, |l| u32::try_from(l).unwrap_or(0))
}

/// A stored time (absent or not a time: the epoch).
pub(super) fn time_of(v: Option<&ScalarValue>) -> DateTime<Utc> {
    match v {
        Some(ScalarValue::Timestamp(ms)) | Some(ScalarValue::Int(ms)) => ms_to_time(*ms),
        _ => DateTime::<Utc>::default(),
    }
}

/// The text of a stored scalar: strings as they are, null as absent, other scalars as JSON.
pub(super) fn scalar_text(s: ScalarValue) -> Option<String> {
    match s {
        ScalarValue::Str(s) => Some(s.to_string()),
        ScalarValue::Null => None,
        other => Some(scalar_to_json(&other).to_string()),
    }
}

pub(super) fn get_scalar(d: &AutoCommit, obj: &ExId, key: &str) -> Result<Option<ScalarValue>> {
    Ok(match d.get(obj, key)? {
        Some((AmValue::Scalar(s), _)) => Some(s.into_owned()),
        _ => None,
    })
}

pub(super) fn get_str(d: &AutoCommit, obj: &ExId, key: &str) -> Result<Option<String>> {
    Ok(get_scalar(d, obj, key)?.and_then(scalar_text))
}

pub(super) fn get_map(d: &AutoCommit, obj: &ExId, key: &str) -> Result<ExId> {
    match d.get(obj, key)? {
        Some((AmValue::Object(ObjType::Map), id)) => Ok(id),
        _ => Err(missing(key)),
    }
}

fn get_int(d: &AutoCommit, obj: &ExId, key: &str) -> Result<Option<i64>> {
    Ok(match get_scalar(d, obj, key)? {
        Some(ScalarValue::Int(i)) => Some(i),
        _ => None,
    })
}

/// The household's workflow status (its winning value).
pub fn status(d: &AutoCommit) -> Result<Status> {
    parse_status(get_str(d, &ROOT, keys::STATUS)?)
}

/// Reads the household: the winning value of every field, members in roster order.
pub(super) fn household(d: &AutoCommit) -> Result<Household> {
    let id = parse_id(get_str(d, &ROOT, keys::ID)?)?;
    let status = status(d)?;
    let gps = parse_gps(get_str(d, &ROOT, keys::GPS)?)?;
    let answers_id = get_map(d, &ROOT, keys::ANSWERS)?;
    let members_id = get_map(d, &ROOT, keys::MEMBERS)?;
    let mut members = Vec::new();
    for key in d.keys(&members_id) {
        let mid = get_map(d, &members_id, &key)?;
        if get_scalar(d, &mid, keys::REMOVED)? == Some(ScalarValue::Boolean(true)) {
            continue;
        }
        members.push(read_member(d, &mid, &key)?);
    }
    members.sort_by(|a, b| a.line.cmp(&b.line).then(a.id.cmp(&b.id)));
    let text = |key: &str| get_str(d, &ROOT, key);
    Ok(Household {
        id,
        reference: text(keys::REF)?.unwrap_or_default(),
        area: text(keys::AREA)?.ok_or_else(|| missing(keys::AREA))?,
        gps,
        form_id: text(keys::FORM_ID)?.unwrap_or_default(),
        form_version: text(keys::FORM_VERSION)?.unwrap_or_default(),
        answers: read_answers(d, &answers_id)?,
        members,
        status,
        created_by: text(keys::CREATED_BY)?.unwrap_or_default(),
        created_at: time_of(get_scalar(d, &ROOT, keys::CREATED_AT)?.as_ref()),
        updated_by: text(keys::UPDATED_BY)?.unwrap_or_default(),
        updated_at: time_of(get_scalar(d, &ROOT, keys::UPDATED_AT)?.as_ref()),
        review: super::review::review(d)?,
    })
}

fn read_member(d: &AutoCommit, mid: &ExId, key: &str) -> Result<Member> {
    let id = parse_member_id(key)?;
    let text = |k: &str| get_str(d, mid, k);
    let relation = parse_relation(text(keys::RELATION)?)?;
    let sex = parse_sex(text(keys::SEX)?)?;
    let line = line_of(get_int(d, mid, keys::LINE)?);
    let age = get_int(d, mid, keys::AGE)?.and_then(|a| u32::try_from(a).ok());
    let dob = text(keys::DOB)?.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
    let id_number = parse_id_number(text(keys::ID_NUMBER)?);
    let answers_id = get_map(d, mid, keys::ANSWERS)?;
    Ok(Member {
        id,
        line,
        name: text(keys::NAME)?.unwrap_or_default(),
        relation,
        sex,
        dob,
        age,
        id_number,
        answers: read_answers(d, &answers_id)?,
    })
}

/// Every answer of a map, in one pass of automerge's range iterator: a look-up per key (`keys`
/// then `get`) searched the map again for each of a household's ~150 answers, on every read.
fn read_answers(d: &AutoCommit, obj: &ExId) -> Result<Answers> {
    Ok(d.map_range(obj, ..)
        .map(|item| (item.key.into_owned(), am_value_to_json(&item.value.into())))
        .collect())
}
