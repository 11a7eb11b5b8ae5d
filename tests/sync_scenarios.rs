//! Scenarios: two devices and a registry, conflicts, scope, forged actors, replays, a new device joining.
//! Each scenario is generic over the registry's storage and runs on SQLite here; `postgres_scenarios.rs`
//! runs the same functions on PostgreSQL.

use shumari_scenarios::TestRegistry;

#[path = "scenarios/mod.rs"]
mod scenarios;

fn reg() -> TestRegistry<shumari_registry::SqliteStorage> {
    TestRegistry::sqlite()
}

#[test]
fn two_devices_create_edit_sync_and_converge() {
    scenarios::two_devices_converge(&reg());
}

#[test]
fn concurrent_edits_conflict_then_resolve() {
    scenarios::conflict_and_resolution(&reg());
}

#[test]
fn out_of_scope_write_is_refused_rest_of_batch_goes_through() {
    scenarios::out_of_scope(&reg());
}

#[test]
fn forged_actor_is_refused() {
    scenarios::forged_actor(&reg());
}

#[test]
fn replayed_batch_changes_nothing() {
    scenarios::replay(&reg());
}

#[test]
fn new_device_joins_an_area_with_5000_households() {
    scenarios::new_device_joins(&reg(), 5000);
}

#[test]
fn an_old_client_is_told_to_update_and_malformed_input_is_a_4xx() {
    use shumari_sync::codec::frame;
    use shumari_sync::{Endpoint, TransportError};
    let mut r = reg();
    let url = r.serve_http();
    let mut t = shumari_scenarios::http_transport(&url);
    match t.call(Endpoint::Pull, Some("x"), frame(99, 7, b"")) {
        Err(TransportError::Rejected {
            status,
            code,
            message,
        }) => {
            assert_eq!((status, code.as_str()), (426, "unsupported_version"));
            assert!(message.contains("Update Shumari"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let d = r.device(&[shumari_scenarios::AREA]);
    let token = d
        .store
        .kv_get(shumari_sync::engine::KEY_TOKEN)
        .unwrap()
        .unwrap();
    for junk in [
        vec![],
        b"SHMS\x00\x01\x05garbage".to_vec(),
        frame(1, 5, &[0xff; 40]),
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
