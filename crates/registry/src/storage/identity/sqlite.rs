//! [`IdentityStore`] on SQLite (see the module above).

use super::{BatchRow, IdentityStore, ImportRow, ResultRow};
use crate::storage::sqlite::SqliteStorage;
use crate::storage::Result;
use rusqlite::{params, OptionalExtension};

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl IdentityStore for SqliteStorage {
    async fn put_identity_batch(&self, batch: &BatchRow) -> Result<()> {
        let b = batch.clone();
        self.run(move |c| {
            c.prepare_cached(
                "INSERT INTO identity_batches (id, area, row_count, csv_sha256, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![b.id, b.area, to_i64(b.rows), b.csv_sha256, b.created_by, b.created_at])?;
            Ok(())
        })
        .await
    }

    async fn identity_batch(&self, id: &str) -> Result<Option<BatchRow>> {
        let id = id.to_string();
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT id, area, row_count, csv_sha256, created_by, created_at
                   FROM identity_batches WHERE id = ?1",
            )?
            .query_row([id], |r| {
                Ok(BatchRow {
                    id: r.get(0)?,
                    area: r.get(1)?,
                    rows: r.get(2)?,
                    csv_sha256: r.get(3)?,
                    created_by: r.get(4)?,
                    created_at: r.get(5)?,
                })
            })
            .optional()?)
        })
        .await
    }

    async fn identity_import(&self, file_sha256: &str) -> Result<Option<ImportRow>> {
        let sha = file_sha256.to_string();
        self.run(move |c| {
            Ok(c.prepare_cached(
                "SELECT file_sha256, batch_id, row_count, imported_by, imported_at
                   FROM identity_imports WHERE file_sha256 = ?1",
            )?
            .query_row([sha], |r| {
                Ok(ImportRow {
                    file_sha256: r.get(0)?,
                    batch_id: r.get(1)?,
                    rows: r.get(2)?,
                    imported_by: r.get(3)?,
                    imported_at: r.get(4)?,
                })
            })
            .optional()?)
        })
        .await
    }

    async fn identity_results(&self, numbers: &[String]) -> Result<Vec<ResultRow>> {
        let numbers = numbers.to_vec();
        self.run(move |c| {
            let mut out = Vec::new();
            let mut stmt = c.prepare_cached(
                "SELECT id_number, state, fields, batch_id, file_sha256, checked_at
                   FROM identity_results WHERE id_number = ?1",
            )?;
            for n in &numbers {
                if let Some(row) = stmt
                    .query_row([n], |r| {
                        Ok(ResultRow {
                            id_number: r.get(0)?,
                            state: r.get(1)?,
                            fields: r.get(2)?,
                            batch_id: r.get(3)?,
                            file_sha256: r.get(4)?,
                            checked_at: r.get(5)?,
                        })
                    })
                    .optional()?
                {
                    out.push(row);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn record_identity_import(
        &self,
        import: &ImportRow,
        results: Vec<ResultRow>,
    ) -> Result<()> {
        let i = import.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            for r in &results {
                tx.prepare_cached(
                    "INSERT INTO identity_results (id_number, state, fields, batch_id, file_sha256, checked_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (id_number) DO UPDATE SET state = excluded.state, fields = excluded.fields,
                        batch_id = excluded.batch_id, file_sha256 = excluded.file_sha256,
                        checked_at = excluded.checked_at",
                )?
                .execute(params![r.id_number, r.state, r.fields, r.batch_id, r.file_sha256, r.checked_at])?;
            }
            tx.prepare_cached(
                "INSERT INTO identity_imports (file_sha256, batch_id, row_count, imported_by, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (file_sha256) DO NOTHING",
            )?
            .execute(params![i.file_sha256, i.batch_id, to_i64(i.rows), i.imported_by, i.imported_at])?;
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
