//! The proxy means test at the registry: a pushed household is scored with the registry's model
//! (score, band, each variable's contribution, model version) and the household detail carries the
//! score; a new model installed at the registry is used by the next push and a rescoring run scores
//! every household again, reporting its progress and recording it in a job row. Each scenario runs
//! on SQLite and on PostgreSQL (`pg_` + its name), like `sync_scenarios.rs`.

use serde_json::json;
use shumari_forms::pmt::PMT_MODEL_TOML;
use shumari_registry::service::PmtJob;
use shumari_registry::Storage;
use shumari_scenarios::on_both;
use shumari_scenarios::{TestRegistry, AREA};
use uuid::Uuid;

on_both!(
    a_pushed_household_is_scored_at_the_registry,
    pg_a_pushed_household_is_scored_at_the_registry,
    scored_on_push
);
on_both!(
    a_new_model_rescores_every_household_with_progress,
    pg_a_new_model_rescores_every_household_with_progress,
    rescored_after_a_model_change
);

on_both!(
    a_served_registry_scores_in_the_background,
    pg_a_served_registry_scores_in_the_background,
    scored_in_the_background
);

/// The shipped model as a new version with ten more points for everyone.
fn model_v2() -> String {
    PMT_MODEL_TOML
        .replace(
            "model_version = \"illustrative-v1\"",
            "model_version = \"illustrative-v2\"",
        )
        .replace("constant = 10.0", "constant = 20.0")
}

fn score<S: Storage>(reg: &TestRegistry<S>, id: Uuid) -> shumari_registry::service::RegistryScore {
    reg.rt
        .block_on(reg.reg.pmt_show(None, &id.to_string()))
        .expect("scored")
}

fn scored_on_push<S: Storage>(reg: &mut TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let id = a.add(1, AREA);
    a.set(id, "answers.rooms", json!(2));
    let r = a.sync();
    assert!(r.refused.is_empty(), "{r:?}");
    let s = score(reg, id);
    assert_eq!(s.household, id);
    assert_eq!(s.model_version, "illustrative-v1");
    assert!(s.current);
    assert!((0.0..=100.0).contains(&s.score));
    let sum: f64 = s.contributions.iter().map(|c| c.points).sum();
    assert!(
        (sum - s.score).abs() < 1e-9,
        "contributions sum to the score"
    );
    let rooms = s
        .contributions
        .iter()
        .find(|c| c.variable == "rooms_per_person")
        .expect("every variable explained");
    assert_eq!(rooms.value, json!(0.33), "2 rooms for 6 members");
    let eligible = s.programmes.iter().find(|p| p.eligible);
    assert_eq!(
        s.band,
        eligible.map_or("not_eligible", |p| p.programme.as_str())
    );
    // The household detail carries the registry's score for the console to show beside the
    // device's provisional one.
    let detail = reg.show(id);
    assert_eq!(detail["pmt"]["score"], json!(s.score));
    assert_eq!(detail["pmt"]["model_version"], json!("illustrative-v1"));
    assert_eq!(detail["pmt"]["band"], json!(s.band));
    // An edit reaching the registry is scored again.
    a.set(id, "answers.rooms", json!(6));
    a.sync();
    let again = score(reg, id);
    let rooms = again
        .contributions
        .iter()
        .find(|c| c.variable == "rooms_per_person")
        .expect("rooms");
    assert_eq!(rooms.value, json!(1.0));
    // Reading a score is on the access trail.
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 1000))
        .expect("trail");
    assert!(trail.iter().any(|r| r.action == "household.pmt"));
}

fn rescored_after_a_model_change<S: Storage>(reg: &mut TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let ids = a.add_many(1, 7, AREA);
    a.sync();
    let before: Vec<f64> = ids.iter().map(|id| score(reg, *id).score).collect();
    let version = reg
        .rt
        .block_on(reg.reg.install_pmt_model(&model_v2()))
        .expect("install");
    assert_eq!(version, "illustrative-v2");
    // Until the run reaches them, households keep the old model's score, marked as such.
    let stale = score(reg, ids[0]);
    assert_eq!(stale.model_version, "illustrative-v1");
    assert!(!stale.current);
    let mut seen: Vec<PmtJob> = Vec::new();
    let job = reg
        .rt
        .block_on(reg.reg.rescore(|j| seen.push(j.clone())))
        .expect("rescore");
    assert_eq!(job.state, "done");
    assert_eq!((job.done, job.total), (7, 7));
    assert_eq!(job.model_version, "illustrative-v2");
    assert_eq!(
        seen.first().map(|j| (j.state, j.done)),
        Some(("running", 0))
    );
    assert_eq!(seen.last(), Some(&job));
    assert!(seen.len() >= 3, "start, a page, the end: {seen:?}");
    for (id, old) in ids.iter().zip(&before) {
        let s = score(reg, *id);
        assert_eq!(s.model_version, "illustrative-v2");
        assert!(s.current);
        assert!(
            (s.score - (old + 10.0).min(100.0)).abs() < 1e-9,
            "ten more points: {old} -> {}",
            s.score
        );
    }
    // The run is recorded for the console.
    let recorded = reg
        .rt
        .block_on(reg.reg.pmt_job(&job.id))
        .expect("job")
        .expect("recorded");
    assert_eq!(recorded, job);
    // A push after the change is scored with the new model.
    let late = a.add(50, AREA);
    a.sync();
    assert_eq!(score(reg, late).model_version, "illustrative-v2");
}

fn scored_in_the_background<S: Storage>(reg: &mut TestRegistry<S>) {
    {
        let _rt = reg.rt.enter();
        reg.reg.spawn_queue();
    }
    let mut a = reg.device(&[AREA]);
    let ids = a.add_many(1, 5, AREA);
    let r = a.sync();
    assert!(r.refused.is_empty(), "{r:?}");
    // Once the queue settles, every pushed household has its score; a read settles it first.
    reg.rt.block_on(reg.reg.settle_queue());
    for id in &ids {
        assert_eq!(score(reg, *id).model_version, "illustrative-v1");
    }
    let late = a.add(9, AREA);
    a.sync();
    assert_eq!(
        reg.show(late)["pmt"]["model_version"],
        json!("illustrative-v1")
    );
}
