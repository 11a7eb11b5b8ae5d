//! The interview's answers as the UI edits them, as the document stores them, and as the forms engine
//! reads them.
//!
//! The UI keys a question by `name`, or `member:<id>:<name>` for a roster question ([`key`]); the
//! document and the engine address it by path, `answers.rooms`, `area`, `gps`, `members.<id>.<name>`
//! ([`path`], [`split_path`]). A multiple choice is a list in the UI and ODK's space-separated names in
//! the document ([`to_stored`]); a GPS point is an object in the UI and ODK's geopoint text for the
//! engine ([`to_engine`]). [`instance`] builds the engine's instance of what the UI sees (document and
//! draft overlay merged), so half-typed values are judged by the same rules as saved ones.

use crate::dto::MemberView;
use crate::error::{AppError, Result};
use serde_json::{Map, Value};
use shumari_forms::Instance;
use std::collections::BTreeMap;

/// Answers by question name.
pub(crate) type Answers = BTreeMap<String, Value>;

/// Member fields the domain keeps beside `answers` (the engine's `MEMBER_CORE`).
pub(crate) const MEMBER_CORE: &[&str] = shumari_forms::instance::MEMBER_CORE;

/// The UI's key of a question: `name`, or `member:<id>:<name>` for a roster question.
pub(crate) fn key(field: &str, member: Option<&str>) -> String {
    member.map_or_else(|| field.to_string(), |m| format!("member:{m}:{field}"))
}

/// The engine's path of a question: `answers.rooms`, `area`, `gps`, `members.<id>.<name>`.
pub(crate) fn path(field: &str, member: Option<&str>) -> String {
    match (member, field) {
        (None, "area" | "gps") => field.to_string(),
        (None, f) => format!("answers.{f}"),
        (Some(m), f) => format!("members.{m}.{f}"),
    }
}

/// `(field, member id)` of a document path: `answers.rooms`, `members.<id>.name`, `status`, ... (the
/// paths of the forms engine's issues and of conflicts alike).
pub(crate) fn split_path(p: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = p.split('.').collect();
    match parts.as_slice() {
        ["answers", f] => ((*f).to_string(), None),
        ["members", m, .., f] => ((*f).to_string(), Some((*m).to_string())),
        _ => (p.to_string(), None),
    }
}

/// A UI value as the document stores it: a multiple choice is ODK's space-separated list, blank is null.
pub(crate) fn to_stored(v: &Value) -> Value {
    match v {
        Value::Array(a) => {
            let words: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
            if words.is_empty() {
                Value::Null
            } else {
                Value::String(words.join(" "))
            }
        }
        Value::String(s) if s.trim().is_empty() => Value::Null,
        other => other.clone(),
    }
}

/// A UI value as the engine checks it: stored form, and a GPS object as ODK's geopoint text.
pub(crate) fn to_engine(v: &Value) -> Value {
    match v {
        Value::Object(m) => match (
            m.get("lat").and_then(Value::as_f64),
            m.get("lon").and_then(Value::as_f64),
        ) {
            (Some(lat), Some(lon)) => {
                let acc = m.get("accuracy").and_then(Value::as_f64).unwrap_or(0.0);
                Value::String(format!("{lat} {lon} 0 {acc}"))
            }
            _ => Value::String(v.to_string()),
        },
        other => to_stored(other),
    }
}

/// The household JSON contract the engine reads, from the answers the UI sees.
pub(crate) fn household_json(answers: &Answers, members: &[MemberView]) -> Value {
    let mut top = Map::new();
    top.insert(
        "form_id".into(),
        Value::from(crate::questionnaire::form_id()),
    );
    top.insert(
        "form_version".into(),
        Value::from(crate::questionnaire::form_version()),
    );
    let mut ans = Map::new();
    for (k, v) in answers {
        let v = to_engine(v);
        if v.is_null() {
            continue;
        }
        if k == "area" || k == "gps" {
            top.insert(k.clone(), v);
        } else {
            ans.insert(k.clone(), v);
        }
    }
    top.insert("answers".into(), Value::Object(ans));
    let rows: Vec<Value> = members
        .iter()
        .map(|m| {
            let mut row = Map::new();
            let mut ans = Map::new();
            row.insert("id".into(), Value::from(m.id.clone()));
            for (k, v) in &m.answers {
                let v = to_engine(v);
                if v.is_null() {
                    continue;
                }
                if MEMBER_CORE.contains(&k.as_str()) {
                    row.insert(k.clone(), v);
                } else {
                    ans.insert(k.clone(), v);
                }
            }
            row.insert("answers".into(), Value::Object(ans));
            Value::Object(row)
        })
        .collect();
    top.insert("members".into(), Value::Array(rows));
    Value::Object(top)
}

/// The engine's instance of what the UI sees.
pub(crate) fn instance(answers: &Answers, members: &[MemberView]) -> Result<Instance> {
    Instance::from_household_json(&household_json(answers, members))
        .map_err(|e| AppError::Internal(format!("household as a form instance: {e}")))
}
