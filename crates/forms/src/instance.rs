//! A household's answers as the engine sees them, and the one mapping from the household JSON contract.
//!
//! ```json
//! {"area": "PK60301", "gps": {"lat": 31.5, "lon": 74.3},
//!  "answers": {"address": "...", "rooms": 3, "assets": "tv fridge"},
//!  "members": [{"id": "…", "name": "Ayesha", "relation": "head", "sex": "female", "age": 34,
//!               "dob": "1990-02-01", "id_number": "3520212345678", "answers": {"education": "primary"}}]}
//! ```
//!
//! A form with other repeats than the roster carries their rows under `repeats`, by the repeat's
//! name: `"repeats": {"plots": [{"id": "p1", "answers": {"plot_size": 2}}]}` (paths
//! `plots.<row id or index>.<question>`).
//!
//! Household questions read `answers.<name>`, except `area` and `gps` which live at the top level
//! (`gps` may also be an answer; as an object `{lat, lon, accuracy}` it becomes ODK's geopoint text).
//! The roster is the repeat `members`; a member's question reads its core field (`name`, `relation`,
//! `sex`, `age`, `dob`, `id_number`) or else `answers.<name>`. Paths in reports are `answers.rooms`,
//! `area`, and `members.<member id or 0-based index>.<question>`.

use crate::error::FormError;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Member fields that live beside `answers` in the household JSON.
pub const MEMBER_CORE: &[&str] = &["name", "relation", "sex", "age", "dob", "id_number"];
/// Household fields that live at the top level of the household JSON.
pub const HOUSEHOLD_TOP: &[&str] = &["area", "gps"];
/// Top-level keys of a stored household that are records about it, not answers.
const HOUSEHOLD_META: &[&str] = &[
    "id",
    "ref",
    "status",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
    "conflicts",
    "warnings",
    // The last review decision (approve / return / reject): the registry's, not an answer.
    "review",
];

/// One row of a repeat (one member of the roster).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    /// The member's `id`, or its 0-based index when it has none; used in paths.
    pub key: String,
    /// Question name to answer.
    pub answers: BTreeMap<String, Value>,
}

/// A filled (or partly filled) form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Instance {
    /// The household's id, when the JSON carries one: `uuid()` and `random()` are seeded with it, so
    /// their values differ between households and stay the same for one household.
    pub id: Option<String>,
    /// The form id the household was filled with, when recorded.
    pub form_id: Option<String>,
    /// The form version the household was filled with, when recorded.
    pub form_version: Option<String>,
    /// Household-level answers by question name (including `area` and `gps`).
    pub answers: BTreeMap<String, Value>,
    /// Which household-level names live at the top level of the JSON rather than in `answers`.
    pub top_level: BTreeSet<String>,
    /// Repeat name (`members`) to its rows.
    pub repeats: BTreeMap<String, Vec<Row>>,
}

fn bad(path: impl Into<String>, message: impl Into<String>) -> FormError {
    FormError::Instance {
        path: path.into(),
        message: message.into(),
    }
}

fn scalar(path: &str, v: &Value) -> Result<Value, FormError> {
    if v.is_array() || v.is_object() {
        return Err(bad(
            path,
            "answers are single values (text, number, true/false); a select_multiple is space-separated text",
        ));
    }
    Ok(v.clone())
}

fn answers_map(path: &str, v: Option<&Value>) -> Result<BTreeMap<String, Value>, FormError> {
    let mut out = BTreeMap::new();
    match v {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                out.insert(k.clone(), scalar(&format!("{path}.{k}"), v)?);
            }
        }
        Some(_) => return Err(bad(path, "expected an object of answers")),
    }
    Ok(out)
}

fn gps_text(v: &Value) -> Result<Value, FormError> {
    match v {
        Value::Object(m) => {
            let num = |k: &str| m.get(k).and_then(Value::as_f64);
            let (Some(lat), Some(lon)) = (num("lat"), num("lon")) else {
                return Err(bad("gps", "expected {\"lat\": .., \"lon\": ..}"));
            };
            let acc = num("accuracy").unwrap_or(0.0);
            Ok(Value::String(format!("{lat} {lon} 0 {acc}")))
        }
        other => scalar("gps", other),
    }
}

fn opt_text(m: &Map<String, Value>, k: &str) -> Option<String> {
    match m.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The rows of a repeat other than the roster: each `{"id"?, "answers": {...}}`.
fn repeat_rows(name: &str, rows: &Value) -> Result<Vec<Row>, FormError> {
    let Value::Array(list) = rows else {
        return Err(bad(format!("repeats.{name}"), "expected a list of rows"));
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, rv) in list.iter().enumerate() {
        let Value::Object(rm) = rv else {
            return Err(bad(
                format!("repeats.{name}[{i}]"),
                "a row is a JSON object",
            ));
        };
        let key = match rm.get("id") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => i.to_string(),
        };
        if let Some(k) = rm.keys().find(|k| !matches!(k.as_str(), "id" | "answers")) {
            return Err(bad(
                format!("{name}.{key}.{k}"),
                format!("unknown row field `{k}` (answers go in `answers`)"),
            ));
        }
        let answers = answers_map(&format!("{name}.{key}.answers"), rm.get("answers"))?;
        out.push(Row { key, answers });
    }
    Ok(out)
}

impl Instance {
    /// Reads a household in the JSON contract (see the module docs).
    pub fn from_household_json(v: &Value) -> Result<Instance, FormError> {
        let Value::Object(m) = v else {
            return Err(bad("", "a household is a JSON object"));
        };
        let mut inst = Instance {
            id: opt_text(m, "id"),
            form_id: opt_text(m, "form_id"),
            form_version: opt_text(m, "form_version"),
            answers: answers_map("answers", m.get("answers"))?,
            ..Instance::default()
        };
        for (k, v) in m {
            match k.as_str() {
                "answers" | "members" | "repeats" | "form_id" | "form_version" => {}
                "area" => {
                    if !v.is_null() {
                        inst.answers.insert("area".into(), scalar("area", v)?);
                        inst.top_level.insert("area".into());
                    }
                }
                "gps" => {
                    if !v.is_null() && !inst.answers.contains_key("gps") {
                        inst.answers.insert("gps".into(), gps_text(v)?);
                        inst.top_level.insert("gps".into());
                    }
                }
                k if HOUSEHOLD_META.contains(&k) => {}
                other => return Err(bad(other, format!("unknown field `{other}`"))),
            }
        }
        let mut rows = Vec::new();
        match m.get("members") {
            None | Some(Value::Null) => {}
            Some(Value::Array(members)) => {
                for (i, mv) in members.iter().enumerate() {
                    let Value::Object(mm) = mv else {
                        return Err(bad(format!("members[{i}]"), "a member is a JSON object"));
                    };
                    let key = match mm.get("id") {
                        Some(Value::String(s)) if !s.is_empty() => s.clone(),
                        _ => i.to_string(),
                    };
                    let mut answers =
                        answers_map(&format!("members.{key}.answers"), mm.get("answers"))?;
                    for (k, v) in mm {
                        if MEMBER_CORE.contains(&k.as_str()) {
                            if !v.is_null() {
                                answers
                                    .insert(k.clone(), scalar(&format!("members.{key}.{k}"), v)?);
                            }
                        } else if !matches!(k.as_str(), "id" | "answers" | "line") {
                            return Err(bad(
                                format!("members.{key}.{k}"),
                                format!(
                                    "unknown member field `{k}` (form answers go in `answers`)"
                                ),
                            ));
                        }
                    }
                    rows.push(Row { key, answers });
                }
            }
            Some(_) => return Err(bad("members", "expected a list of members")),
        }
        inst.repeats.insert("members".into(), rows);
        match m.get("repeats") {
            None | Some(Value::Null) => {}
            Some(Value::Object(reps)) => {
                for (name, rows) in reps {
                    if name == "members" {
                        return Err(bad(
                            "repeats.members",
                            "the roster goes in `members`, not in `repeats`",
                        ));
                    }
                    inst.repeats.insert(name.clone(), repeat_rows(name, rows)?);
                }
            }
            Some(_) => {
                return Err(bad(
                    "repeats",
                    "expected an object of repeat names to lists of rows",
                ))
            }
        }
        Ok(inst)
    }

    /// The path of a household-level answer: `answers.<name>`, or the bare name for top-level fields.
    pub fn household_path(&self, name: &str) -> String {
        if self.top_level.contains(name)
            || (HOUSEHOLD_TOP.contains(&name) && !self.answers.contains_key(name))
        {
            name.to_string()
        } else {
            format!("answers.{name}")
        }
    }

    /// The path of an answer in a repeat row: `members.<key>.<name>`.
    pub fn row_path(repeat: &str, row: &Row, name: &str) -> String {
        format!("{repeat}.{}.{name}", row.key)
    }

    /// Where a path points: `(None, name)` for household level, `(Some((repeat, row index)), name)`.
    pub fn locate(&self, path: &str) -> Result<(Option<(String, usize)>, String), FormError> {
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            [name] if !name.is_empty() => Ok((None, name.to_string())),
            ["answers", name] if !name.is_empty() => Ok((None, name.to_string())),
            [repeat, key, name] | [repeat, key, "answers", name] if !name.is_empty() => {
                let rows = self
                    .repeats
                    .get(*repeat)
                    .ok_or_else(|| bad(path, format!("no repeat `{repeat}`")))?;
                let i = rows
                    .iter()
                    .position(|r| r.key == *key)
                    .or_else(|| key.parse::<usize>().ok().filter(|&i| i < rows.len()))
                    .ok_or_else(|| bad(path, format!("no row `{key}` in `{repeat}`")))?;
                Ok((Some((repeat.to_string(), i)), name.to_string()))
            }
            _ => Err(bad(
                path,
                "expected answers.<name>, <name> or members.<id>.<name>",
            )),
        }
    }

    /// The answer at a path (absent answers are `None`).
    pub fn get(&self, path: &str) -> Option<&Value> {
        let (at, name) = self.locate(path).ok()?;
        match at {
            None => self.answers.get(&name),
            Some((r, i)) => self.repeats.get(&r)?.get(i)?.answers.get(&name),
        }
    }

    /// Sets the answer at a path (the row must exist).
    pub fn set(&mut self, path: &str, value: Value) -> Result<(), FormError> {
        let (at, name) = self.locate(path)?;
        match at {
            None => {
                if HOUSEHOLD_TOP.contains(&name.as_str()) && !path.starts_with("answers.") {
                    self.top_level.insert(name.clone());
                }
                self.answers.insert(name, value);
            }
            Some((r, i)) => {
                if let Some(row) = self.repeats.get_mut(&r).and_then(|rows| rows.get_mut(i)) {
                    row.answers.insert(name, value);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_the_household_contract() {
        let h = json!({"area": "PK60301", "gps": {"lat": 31.5, "lon": 74.25, "accuracy": 8.0},
            "form_id": "nser-household", "form_version": "1", "status": "draft",
            "answers": {"rooms": 3, "assets": "tv fridge"},
            "members": [{"id": "m-1", "name": "Ayesha", "relation": "head", "sex": "female", "age": 34,
                         "line": 1, "answers": {"education": "primary"}},
                        {"name": "Ali", "relation": "son", "sex": "male", "dob": "2015-02-01"}]});
        let i = Instance::from_household_json(&h).unwrap();
        assert_eq!(i.answers["area"], json!("PK60301"));
        assert_eq!(i.answers["gps"], json!("31.5 74.25 0 8"));
        assert_eq!(i.household_path("area"), "area");
        assert_eq!(i.household_path("rooms"), "answers.rooms");
        let rows = &i.repeats["members"];
        assert_eq!(rows[0].key, "m-1");
        assert_eq!(rows[0].answers["education"], json!("primary"));
        assert_eq!(rows[1].key, "1");
        assert_eq!(i.get("members.m-1.age"), Some(&json!(34)));
        assert_eq!(i.get("members.1.dob"), Some(&json!("2015-02-01")));
        assert_eq!(
            i.get("members.m-1.answers.education"),
            Some(&json!("primary"))
        );
        assert_eq!(i.form_version.as_deref(), Some("1"));
    }

    #[test]
    fn refuses_bad_shapes() {
        for (h, want) in [
            (json!([]), ""),
            (json!({"answers": {"assets": ["tv"]}}), "answers.assets"),
            (
                json!({"members": [{"name": "A", "colour": "red"}]}),
                "members.0.colour",
            ),
            (json!({"members": {}}), "members"),
            (json!({"colour": 1}), "colour"),
        ] {
            match Instance::from_household_json(&h) {
                Err(FormError::Instance { path, .. }) => assert_eq!(path, want),
                other => panic!("{h}: {other:?}"),
            }
        }
    }
}
