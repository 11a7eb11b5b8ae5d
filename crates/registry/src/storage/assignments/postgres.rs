//! Assignments on PostgreSQL (see the module above). Area comparisons are bytewise
//! (`COLLATE "C"`), as the domain's `AreaRange` requires.

use super::{assignment_columns, work_columns, AssignmentRow, AssignmentStore, Columns};
use crate::storage::postgres::PgStorage;
use crate::storage::Result;
use shumari_domain::assignment::Assignment;
use shumari_domain::AreaRange;
use tokio_postgres::Row;

fn columns(r: &Row) -> Columns {
    Columns {
        id: r.get(0),
        surveyor: r.get(1),
        kind: r.get(2),
        area: r.get(3),
        household_id: r.get(4),
        reference: r.get(5),
        target: r.get(6),
        assigned_by: r.get(7),
        assigned_by_name: r.get(8),
        assigned_at: r.get(9),
        withdrawn_at: r.get(10),
        withdrawn_by: r.get(11),
    }
}

fn active(rows: &[Row]) -> Result<Vec<Assignment>> {
    rows.iter()
        .map(|r| Ok(columns(r).into_row()?.assignment))
        .collect()
}

impl AssignmentStore for PgStorage {
    async fn put_assignment(&self, a: &Assignment) -> Result<()> {
        let (kind, area, household, reference, target) = work_columns(&a.work);
        let c = self.conn().await;
        c.execute(
            "INSERT INTO assignments (id, surveyor, kind, area, household_id, reference, target,
                                      assigned_by, assigned_by_name, assigned_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &a.id,
                &a.surveyor,
                &kind,
                &area,
                &household,
                &reference,
                &target,
                &a.assigned_by,
                &a.assigned_by_name,
                &a.assigned_at,
            ],
        )
        .await?;
        Ok(())
    }

    async fn assignment(&self, id: &str) -> Result<Option<AssignmentRow>> {
        let c = self.conn().await;
        c.query_opt(concat!(assignment_columns!(), " WHERE id = $1"), &[&id])
            .await?
            .map(|r| columns(&r).into_row())
            .transpose()
    }

    async fn withdraw_assignment(&self, id: &str, by: &str, at: i64) -> Result<bool> {
        let c = self.conn().await;
        let n = c
            .execute(
                "UPDATE assignments SET withdrawn_at = $2, withdrawn_by = $3
                  WHERE id = $1 AND withdrawn_at IS NULL",
                &[&id, &at, &by],
            )
            .await?;
        Ok(n == 1)
    }

    async fn assignments_of(&self, surveyor: &str) -> Result<Vec<Assignment>> {
        let c = self.conn().await;
        let rows = c
            .query(
                concat!(
                    assignment_columns!(),
                    " WHERE surveyor = $1 AND withdrawn_at IS NULL ORDER BY assigned_at, id"
                ),
                &[&surveyor],
            )
            .await?;
        active(&rows)
    }

    async fn assignments_under(&self, area: &str, limit: usize) -> Result<Vec<Assignment>> {
        let r = AreaRange::of(area);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.conn().await;
        let rows = c
            .query(
                concat!(
                    assignment_columns!(),
                    " WHERE area COLLATE \"C\" >= $1::text AND area COLLATE \"C\" < $3::text
                        AND (area COLLATE \"C\" = $1::text OR area COLLATE \"C\" >= $2::text)
                        AND withdrawn_at IS NULL
                      ORDER BY area COLLATE \"C\", id LIMIT $4"
                ),
                &[&r.code, &r.from, &r.until, &limit],
            )
            .await?;
        active(&rows)
    }
}
