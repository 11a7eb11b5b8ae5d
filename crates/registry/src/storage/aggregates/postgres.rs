//! [`AggregateStore`] on PostgreSQL (see the module above; the triggers are in V19). The tables'
//! area columns are `COLLATE "C"`, so the range compares bytewise and seeks their keys.

use super::{
    age_edges, range, AggregateStore, BucketCount, FieldCounts, ProgrammeCount, StatusCount,
    SurveyorDay, Target, DURATION_BUCKETS, DURATION_BUCKET_SECS,
};
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

/// Programme reach under an area (V25's maintained counts), by programme.
const PROGRAMME_COUNTS_UNDER: &str = "SELECT programme_id, sum(eligible)::int8, sum(enrolled)::int8
  FROM programme_area_counts
  WHERE area >= $1::text AND area < $3::text AND (area = $1::text OR area >= $2::text)
  GROUP BY programme_id HAVING sum(eligible) <> 0 OR sum(enrolled) <> 0
  ORDER BY programme_id COLLATE \"C\"";

/// The review backlog under an area by age (index `households_backlog`): $4 is the status waiting
/// for review, $5..$7 the times one, three and seven days before now.
const BACKLOG_UNDER: &str = "SELECT count(*), min(updated_at),
    count(*) FILTER (WHERE updated_at > $5),
    count(*) FILTER (WHERE updated_at <= $5 AND updated_at > $6),
    count(*) FILTER (WHERE updated_at <= $6 AND updated_at > $7),
    count(*) FILTER (WHERE updated_at <= $7)
  FROM households
  WHERE status = $4 AND area COLLATE \"C\" >= $1::text AND area COLLATE \"C\" < $3::text
    AND (area COLLATE \"C\" = $1::text OR area COLLATE \"C\" >= $2::text)";

/// Households with open conflicts under an area (partial index `households_conflicted`).
const CONFLICTS_UNDER: &str = "SELECT count(*) FROM households
  WHERE conflict_count > 0 AND area COLLATE \"C\" >= $1::text AND area COLLATE \"C\" < $3::text
    AND (area COLLATE \"C\" = $1::text OR area COLLATE \"C\" >= $2::text)";

/// Open duplicate cases with a household under an area: the open cases are a queue (V9's partial
/// index), each joined to its households by key.
const OPEN_DUPLICATES_UNDER: &str = "SELECT count(DISTINCT c.id) FROM dup_cases c
  JOIN dup_case_households ch ON ch.case_id = c.id
  JOIN households h ON h.id = ch.household_id
  WHERE c.state = 'open' AND h.area COLLATE \"C\" >= $1::text AND h.area COLLATE \"C\" < $3::text
    AND (h.area COLLATE \"C\" = $1::text OR h.area COLLATE \"C\" >= $2::text)";

/// Households per surveyor per day under an area from a day on (index `quality_facts_by_day_area`).
const SURVEYOR_DAYS_UNDER: &str = "SELECT day, surveyor, count(*), count(duration_secs),
    coalesce(sum(duration_secs), 0)::int8, min(duration_secs), max(duration_secs)
  FROM quality_facts
  WHERE day COLLATE \"C\" >= $4::text
    AND area COLLATE \"C\" >= $1::text AND area COLLATE \"C\" < $3::text
    AND (area COLLATE \"C\" = $1::text OR area COLLATE \"C\" >= $2::text)
  GROUP BY day, surveyor ORDER BY day COLLATE \"C\", surveyor COLLATE \"C\"";

/// Interviews with a duration under an area from a day on, per bucket ($5 wide, $6 the last).
const DURATION_BUCKETS_UNDER: &str = "SELECT least(greatest(duration_secs, 0) / $5, $6), count(*)
  FROM quality_facts
  WHERE day COLLATE \"C\" >= $4::text
    AND area COLLATE \"C\" >= $1::text AND area COLLATE \"C\" < $3::text
    AND (area COLLATE \"C\" = $1::text OR area COLLATE \"C\" >= $2::text)
    AND duration_secs IS NOT NULL
  GROUP BY 1 ORDER BY 1";

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl AggregateStore for PgStorage {
    async fn programme_counts_under(&self, area: &str) -> Result<Vec<ProgrammeCount>> {
        let r = range(area);
        let c = self.conn().await;
        Ok(
            c.query(PROGRAMME_COUNTS_UNDER, &[&r.code, &r.from, &r.until])
                .await?
                .iter()
                .map(|row| ProgrammeCount {
                    programme_id: row.get(0),
                    eligible: count(row.get(1)),
                    enrolled: count(row.get(2)),
                })
                .collect(),
        )
    }

    async fn field_counts_under(&self, area: &str, now: i64) -> Result<FieldCounts> {
        let r = range(area);
        let [day, three, seven] = age_edges(now);
        let waiting = shumari_domain::Status::Submitted.as_str();
        let c = self.conn().await;
        let row = c
            .query_one(
                BACKLOG_UNDER,
                &[&r.code, &r.from, &r.until, &waiting, &day, &three, &seven],
            )
            .await?;
        let mut f = FieldCounts {
            waiting: count(row.get(0)),
            oldest_at: row.get(1),
            by_age: [
                count(row.get(2)),
                count(row.get(3)),
                count(row.get(4)),
                count(row.get(5)),
            ],
            ..FieldCounts::default()
        };
        f.conflicts = count(
            c.query_one(CONFLICTS_UNDER, &[&r.code, &r.from, &r.until])
                .await?
                .get(0),
        );
        f.open_duplicates = count(
            c.query_one(OPEN_DUPLICATES_UNDER, &[&r.code, &r.from, &r.until])
                .await?
                .get(0),
        );
        Ok(f)
    }

    async fn surveyor_days_under(&self, area: &str, from_day: &str) -> Result<Vec<SurveyorDay>> {
        let r = range(area);
        let c = self.conn().await;
        Ok(c.query(
            SURVEYOR_DAYS_UNDER,
            &[&r.code, &r.from, &r.until, &from_day],
        )
        .await?
        .iter()
        .map(|row| SurveyorDay {
            day: row.get(0),
            surveyor: row.get(1),
            households: count(row.get(2)),
            timed: count(row.get(3)),
            duration_secs: count(row.get(4)),
            shortest_secs: row.get::<_, Option<i64>>(5).map(count),
            longest_secs: row.get::<_, Option<i64>>(6).map(count),
        })
        .collect())
    }

    async fn duration_buckets_under(&self, area: &str, from_day: &str) -> Result<Vec<(u8, u64)>> {
        let r = range(area);
        let c = self.conn().await;
        let last = i64::from(DURATION_BUCKETS);
        Ok(c.query(
            DURATION_BUCKETS_UNDER,
            &[
                &r.code,
                &r.from,
                &r.until,
                &from_day,
                &DURATION_BUCKET_SECS,
                &last,
            ],
        )
        .await?
        .iter()
        .map(|row| (row.get::<_, i64>(0).clamp(0, last) as u8, count(row.get(1))))
        .collect())
    }

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
            "LOCK TABLE area_status_counts, area_pmt_histogram, programme_area_counts IN EXCLUSIVE MODE;
             DELETE FROM area_status_counts;
             DELETE FROM area_pmt_histogram;
             INSERT INTO area_status_counts (area, status, households)
             SELECT area, status, count(*) FROM households GROUP BY area, status;
             INSERT INTO area_pmt_histogram (area, bucket, households)
             SELECT h.area, shumari_pmt_bucket(s.score), count(*)
               FROM pmt_scores s JOIN households h ON h.id = s.household_id
              GROUP BY 1, 2;
             DELETE FROM programme_area_counts;
             INSERT INTO programme_area_counts (programme_id, area, eligible, enrolled)
             SELECT programme_id, area, sum(eligible), sum(enrolled) FROM (
                 SELECT e.programme_id, h.area, 1 AS eligible, 0 AS enrolled
                   FROM programme_eligibility e JOIN households h ON h.id = e.household_id
                  WHERE e.eligible
                 UNION ALL
                 SELECT n.programme_id, h.area, 0, 1
                   FROM programme_enrolments n JOIN households h ON h.id = n.household_id
                  WHERE n.status = 'enrolled'
             ) x GROUP BY programme_id, area;",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
