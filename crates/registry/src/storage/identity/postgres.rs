//! [`IdentityStore`] on PostgreSQL (see the module above). Lists travel as array parameters.

use super::{BatchRow, IdentityStore, ImportRow, ResultRow};
use crate::storage::postgres::PgStorage;
use crate::storage::Result;

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl IdentityStore for PgStorage {
    async fn put_identity_batch(&self, b: &BatchRow) -> Result<()> {
        let c = self.conn().await;
        c.execute(
            "INSERT INTO identity_batches (id, area, row_count, csv_sha256, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &b.id,
                &b.area,
                &to_i64(b.rows),
                &b.csv_sha256,
                &b.created_by,
                &b.created_at,
            ],
        )
        .await?;
        Ok(())
    }

    async fn identity_batch(&self, id: &str) -> Result<Option<BatchRow>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT id, area, row_count, csv_sha256, created_by, created_at
                   FROM identity_batches WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| BatchRow {
            id: r.get(0),
            area: r.get(1),
            rows: to_u64(r.get(2)),
            csv_sha256: r.get(3),
            created_by: r.get(4),
            created_at: r.get(5),
        }))
    }

    async fn identity_import(&self, file_sha256: &str) -> Result<Option<ImportRow>> {
        let c = self.conn().await;
        Ok(c.query_opt(
            "SELECT file_sha256, batch_id, row_count, imported_by, imported_at
                   FROM identity_imports WHERE file_sha256 = $1",
            &[&file_sha256],
        )
        .await?
        .map(|r| ImportRow {
            file_sha256: r.get(0),
            batch_id: r.get(1),
            rows: to_u64(r.get(2)),
            imported_by: r.get(3),
            imported_at: r.get(4),
        }))
    }

    async fn identity_results(&self, numbers: &[String]) -> Result<Vec<ResultRow>> {
        let c = self.conn().await;
        Ok(c.query(
            "SELECT id_number, state, fields, batch_id, file_sha256, checked_at
                   FROM identity_results WHERE id_number = ANY($1)",
            &[&numbers],
        )
        .await?
        .iter()
        .map(|r| ResultRow {
            id_number: r.get(0),
            state: r.get(1),
            fields: r.get(2),
            batch_id: r.get(3),
            file_sha256: r.get(4),
            checked_at: r.get(5),
        })
        .collect())
    }

    async fn record_identity_import(&self, i: &ImportRow, results: Vec<ResultRow>) -> Result<()> {
        let numbers: Vec<&str> = results.iter().map(|r| r.id_number.as_str()).collect();
        let states: Vec<&str> = results.iter().map(|r| r.state.as_str()).collect();
        let fields: Vec<&str> = results.iter().map(|r| r.fields.as_str()).collect();
        let batches: Vec<Option<&str>> = results.iter().map(|r| r.batch_id.as_deref()).collect();
        let files: Vec<&str> = results.iter().map(|r| r.file_sha256.as_str()).collect();
        let at: Vec<i64> = results.iter().map(|r| r.checked_at).collect();
        let mut c = self.conn().await;
        let tx = c.transaction().await?;
        tx.execute(
            "INSERT INTO identity_results (id_number, state, fields, batch_id, file_sha256, checked_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[])
             ON CONFLICT (id_number) DO UPDATE SET state = excluded.state, fields = excluded.fields,
                batch_id = excluded.batch_id, file_sha256 = excluded.file_sha256,
                checked_at = excluded.checked_at",
            &[&numbers, &states, &fields, &batches, &files, &at],
        )
        .await?;
        tx.execute(
            "INSERT INTO identity_imports (file_sha256, batch_id, row_count, imported_by, imported_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (file_sha256) DO NOTHING",
            &[&i.file_sha256, &i.batch_id, &to_i64(i.rows), &i.imported_by, &i.imported_at],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
