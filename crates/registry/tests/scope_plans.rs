//! A device's scope reads go through the area index on both backends: its consistency check reads
//! the households under its areas, never a scan of the country. Asserted on the query plans of the
//! one query that serves it (`SCOPE_HEADS`), with the domain's `AreaRange` as its parameters.

#[path = "../../../tests/harness/pg.rs"]
mod pg;

use rusqlite::Connection;
use shumari_domain::AreaRange;
use shumari_registry::storage::postgres::{PgStorage, SCOPE_HEADS as PG_SCOPE_HEADS};
use shumari_registry::storage::sqlite::SCOPE_HEADS as SQLITE_SCOPE_HEADS;
use shumari_registry::SqliteStorage;

#[test]
fn sqlite_reads_a_scope_through_the_area_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    drop(SqliteStorage::open(&path).unwrap());
    let c = Connection::open(&path).unwrap();
    let r = AreaRange::of("PK603");
    let mut stmt = c
        .prepare(&format!("EXPLAIN QUERY PLAN {SQLITE_SCOPE_HEADS}"))
        .unwrap();
    let plan: Vec<String> = stmt
        .query_map([&r.code, &r.from, &r.until], |row| row.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        plan.iter().all(|step| !step.starts_with("SCAN")),
        "a scan: {plan:?}"
    );
    assert!(
        plan.iter()
            .any(|step| step.contains("USING INDEX households_area")),
        "{plan:?}"
    );
}

#[test]
fn postgres_reads_a_scope_through_the_bytewise_area_index() {
    let cluster = pg::PgCluster::shared();
    let url = cluster.database();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    drop(rt.block_on(PgStorage::connect(&url)).unwrap());
    let r = AreaRange::of("PK603");
    // The statement with its parameters bound as literals (the codes are plain letters and digits);
    // sequential scans discouraged so that the plan shows whether an index can serve it at all.
    let bound = PG_SCOPE_HEADS
        .replace("$1", &format!("'{}'", r.code))
        .replace("$2", &format!("'{}'", r.from))
        .replace("$3", &format!("'{}'", r.until));
    let plan = cluster.psql(&url, &format!("SET enable_seqscan = off; EXPLAIN {bound}"));
    assert!(!plan.contains("Seq Scan"), "{plan}");
    assert!(plan.contains("households_area_c"), "{plan}");
}
