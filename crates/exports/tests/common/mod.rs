//! What the export tests share: households pushed by a tablet, a registry user, one export run.

#![allow(dead_code)]

use shumari_domain::Household;
use shumari_exports::{export, ExportError, ExportRequest, Format, Manifest, What};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::storage::User;
use shumari_registry::Storage;
use shumari_scenarios::nser_gen::Generator;
use shumari_scenarios::TestRegistry;
use std::path::Path;

/// A tehsil of Bagh.
pub const TEHSIL_A: &str = "PK10101";
/// Another tehsil of Bagh.
pub const TEHSIL_B: &str = "PK10102";

/// Households pushed by a tablet of Bagh, one in each of `areas`, generated from `seed`.
pub fn pushed<S: Storage>(reg: &TestRegistry<S>, seed: u64, areas: &[&str]) -> Vec<Household> {
    let mut d = reg.device(&["PK101"]);
    let mut g = Generator::new(seed);
    let inputs: Vec<_> = areas.iter().map(|a| g.household_in(a)).collect();
    let ids: Vec<_> = d
        .store
        .add_households(&inputs, None, "nser-household", "1")
        .expect("add")
        .into_iter()
        .map(|r| r.expect("valid").id)
        .collect();
    assert!(d.sync().refused.is_empty());
    ids.iter()
        .map(|id| d.store.get(&id.to_string()).expect("household").household)
        .collect()
}

/// A registry user of `role` in `areas`.
pub fn user<S: Storage>(reg: &TestRegistry<S>, role: &str, areas: &[&str]) -> User {
    let id = reg.user(role, areas);
    reg.rt.block_on(reg.reg.acting_user(&id)).expect("user")
}

/// One export of `what` as `u` into `dir`.
pub fn run<S: Storage + ConsoleStorage>(
    reg: &TestRegistry<S>,
    u: &User,
    what: What,
    format: Format,
    area: Option<&str>,
    since: Option<&str>,
    dir: &Path,
) -> Result<Manifest, ExportError> {
    let req = ExportRequest {
        what,
        format,
        area: area.map(str::to_string),
        since: since.map(|s| shumari_exports::parse_since(s).expect("date")),
        form: None,
    };
    reg.rt.block_on(export(&reg.reg, u, &req, dir))
}
