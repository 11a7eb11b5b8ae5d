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
