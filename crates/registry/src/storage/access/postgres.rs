//! The access trail on PostgreSQL. An append takes an EXCLUSIVE lock on `access_audit` (reads go on;
//! other appenders, in this process or another, wait) before reading the last row, and keeps it until
//! commit, so two appenders never link to the same row.

use super::{AccessEntry, AccessEvent, GENESIS};
use crate::storage::Result;
use tokio_postgres::{Client, Row};

/// Appends `events` at `now`, in order; returns the rows as stored.
pub(in crate::storage) async fn append(
    c: &mut Client,
    events: &[AccessEvent],
    now: i64,
) -> Result<Vec<AccessEntry>> {
    let tx = c.transaction().await?;
    tx.batch_execute("LOCK TABLE access_audit IN EXCLUSIVE MODE")
        .await?;
    let last = tx
        .query_opt(
            "SELECT seq, hash FROM access_audit ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .await?;
    let (mut seq, mut prev) = last.map_or((1, GENESIS.to_vec()), |r| {
        (r.get::<_, i64>(0) as u64 + 1, r.get(1))
    });
    let insert = tx
        .prepare(
            "INSERT INTO access_audit (seq, at, action, actor, subject, detail, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .await?;
    let mut rows = Vec::with_capacity(events.len());
    for event in events {
        let row = AccessEntry::next(seq, prev, now, event);
        tx.execute(
            &insert,
            &[
                &(row.seq as i64),
                &row.at,
                &row.action,
                &row.actor,
                &row.subject,
                &row.detail,
                &row.prev_hash,
                &row.hash,
            ],
        )
        .await?;
        seq += 1;
        prev = row.hash.clone();
        rows.push(row);
    }
    tx.commit().await?;
    Ok(rows)
}

fn entry(r: &Row) -> AccessEntry {
    AccessEntry {
        seq: r.get::<_, i64>(0) as u64,
        at: r.get(1),
        action: r.get(2),
        actor: r.get(3),
        subject: r.get(4),
        detail: r.get(5),
        prev_hash: r.get(6),
        hash: r.get(7),
    }
}

/// Up to `limit` rows after `after`, by sequence.
pub(in crate::storage) async fn page(
    c: &Client,
    after: u64,
    limit: usize,
) -> Result<Vec<AccessEntry>> {
    Ok(c.query(
        "SELECT seq, at, action, actor, subject, detail, prev_hash, hash FROM access_audit
          WHERE seq > $1 ORDER BY seq LIMIT $2",
        &[&(after as i64), &(limit as i64)],
    )
    .await?
    .iter()
    .map(entry)
    .collect())
}
