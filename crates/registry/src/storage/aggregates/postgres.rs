//! [`AggregateStore`] on PostgreSQL (see the module above; the triggers are in V19). The tables'
//! area columns are `COLLATE "C"`, so the range compares bytewise and seeks their keys.

use super::{range, AggregateStore, BucketCount, StatusCount, Target};
use crate::storage::postgres::PgStorage;
use crate::storage::{columns, Result};

/// The counts of one area and everything under it (`AreaRange`'s parameters), by key.
pub const STATUS_COUNTS_UNDER: &str = "SELECT area, status, households FROM area_status_counts
  WHERE area >= $1::text AND area < $3::text AND (area = $1::text OR area >= $2::text)
    AND households <> 0
  ORDER BY area, status";

/// The score buckets of one area and everything under it.
pub const PMT_BUCKETS_UNDER: &str = "SELECT area, bucket, households FROM area_pmt_histogram
  WHERE area >= $1::text AND area < $3::text AND (area = $1::text OR area >= $2::text)
    AND households <> 0
  ORDER BY area, bucket";

const TARGETS_UNDER: &str = "SELECT area, households, set_by, set_at FROM area_targets
  WHERE area >= $1::text AND area < $3::text AND (area = $1::text OR area >= $2::text)
  ORDER BY area";

impl AggregateStore for PgStorage {
    async fn status_counts_under(&self, area: &str) -> Result<Vec<StatusCount>> {
        let r = range(area);
        let c = self.conn().await;
        c.query(STATUS_COUNTS_UNDER, &[&r.code, &r.from, &r.until])
            .await?
            .iter()
            .map(|row| {
                Ok(StatusCount {
                    area: row.get(0),
                    status: columns::status(row.get(1))?,
                    households: row.get::<_, i64>(2).max(0) as u64,
                })
            })
            .collect()
    }

    async fn pmt_buckets_under(&self, area: &str) -> Result<Vec<BucketCount>> {
        let r = range(area);
        let c = self.conn().await;
        Ok(c.query(PMT_BUCKETS_UNDER, &[&r.code, &r.from, &r.until])
            .await?
            .iter()
            .map(|row| BucketCount {
                area: row.get(0),
                bucket: row.get::<_, i32>(1).clamp(0, 100) as u8,
                households: row.get::<_, i64>(2).max(0) as u64,
            })
            .collect())
    }

    async fn targets_under(&self, area: &str) -> Result<Vec<Target>> {
        let r = range(area);
        let c = self.conn().await;
        Ok(c.query(TARGETS_UNDER, &[&r.code, &r.from, &r.until])
            .await?
            .iter()
            .map(|row| Target {
                area: row.get(0),
                households: row.get::<_, i64>(1).max(0) as u64,
                set_by: row.get(2),
                set_at: row.get(3),
            })
            .collect())
    }

    async fn set_targets(&self, targets: Vec<Target>) -> Result<()> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        for t in &targets {
            if t.households == 0 {
                tx.execute("DELETE FROM area_targets WHERE area = $1", &[&t.area])
                    .await?;
            } else {
                tx.execute(
                    "INSERT INTO area_targets (area, households, set_by, set_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (area) DO UPDATE SET households = excluded.households,
                        set_by = excluded.set_by, set_at = excluded.set_at",
                    &[&t.area, &(t.households as i64), &t.set_by, &t.set_at],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn rebuild_aggregates(&self) -> Result<()> {
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        // Writers' triggers wait for the lock, so no count moves between the delete and the
        // inserts, and the inserts (each a statement of its own, after the lock) see every
        // household committed before.
        tx.batch_execute(
            "LOCK TABLE area_status_counts, area_pmt_histogram IN EXCLUSIVE MODE;
             DELETE FROM area_status_counts;
             DELETE FROM area_pmt_histogram;
             INSERT INTO area_status_counts (area, status, households)
             SELECT area, status, count(*) FROM households GROUP BY area, status;
             INSERT INTO area_pmt_histogram (area, bucket, households)
             SELECT h.area, shumari_pmt_bucket(s.score), count(*)
               FROM pmt_scores s JOIN households h ON h.id = s.household_id
              GROUP BY 1, 2;",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
