//! Assignments on SQLite (see the module above).

use super::{assignment_columns, work_columns, AssignmentRow, AssignmentStore, Columns};
use crate::storage::sqlite::SqliteStorage;
use crate::storage::Result;
use rusqlite::{params, OptionalExtension};
use shumari_domain::assignment::Assignment;
use shumari_domain::AreaRange;

fn columns(r: &rusqlite::Row<'_>) -> rusqlite::Result<Columns> {
    Ok(Columns {
        id: r.get(0)?,
        surveyor: r.get(1)?,
        kind: r.get(2)?,
        area: r.get(3)?,
        household_id: r.get(4)?,
        reference: r.get(5)?,
        target: r.get(6)?,
        assigned_by: r.get(7)?,
        assigned_by_name: r.get(8)?,
        assigned_at: r.get(9)?,
        withdrawn_at: r.get(10)?,
        withdrawn_by: r.get(11)?,
    })
}

fn active(rows: Vec<Columns>) -> Result<Vec<Assignment>> {
    rows.into_iter()
        .map(|c| Ok(c.into_row()?.assignment))
        .collect()
}

impl AssignmentStore for SqliteStorage {
    async fn put_assignment(&self, a: &Assignment) -> Result<()> {
        let a = a.clone();
        self.run(move |c| {
            let (kind, area, household, reference, target) = work_columns(&a.work);
            c.prepare_cached(
                "INSERT INTO assignments (id, surveyor, kind, area, household_id, reference, target,
                                          assigned_by, assigned_by_name, assigned_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                a.id,
                a.surveyor,
                kind,
                area,
                household,
                reference,
                target,
                a.assigned_by,
                a.assigned_by_name,
                a.assigned_at
            ])?;
            Ok(())
        })
        .await
    }

    async fn assignment(&self, id: &str) -> Result<Option<AssignmentRow>> {
        let id = id.to_string();
        self.run(move |c| {
            c.prepare_cached(concat!(assignment_columns!(), " WHERE id = ?1"))?
                .query_row([id], columns)
                .optional()?
                .map(Columns::into_row)
                .transpose()
        })
        .await
    }

    async fn withdraw_assignment(&self, id: &str, by: &str, at: i64) -> Result<bool> {
        let (id, by) = (id.to_string(), by.to_string());
        self.run(move |c| {
            let n = c
                .prepare_cached(
                    "UPDATE assignments SET withdrawn_at = ?2, withdrawn_by = ?3
                      WHERE id = ?1 AND withdrawn_at IS NULL",
                )?
                .execute(params![id, at, by])?;
            Ok(n == 1)
        })
        .await
    }

    async fn assignments_of(&self, surveyor: &str) -> Result<Vec<Assignment>> {
        let surveyor = surveyor.to_string();
        self.run(move |c| {
            let rows = c
                .prepare_cached(concat!(
                    assignment_columns!(),
                    " WHERE surveyor = ?1 AND withdrawn_at IS NULL ORDER BY assigned_at, id"
                ))?
                .query_map([surveyor], columns)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            active(rows)
        })
        .await
    }

    async fn assignments_under(&self, area: &str, limit: usize) -> Result<Vec<Assignment>> {
        let r = AreaRange::of(area);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |c| {
            let rows = c
                .prepare_cached(concat!(
                    assignment_columns!(),
                    " WHERE area >= ?1 AND area < ?3 AND (area = ?1 OR area >= ?2)
                        AND withdrawn_at IS NULL ORDER BY area, id LIMIT ?4"
                ))?
                .query_map(params![r.code, r.from, r.until, limit], columns)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            active(rows)
        })
        .await
    }
}
