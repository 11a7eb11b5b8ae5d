//! A device's scope reads go through the area index on both backends: its consistency check reads
//! the households under its areas (`SCOPE_HEADS`), each page of its first sync seeks to its
//! (area, id) position (`SNAPSHOT_PAGE`), and each later pull seeks to its cursor in its
//! district's part of the change log (`LOG_IN_DISTRICT`, `LOG_LEFT_DISTRICT`), never a scan of the
//! country. Asserted on the query plans,
//! with the domain's `AreaRange` as the parameters.

#[path = "../../../tests/harness/pg.rs"]
mod pg;

use rusqlite::Connection;
use shumari_domain::AreaRange;
use shumari_registry::storage::postgres::{
    PgStorage, LOG_IN_DISTRICT as PG_LOG_IN_DISTRICT, LOG_LEFT_DISTRICT as PG_LOG_LEFT_DISTRICT,
    SCOPE_HEADS as PG_SCOPE_HEADS, SNAPSHOT_PAGE as PG_SNAPSHOT_PAGE,
};
use shumari_registry::storage::sqlite::{
    LIST_AREA as SQLITE_LIST_AREA, LOG_IN_DISTRICT as SQLITE_LOG_IN_DISTRICT,
    LOG_LEFT_DISTRICT as SQLITE_LOG_LEFT_DISTRICT, SCOPE_HEADS as SQLITE_SCOPE_HEADS,
    SNAPSHOT_PAGE as SQLITE_SNAPSHOT_PAGE,
};
use shumari_registry::SqliteStorage;

/// The steps of SQLite's plan for `sql` with `params` bound.
fn sqlite_plan(c: &Connection, sql: &str, params: impl rusqlite::Params) -> Vec<String> {
    c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap()
        .query_map(params, |row| row.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// `sql` with PostgreSQL's `$n` parameters replaced by the given literals (plain letters, digits
/// and dashes here), for `EXPLAIN`.
fn pg_bound(sql: &str, literals: &[&str]) -> String {
    // Highest numbers first, so `$1` does not eat the start of `$10`.
    literals
        .iter()
        .enumerate()
        .rev()
        .fold(sql.to_string(), |s, (i, v)| {
            s.replace(&format!("${}", i + 1), &format!("'{v}'"))
        })
}

#[test]
fn sqlite_reads_a_scope_through_the_area_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    drop(SqliteStorage::open(&path).unwrap());
    let c = Connection::open(&path).unwrap();
    let r = AreaRange::of("PK603");
    let plan = sqlite_plan(&c, SQLITE_SCOPE_HEADS, [&r.code, &r.from, &r.until]);
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
    let after_id = "018f0000-0000-7000-8000-000000000000";
    let plan = sqlite_plan(
        &c,
        SQLITE_SNAPSHOT_PAGE,
        rusqlite::params![r.code, r.from, r.until, "PK60301", after_id, 256],
    );
    assert_eq!(
        plan,
        ["SEARCH households USING INDEX households_area_id (area>? AND area<?)"],
        "{plan:?}"
    );
    // A pull after the first: one search of the district's log entries after the cursor, already
    // in sequence order (no sort), for households in the area now and for those that left it.
    let plan = sqlite_plan(
        &c,
        SQLITE_LOG_IN_DISTRICT,
        rusqlite::params!["PK603", 1000, r.code, r.from, r.until, 512],
    );
    assert_eq!(
        plan,
        ["SEARCH log USING INDEX log_district_seq (<expr>=? AND seq>?)"],
        "{plan:?}"
    );
    let plan = sqlite_plan(
        &c,
        SQLITE_LOG_LEFT_DISTRICT,
        rusqlite::params!["PK603", 1000, r.code, r.from, r.until, 512],
    );
    assert_eq!(
        plan,
        ["SEARCH log USING INDEX log_prev_district_seq (<expr>=? AND seq>?)"],
        "{plan:?}"
    );
    // An area's list: a search of the area index (then a sort of that area's rows by reference).
    let plan = sqlite_plan(&c, SQLITE_LIST_AREA, [&r.code, &r.from, &r.until]);
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
    let bound = pg_bound(PG_SCOPE_HEADS, &[&r.code, &r.from, &r.until]);
    let plan = cluster.psql(&url, &format!("SET enable_seqscan = off; EXPLAIN {bound}"));
    assert!(!plan.contains("Seq Scan"), "{plan}");
    assert!(plan.contains("households_area_c"), "{plan}");
    let bound = pg_bound(
        PG_SNAPSHOT_PAGE,
        &[
            &r.code,
            &r.from,
            &r.until,
            "PK60301",
            "018f0000-0000-7000-8000-000000000000",
            "256",
        ],
    );
    let plan = cluster.psql(&url, &format!("SET enable_seqscan = off; EXPLAIN {bound}"));
    assert!(
        plan.contains("Index Scan using households_area_c"),
        "{plan}"
    );
    assert!(
        !plan.contains("Sort") && !plan.contains("Seq Scan"),
        "{plan}"
    );
    // A pull after the first: an index scan of the district's log entries after the cursor, in
    // sequence order, for households in the area now and for those that left it.
    for (sql, index) in [
        (PG_LOG_IN_DISTRICT, "log_district_seq"),
        (PG_LOG_LEFT_DISTRICT, "log_prev_district_seq"),
    ] {
        let bound = pg_bound(sql, &["PK603", "1000", &r.code, &r.from, &r.until, "512"]);
        let plan = cluster.psql(&url, &format!("SET enable_seqscan = off; EXPLAIN {bound}"));
        assert!(
            plan.contains(&format!("Index Scan using {index}")),
            "{plan}"
        );
        assert!(
            !plan.contains("Sort") && !plan.contains("Seq Scan"),
            "{plan}"
        );
    }
}
