//! [`AggregateStore`] on SQLite (see the module above; the triggers are in V19).

use super::{range, AggregateStore, BucketCount, StatusCount, Target};
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{columns, Result};
use rusqlite::params;

/// The counts of one area and everything under it (`AreaRange`'s parameters), by key.
pub const STATUS_COUNTS_UNDER: &str = "SELECT area, status, households FROM area_status_counts
  WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2) AND households <> 0
  ORDER BY area, status";

/// The score buckets of one area and everything under it.
pub const PMT_BUCKETS_UNDER: &str = "SELECT area, bucket, households FROM area_pmt_histogram
  WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2) AND households <> 0
  ORDER BY area, bucket";

const TARGETS_UNDER: &str = "SELECT area, households, set_by, set_at FROM area_targets
  WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2) ORDER BY area";

impl AggregateStore for SqliteStorage {
    async fn status_counts_under(&self, area: &str) -> Result<Vec<StatusCount>> {
        let r = range(area);
        self.run(move |c| {
            let mut st = c.prepare_cached(STATUS_COUNTS_UNDER)?;
            let rows = st
                .query_map(params![r.code, r.from, r.until], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, i64>(2)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(area, status, n)| {
                    Ok(StatusCount {
                        area,
                        status: columns::status(&status)?,
                        households: n.max(0) as u64,
                    })
                })
                .collect()
        })
        .await
    }

    async fn pmt_buckets_under(&self, area: &str) -> Result<Vec<BucketCount>> {
        let r = range(area);
        self.run(move |c| {
            let mut st = c.prepare_cached(PMT_BUCKETS_UNDER)?;
            let rows = st
                .query_map(params![r.code, r.from, r.until], |row| {
                    Ok(BucketCount {
                        area: row.get(0)?,
                        bucket: row.get::<_, i64>(1)?.clamp(0, 100) as u8,
                        households: row.get::<_, i64>(2)?.max(0) as u64,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    async fn targets_under(&self, area: &str) -> Result<Vec<Target>> {
        let r = range(area);
        self.run(move |c| {
            let mut st = c.prepare_cached(TARGETS_UNDER)?;
            let rows = st
                .query_map(params![r.code, r.from, r.until], |row| {
                    Ok(Target {
                        area: row.get(0)?,
                        households: row.get::<_, i64>(1)?.max(0) as u64,
                        set_by: row.get(2)?,
                        set_at: row.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    async fn set_targets(&self, targets: Vec<Target>) -> Result<()> {
        self.run(move |c| {
            let tx = c.transaction()?;
            for t in &targets {
                if t.households == 0 {
                    tx.prepare_cached("DELETE FROM area_targets WHERE area = ?1")?
                        .execute([&t.area])?;
                } else {
                    tx.prepare_cached(
                        "INSERT INTO area_targets (area, households, set_by, set_at) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (area) DO UPDATE SET households = excluded.households,
                            set_by = excluded.set_by, set_at = excluded.set_at",
                    )?
                    .execute(params![t.area, t.households as i64, t.set_by, t.set_at])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn rebuild_aggregates(&self) -> Result<()> {
        self.run(|c| {
            // An immediate transaction: no writer moves a count between the delete and the inserts.
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.execute_batch(
                "DELETE FROM area_status_counts;
                 DELETE FROM area_pmt_histogram;
                 INSERT INTO area_status_counts (area, status, households)
                 SELECT area, status, count(*) FROM households GROUP BY area, status;
                 INSERT INTO area_pmt_histogram (area, bucket, households)
                 SELECT h.area, max(0, min(100, CAST(s.score AS INTEGER))), count(*)
                   FROM pmt_scores s JOIN households h ON h.id = s.household_id
                  GROUP BY 1, 2;",
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
