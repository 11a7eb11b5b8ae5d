//! The access audit trail's rows and their hash chain, shared by both backends and by `audit verify`.
//!
//! The per-change audit (`audit` table) says which device brought which automerge change. This trail
//! says who *looked* and who *administered*: reads of personal data, admin actions and failed
//! authentication, one row per event, never holding a token or personal data beyond ids.
//!
//! Rows are chained: each stores `prev_hash` (the previous row's `hash`, [`GENESIS`] for the first)
//! and `hash = SHA-256(domain tag, prev_hash, seq, at, action, actor, subject, detail)` over a
//! length-prefixed encoding ([`chain_hash`]), so changing, deleting or reordering any row breaks the
//! link at that row. A backend appends in one write transaction that reads the last row and inserts
//! `seq = last + 1` while holding the table (`BEGIN IMMEDIATE` on SQLite, an EXCLUSIVE table lock on
//! PostgreSQL): concurrent writers queue and the chain never forks.
//!
//! What a chain cannot show is rows cut off its end: [`ChainWalk::report`] gives the count and the
//! newest hash, which an operator can note elsewhere and compare later.

pub(super) mod postgres;
pub(super) mod sqlite;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// `prev_hash` of the first row.
pub const GENESIS: [u8; 32] = [0; 32];

/// Separates this chain's hashes from any other SHA-256 of the same bytes.
const DOMAIN: &[u8] = b"shumari-access-audit-v1\0";

/// An event to append; the backend gives it its sequence number and links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEvent {
    /// What happened (`household.list`, `user.add`, `auth.unknown_token`, ...).
    pub action: String,
    /// Who: a user id, `console` for the registry's command line, `anonymous` when unauthenticated.
    pub actor: String,
    /// What it was done to (a household or user id), when there is one.
    pub subject: Option<String>,
    /// Ids and counts only (an area code, a number of rows, a role).
    pub detail: Option<String>,
}

/// A stored row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: u64,
    /// When (ms since the epoch).
    pub at: i64,
    /// See [`AccessEvent::action`].
    pub action: String,
    /// See [`AccessEvent::actor`].
    pub actor: String,
    /// See [`AccessEvent::subject`].
    pub subject: Option<String>,
    /// See [`AccessEvent::detail`].
    pub detail: Option<String>,
    /// The previous row's hash.
    #[serde(serialize_with = "hex_bytes")]
    pub prev_hash: Vec<u8>,
    /// This row's hash.
    #[serde(serialize_with = "hex_bytes")]
    pub hash: Vec<u8>,
}

fn hex_bytes<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(b))
}

impl AccessEntry {
    /// The row that follows a row with hash `prev` at position `seq`.
    pub fn next(seq: u64, prev: Vec<u8>, at: i64, e: &AccessEvent) -> AccessEntry {
        let mut row = AccessEntry {
            seq,
            at,
            action: e.action.clone(),
            actor: e.actor.clone(),
            subject: e.subject.clone(),
            detail: e.detail.clone(),
            prev_hash: prev,
            hash: Vec::new(),
        };
        row.hash = chain_hash(&row).to_vec();
        row
    }
}

/// The hash a row must have: over its links and content, each field length-prefixed so that no two
/// different rows encode alike (`("ab", "c")` is not `("a", "bc")`, absent is not empty).
pub fn chain_hash(row: &AccessEntry) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    let mut field = |b: Option<&[u8]>| match b {
        None => h.update([0u8]),
        Some(b) => {
            h.update([1u8]);
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        }
    };
    field(Some(&row.prev_hash));
    field(Some(&row.seq.to_be_bytes()));
    field(Some(&row.at.to_be_bytes()));
    field(Some(row.action.as_bytes()));
    field(Some(row.actor.as_bytes()));
    field(row.subject.as_deref().map(str::as_bytes));
    field(row.detail.as_deref().map(str::as_bytes));
    h.finalize().into()
}

/// The first broken link of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    /// The row at which the chain stops holding.
    pub seq: u64,
    /// What is wrong there, in words.
    pub problem: String,
}

/// What a walk of the whole chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Rows read.
    pub rows: u64,
    /// The newest row's hash (hex), to note elsewhere: a chain cannot show rows cut off its end.
    pub head: Option<String>,
    /// The first broken link; `None` when the chain is intact.
    pub broken: Option<BrokenLink>,
}

/// Walks a chain row by row, in `seq` order, stopping at the first broken link.
#[derive(Debug)]
pub struct ChainWalk {
    rows: u64,
    prev: Vec<u8>,
    broken: Option<BrokenLink>,
}

impl Default for ChainWalk {
    fn default() -> Self {
        ChainWalk {
            rows: 0,
            prev: GENESIS.to_vec(),
            broken: None,
        }
    }
}

impl ChainWalk {
    /// Checks the next row; `false` once the chain is broken (the rest is not read).
    pub fn step(&mut self, row: &AccessEntry) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let expected = self.rows + 1;
        let problem = if row.seq != expected {
            Some(format!(
                "a row is missing before it: the previous row is {}, so this one should be {expected}",
                self.rows
            ))
        } else if row.prev_hash != self.prev {
            Some(if expected == 1 {
                "the first row does not start the chain (its previous hash is not zero)".to_string()
            } else {
                format!(
                    "it does not link to row {}: its previous hash is not that row's hash",
                    self.rows
                )
            })
        } else if row.hash != chain_hash(row) {
            Some("its content does not match its hash: the row was changed".to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            self.broken = Some(BrokenLink {
                seq: row.seq,
                problem,
            });
            return false;
        }
        self.rows = expected;
        self.prev.clone_from(&row.hash);
        true
    }

    /// What the walk found.
    pub fn report(self) -> ChainReport {
        ChainReport {
            rows: self.rows,
            head: (self.rows > 0).then(|| hex::encode(&self.prev)),
            broken: self.broken,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str) -> AccessEvent {
        AccessEvent {
            action: action.into(),
            actor: "u-1".into(),
            subject: Some("h-1".into()),
            detail: None,
        }
    }

    fn chain(n: u64) -> Vec<AccessEntry> {
        let mut prev = GENESIS.to_vec();
        (1..=n)
            .map(|seq| {
                let row = AccessEntry::next(seq, prev.clone(), 1000 + seq as i64, &event("x"));
                prev.clone_from(&row.hash);
                row
            })
            .collect()
    }

    fn walk(rows: &[AccessEntry]) -> ChainReport {
        let mut w = ChainWalk::default();
        for r in rows {
            if !w.step(r) {
                break;
            }
        }
        w.report()
    }

    #[test]
    fn an_intact_chain_reports_its_length_and_head() {
        let rows = chain(3);
        let r = walk(&rows);
        assert_eq!(r.rows, 3);
        assert_eq!(r.head, Some(hex::encode(&rows[2].hash)));
        assert_eq!(r.broken, None);
    }

    #[test]
    fn a_changed_row_is_named() {
        let mut rows = chain(4);
        rows[2].actor = "u-2".into();
        assert_eq!(walk(&rows).broken.unwrap().seq, 3);
    }

    #[test]
    fn a_deleted_row_is_named_by_the_next_one() {
        let mut rows = chain(4);
        rows.remove(1);
        let b = walk(&rows).broken.unwrap();
        assert_eq!(b.seq, 3);
        assert!(b.problem.contains("missing"), "{}", b.problem);
    }

    #[test]
    fn a_rehashed_row_breaks_the_next_link() {
        let mut rows = chain(4);
        rows[1].detail = Some("forged".into());
        rows[1].hash = chain_hash(&rows[1]).to_vec();
        let b = walk(&rows).broken.unwrap();
        assert_eq!(b.seq, 3);
        assert!(
            b.problem.contains("does not link to row 2"),
            "{}",
            b.problem
        );
    }

    #[test]
    fn fields_are_length_prefixed_and_absent_is_not_empty() {
        let a = AccessEntry::next(1, GENESIS.to_vec(), 0, &event("ab"));
        let mut e = event("ab");
        e.subject = None;
        let b = AccessEntry::next(1, GENESIS.to_vec(), 0, &e);
        e.subject = Some(String::new());
        let c = AccessEntry::next(1, GENESIS.to_vec(), 0, &e);
        assert_ne!(a.hash, b.hash);
        assert_ne!(b.hash, c.hash);
    }
}
