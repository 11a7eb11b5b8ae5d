//! A device's scope reads go through the area index on both backends: its consistency check reads
//! the households under its areas (`SCOPE_HEADS`) and each page of its first sync seeks to its
//! (area, id) position (`SNAPSHOT_PAGE`), never a scan of the country. Asserted on the query plans,
//! with the domain's `AreaRange` as the parameters.

#[path = "../../../tests/harness/pg.rs"]
mod pg;

use rusqlite::Connection;
use shumari_domain::AreaRange;
use shumari_registry::storage::postgres::{
    PgStorage, SCOPE_HEADS as PG_SCOPE_HEADS, SNAPSHOT_PAGE as PG_SNAPSHOT_PAGE,
};
use shumari_registry::storage::sqlite::{
    LIST_AREA as SQLITE_LIST_AREA, SCOPE_HEADS as SQLITE_SCOPE_HEADS,
    SNAPSHOT_PAGE as SQLITE_SNAPSHOT_PAGE,
};
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
    // A snapshot page: one search of (area, id), no scan and no sort.
    let mut stmt = c
        .prepare(&format!("EXPLAIN QUERY PLAN {SQLITE_SNAPSHOT_PAGE}"))
        .unwrap();
    let after_id = "018f0000-0000-7000-8000-000000000000";
    let plan: Vec<String> = stmt
        .query_map(
            rusqlite::params![r.code, r.from, r.until, "PK60301", after_id, 256],
            |row| row.get::<_, String>(3),
        )
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        plan,
        ["SEARCH households USING INDEX households_area_id (area>? AND area<?)"],
        "{plan:?}"
    );
    // An area's list: a search of the area index (then a sort of that area's rows by reference).
    let mut stmt = c
        .prepare(&format!("EXPLAIN QUERY PLAN {SQLITE_LIST_AREA}"))
        .unwrap();
    let plan: Vec<String> = stmt
        .query_map([&r.code, &r.from, &r.until], |row| row.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        plan[0].starts_with("SEARCH households USING INDEX households_area"),
        "{plan:?}"
    );
    assert!(
        plan.iter().all(|step| !step.starts_with("SCAN")),
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
    let bound = PG_SNAPSHOT_PAGE
        .replace("$1", &format!("'{}'", r.code))
        .replace("$2", &format!("'{}'", r.from))
        .replace("$3", &format!("'{}'", r.until))
        .replace("$4", "'PK60301'")
        .replace("$5", "'018f0000-0000-7000-8000-000000000000'")
        .replace("$6", "256");
    let plan = cluster.psql(&url, &format!("SET enable_seqscan = off; EXPLAIN {bound}"));
    assert!(
        plan.contains("Index Scan using households_area_c"),
        "{plan}"
    );
    assert!(
        !plan.contains("Sort") && !plan.contains("Seq Scan"),
        "{plan}"
    );
}
