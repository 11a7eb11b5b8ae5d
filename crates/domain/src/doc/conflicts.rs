//! Conflicts: fields that hold more than one concurrent value.
//!
//! automerge keeps every concurrent value of a key; `get` picks a deterministic winner (not the latest).
//! [`HouseholdDoc::conflicts`] lists every key with more than one *distinct* value, with the actor, the
//! author (the enumerator, recorded with automerge's author API) and the time of each. Writing the key
//! again supersedes all values and resolves the conflict.

use super::keys;
use super::read::get_map;
use super::values::{am_value_to_json, ms_to_time};
use super::HouseholdDoc;
use crate::error::Result;
use automerge::{ActorId, ObjId as ExId, ReadDoc, ROOT};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One concurrent value of a conflicting field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictValue {
    /// The value.
    pub value: Value,
    /// The user recorded as author of the change, or the actor id when none was recorded.
    pub author: String,
    /// The automerge actor (device) that wrote it, hex.
    pub actor: String,
    /// When it was written (RFC 3339), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// A field with more than one concurrent value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// e.g. `answers.rooms`, `members.<id>.name`.
    pub path: String,
    /// Every value, the deterministic winner first.
    pub values: Vec<ConflictValue>,
}

/// Root keys whose concurrent values are not a disagreement about the household: `updated_by/at` change
/// on every edit (bookkeeping), the others are containers or never change.
const NOT_ANSWERS: [&str; 6] = [
    keys::ANSWERS,
    keys::MEMBERS,
    keys::UPDATED_BY,
    keys::UPDATED_AT,
    keys::SCHEMA,
    keys::ID,
];

impl HouseholdDoc {
    /// Every field that holds more than one distinct concurrent value.
    pub fn conflicts(&mut self) -> Result<Vec<Conflict>> {
        let mut raw: Vec<(String, Vec<(Value, ExId)>)> = Vec::new();
        let d = &self.doc;
        // One pass per map: the range iterator flags the keys holding several values, so only
        // those are read again (`get_all`), not every key of a ~150-answer household.
        let mut scan = |obj: &ExId, prefix: &str, skip: &[&str]| -> Result<()> {
            for item in d.map_range(obj, ..) {
                let key = item.key;
                if !item.conflict
                    || skip.contains(&key.as_ref())
                    || super::paradata::is_paradata(&key)
                {
                    continue;
                }
                let all = d.get_all(obj, key.as_ref())?;
                if all.len() < 2 {
                    continue;
                }
                let vals: Vec<(Value, ExId)> = all
                    .iter()
                    .map(|(v, id)| (am_value_to_json(v), id.clone()))
                    .collect();
                if vals.iter().all(|(v, _)| *v == vals[0].0) {
                    continue; // the same value written twice is agreement, not a conflict
                }
                raw.push((format!("{prefix}{key}"), vals));
            }
            Ok(())
        };
        scan(&ROOT, "", &NOT_ANSWERS)?;
        let answers = get_map(d, &ROOT, keys::ANSWERS)?;
        scan(&answers, &format!("{}.", keys::ANSWERS), &[])?;
        let members = get_map(d, &ROOT, keys::MEMBERS)?;
        for key in d.keys(&members) {
            let mid = get_map(d, &members, &key)?;
            let prefix = format!("{}.{key}.", keys::MEMBERS);
            scan(&mid, &prefix, &[keys::ANSWERS])?;
            let ma = get_map(d, &mid, keys::ANSWERS)?;
            scan(&ma, &prefix, &[])?;
        }
        if raw.is_empty() {
            return Ok(Vec::new());
        }
        // Who wrote each value and when: find the change that holds the op (rare path, conflicts only).
        let changes = self.doc.get_changes(&[]);
        let authors: BTreeMap<String, String> = changes
            .iter()
            .filter_map(|c| {
                c.author().map(|a| {
                    (
                        c.actor_id().to_hex_string(),
                        String::from_utf8_lossy(a.as_bytes()).into_owned(),
                    )
                })
            })
            .collect();
        let when = |actor: &ActorId, counter: u64| {
            changes
                .iter()
                .find(|c| {
                    c.actor_id() == actor && c.start_op().get() <= counter && counter <= c.max_op()
                })
                .map(|c| ms_to_time(c.timestamp()).to_rfc3339())
        };
        Ok(raw
            .into_iter()
            .map(|(path, vals)| Conflict {
                path,
                values: vals
                    .into_iter()
                    .map(|(value, id)| {
                        let (actor, counter) = match &id {
                            ExId::Id(c, a, _) => (a.clone(), *c),
                            ExId::Root => (ActorId::from(&[0u8][..]), 0),
                        };
                        let hex = actor.to_hex_string();
                        ConflictValue {
                            value,
                            author: authors.get(&hex).cloned().unwrap_or_else(|| hex.clone()),
                            at: when(&actor, counter),
                            actor: hex,
                        }
                    })
                    .collect(),
            })
            .collect())
    }
}
