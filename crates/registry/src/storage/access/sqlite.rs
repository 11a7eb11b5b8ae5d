//! The access trail on SQLite. An append (of one or many rows) is one `BEGIN IMMEDIATE` transaction: it takes the database's
//! write lock before reading the last row, so another process (an admin command while `serve` runs)
//! waits for it instead of linking to the same row.

use super::{AccessEntry, AccessEvent, GENESIS};
use crate::storage::Result;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// Appends `events` at `now`, in order; returns the rows as stored.
pub(in crate::storage) fn append(
    c: &mut Connection,
    events: &[AccessEvent],
    now: i64,
) -> Result<Vec<AccessEntry>> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let last: Option<(i64, Vec<u8>)> = tx
        .query_row(
            "SELECT seq, hash FROM access_audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (mut seq, mut prev) = last.map_or((1, GENESIS.to_vec()), |(s, h)| (s as u64 + 1, h));
    let mut rows = Vec::with_capacity(events.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO access_audit (seq, at, action, actor, subject, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for event in events {
            let row = AccessEntry::next(seq, prev, now, event);
            insert.execute(params![
                row.seq as i64,
                row.at,
                row.action,
                row.actor,
                row.subject,
                row.detail,
                row.prev_hash,
                row.hash
            ])?;
            seq += 1;
            prev = row.hash.clone();
            rows.push(row);
        }
    }
    tx.commit()?;
    Ok(rows)
}

/// Up to `limit` rows after `after`, by sequence.
pub(in crate::storage) fn page(
    c: &Connection,
    after: u64,
    limit: usize,
) -> Result<Vec<AccessEntry>> {
    let mut stmt = c.prepare_cached(
        "SELECT seq, at, action, actor, subject, detail, prev_hash, hash FROM access_audit
          WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after as i64, limit as i64], |r| {
        Ok(AccessEntry {
            seq: r.get::<_, i64>(0)? as u64,
            at: r.get(1)?,
            action: r.get(2)?,
            actor: r.get(3)?,
            subject: r.get(4)?,
            detail: r.get(5)?,
            prev_hash: r.get(6)?,
            hash: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}
