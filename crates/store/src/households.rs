//! The one write path for households, and the projection used to list and search them.
//!
//! Every change to a household goes through [`Store::persist`]: it appends the automerge change bytes to the
//! document (compacting past a threshold) and rewrites the household's projection rows, in the caller's
//! transaction, so the document and the projection can never disagree. With `synchronous = FULL`, a
//! method that returned `Ok` has its write on disk.

use crate::error::{Result, StoreError};
use crate::store::Store;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::Value;
use shumari_domain::automerge::ChangeHash;
use shumari_domain::doc::{EditContext, Editor, FieldPath};
use shumari_domain::reference::{looks_like_reference, reference_number};
use shumari_domain::{
    AreaRange, Conflict, Household, HouseholdDoc, HouseholdInput, HouseholdSummary, IdNumber,
    NewHousehold, Status, Warning,
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Compact a document's chunks into a fresh snapshot once there are this many.
const COMPACT_AFTER_CHUNKS: i64 = 32;

/// A household just created.
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    /// Its id.
    pub id: Uuid,
    /// Its reference number.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Plausibility warnings (not errors).
    pub warnings: Vec<Warning>,
}

/// A household with its open conflicts.
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdView {
    /// The winning value of every field.
    #[serde(flatten)]
    pub household: Household,
    /// Fields with several concurrent values.
    pub conflicts: Vec<Conflict>,
    /// Each member's identity verification as the registry recorded it, by member id (members
    /// never checked absent).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub verifications: BTreeMap<Uuid, shumari_domain::Verification>,
    /// How the interview was made (start, end, device, seconds per section, late edits).
    pub paradata: shumari_domain::Paradata,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this area and everything under it (the domain's rule, [`AreaRange`]).
    pub area: Option<String>,
    /// Name words (English or Urdu), a CNIC prefix (digits, dashes allowed) or a reference number prefix.
    pub search: Option<String>,
    /// Only this status.
    pub status: Option<Status>,
    /// Page size (0 = 50).
    pub limit: usize,
    /// Rows to skip.
    pub offset: usize,
    /// Only households that left this device's scope with changes the registry has not received.
    pub left_scope: bool,
}

/// The row id of household `id`, if the store has it.
pub(crate) fn find_rid(conn: &rusqlite::Connection, id: &Uuid) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT rid FROM households WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?)
}

/// Heads as stored: sorted and without repeats, so that the same set of heads is always the same bytes
/// (acknowledged heads are compared with the document's heads by these bytes; an acknowledgement built
/// from the heads held before a pull plus the registry's, in another order, must still match).
pub(crate) fn heads_to_bytes(heads: &[ChangeHash]) -> Vec<u8> {
    let mut sorted = heads.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    sorted.iter().flat_map(|h| h.0).collect()
}

pub(crate) fn heads_from_bytes(b: &[u8]) -> Vec<ChangeHash> {
    b.chunks_exact(32)
        .filter_map(|c| ChangeHash::try_from(c).ok())
        .collect()
}

/// How a search string is read.
enum SearchKind {
    IdPrefix(String),
    RefPrefix(String),
    Names(String),
}

fn classify_search(s: &str) -> Option<SearchKind> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'-') && s.bytes().any(|b| b.is_ascii_digit()) {
        return Some(SearchKind::IdPrefix(s.replace('-', "")));
    }
    if looks_like_reference(s) || (s.starts_with("PK") && s.contains('-') && !s.contains(' ')) {
        return Some(SearchKind::RefPrefix(s.to_string()));
    }
    // FTS5 query: every word must match as a prefix. Words are quoted, so no user text is FTS syntax.
    let q: Vec<String> = s
        .split_whitespace()
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    Some(SearchKind::Names(q.join(" ")))
}

impl Store {
    /// Validates and stores a new household; returns its id and reference number.
    pub fn add_household(
        &mut self,
        input: &HouseholdInput,
        area: Option<&str>,
        form_id: &str,
        form_version: &str,
    ) -> Result<Created> {
        let mut out =
            self.add_households(std::slice::from_ref(input), area, form_id, form_version)?;
        out.remove(0)
    }

    /// Stores many households in one transaction. Each input gets its own result: a bad one is reported
    /// and skipped, the good ones are all committed together.
    pub fn add_households(
        &mut self,
        inputs: &[HouseholdInput],
        area: Option<&str>,
        form_id: &str,
        form_version: &str,
    ) -> Result<Vec<Result<Created>>> {
        let ctx = EditContext::new(self.device.user.clone(), chrono::Utc::now());
        let tx = self.conn.transaction()?;
        Store::note_actor(&tx, &self.device.actor)?;
        let mut results = Vec::with_capacity(inputs.len());
        for input in inputs {
            let target_area = area
                .map(str::to_string)
                .or_else(|| input.area.clone())
                .unwrap_or_default();
            // Validate before taking a sequence number, so rejected lines leave no gaps.
            let checked =
                NewHousehold::from_input(input, area, &self.areas, "", form_id, form_version, &ctx);
            let mut new = match checked {
                Ok(n) => n,
                Err(e) => {
                    results.push(Err(e.into()));
                    continue;
                }
            };
            let seq = Store::next_seq(&tx)?;
            new.household.reference = reference_number(&target_area, &self.device.short_id, seq);
            let mut doc = HouseholdDoc::create(&new.household, self.device.actor.clone(), &ctx)?;
            let snapshot = doc.save();
            let heads = doc.heads();
            let rid = project(&tx, &new.household, 0)?;
            tx.prepare_cached("INSERT INTO documents (rid, snapshot, heads) VALUES (?1, ?2, ?3)")?
                .execute(params![rid, snapshot, heads_to_bytes(&heads)])?;
            results.push(Ok(Created {
                id: new.household.id,
                reference: new.household.reference,
                warnings: new.warnings,
            }));
        }
        tx.commit()?;
        Ok(results)
    }

    /// Finds a household's row id from its id or reference number.
    pub(crate) fn resolve(&self, id_or_ref: &str) -> Result<i64> {
        let s = id_or_ref.trim();
        let rid = if let Ok(id) = Uuid::parse_str(s) {
            find_rid(&self.conn, &id)?
        } else {
            self.conn
                .query_row("SELECT rid FROM households WHERE ref = ?1", [s], |r| {
                    r.get(0)
                })
                .optional()?
        };
        rid.ok_or_else(|| StoreError::NotFound(s.to_string()))
    }

    /// Loads a household's document (snapshot plus chunks); edits through it use this device's actor.
    pub(crate) fn load_doc(&self, rid: i64) -> Result<HouseholdDoc> {
        load_doc_with(&self.conn, rid, &self.device)
    }

    /// Appends the changes made to `doc` since `heads_before` and rewrites the projection, in `tx`.
    pub(crate) fn persist(
        tx: &Transaction<'_>,
        rid: i64,
        doc: &mut HouseholdDoc,
        heads_before: &[ChangeHash],
    ) -> Result<Household> {
        let heads = doc.heads();
        if heads.as_slice() != heads_before {
            let chunk = doc.automerge().save_after(heads_before);
            let (count, bytes, snap_len): (i64, i64, i64) = tx.query_row(
                "SELECT chunk_count, chunk_bytes, length(snapshot) FROM documents WHERE rid = ?1",
                [rid],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            if count + 1 >= COMPACT_AFTER_CHUNKS || bytes + chunk.len() as i64 > snap_len {
                tx.execute("DELETE FROM doc_chunks WHERE rid = ?1", [rid])?;
                tx.execute(
                    "UPDATE documents SET snapshot = ?2, chunk_count = 0, chunk_bytes = 0, heads = ?3 WHERE rid = ?1",
                    params![rid, doc.save(), heads_to_bytes(&heads)],
                )?;
            } else {
                tx.execute(
                    "INSERT INTO doc_chunks (rid, seq, bytes) VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM doc_chunks WHERE rid = ?1), ?2)",
                    params![rid, chunk],
                )?;
                tx.execute(
                    "UPDATE documents SET chunk_count = chunk_count + 1, chunk_bytes = chunk_bytes + ?2, heads = ?3 WHERE rid = ?1",
                    params![rid, chunk.len() as i64, heads_to_bytes(&heads)],
                )?;
            }
        }
        let household = doc.household()?;
        let conflicts = doc.conflicts()?.len();
        project(tx, &household, conflicts)?;
        Ok(household)
    }

    /// Edits a household in one transaction: the closure's operations, then the same validation as a new
    /// household. On error nothing is written.
    pub fn edit_household<F>(
        &mut self,
        id_or_ref: &str,
        message: &str,
        edit: F,
    ) -> Result<(Household, Vec<Warning>)>
    where
        F: FnOnce(&mut Editor<'_>) -> shumari_domain::Result<()>,
    {
        let rid = self.resolve(id_or_ref)?;
        let mut doc = self.load_doc(rid)?;
        let heads_before = doc.heads();
        let ctx = EditContext::new(self.device.user.clone(), chrono::Utc::now());
        let (_, warnings) = doc.edit(&self.areas, &ctx, message, edit)?;
        let tx = self.conn.transaction()?;
        Store::note_actor(&tx, &self.device.actor)?;
        let household = Store::persist(&tx, rid, &mut doc, &heads_before)?;
        tx.commit()?;
        Ok((household, warnings))
    }

    /// Sets fields by path (`answers.rooms`, `members.<id>.name`, `status`, ...), all or nothing.
    pub fn set_fields(
        &mut self,
        id_or_ref: &str,
        fields: &[(String, Value)],
    ) -> Result<(Household, Vec<Warning>)> {
        let parsed: Vec<(FieldPath, &Value)> = fields
            .iter()
            .map(|(p, v)| Ok((FieldPath::parse(p)?, v)))
            .collect::<shumari_domain::Result<_>>()?;
        self.edit_household(id_or_ref, "set", |e| {
            for (p, v) in &parsed {
                e.set(p, v)?;
            }
            Ok(())
        })
    }

    /// A household with its conflicts.
    pub fn get(&self, id_or_ref: &str) -> Result<HouseholdView> {
        let rid = self.resolve(id_or_ref)?;
        let mut doc = self.load_doc(rid)?;
        Ok(HouseholdView {
            household: doc.household()?,
            conflicts: doc.conflicts()?,
            verifications: doc.verifications()?,
            paradata: doc.paradata()?,
        })
    }

    /// Lists households, newest change first.
    pub fn list(&self, f: &ListFilter) -> Result<Vec<HouseholdSummary>> {
        let limit = if f.limit == 0 { 50 } else { f.limit } as i64;
        let area = f.area.as_deref().map(AreaRange::of);
        let (mut id_lo, mut id_hi, mut ref_glob, mut fts) = (None, None, None, None);
        match f.search.as_deref().and_then(classify_search) {
            Some(SearchKind::IdPrefix(p)) => {
                // ':' sorts right after '9', so [p, p:) is exactly the numbers starting with p.
                id_hi = Some(format!("{p}:"));
                id_lo = Some(p);
            }
            Some(SearchKind::RefPrefix(p)) => ref_glob = Some(format!("{p}*")),
            Some(SearchKind::Names(q)) => fts = Some(q),
            None => {}
        }
        if let Some(a) = &f.area {
            self.areas.get(a)?;
        }
        // One fixed statement; absent filters are NULL parameters (no SQL is assembled from input).
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, ref, area, head_name, head_id_number, member_count, status, conflict_count, updated_at
               FROM households h
              WHERE (?1 IS NULL OR area = ?1 OR (area >= ?9 AND area < ?10))
                AND (?2 IS NULL OR status = ?2)
                AND (?3 IS NULL OR rid IN (SELECT rid FROM members WHERE id_number >= ?3 AND id_number < ?4))
                AND (?5 IS NULL OR ref GLOB ?5)
                AND (?6 IS NULL OR rid IN (SELECT rowid FROM household_names WHERE household_names MATCH ?6))
                AND (?11 = 0 OR rid IN (SELECT rid FROM left_scope))
              ORDER BY updated_at DESC, rid DESC
              LIMIT ?7 OFFSET ?8",
        )?;
        let rows = stmt.query_map(
            params![
                area.as_ref().map(|a| a.code.as_str()),
                f.status.map(|s| s.as_str()),
                id_lo,
                id_hi,
                ref_glob,
                fts,
                limit,
                f.offset as i64,
                area.as_ref().map(|a| a.from.as_str()),
                area.as_ref().map(|a| a.until.as_str()),
                f.left_scope,
            ],
            |r| {
                Ok(HouseholdSummary {
                    id: parsed(r, 0, Uuid::parse_str)?,
                    reference: r.get(1)?,
                    area: r.get(2)?,
                    head_name: r.get(3)?,
                    head_id_number: r
                        .get::<_, Option<String>>(4)?
                        .map(|n| IdNumber::parse("head_id_number", &n))
                        .transpose()
                        .map_err(|e| conversion(4, e))?,
                    member_count: r.get(5)?,
                    status: parsed(r, 6, Status::parse)?,
                    conflict_count: r.get(7)?,
                    updated_at: chrono::DateTime::from_timestamp_millis(r.get(8)?)
                        .unwrap_or_default(),
                })
            },
        )?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Household counts by status, optionally within an area.
    pub fn count_by_status(&self, area: Option<&str>) -> Result<BTreeMap<String, u64>> {
        let area = area.map(AreaRange::of);
        let mut stmt = self.conn.prepare_cached(
            "SELECT status, count(*) FROM households
              WHERE (?1 IS NULL OR area = ?1 OR (area >= ?2 AND area < ?3)) GROUP BY status",
        )?;
        let rows = stmt.query_map(
            params![
                area.as_ref().map(|a| a.code.as_str()),
                area.as_ref().map(|a| a.from.as_str()),
                area.as_ref().map(|a| a.until.as_str()),
            ],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)),
        )?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

/// A stored value that does not parse (the store writes only values that do): a conversion error.
fn conversion(col: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
}

/// A text column parsed by the domain's rule for it.
fn parsed<T, E: std::error::Error + Send + Sync + 'static>(
    r: &rusqlite::Row<'_>,
    col: usize,
    parse: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> rusqlite::Result<T> {
    parse(&r.get::<_, String>(col)?).map_err(|e| conversion(col, e))
}

/// Loads a document through any connection or transaction.
pub(crate) fn load_doc_with(
    conn: &rusqlite::Connection,
    rid: i64,
    device: &crate::store::Device,
) -> Result<HouseholdDoc> {
    let (id, snapshot): (String, Vec<u8>) = conn.query_row(
        "SELECT h.id, d.snapshot FROM documents d JOIN households h ON h.rid = d.rid WHERE d.rid = ?1",
        [rid],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let bad = |e: String| StoreError::Document {
        id: id.clone(),
        message: e,
    };
    let mut doc = HouseholdDoc::load(&snapshot, device.actor.clone(), &device.user)
        .map_err(|e| bad(e.to_string()))?;
    let mut stmt =
        conn.prepare_cached("SELECT bytes FROM doc_chunks WHERE rid = ?1 ORDER BY seq")?;
    let chunks = stmt.query_map([rid], |r| r.get::<_, Vec<u8>>(0))?;
    for chunk in chunks {
        doc.automerge()
            .load_incremental(&chunk?)
            .map_err(|e| bad(e.to_string()))?;
    }
    Ok(doc)
}

/// Writes the projection rows of `h` (insert or replace) and returns its row id.
pub(crate) fn project(tx: &Transaction<'_>, h: &Household, conflicts: usize) -> Result<i64> {
    let row = HouseholdSummary::of(h, u32::try_from(conflicts).unwrap_or(u32::MAX));
    let rid: i64 = tx.prepare_cached(
        "INSERT INTO households (id, ref, area, head_name, head_id_number, member_count, status, form_id, form_version, conflict_count, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (id) DO UPDATE SET ref = excluded.ref, area = excluded.area, head_name = excluded.head_name,
            head_id_number = excluded.head_id_number, member_count = excluded.member_count, status = excluded.status,
            form_id = excluded.form_id, form_version = excluded.form_version, conflict_count = excluded.conflict_count,
            updated_at = excluded.updated_at
         RETURNING rid",
    )?.query_row(
        params![
            row.id.to_string(),
            row.reference,
            row.area,
            row.head_name,
            row.head_id_number.as_ref().map(IdNumber::digits),
            row.member_count,
            row.status.as_str(),
            h.form_id,
            h.form_version,
            row.conflict_count,
            row.updated_at.timestamp_millis(),
        ],
        |r| r.get(0),
    )?;
    tx.prepare_cached("DELETE FROM members WHERE rid = ?1")?
        .execute([rid])?;
    let mut ins = tx.prepare_cached(
        "INSERT INTO members (rid, member_id, line, name, id_number) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for m in &h.members {
        ins.execute(params![
            rid,
            m.id.to_string(),
            m.line,
            m.name,
            m.id_number.as_ref().map(|n| n.digits())
        ])?;
    }
    tx.prepare_cached("DELETE FROM household_names WHERE rowid = ?1")?
        .execute([rid])?;
    let names: Vec<&str> = h.members.iter().map(|m| m.name.as_str()).collect();
    tx.prepare_cached("INSERT INTO household_names (rowid, names) VALUES (?1, ?2)")?
        .execute(params![rid, names.join(" \n ")])?;
    Ok(rid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_heads_in_any_order_are_the_same_bytes() {
        let a = ChangeHash([1; 32]);
        let b = ChangeHash([2; 32]);
        assert_eq!(heads_to_bytes(&[b, a]), heads_to_bytes(&[a, b]));
        assert_eq!(heads_to_bytes(&[a, b, a]), heads_to_bytes(&[a, b]));
        assert_eq!(heads_from_bytes(&heads_to_bytes(&[b, a])), vec![a, b]);
    }
}
