//! Scenarios: two devices and a registry, conflicts, scope, forged actors, replays, a new device joining.
//! Each scenario is generic over the registry's storage and runs twice: on SQLite (the test's own name)
//! and on PostgreSQL 15 (`pg_` + the name), each PostgreSQL run in a fresh database of a cluster the
//! harness starts for this test process (see `harness/pg.rs`; PostgreSQL is required, not optional).

use shumari_registry::Storage;
use shumari_scenarios::on_both;
use shumari_scenarios::pg::PgCluster;
use shumari_scenarios::TestRegistry;

#[path = "scenarios/mod.rs"]
mod scenarios;

fn reg() -> TestRegistry<shumari_registry::SqliteStorage> {
    TestRegistry::sqlite()
}

on_both!(
    two_devices_create_edit_sync_and_converge,
    pg_two_devices_create_edit_sync_and_converge,
    scenarios::two_devices_converge
);
on_both!(
    concurrent_edits_conflict_then_resolve,
    pg_concurrent_edits_conflict_then_resolve,
    scenarios::conflict_and_resolution
);
on_both!(
    out_of_scope_write_is_refused_rest_of_batch_goes_through,
    pg_out_of_scope_write_is_refused_rest_of_batch_goes_through,
    scenarios::out_of_scope
);
on_both!(
    forged_actor_is_refused,
    pg_forged_actor_is_refused,
    scenarios::forged_actor
);
on_both!(
    replayed_batch_changes_nothing,
    pg_replayed_batch_changes_nothing,
    scenarios::replay
);

on_both!(
    references_are_unique_by_device,
    pg_references_are_unique_by_device,
    scenarios::references::references_are_unique_by_device
);

fn joins_5000<S: Storage>(r: &TestRegistry<S>) {
    scenarios::new_device_joins(r, 5000);
}

on_both!(
    new_device_joins_an_area_with_5000_households,
    pg_new_device_joins_an_area_with_5000_households,
    joins_5000
);
#[test]
fn an_old_client_is_told_to_update_and_malformed_input_is_a_4xx() {
    old_client_and_malformed_input(reg());
}

#[test]
fn pg_an_old_client_is_told_to_update_and_malformed_input_is_a_4xx() {
    let pg = PgCluster::shared();
    old_client_and_malformed_input(TestRegistry::postgres(&pg));
}

/// The compare-and-set under every ingest: a row whose heads moved since the service loaded them is
/// skipped and returned, also when two writers race (on PostgreSQL they use two connections).
fn stale_rows_are_skipped<S: Storage>(r: &TestRegistry<S>) {
    use shumari_domain::{HouseholdSummary, IdNumber, Status};
    use shumari_registry::storage::{IngestRow, Projection};
    let id = uuid::Uuid::new_v4();
    let row = |expected: Option<&[u8]>, heads: u8| IngestRow {
        id,
        expected_heads: expected.map(<[u8]>::to_vec),
        prev_area: expected.map(|_| shumari_scenarios::AREA.to_string()),
        doc: vec![heads],
        heads: vec![heads; 32],
        projection: Projection {
            summary: HouseholdSummary {
                id,
                reference: "PK10101-000001".into(),
                area: shumari_scenarios::AREA.into(),
                head_name: None,
                head_id_number: None,
                member_count: 1,
                status: Status::Draft,
                conflict_count: 0,
                updated_at: Default::default(),
            },
            id_numbers: vec![IdNumber::parse("id_number", "3520212345671").expect("13 digits")],
            id_issued: Default::default(),
            created_at: Default::default(),
            phone: None,
            roster: Vec::new(),
        },
        log_changes: vec![heads],
        audit: vec![([heads; 32], vec![7; 16])],
        signatures: Vec::new(),
    };
    let st = &r.reg.storage;
    let commit = |rows| {
        r.rt.block_on(st.commit_ingest("dev", "user", rows, 1))
            .expect("commit")
    };
    assert!(commit(vec![row(None, 1)]).is_empty());
    assert_eq!(
        commit(vec![row(None, 9)]),
        vec![id],
        "created by someone else meanwhile"
    );
    // Two writers both loaded heads [1]: exactly one lands.
    let (a, b) = r.rt.block_on(async {
        tokio::join!(
            st.commit_ingest("dev", "user", vec![row(Some(&[1; 32]), 2)], 2),
            st.commit_ingest("dev", "user", vec![row(Some(&[1; 32]), 3)], 2)
        )
    });
    let (a, b) = (a.expect("a"), b.expect("b"));
    assert_eq!(a.len() + b.len(), 1, "{a:?} {b:?}");
    let winner = if a.is_empty() { 2 } else { 3 };
    let heads = r.rt.block_on(st.all_heads()).expect("heads");
    assert_eq!(
        heads,
        vec![(id, shumari_scenarios::AREA.to_string(), vec![winner; 32])]
    );
    assert_eq!(r.counts(), (2, 2), "nothing logged for skipped rows");
}

on_both!(
    stale_rows_are_skipped_also_when_writers_race,
    pg_stale_rows_are_skipped_also_when_writers_race,
    stale_rows_are_skipped
);

/// The list gives back the rows ingested (the domain's `HouseholdSummary`, unchanged) and selects an
/// area and everything under it by the domain's rule, on both backends.
fn list_rows_by_area<S: Storage>(r: &TestRegistry<S>) {
    use shumari_domain::area::contains;
    use shumari_domain::{HouseholdSummary, IdNumber, Status};
    use shumari_registry::storage::{IngestRow, Projection};
    let areas = [
        "PK10101",
        "PK10101-UC01",
        "PK10101-UC012",
        "PK10101-UC01-V3",
        "PK10102",
        "PK20101-UC7",
        "PK20101",
    ];
    let rows: Vec<HouseholdSummary> = areas
        .iter()
        .enumerate()
        .map(|(i, area)| HouseholdSummary {
            id: uuid::Uuid::new_v4(),
            reference: format!("{area}-K7QD2-{i}"),
            area: area.to_string(),
            head_name: Some(format!("Head {i}")),
            head_id_number: Some(
                IdNumber::parse("id_number", &format!("352021234567{i}")).expect("13 digits"),
            ),
            member_count: 2,
            status: Status::ALL[i % Status::ALL.len()],
            conflict_count: u32::try_from(i % 2).expect("small"),
            updated_at: chrono::DateTime::from_timestamp_millis(1_750_000_000_000 + i as i64)
                .expect("a time"),
        })
        .collect();
    let ingest = rows
        .iter()
        .map(|s| IngestRow {
            id: s.id,
            expected_heads: None,
            prev_area: None,
            doc: vec![1],
            heads: vec![1; 32],
            projection: Projection {
                summary: s.clone(),
                id_numbers: s.head_id_number.iter().cloned().collect(),
                id_issued: Default::default(),
                created_at: Default::default(),
                phone: None,
                roster: Vec::new(),
            },
            log_changes: vec![1],
            audit: Vec::new(),
            signatures: Vec::new(),
        })
        .collect();
    let st = &r.reg.storage;
    assert!(r
        .rt
        .block_on(st.commit_ingest("dev", "user", ingest, 1))
        .expect("commit")
        .is_empty());
    let mut all = rows.clone();
    all.sort_by(|a, b| a.reference.cmp(&b.reference));
    assert_eq!(r.rt.block_on(st.list(None)).expect("list"), all);
    for ancestor in [
        "PK1",
        "PK101",
        "PK10101",
        "PK10101-UC01",
        "PK10101-UC01-V3",
        "PK2",
        "PK9",
    ] {
        let listed: Vec<String> =
            r.rt.block_on(st.list(Some(ancestor)))
                .expect("list")
                .into_iter()
                .map(|s| s.area)
                .collect();
        let expected: Vec<String> = all
            .iter()
            .filter(|s| contains(ancestor, &s.area))
            .map(|s| s.area.clone())
            .collect();
        assert_eq!(listed, expected, "under {ancestor}");
        // The scope reads select the same rows: heads, and snapshot pages in (area, id) order,
        // resumed at each page's last (area, id).
        let mut heads: Vec<String> =
            r.rt.block_on(st.heads_in(ancestor))
                .expect("heads")
                .into_iter()
                .map(|(_, a, _)| a)
                .collect();
        heads.sort();
        let mut by_area = expected.clone();
        by_area.sort();
        assert_eq!(heads, by_area, "heads under {ancestor}");
        let mut paged = Vec::new();
        let mut after = None;
        loop {
            let page =
                r.rt.block_on(st.snapshot_page(ancestor, after.clone(), 2))
                    .expect("page");
            let Some(last) = page.last() else { break };
            after = Some((last.area.clone(), last.id));
            paged.extend(page.into_iter().map(|d| (d.area, d.id)));
        }
        let mut want: Vec<(String, uuid::Uuid)> = rows
            .iter()
            .filter(|s| contains(ancestor, &s.area))
            .map(|s| (s.area.clone(), s.id))
            .collect();
        want.sort();
        assert_eq!(paged, want, "snapshot under {ancestor}");
    }
    // A scoped list without an area reads the user's outermost areas, in reference order.
    let user_id = r.user("district", &["PK10101-UC01", "PK10101", "PK20101"]);
    let user =
        r.rt.block_on(st.user(&user_id))
            .expect("user")
            .expect("exists");
    let listed: Vec<String> =
        r.rt.block_on(r.reg.household_list(Some(&user), None))
            .expect("list")
            .into_iter()
            .map(|s| s.reference)
            .collect();
    let known = shumari_domain::AreaRegistry::builtin();
    let expected: Vec<String> = all
        .iter()
        .filter(|s| {
            known.recognises(&s.area)
                && (contains("PK10101", &s.area) || contains("PK20101", &s.area))
        })
        .map(|s| s.reference.clone())
        .collect();
    assert!(expected.len() >= 4, "{expected:?}");
    assert_eq!(listed, expected);
    // A member's ID number finds its household through the index, within the caller's scope.
    for row in &rows {
        let digits = row.head_id_number.as_ref().expect("a number").digits();
        let found = r.rt.block_on(st.with_id_number(digits)).expect("by number");
        assert_eq!(found, std::slice::from_ref(row));
        let dashed = format!("{}-{}-{}", &digits[..5], &digits[5..12], &digits[12..]);
        let scoped: Vec<String> =
            r.rt.block_on(r.reg.households_with_id_number(Some(&user), &dashed))
                .expect("scoped look-up")
                .into_iter()
                .map(|s| s.reference)
                .collect();
        let in_scope = expected.contains(&row.reference);
        assert_eq!(scoped.len(), usize::from(in_scope), "{}", row.area);
    }
    assert!(r
        .rt
        .block_on(st.with_id_number("3520299999999"))
        .expect("none")
        .is_empty());
    assert!(matches!(
        r.rt.block_on(r.reg.households_with_id_number(Some(&user), "12345")),
        Err(shumari_registry::RegistryError::BadRequest(_))
    ));
}

on_both!(
    the_list_is_the_domain_row_selected_by_the_area_rule,
    pg_the_list_is_the_domain_row_selected_by_the_area_rule,
    list_rows_by_area
);

fn old_client_and_malformed_input<S: Storage>(mut r: TestRegistry<S>) {
    use shumari_sync::codec::frame;
    use shumari_sync::{Endpoint, TransportError};
    let url = r.serve_http();
    let mut t = shumari_scenarios::http_transport(&url);
    // A newer client, and a client of protocol version 1 (gzip frames, before the compact push).
    for version in [99, 1] {
        match t.call(Endpoint::Pull, Some("x"), frame(version, 7, b"")) {
            Err(TransportError::Rejected {
                status,
                code,
                message,
            }) => {
                assert_eq!((status, code.as_str()), (426, "unsupported_version"));
                assert!(message.contains("Update Shumari"), "{message}");
                assert!(message.contains(&format!("version {version}")), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(shumari_sync::PROTOCOL_VERSION, 2);
    let d = r.device(&[shumari_scenarios::AREA]);
    let token = d
        .store
        .kv_get(shumari_sync::engine::KEY_TOKEN)
        .unwrap()
        .unwrap();
    for junk in [
        vec![],
        b"SHMS\x00\x02\x85garbage".to_vec(),
        frame(shumari_sync::PROTOCOL_VERSION, 5, &[0xff; 40]),
    ] {
        match t.call(Endpoint::Push, Some(&token), junk) {
            Err(TransportError::Rejected { status, code, .. }) => {
                assert_eq!((status, code.as_str()), (400, "bad_request"))
            }
            other => panic!("{other:?}"),
        }
    }
    match t.call(Endpoint::Push, Some(&token), vec![0u8; 5 * 1024 * 1024]) {
        Err(TransportError::Rejected { status, .. }) => assert_eq!(status, 413),
        other => panic!("{other:?}"),
    }
}

on_both!(
    a_surveyor_cannot_approve_and_a_supervisor_can,
    pg_a_surveyor_cannot_approve_and_a_supervisor_can,
    scenarios::surveyor_cannot_approve
);
on_both!(
    a_surveyor_cannot_edit_an_approved_household,
    pg_a_surveyor_cannot_edit_an_approved_household,
    scenarios::surveyor_cannot_edit_approved
);
on_both!(
    console_users_cannot_enroll_a_tablet,
    pg_console_users_cannot_enroll_a_tablet,
    scenarios::console_users_cannot_enroll_a_tablet
);
on_both!(
    a_change_authored_as_another_user_is_refused,
    pg_a_change_authored_as_another_user_is_refused,
    scenarios::forged_author_is_refused
);
on_both!(
    a_console_users_old_tablet_can_neither_push_nor_pull,
    pg_a_console_users_old_tablet_can_neither_push_nor_pull,
    scenarios::console_users_old_tablet_is_refused
);
