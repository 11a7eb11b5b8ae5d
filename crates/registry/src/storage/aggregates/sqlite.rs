//! [`AggregateStore`] on SQLite (see the module above; the triggers are in V19).

use super::{
    age_edges, range, AggregateStore, BucketCount, FieldCounts, ProgrammeCount, StatusCount,
    SurveyorDay, Target, DURATION_BUCKETS, DURATION_BUCKET_SECS,
};
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

/// Programme reach under an area (V25's maintained counts), by programme.
const PROGRAMME_COUNTS_UNDER: &str = "SELECT programme_id, sum(eligible), sum(enrolled)
  FROM programme_area_counts
  WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2)
  GROUP BY programme_id HAVING sum(eligible) <> 0 OR sum(enrolled) <> 0
  ORDER BY programme_id";

/// The review backlog under an area by age (index `households_backlog`): ?4 is the status waiting
/// for review, ?5..?7 the times one, three and seven days before now.
const BACKLOG_UNDER: &str = "SELECT count(*), min(updated_at),
    coalesce(sum(updated_at > ?5), 0),
    coalesce(sum(updated_at <= ?5 AND updated_at > ?6), 0),
    coalesce(sum(updated_at <= ?6 AND updated_at > ?7), 0),
    coalesce(sum(updated_at <= ?7), 0)
  FROM households
  WHERE status = ?4 AND area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2)";

/// Households with open conflicts under an area (partial index `households_conflicted`).
const CONFLICTS_UNDER: &str = "SELECT count(*) FROM households
  WHERE conflict_count > 0 AND area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2)";

/// Open duplicate cases with a household under an area: the open cases are a queue (V9's partial
/// index), each joined to its households by key.
const OPEN_DUPLICATES_UNDER: &str = "SELECT count(DISTINCT c.id) FROM dup_cases c
  JOIN dup_case_households ch ON ch.case_id = c.id
  JOIN households h ON h.id = ch.household_id
  WHERE c.state = 'open' AND h.area >= ?1 AND h.area < ?3 AND (h.area = ?1 OR h.area >= ?2)";

/// Households per surveyor per day under an area from a day on (index `quality_facts_by_day_area`).
const SURVEYOR_DAYS_UNDER: &str = "SELECT day, surveyor, count(*), count(duration_secs),
    coalesce(sum(duration_secs), 0), min(duration_secs), max(duration_secs)
  FROM quality_facts
  WHERE day >= ?4 AND area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2)
  GROUP BY day, surveyor ORDER BY day, surveyor";

/// Interviews with a duration under an area from a day on, per bucket (?5 wide, ?6 the last).
const DURATION_BUCKETS_UNDER: &str = "SELECT min(max(duration_secs, 0) / ?5, ?6), count(*)
  FROM quality_facts
  WHERE day >= ?4 AND area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2)
    AND duration_secs IS NOT NULL
  GROUP BY 1 ORDER BY 1";

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl AggregateStore for SqliteStorage {
    async fn programme_counts_under(&self, area: &str) -> Result<Vec<ProgrammeCount>> {
        let r = range(area);
        self.run(move |c| {
            let mut st = c.prepare_cached(PROGRAMME_COUNTS_UNDER)?;
            let rows = st
                .query_map(params![r.code, r.from, r.until], |row| {
                    Ok(ProgrammeCount {
                        programme_id: row.get(0)?,
                        eligible: count(row.get(1)?),
                        enrolled: count(row.get(2)?),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    async fn field_counts_under(&self, area: &str, now: i64) -> Result<FieldCounts> {
        let r = range(area);
        let [day, three, seven] = age_edges(now);
        let waiting = shumari_domain::Status::Submitted.as_str();
        self.run(move |c| {
            let mut f = c.prepare_cached(BACKLOG_UNDER)?.query_row(
                params![r.code, r.from, r.until, waiting, day, three, seven],
                |row| {
                    Ok(FieldCounts {
                        waiting: count(row.get(0)?),
                        oldest_at: row.get(1)?,
                        by_age: [
                            count(row.get(2)?),
                            count(row.get(3)?),
                            count(row.get(4)?),
                            count(row.get(5)?),
                        ],
                        ..FieldCounts::default()
                    })
                },
            )?;
            f.conflicts = count(
                c.prepare_cached(CONFLICTS_UNDER)?
                    .query_row(params![r.code, r.from, r.until], |row| row.get(0))?,
            );
            f.open_duplicates = count(
                c.prepare_cached(OPEN_DUPLICATES_UNDER)?
                    .query_row(params![r.code, r.from, r.until], |row| row.get(0))?,
            );
            Ok(f)
        })
        .await
    }

    async fn surveyor_days_under(&self, area: &str, from_day: &str) -> Result<Vec<SurveyorDay>> {
        let r = range(area);
        let from = from_day.to_string();
        self.run(move |c| {
            let mut st = c.prepare_cached(SURVEYOR_DAYS_UNDER)?;
            let rows = st
                .query_map(params![r.code, r.from, r.until, from], |row| {
                    Ok(SurveyorDay {
                        day: row.get(0)?,
                        surveyor: row.get(1)?,
                        households: count(row.get(2)?),
                        timed: count(row.get(3)?),
                        duration_secs: count(row.get(4)?),
                        shortest_secs: row.get::<_, Option<i64>>(5)?.map(count),
                        longest_secs: row.get::<_, Option<i64>>(6)?.map(count),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    async fn duration_buckets_under(&self, area: &str, from_day: &str) -> Result<Vec<(u8, u64)>> {
        let r = range(area);
        let from = from_day.to_string();
        self.run(move |c| {
            let mut st = c.prepare_cached(DURATION_BUCKETS_UNDER)?;
            let rows = st
                .query_map(
                    params![
                        r.code,
                        r.from,
                        r.until,
                        from,
                        DURATION_BUCKET_SECS,
                        i64::from(DURATION_BUCKETS)
                    ],
                    |row| {
                        Ok((
                            row.get::<_, i64>(0)?.clamp(0, i64::from(DURATION_BUCKETS)) as u8,
                            count(row.get(1)?),
                        ))
                    },
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

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
                  GROUP BY 1, 2;
                 DELETE FROM programme_area_counts;
                 INSERT INTO programme_area_counts (programme_id, area, eligible, enrolled)
                 SELECT programme_id, area, sum(eligible), sum(enrolled) FROM (
                     SELECT e.programme_id, h.area, 1 AS eligible, 0 AS enrolled
                       FROM programme_eligibility e JOIN households h ON h.id = e.household_id
                      WHERE e.eligible = 1
                     UNION ALL
                     SELECT n.programme_id, h.area, 0, 1
                       FROM programme_enrolments n JOIN households h ON h.id = n.household_id
                      WHERE n.status = 'enrolled'
                 ) GROUP BY programme_id, area;",
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
