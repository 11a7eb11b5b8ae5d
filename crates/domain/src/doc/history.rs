//! The household's history: who changed what, and when, read from the automerge document itself.
//!
//! Every change in the document carries its actor, its author (bound to the actor, see
//! `bind_author`) and its time; *what* it changed is not stored as field names but as operations on
//! objects. [`HouseholdDoc::history`] recovers the field names by asking automerge for the
//! difference the change alone makes: the document as of the change's dependencies against the
//! document as of the change (`AutoCommit::diff`). Because the "after" state holds only the change's
//! ancestors, a value that later lost a conflict is still listed under the change that wrote it.
//!
//! Bookkeeping keys that every edit touches (`updated_by`, `updated_at`) are left out: they would
//! make every entry look alike. The first change (no dependencies) is the household's creation.
//!
//! Cost: one diff per change, each proportional to what the change touched plus a look-up of its
//! objects' paths; a household has tens to a few hundred changes, and callers ask for the newest
//! `limit` only.

use super::keys;
use super::values::ms_to_time;
use super::HouseholdDoc;
use automerge::{Patch, PatchAction, Prop};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Keys left out of the history (bookkeeping every edit rewrites).
const BOOKKEEPING: [&str; 2] = [keys::UPDATED_BY, keys::UPDATED_AT];

/// One change of the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// When the change was made (the device's clock).
    pub at: DateTime<Utc>,
    /// The author recorded for the change's actor (see [`crate::roles::author_name`]), or the
    /// actor's hex id when none was recorded.
    pub author: String,
    /// The automerge actor (one per device or registry), hex.
    pub actor: String,
    /// The change created the household.
    pub created: bool,
    /// The fields it set, as paths (`status`, `answers.rooms`, `members.<id>.name`; a member added
    /// reads as `members.<id>`), sorted, each once.
    pub fields: Vec<String>,
}

impl HouseholdDoc {
    /// The newest `limit` changes, newest first.
    pub fn history(&mut self, limit: usize) -> Vec<HistoryEntry> {
        let changes = self.doc.get_changes(&[]);
        // automerge records an author on an actor's first change only (see `bind_author`).
        let authors: BTreeMap<String, String> = changes
            .iter()
            .filter_map(|c| {
                let author = c.author()?;
                Some((
                    c.actor_id().to_hex_string(),
                    String::from_utf8_lossy(author.as_bytes()).into_owned(),
                ))
            })
            .collect();
        let skip = changes.len().saturating_sub(limit);
        let mut out: Vec<HistoryEntry> = changes
            .iter()
            .skip(skip)
            .map(|c| {
                let fields = fields_of(&self.doc.diff(c.deps(), &[c.hash()]));
                let actor = c.actor_id().to_hex_string();
                HistoryEntry {
                    at: ms_to_time(c.timestamp()),
                    author: authors
                        .get(&actor)
                        .cloned()
                        .unwrap_or_else(|| actor.clone()),
                    actor,
                    created: c.deps().is_empty(),
                    fields,
                }
            })
            .collect();
        out.reverse();
        out
    }
}

/// The field paths a diff sets, bookkeeping left out.
fn fields_of(patches: &[Patch]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for p in patches {
        let mut path: Vec<String> = p
            .path
            .iter()
            .map(|(_, prop)| match prop {
                Prop::Map(k) => k.clone(),
                Prop::Seq(i) => i.to_string(),
            })
            .collect();
        match &p.action {
            PatchAction::PutMap { key, .. } => path.push(key.clone()),
            PatchAction::DeleteMap { key } => path.push(key.clone()),
            _ => {}
        }
        if path.len() == 1 && BOOKKEEPING.contains(&path[0].as_str()) {
            continue;
        }
        // A member's own keys written when it is added say no more than "member added".
        if path.len() > 2 && path[0] == keys::MEMBERS && out.contains(&path[..2].join(".")) {
            continue;
        }
        out.insert(path.join("."));
    }
    out.into_iter().collect()
}
