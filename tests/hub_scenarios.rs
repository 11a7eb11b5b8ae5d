//! District hubs end to end, with the centre on SQLite and on PostgreSQL (the hub runs on SQLite):
//! tablets enrolled at a hub sync with it; the hub registers them with the centre and relays their
//! signed changes up, the centre verifies every change against its author's key and marks
//! completed households submitted; the centre's work (a review decision, a colleague's edit from a
//! tablet syncing directly with the centre) comes down through the hub to the tablets, and every
//! replica converges. Also: the hub offline for a batch of edits, an upstream round cut again and
//! again by the fault proxy and resumed, the same feed and pushes delivered twice, a hub altering
//! a tablet's change refused at the centre, registrations held to the hub's district. And what the
//! hub learns from above: a device enrolled at the centre syncing with either in any order, users
//! and revocations, offline enrollment codes, a hub below a hub; then the three-tier
//! scenario over a link that cuts, duplicates and reorders. And questionnaires besides the
//! household one: a form published at the centre reaches the hub's tablets, and their reports reach
//! the centre once, even when a round loses the centre's answer.

use serde_json::json;
use sha2::{Digest, Sha256};
use shumari_domain::review::Decision;
use shumari_domain::{Role, Status};
use shumari_hub::state::UpstreamState;
use shumari_hub::{Hub, Report};
use shumari_proto::message::{
    Cursor, DocOutcome, HubDevice, HubDevicesRequest, HubDevicesResponse, Message, PushRequest,
    PushResponse,
};
use shumari_proto::signing::DeviceKey;
use shumari_proto::{Endpoint, RefusalCode};
use shumari_registry::service::ReviewRequest;
use shumari_registry::storage::forms::FormStore as _;
use shumari_registry::storage::{Storage, User};
use shumari_registry::SqliteStorage;
use shumari_scenarios::faults::{FaultConfig, FaultProxy};
use shumari_scenarios::{
    http_transport, meal_report, on_both, other_area, TestDevice, TestRegistry, AREA,
};
use std::path::PathBuf;
use std::time::Duration;
use uuid::Uuid;

on_both!(
    sqlite_tablets_reach_the_centre_through_the_hub_and_its_work_comes_back,
    pg_tablets_reach_the_centre_through_the_hub_and_its_work_comes_back,
    through_the_hub_and_back
);
on_both!(
    sqlite_a_hub_offline_for_a_week_catches_up_in_one_round,
    pg_a_hub_offline_for_a_week_catches_up_in_one_round,
    offline_for_a_week
);
on_both!(
    sqlite_rounds_cut_by_the_link_resume_and_converge,
    pg_rounds_cut_by_the_link_resume_and_converge,
    cut_rounds_resume
);
on_both!(
    sqlite_duplicated_deliveries_change_nothing,
    pg_duplicated_deliveries_change_nothing,
    duplicated_deliveries
);
on_both!(
    sqlite_a_hub_altering_a_change_is_refused_at_the_centre,
    pg_a_hub_altering_a_change_is_refused_at_the_centre,
    altered_by_the_hub
);
on_both!(
    sqlite_a_device_enrolled_at_the_centre_syncs_with_either_and_converges,
    pg_a_device_enrolled_at_the_centre_syncs_with_either_and_converges,
    centre_device_at_either
);
on_both!(
    sqlite_the_hub_learns_users_and_revocations_from_the_centre,
    pg_the_hub_learns_users_and_revocations_from_the_centre,
    learns_from_the_centre
);
on_both!(
    sqlite_a_tablet_enrolls_offline_at_the_hub_with_a_centre_code,
    pg_a_tablet_enrolls_offline_at_the_hub_with_a_centre_code,
    offline_enrollment
);
on_both!(
    sqlite_a_district_hub_below_a_province_hub_converges_with_the_centre,
    pg_a_district_hub_below_a_province_hub_converges_with_the_centre,
    hub_below_hub
);
on_both!(
    sqlite_three_tiers_converge_through_a_week_offline_and_a_bad_link,
    pg_three_tiers_converge_through_a_week_offline_and_a_bad_link,
    three_tiers
);
on_both!(
    sqlite_forms_come_down_and_reports_go_up_through_the_hub_once,
    pg_forms_come_down_and_reports_go_up_through_the_hub_once,
    forms_and_reports_through_the_hub
);
on_both!(
    sqlite_assignments_made_above_reach_the_tablets_through_the_hub,
    pg_assignments_made_above_reach_the_tablets_through_the_hub,
    assignments_through_the_hub
);
on_both!(
    sqlite_a_centre_that_lost_households_is_repaired_by_one_hub_round,
    pg_a_centre_that_lost_households_is_repaired_by_one_hub_round,
    centre_lost_households
);
on_both!(
    sqlite_the_hub_rotates_its_token_and_keeps_syncing,
    pg_the_hub_rotates_its_token_and_keeps_syncing,
    hub_token_rotation
);
on_both!(
    sqlite_users_renamed_or_moved_above_follow_at_the_hub,
    pg_users_renamed_or_moved_above_follow_at_the_hub,
    users_renamed_or_moved
);
on_both!(
    sqlite_a_device_keeps_its_place_in_each_feed_between_hub_and_centre,
    pg_a_device_keeps_its_place_in_each_feed_between_hub_and_centre,
    cursor_per_registry
);
on_both!(
    sqlite_registrations_are_held_to_the_hub_district,
    pg_registrations_are_held_to_the_hub_district,
    registrations_in_scope
);

/// A district office: the hub's registry (SQLite, in a temp dir) and the hub over it, enrolled
/// with the centre for `AREA`.
struct Site {
    // Dropped before the registry whose runtime it uses.
    hub: Hub<SqliteStorage>,
    reg: TestRegistry<SqliteStorage>,
}

impl Site {
    fn new<S: Storage>(centre: &TestRegistry<S>) -> Site {
        Site::new_for(centre, &[AREA])
    }

    /// A hub for `areas`.
    fn new_for<S: Storage>(centre: &TestRegistry<S>, areas: &[&str]) -> Site {
        let reg = TestRegistry::sqlite_with(shumari_hub::registry_config());
        let hub = Hub::new(reg.reg.clone(), &db_path(&reg), reg.rt.handle().clone())
            .expect("open the hub");
        let hub_user = centre.user("hub", areas);
        let code = centre.code(&hub_user);
        let link = hub
            .enroll(centre.transport().as_mut(), "memory:", &code)
            .expect("enroll the hub");
        assert_eq!(link.areas, areas);
        Site { hub, reg }
    }

    /// A tablet enrolled at the hub, for a new surveyor of the centre given to the hub.
    fn tablet<S: Storage>(&self, centre: &TestRegistry<S>) -> TestDevice {
        self.tablet_and_user(centre).0
    }

    /// A tablet as [`Site::tablet`] makes it, with its user's id.
    fn tablet_and_user<S: Storage>(&self, centre: &TestRegistry<S>) -> (TestDevice, String) {
        let user = centre.user("surveyor", &[AREA]);
        self.hub
            .add_user(&User {
                id: user.clone(),
                name: "Test User".into(),
                role: Role::Surveyor,
                areas: vec![AREA.into()],
            })
            .expect("add the user at the hub");
        let code = self.hub.enroll_code(&user).expect("a hub code");
        let mut d = TestDevice::new(self.reg.transport());
        d.enroll(&code).expect("enroll at the hub");
        (d, user)
    }

    /// One upstream round over the centre's in-memory transport.
    fn round<S: Storage>(&self, centre: &TestRegistry<S>) -> Report {
        let r = self
            .hub
            .sync_upstream(centre.transport().as_mut())
            .expect("round");
        assert!(r.refused.is_empty(), "{r:?}");
        assert!(r.tablets_refused.is_empty(), "{r:?}");
        r
    }

    /// A hub enrolled with the hub `upper` (a district below a province), for `areas`, whose
    /// `hub` user the centre made (the upper hub learns them at its round).
    fn below<S: Storage>(upper: &Site, centre: &TestRegistry<S>, areas: &[&str]) -> Site {
        let hub_user = centre.user("hub", areas);
        upper.round(centre);
        let code = upper
            .hub
            .enroll_code(&hub_user)
            .expect("a code of the upper hub");
        let reg = TestRegistry::sqlite_with(shumari_hub::registry_config());
        let hub = Hub::new(reg.reg.clone(), &db_path(&reg), reg.rt.handle().clone())
            .expect("open the hub");
        hub.enroll(upper.reg.transport().as_mut(), "memory:", &code)
            .expect("enroll with the upper hub");
        Site { hub, reg }
    }

    /// One round with the hub `upper`.
    fn round_with(&self, upper: &Site) -> Report {
        let r = self
            .hub
            .sync_upstream(upper.reg.transport().as_mut())
            .expect("round");
        assert!(r.refused.is_empty(), "{r:?}");
        assert!(r.tablets_refused.is_empty(), "{r:?}");
        r
    }

    fn state(&self) -> UpstreamState {
        UpstreamState::open(&db_path(&self.reg)).expect("state")
    }
}

fn db_path(r: &TestRegistry<SqliteStorage>) -> PathBuf {
    r.dir.path().join("registry.db")
}

fn status_at<S: Storage>(r: &TestRegistry<S>, id: Uuid) -> String {
    r.show(id)["status"].as_str().expect("status").to_string()
}

fn on_device(d: &TestDevice, id: Uuid) -> shumari_domain::Household {
    d.store.get(&id.to_string()).expect("held").household
}

/// Every replica holds the same households with the same heads.
fn converged<S: Storage>(centre: &TestRegistry<S>, site: &Site, devices: &[&TestDevice]) {
    let at_centre = centre.heads();
    assert!(!at_centre.is_empty());
    assert_eq!(site.reg.heads(), at_centre, "the hub");
    for (i, d) in devices.iter().enumerate() {
        assert_eq!(d.heads(), at_centre, "device {i}");
    }
}

fn through_the_hub_and_back<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    let mut a = site.tablet(centre);
    let mut b = site.tablet(centre);
    // A colleague whose tablet syncs with the centre directly.
    let mut c = centre.device(&[AREA]);
    let supervisor = centre.user("supervisor", &[AREA]);

    let h = a.add(1, AREA);
    a.set(h, "answers.q03", json!("Mohalla Ayesha"));
    a.set(h, "status", json!("complete"));
    let r = a.sync();
    assert!(r.refused.is_empty() && r.pushed == 1, "{r:?}");
    // The hub's registry leaves the acknowledgement to the centre.
    assert_eq!(status_at(&site.reg, h), "complete");

    let r = site.round(centre);
    // The tablet whose changes go up is registered with the centre; the other has made no change
    // yet, so there is nothing of it to verify.
    assert_eq!(r.tablets_registered, 1);
    assert_eq!(r.pushed, 1);
    // The centre verified the tablet's signatures, kept them, and marked the household submitted;
    // the mark came down in the same round.
    let a_key = DeviceKey::from_secret(*a.store.device_key().expect("key").expect("made").secret);
    let held = centre
        .rt
        .block_on(centre.reg.storage.household_signatures(&[h]))
        .expect("records")
        .pop()
        .expect("one")
        .1;
    assert!(!held.is_empty());
    assert!(held
        .iter()
        .all(|r| shumari_proto::signing::verify(&a_key.public(), r)));
    assert_eq!(status_at(centre, h), "submitted");
    assert_eq!(status_at(&site.reg, h), "submitted");
    assert_eq!(
        centre.show(h)["answers"]["q03"],
        json!("Mohalla Ayesha"),
        "the centre holds the tablet's answer"
    );

    // The colleague at the centre receives it; a supervisor returns it; the colleague edits it.
    assert!(c.sync().refused.is_empty());
    assert_eq!(on_device(&c, h).status, Status::Submitted);
    let u = centre
        .rt
        .block_on(centre.reg.acting_user(&supervisor))
        .expect("supervisor");
    centre
        .rt
        .block_on(centre.reg.review(
            &u,
            &h.to_string(),
            ReviewRequest {
                decision: Decision::Returned,
                comment: "The number of rooms looks wrong".into(),
                questions: vec!["q01".into()],
            },
        ))
        .expect("return");
    assert!(c.sync().refused.is_empty());
    c.set(h, "answers.q03", json!("Mohalla Bilal"));
    assert!(c.sync().refused.is_empty());

    // Down through the hub to both tablets.
    let r = site.round(centre);
    assert!(r.pulled >= 1, "{r:?}");
    assert!(a.sync().refused.is_empty());
    assert!(b.sync().refused.is_empty());
    for d in [&a, &b] {
        let got = on_device(d, h);
        assert_eq!(got.status, Status::Returned);
        assert_eq!(
            got.review.expect("the decision").comment,
            "The number of rooms looks wrong"
        );
    }
    assert_eq!(
        b.store.get(&h.to_string()).expect("held").household.answers["q03"],
        json!("Mohalla Bilal")
    );

    // The surveyor fixes and completes it again; up through the hub, submitted again.
    a.set(h, "answers.q03", json!("Mohalla Bilal Sahib"));
    a.set(h, "status", json!("complete"));
    assert!(a.sync().refused.is_empty());
    site.round(centre);
    assert_eq!(status_at(centre, h), "submitted");

    // Everyone syncs: every replica holds the same history.
    assert!(a.sync().refused.is_empty());
    assert!(b.sync().refused.is_empty());
    assert!(c.sync().refused.is_empty());
    converged(centre, &site, &[&a, &b, &c]);

    // Nothing was stored twice, and another round of everyone stores nothing.
    let counts = (centre.counts(), site.reg.counts());
    let r = site.round(centre);
    assert_eq!((r.pushed, r.pulled), (0, 0), "{r:?}");
    a.sync();
    b.sync();
    c.sync();
    site.round(centre);
    assert_eq!((centre.counts(), site.reg.counts()), counts);
}

fn offline_for_a_week<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    let mut a = site.tablet(centre);
    let mut b = site.tablet(centre);
    let mut c = centre.device(&[AREA]);
    site.round(centre);
    // A "week" without a link: each day both tablets add households and edit earlier ones, and
    // sync with the hub; the colleague at the centre works too.
    let mut mine: [Vec<Uuid>; 2] = [Vec::new(), Vec::new()];
    for day in 0..5u32 {
        for (n, d) in [&mut a, &mut b].into_iter().enumerate() {
            let first = 100 * day + 10 * n as u32;
            // Yesterday's household edited again today.
            if let Some(&earlier) = mine[n].last() {
                d.set(earlier, "answers.q03", json!(format!("day {day} by {n}")));
            }
            mine[n].extend(d.add_many(first, 3, AREA));
            let r = d.sync();
            assert!(r.refused.is_empty(), "{r:?}");
        }
        c.add(900 + day, AREA);
        assert!(c.sync().refused.is_empty());
    }
    assert_eq!(site.reg.heads().len(), 30);
    // The link comes back: one round carries the week up and the colleague's work down.
    let r = site.round(centre);
    assert_eq!(r.pushed, 30, "{r:?}");
    assert!(r.pulled >= 5, "{r:?}");
    for d in [&mut a, &mut b, &mut c] {
        assert!(d.sync().refused.is_empty());
    }
    site.round(centre);
    converged(centre, &site, &[&a, &b, &c]);
    assert_eq!(centre.heads().len(), 35);
}

fn cut_rounds_resume<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    let mut a = site.tablet(centre);
    let mut c = centre.device(&[AREA]);
    // Enough households for several pushes and pages.
    a.add_many(0, 40, AREA);
    assert!(a.sync().refused.is_empty());
    c.add_many(500, 30, AREA);
    assert!(c.sync().refused.is_empty());

    let url = centre.serve_http();
    let addr = url.trim_start_matches("http://").parse().expect("addr");
    let proxy = FaultProxy::start(
        centre.rt.handle(),
        addr,
        15,
        FaultConfig {
            // A round travels on one kept-alive connection: the first few are each cut somewhere
            // inside the round's bytes.
            cut_probability: 1.0,
            max_cuts: 6,
            max_cut_up: 15_000,
            max_cut_down: 20_000,
            max_delay: Duration::from_millis(5),
            ..FaultConfig::default()
        },
    );
    let mut t = http_transport(&proxy.url());
    let mut failures = 0;
    let done = (0..40).find_map(|_| match site.hub.sync_upstream(t.as_mut()) {
        Ok(r) => Some(r),
        Err(e) => {
            assert!(e.retryable(), "{e}");
            failures += 1;
            None
        }
    });
    let done = done.expect("a round went through");
    assert!(done.refused.is_empty(), "{done:?}");
    let stats = proxy.stats();
    assert!(
        stats.cuts_up + stats.cuts_down > 0 && failures > 0,
        "{stats:?}"
    );
    // Whatever the cuts did, the next clean round finds nothing left, and everyone converges.
    proxy.set_faults(false);
    let counts = centre.counts();
    let r = site.hub.sync_upstream(t.as_mut()).expect("clean round");
    assert_eq!((r.pushed, r.pulled), (0, 0), "{r:?}");
    assert_eq!(
        centre.counts(),
        counts,
        "nothing stored twice at the centre"
    );
    assert!(a.sync().refused.is_empty());
    assert!(c.sync().refused.is_empty());
    converged(centre, &site, &[&a, &c]);
    assert_eq!(centre.heads().len(), 70);
}

fn duplicated_deliveries<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    let mut a = site.tablet(centre);
    let mut c = centre.device(&[AREA]);
    let ids = a.add_many(0, 5, AREA);
    a.set(ids[0], "status", json!("complete"));
    assert!(a.sync().refused.is_empty());
    c.add_many(50, 5, AREA);
    assert!(c.sync().refused.is_empty());
    site.round(centre);
    assert!(a.sync().refused.is_empty());
    let counts = (centre.counts(), site.reg.counts());
    let heads = centre.heads();

    // The hub forgets what it knew of the centre: everything is pushed again and the whole feed
    // (a first sync's snapshots) delivered again.
    let state = site.state();
    state.set_cursor(&Cursor::default()).expect("cursor");
    let conn = rusqlite::Connection::open(db_path(&site.reg)).expect("db");
    conn.execute("DELETE FROM hub_upstream_acked", [])
        .expect("forget");
    conn.execute("DELETE FROM hub_registered", [])
        .expect("forget");
    let r = site.round(centre);
    assert_eq!(r.pushed, 10, "every household sent again: {r:?}");
    assert_eq!(r.pulled, 0, "nothing new came down: {r:?}");
    assert_eq!(r.tablets_registered, 1, "registered again, harmlessly");
    // The same round again, twice.
    state.set_cursor(&Cursor::default()).expect("cursor");
    site.round(centre);
    site.round(centre);
    assert_eq!((centre.counts(), site.reg.counts()), counts);
    assert_eq!(centre.heads(), heads);
    assert!(a.sync().refused.is_empty());
    assert!(c.sync().refused.is_empty());
    converged(centre, &site, &[&a, &c]);
}

/// A raw automerge change chunk with its checksum recomputed for its (altered) body; returns the
/// new change hash and the chunk.
fn rechecksum(mut chunk: Vec<u8>) -> ([u8; 32], Vec<u8>) {
    // magic (4), checksum (4), then what the hash covers: type, length, body.
    let hash: [u8; 32] = Sha256::digest(&chunk[8..]).into();
    chunk[4..8].copy_from_slice(&hash[..4]);
    (hash, chunk)
}

fn refusals<S: Storage>(r: &TestRegistry<S>) -> Vec<(String, String)> {
    r.rt.block_on(r.reg.access_audit(0, 10_000))
        .expect("trail")
        .into_iter()
        .filter(|e| e.action == "change.refused")
        .map(|e| (e.subject.unwrap_or_default(), e.detail.unwrap_or_default()))
        .collect()
}

fn altered_by_the_hub<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    let mut a = site.tablet(centre);
    let h = a.add(1, AREA);
    assert!(a.sync().refused.is_empty());
    site.round(centre);
    a.set(h, "answers.q03", json!("Mohalla Ayesha Bibi Sahiba"));
    assert!(a.sync().refused.is_empty());
    let counts = centre.counts();
    let heads = centre.heads();

    // What the hub would push, altered on the way: one letter of the value, the chunk's checksum
    // made right so that only the signature tells, the record relabelled with the new hash.
    let acked = site.state().acked().expect("acked");
    let mut out = site
        .reg
        .rt
        .block_on(shumari_hub::outgoing::outgoing(
            &site.reg.reg.storage,
            &acked,
        ))
        .expect("outgoing");
    assert_eq!(out.len(), 1);
    let mut doc = out.pop().expect("h").doc;
    assert_eq!(
        doc.signatures.len(),
        1,
        "the tablet's record travels with it"
    );
    let at = doc
        .changes
        .windows(6)
        .position(|w| w == b"Sahiba")
        .expect("the value in the change");
    doc.changes[at] ^= 0x01;
    let (hash, changes) = rechecksum(doc.changes.clone());
    doc.changes = changes;
    doc.signatures[0].hash = hash;
    let token = site.hub.link().expect("link").expect("enrolled").token;
    let resp = centre
        .transport()
        .call(
            Endpoint::Push,
            Some(&token),
            PushRequest {
                docs: vec![doc],
                submissions: Vec::new(),
            }
            .encode(),
        )
        .expect("push");
    let outcome = PushResponse::decode(&resp)
        .expect("answer")
        .results
        .pop()
        .expect("one")
        .1;
    match outcome {
        DocOutcome::Refused(r) => assert_eq!(r.code, RefusalCode::BadSignature),
        DocOutcome::Accepted => panic!("an altered change was accepted"),
    }
    // Nothing of it stored, and the refusal is on the centre's access trail.
    assert_eq!(centre.counts(), counts);
    assert_eq!(centre.heads(), heads);
    let trail = refusals(centre);
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].0, h.to_string());
    assert!(trail[0].1.contains("code=bad_signature"), "{}", trail[0].1);

    // The honest round carries the genuine change, and it verifies.
    let r = site.round(centre);
    assert_eq!(r.pushed, 1);
    assert_eq!(
        centre.show(h)["answers"]["q03"],
        json!("Mohalla Ayesha Bibi Sahiba")
    );
    assert!(a.sync().refused.is_empty());
    converged(centre, &site, &[&a]);
}

fn registrations_in_scope<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    let token = site.hub.link().expect("link").expect("enrolled").token;
    let key = DeviceKey::from_secret([9; 32]).public();
    let far = other_area();
    let outside = centre.user("surveyor", &[far.as_str()]);
    let inside = centre.user("surveyor", &[AREA]);
    let device = |local: &str, user: &str, name: &str| HubDevice {
        local_id: local.into(),
        user_id: user.into(),
        user_name: name.into(),
        key,
        short_id: String::new(),
        actors: vec![vec![0xab; 16]],
    };
    let ask = |req: &HubDevicesRequest, token: &str| {
        centre
            .transport()
            .call(Endpoint::HubDevices, Some(token), req.encode())
            .map(|b| HubDevicesResponse::decode(&b).expect("answer"))
    };
    let req = HubDevicesRequest {
        devices: vec![
            device("t-1", &outside, "Test User"),
            device("t-2", "nobody", "Test User"),
            device("t-3", &inside, "Someone Else"),
        ],
    };
    let resp = ask(&req, &token).expect("answered");
    let codes: Vec<_> = resp
        .results
        .iter()
        .map(|(_, r)| r.as_ref().map(|r| r.code.clone()))
        .collect();
    assert_eq!(
        codes,
        [
            Some(RefusalCode::OutOfScope),
            Some(RefusalCode::OutOfScope),
            Some(RefusalCode::ForgedAuthor)
        ]
    );
    // None of them became a device at the centre.
    for local in ["t-1", "t-2", "t-3"] {
        let id = shumari_registry::service::hub::hub_device_id(
            &site.hub.link().expect("link").expect("enrolled").device_id,
            local,
        );
        assert!(centre
            .rt
            .block_on(centre.reg.storage.device_signers(&[id]))
            .expect("signers")
            .is_empty());
    }
    // One in scope is registered, again harmlessly; with another key it is refused.
    let ok = HubDevicesRequest {
        devices: vec![device("t-4", &inside, "Test User")],
    };
    assert_eq!(ask(&ok, &token).expect("answered").results[0].1, None);
    assert_eq!(ask(&ok, &token).expect("answered").results[0].1, None);
    let mut other_key = ok.clone();
    other_key.devices[0].key = DeviceKey::from_secret([8; 32]).public();
    assert_eq!(
        ask(&other_key, &token).expect("answered").results[0]
            .1
            .as_ref()
            .map(|r| r.code.clone()),
        Some(RefusalCode::KeyTaken)
    );
    // A tablet's token registers nothing.
    let tablet = centre.device(&[AREA]);
    let tablet_token = tablet
        .store
        .kv_get(shumari_sync::engine::KEY_TOKEN)
        .expect("kv")
        .expect("enrolled");
    match ask(&ok, &tablet_token) {
        Err(shumari_proto::TransportError::Rejected { status, .. }) => assert_eq!(status, 403),
        other => panic!("a tablet registered devices: {other:?}"),
    }
    // The hub's own check: a user outside its district is not taken.
    assert!(site
        .hub
        .add_user(&User {
            id: outside.clone(),
            name: "Test User".into(),
            role: Role::Surveyor,
            areas: vec![far.clone()],
        })
        .is_err());
}

fn device_id(d: &TestDevice) -> String {
    d.store
        .kv_get(shumari_sync::engine::KEY_DEVICE)
        .expect("kv")
        .expect("enrolled")
}

/// One sync of `d` over `t` (its usual transport is put back after).
fn sync_over(d: &mut TestDevice, t: Box<dyn shumari_proto::Transport>) -> shumari_sync::Report {
    let usual = std::mem::replace(&mut d.transport, t);
    let r = d.try_sync();
    d.transport = usual;
    let r = r.expect("sync");
    assert!(r.refused.is_empty(), "{r:?}");
    r
}

fn centre_device_at_either<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    let mut a = site.tablet(centre);
    // Enrolled at the centre and synced there before the hub knew it.
    let mut c = centre.device(&[AREA]);
    let h1 = c.add(1, AREA);
    assert!(c.sync().refused.is_empty());
    // Enrolled at the centre, which then works only in the office: the actor its store binds when
    // reopened there reaches the centre through the hub.
    let mut d = centre.device(&[AREA]);

    let r = site.round(centre);
    assert!(r.learnt.devices >= 2, "{r:?}");
    // The office LAN: both sync with the hub under their centre tokens.
    c.set(h1, "answers.q03", json!("edited at the hub"));
    let h2 = c.add(2, AREA);
    sync_over(&mut c, site.reg.transport());
    d.restart();
    let h3 = d.add(3, AREA);
    d.set(h3, "status", json!("complete"));
    sync_over(&mut d, site.reg.transport());
    let h4 = a.add(4, AREA);
    assert!(a.sync().refused.is_empty());
    assert_eq!(site.reg.heads().len(), 4);

    // Up through the hub: the centre verifies c's and d's changes by their own keys.
    let r = site.round(centre);
    assert_eq!(r.pushed, 4, "{r:?}");
    assert_eq!(status_at(centre, h3), "submitted");
    assert_eq!(
        centre.show(h1)["answers"]["q03"],
        json!("edited at the hub")
    );
    let d_key = DeviceKey::from_secret(*d.store.device_key().expect("key").expect("made").secret);
    let held = centre
        .rt
        .block_on(centre.reg.storage.household_signatures(&[h3]))
        .expect("records")
        .pop()
        .expect("one")
        .1;
    assert!(!held.is_empty());
    assert!(held
        .iter()
        .all(|r| shumari_proto::signing::verify(&d_key.public(), r)));

    // Back at the centre, in another order: d syncs directly, c edits there, then at the hub.
    assert!(d.sync().refused.is_empty());
    assert_eq!(on_device(&d, h3).status, Status::Submitted);
    c.set(h2, "answers.q03", json!("edited at the centre"));
    assert!(c.sync().refused.is_empty());
    d.set(h4, "answers.q03", json!("edited by d at the centre"));
    assert!(d.sync().refused.is_empty());
    site.round(centre);
    sync_over(&mut c, site.reg.transport());
    sync_over(&mut d, site.reg.transport());
    assert!(a.sync().refused.is_empty());
    site.round(centre);
    for x in [&mut c, &mut d] {
        assert!(x.sync().refused.is_empty());
    }
    assert!(a.sync().refused.is_empty());
    converged(centre, &site, &[&a, &c, &d]);
    assert_eq!(centre.heads().len(), 4);
    assert_eq!(
        on_device(&a, h4).answers["q03"],
        json!("edited by d at the centre")
    );
    // Nothing twice: another round of everyone stores nothing.
    let counts = (centre.counts(), site.reg.counts());
    sync_over(&mut c, site.reg.transport());
    assert!(d.sync().refused.is_empty());
    site.round(centre);
    assert_eq!((centre.counts(), site.reg.counts()), counts);
}

fn learns_from_the_centre<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    // A surveyor added at the centre only: the hub learns them at its round and issues their code.
    let newcomer = centre.user("surveyor", &[AREA]);
    assert!(site.hub.enroll_code(&newcomer).is_err(), "not known yet");
    let r = site.round(centre);
    assert!(r.learnt.users >= 1, "{r:?}");
    let mut n = TestDevice::new(site.reg.transport());
    n.enroll(&site.hub.enroll_code(&newcomer).expect("a code"))
        .expect("enroll at the hub");
    let x = n.add(1, AREA);
    assert!(n.sync().refused.is_empty());
    // A user outside the district is not learnt.
    let far = other_area();
    let outsider = centre.user("surveyor", &[far.as_str()]);
    site.round(centre);
    assert!(site.hub.enroll_code(&outsider).is_err());

    // A device of the centre, accepted at the hub, then revoked at the centre.
    let mut c = centre.device(&[AREA]);
    c.add(2, AREA);
    assert!(c.sync().refused.is_empty());
    site.round(centre);
    sync_over(&mut c, site.reg.transport());
    centre
        .rt
        .block_on(centre.reg.revoke_device(&device_id(&c)))
        .expect("revoke");
    // Until the hub's next round, the hub still accepts it; after, it is refused there too.
    sync_over(&mut c, site.reg.transport());
    let r = site.round(centre);
    assert_eq!(r.learnt.cut_off, 1, "{r:?}");
    let usual = std::mem::replace(&mut c.transport, site.reg.transport());
    match c.try_sync() {
        Err(shumari_sync::SyncError::Revoked(_)) => {}
        other => panic!("a device revoked at the centre synced with the hub: {other:?}"),
    }
    c.transport = usual;

    // The hub's own tablet, whose user is disabled at the centre: refused at the hub after the
    // round; its work kept at the centre.
    n.set(x, "answers.q03", json!("last edit"));
    assert!(n.sync().refused.is_empty());
    site.round(centre);
    centre
        .rt
        .block_on(centre.reg.disable_user(&newcomer))
        .expect("disable");
    let r = site.round(centre);
    assert!(r.learnt.cut_off >= 1, "{r:?}");
    match n.try_sync() {
        Err(shumari_sync::SyncError::Revoked(_)) => {}
        other => panic!("a disabled user's tablet synced with the hub: {other:?}"),
    }
    assert_eq!(centre.show(x)["answers"]["q03"], json!("last edit"));
    // And the hub issues the disabled user no code.
    assert!(site.hub.enroll_code(&newcomer).is_err());
}

fn offline_enrollment<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    // The centre's bundle key (its key file), made after the hub enrolled: the hub learns its
    // public half at its next round.
    let key = DeviceKey::from_secret([7; 32]);
    centre
        .rt
        .block_on(centre.reg.adopt_bundle_key(&key))
        .expect("key");
    site.round(centre);

    // Then the link goes down. The centre adds a surveyor the hub has never heard of and issues
    // an offline code, carried to the district on paper.
    let user = centre.user("surveyor", &[AREA]);
    let code = centre
        .rt
        .block_on(centre.reg.offline_enroll_code(&key, &user, 7))
        .expect("an offline code");
    assert!(code.starts_with("OFFLINE-"));
    // Altered on the way (another area written in), or signed by another key: refused.
    let hexed = |t: &str| -> String { t.bytes().map(|b| format!("{b:02X}")).collect() };
    let plain: String = code.chars().filter(char::is_ascii_alphanumeric).collect();
    let altered = plain.replace(&hexed(AREA), &hexed("PK10102"));
    assert_ne!(altered, plain);
    let mut x = TestDevice::new(site.reg.transport());
    assert!(x.enroll(&altered).is_err(), "an altered code");
    let forged = shumari_proto::offline_code::OfflineCode {
        id: [1; 16],
        user_id: user.clone(),
        user_name: "Test User".into(),
        role: Role::Surveyor,
        areas: vec![AREA.into()],
        expires_at: i64::MAX / 2,
    }
    .sign(&DeviceKey::from_secret([8; 32]));
    assert!(x.enroll(&forged).is_err(), "a code of another key");
    assert!(
        centre
            .rt
            .block_on(
                centre
                    .reg
                    .offline_enroll_code(&DeviceKey::from_secret([8; 32]), &user, 7)
            )
            .is_err(),
        "the centre signs only with its own key"
    );

    // Redeemed at the hub without the centre.
    let mut t = TestDevice::new(site.reg.transport());
    t.enroll(&code).expect("enrolled offline");
    // Once: a replay is refused.
    let mut again = TestDevice::new(site.reg.transport());
    match again.enroll(&code) {
        Err(shumari_sync::SyncError::Transport(shumari_proto::TransportError::Rejected {
            status,
            ..
        })) => assert_eq!(status, 403),
        other => panic!("a replayed offline code enrolled a device: {other:?}"),
    }
    let h = t.add(1, AREA);
    t.set(h, "status", json!("complete"));
    assert!(t.sync().refused.is_empty());

    // The link returns: the tablet is registered with the centre, its work verified there.
    let r = site.round(centre);
    assert_eq!(r.tablets_registered, 1, "{r:?}");
    assert_eq!(r.pushed, 1, "{r:?}");
    assert_eq!(status_at(centre, h), "submitted");
    assert!(t.sync().refused.is_empty());
    converged(centre, &site, &[&t]);
}

fn hub_below_hub<S: Storage>(centre: &mut TestRegistry<S>) {
    // The province hub serves the province; the district hub below it serves one tehsil.
    let province = Site::new_for(centre, &["PK1"]);
    let district = Site::below(&province, centre, &[AREA]);
    // A surveyor of the centre, learnt by the province hub and then by the district hub.
    let user = centre.user("surveyor", &[AREA]);
    province.round(centre);
    district.round_with(&province);
    let mut t = TestDevice::new(district.reg.transport());
    t.enroll(&district.hub.enroll_code(&user).expect("a district code"))
        .expect("enroll at the district hub");
    let mut c = centre.device(&[AREA]);
    let h = t.add(1, AREA);
    t.set(h, "status", json!("complete"));
    assert!(t.sync().refused.is_empty());
    c.add(2, AREA);
    assert!(c.sync().refused.is_empty());

    // Up: district -> province -> centre; the centre verifies the tablet's own signature.
    let r = district.round_with(&province);
    assert_eq!((r.tablets_registered, r.pushed), (1, 1), "{r:?}");
    let r = province.round(centre);
    assert_eq!((r.tablets_registered, r.pushed), (1, 1), "{r:?}");
    assert_eq!(status_at(centre, h), "submitted");
    let key = DeviceKey::from_secret(*t.store.device_key().expect("key").expect("made").secret);
    let held = centre
        .rt
        .block_on(centre.reg.storage.household_signatures(&[h]))
        .expect("records")
        .pop()
        .expect("one")
        .1;
    assert!(!held.is_empty());
    assert!(held
        .iter()
        .all(|r| shumari_proto::signing::verify(&key.public(), r)));

    // Down: the submitted mark and the colleague's household reach the tablet.
    district.round_with(&province);
    assert!(t.sync().refused.is_empty());
    assert_eq!(on_device(&t, h).status, Status::Submitted);
    assert!(c.sync().refused.is_empty());
    let at_centre = centre.heads();
    assert_eq!(at_centre.len(), 2);
    for (name, heads) in [
        ("province", province.reg.heads()),
        ("district", district.reg.heads()),
        ("tablet", t.heads()),
        ("colleague", c.heads()),
    ] {
        assert_eq!(heads, at_centre, "{name}");
    }
    // Nothing twice: rounds again store nothing anywhere.
    let counts = (
        centre.counts(),
        province.reg.counts(),
        district.reg.counts(),
    );
    district.round_with(&province);
    province.round(centre);
    district.round_with(&province);
    assert_eq!(
        (
            centre.counts(),
            province.reg.counts(),
            district.reg.counts()
        ),
        counts
    );
}

/// The hub's link as the field has it: every second push is followed by an earlier push sent
/// again (a duplicate, out of order), and every third page of the feed is answered with an earlier
/// page instead (a stale, reordered delivery; the hub's cursor then goes back and the next pull
/// fetches again).
struct Misdelivery {
    inner: Box<dyn shumari_proto::Transport>,
    pushes: Vec<Vec<u8>>,
    pages: Vec<Vec<u8>>,
    calls: usize,
    replayed: usize,
}

impl shumari_proto::Transport for Misdelivery {
    fn call(
        &mut self,
        ep: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, shumari_proto::TransportError> {
        self.calls += 1;
        match ep {
            Endpoint::Push => {
                let out = self.inner.call(ep, token, body.clone())?;
                self.pushes.push(body);
                if self.calls.is_multiple_of(2) {
                    let old = self.pushes[self.calls % self.pushes.len()].clone();
                    self.inner.call(ep, token, old)?;
                    self.replayed += 1;
                }
                Ok(out)
            }
            Endpoint::Pull => {
                let out = self.inner.call(ep, token, body)?;
                self.pages.push(out.clone());
                if self.calls.is_multiple_of(3) && self.pages.len() > 1 {
                    self.replayed += 1;
                    return Ok(self.pages[self.calls % (self.pages.len() - 1)].clone());
                }
                Ok(out)
            }
            _ => self.inner.call(ep, token, body),
        }
    }
}

/// Every change of every household at the centre is the registry's own or carries a record that
/// verifies against the key of one of `devices`.
fn every_author_verified<S: Storage>(centre: &TestRegistry<S>, devices: &[&TestDevice]) {
    let keys: Vec<[u8; 32]> = devices
        .iter()
        .map(|d| {
            DeviceKey::from_secret(*d.store.device_key().expect("key").expect("made").secret)
                .public()
        })
        .collect();
    let ids: Vec<Uuid> = centre.heads().into_keys().collect();
    let records: std::collections::HashMap<Uuid, Vec<_>> = centre
        .rt
        .block_on(centre.reg.storage.household_signatures(&ids))
        .expect("records")
        .into_iter()
        .collect();
    let docs = centre
        .rt
        .block_on(centre.reg.storage.load_docs(&ids))
        .expect("docs");
    let registry_actor = centre
        .rt
        .block_on(centre.reg.storage.registry_actor(&[0xee; 16], 0))
        .expect("the registry's actor");
    let mut signed = 0;
    for doc in docs.into_iter().flatten() {
        let mut am = shumari_domain::automerge::AutoCommit::load(&doc.doc).expect("load");
        let held = records.get(&doc.id).cloned().unwrap_or_default();
        for change in am.get_changes(&[]) {
            if change.actor_id().to_bytes() == registry_actor.as_slice() {
                continue;
            }
            let hash = change.hash().0;
            let record = held
                .iter()
                .find(|r| r.hash == hash)
                .unwrap_or_else(|| panic!("change {} of {} has no record", hex_of(&hash), doc.id));
            assert!(
                keys.iter()
                    .any(|k| shumari_proto::signing::verify(k, record)),
                "change {} of {} verifies against no device's key",
                hex_of(&hash),
                doc.id
            );
            signed += 1;
        }
    }
    assert!(signed > 0);
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn three_tiers<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    let mut a = site.tablet(centre);
    let mut b = site.tablet(centre);
    // A colleague whose tablet syncs with the centre directly, and one enrolled at the centre who
    // syncs with whichever is reachable.
    let mut c = centre.device(&[AREA]);
    let mut d = centre.device(&[AREA]);
    assert!(d.sync().refused.is_empty());
    site.round(centre);

    // A "week" without a link from the hub: the tablets work and sync with the hub each day; d
    // is in the office on odd days and at the centre on even ones; c works at the centre.
    let mut made: Vec<Uuid> = Vec::new();
    for day in 0..6u32 {
        for (n, t) in [&mut a, &mut b].into_iter().enumerate() {
            if let Some(&earlier) = made.last() {
                if t.store.get(&earlier.to_string()).is_ok() {
                    t.set(earlier, "answers.q03", json!(format!("day {day} by {n}")));
                }
            }
            made.extend(t.add_many(100 * day + 10 * n as u32, 2, AREA));
            assert!(t.sync().refused.is_empty());
        }
        made.push(d.add(700 + day, AREA));
        // What d carries from one to the other, the receiver cannot verify yet when its author's
        // actor reaches it only at the hub's next round (the hub's tablets at the centre, the
        // colleague's new actor at the hub): refused for now, kept on d, sent again later. d's
        // own work is always accepted.
        let own = made[made.len() - 1];
        let r = if day % 2 == 1 {
            let usual = std::mem::replace(&mut d.transport, site.reg.transport());
            let r = d.sync();
            d.transport = usual;
            r
        } else {
            d.sync()
        };
        for x in &r.refused {
            assert_eq!(x.code, "forged_actor", "{r:?}");
            assert_ne!(x.id, own, "{r:?}");
        }
        made.push(c.add(900 + day, AREA));
        assert!(c.sync().refused.is_empty());
    }
    let done = made[0];
    a.set(done, "status", json!("complete"));
    assert!(a.sync().refused.is_empty());

    // The link comes back, bad: connections cut by the fault proxy, pushes duplicated and
    // reordered, stale pages delivered. Rounds are tried until one goes through.
    let url = centre.serve_http();
    let addr = url.trim_start_matches("http://").parse().expect("addr");
    let proxy = FaultProxy::start(
        centre.rt.handle(),
        addr,
        27,
        FaultConfig {
            cut_probability: 1.0,
            max_cuts: 4,
            max_cut_up: 15_000,
            max_cut_down: 20_000,
            max_delay: Duration::from_millis(2),
            ..FaultConfig::default()
        },
    );
    let mut link = Misdelivery {
        inner: http_transport(&proxy.url()),
        pushes: Vec::new(),
        pages: Vec::new(),
        calls: 0,
        replayed: 0,
    };
    let mut through = 0;
    for _ in 0..40 {
        match site.hub.sync_upstream(&mut link) {
            Ok(r) => {
                assert!(r.refused.is_empty(), "{r:?}");
                through += 1;
                if through >= 3 && (r.pushed, r.pulled) == (0, 0) {
                    break;
                }
            }
            Err(e) => assert!(e.retryable(), "{e}"),
        }
    }
    assert!(link.replayed > 0, "the link misdelivered something");
    assert!(proxy.stats().cuts_up + proxy.stats().cuts_down > 0);
    proxy.set_faults(false);

    // The hub, holding a new change of a's, tries to alter it on the way up: caught at the centre.
    a.set(done, "answers.q03", json!("Mohalla Sahiba"));
    assert!(a.sync().refused.is_empty());
    let acked = site.state().acked().expect("acked");
    let mut out = site
        .reg
        .rt
        .block_on(shumari_hub::outgoing::outgoing(
            &site.reg.reg.storage,
            &acked,
        ))
        .expect("outgoing");
    let mut doc = out
        .iter_mut()
        .find(|o| o.doc.id == done)
        .expect("waiting")
        .doc
        .clone();
    let at = doc
        .changes
        .windows(6)
        .position(|w| w == b"Sahiba")
        .expect("the value");
    doc.changes[at] ^= 0x01;
    let (hash, changes) = rechecksum(doc.changes.clone());
    doc.changes = changes;
    if let Some(r) = doc.signatures.last_mut() {
        r.hash = hash;
    }
    let token = site.hub.link().expect("link").expect("enrolled").token;
    let resp = centre
        .transport()
        .call(
            Endpoint::Push,
            Some(&token),
            PushRequest {
                docs: vec![doc],
                submissions: Vec::new(),
            }
            .encode(),
        )
        .expect("push");
    let refused = PushResponse::decode(&resp).expect("answer").results;
    assert!(
        matches!(&refused[0].1, DocOutcome::Refused(r) if r.code == RefusalCode::BadSignature),
        "{refused:?}"
    );

    // Everyone syncs, d at the hub and then at the centre; the hub rounds cleanly.
    for t in [&mut a, &mut b, &mut c] {
        assert!(t.sync().refused.is_empty());
    }
    sync_over(&mut d, site.reg.transport());
    site.round(centre);
    for t in [&mut a, &mut b, &mut c, &mut d] {
        assert!(t.sync().refused.is_empty());
    }
    site.round(centre);
    assert!(a.sync().refused.is_empty());
    assert!(b.sync().refused.is_empty());
    converged(centre, &site, &[&a, &b, &c, &d]);
    // Nothing lost: every household made is at the centre, once; the completed one submitted.
    let at_centre = centre.heads();
    assert_eq!(at_centre.len(), made.len());
    assert!(made.iter().all(|id| at_centre.contains_key(id)));
    assert_eq!(status_at(centre, done), "submitted");
    assert_eq!(centre.show(done)["answers"]["q03"], json!("Mohalla Sahiba"));
    every_author_verified(centre, &[&a, &b, &c, &d]);
    // Nothing twice: another round of everyone stores nothing.
    let counts = (centre.counts(), site.reg.counts());
    for t in [&mut a, &mut b, &mut c, &mut d] {
        t.sync();
    }
    site.round(centre);
    assert_eq!((centre.counts(), site.reg.counts()), counts);
}

const MEAL_CENTRE: &str = include_str!("../crates/forms/questionnaires/meal_centre_daily.toml");

/// A link to the centre that loses the answer to the first push carrying reports (the centre
/// stored them; the hub never hears it).
struct LoseReportAnswer {
    inner: Box<dyn shumari_proto::Transport>,
    lost: bool,
}

impl shumari_proto::Transport for LoseReportAnswer {
    fn call(
        &mut self,
        endpoint: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, shumari_proto::TransportError> {
        let reports = endpoint == Endpoint::Push
            && PushRequest::decode(&body).is_ok_and(|p| !p.submissions.is_empty());
        let out = self.inner.call(endpoint, token, body)?;
        if reports && !self.lost {
            self.lost = true;
            return Err(shumari_proto::TransportError::Unreachable(
                "the test lost the answer".into(),
            ));
        }
        Ok(out)
    }
}

/// The meal centre reports a registry holds in `AREA`.
fn listed<T: Storage>(r: &TestRegistry<T>) -> Vec<shumari_registry::service::Submission> {
    r.rt.block_on(r.reg.submissions_in(
        None,
        "meal_centre_daily",
        AREA,
        "",
        "",
        (String::new(), String::new()),
        100,
    ))
    .expect("rows")
}

fn forms_and_reports_through_the_hub<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    let mut a = site.tablet(centre);
    centre
        .rt
        .block_on(centre.reg.publish_form(
            None,
            "meal_centre_daily.toml",
            MEAL_CENTRE.as_bytes(),
            &[AREA.into()],
        ))
        .expect("publish at the centre");

    // The round brings the form into the hub's registry; the tablet receives it from the hub.
    let r = site.round(centre);
    assert_eq!(r.forms_received, 1, "{r:?}");
    assert!(r.forms_refused.is_empty(), "{r:?}");
    let at_hub = site
        .reg
        .rt
        .block_on(site.reg.reg.forms(None))
        .expect("forms");
    assert_eq!(at_hub.len(), 1);
    assert_eq!(at_hub[0].versions[0].version, "1");
    assert!(a.sync().refused.is_empty());
    let held = a.store.forms().expect("forms");
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].source, MEAL_CENTRE.as_bytes());
    // A quiet round brings no form again.
    assert_eq!(site.round(centre).forms_received, 0);

    // The tablet fills a report and sends it to the hub, which stores it.
    let draft = a.file_report(
        "meal_centre_daily",
        "1",
        AREA,
        &meal_report(355),
        1_780_000_000_000,
    );
    let sent = a.sync();
    assert_eq!((sent.reports_sent, sent.reports_refused), (1, 0));
    assert_eq!(listed(&site.reg).len(), 1);
    assert!(listed(centre).is_empty());

    // A round whose answer to the reports is lost: the centre stored them, the hub does not know.
    let mut lossy = LoseReportAnswer {
        inner: centre.transport(),
        lost: false,
    };
    assert!(site.hub.sync_upstream(&mut lossy).is_err());
    assert_eq!(listed(centre).len(), 1);
    // The next round sends it again; the centre keeps one, and the hub records the answer.
    let r = site.round(centre);
    assert_eq!(r.reports_forwarded, 1, "{r:?}");
    assert!(r.reports_refused.is_empty(), "{r:?}");
    let rows = listed(centre);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, draft.id.to_string());
    assert_eq!(rows[0].answers["meals_served"], json!(355));
    // Answered: later rounds send nothing.
    let r = site.round(centre);
    assert_eq!((r.reports_forwarded, r.forms_received), (0, 0), "{r:?}");
    assert_eq!(listed(centre).len(), 1);

    // A supervisor at the centre returns it with a note: the next round writes the decision into
    // the hub's registry, and the tablet learns it from the hub.
    let supervisor_id = centre.user("supervisor", &[AREA]);
    let supervisor = centre
        .rt
        .block_on(centre.reg.acting_user(&supervisor_id))
        .expect("supervisor");
    let id = draft.id.to_string();
    centre
        .rt
        .block_on(centre.reg.review_report(
            &supervisor,
            &id,
            Decision::Returned,
            "355 meals, but 40 people fed? Count again",
        ))
        .expect("return");
    let r = site.round(centre);
    assert_eq!(r.reviews_received, 1, "{r:?}");
    assert_eq!(
        site.reg
            .rt
            .block_on(site.reg.reg.storage.submission(&id))
            .expect("read")
            .expect("at the hub")
            .status,
        "returned"
    );
    // Another round brings it no more (the hub names the last decision it holds).
    assert_eq!(site.round(centre).reviews_received, 0);
    a.sync();
    let back = a.store.report(draft.id).expect("read").expect("kept");
    assert_eq!(back.state, "returned");
    assert_eq!(
        back.review_note.as_deref(),
        Some("355 meals, but 40 people fed? Count again")
    );

    // The tablet corrects it at the hub; the round sends the correction up naming the report it
    // replaces, which the centre accepts because it returned that report.
    let fix = a.file_correction(draft.id, &meal_report(40), 1_780_000_000_010);
    assert_eq!(a.sync().reports_sent, 1);
    let r = site.round(centre);
    assert_eq!(r.reports_forwarded, 1, "{r:?}");
    assert!(r.reports_refused.is_empty(), "{r:?}");
    let at_centre = |id: &str| {
        centre
            .rt
            .block_on(centre.reg.storage.submission(id))
            .expect("read")
            .expect("at the centre")
    };
    assert_eq!(at_centre(&id).status, "replaced");
    let corrected = at_centre(&fix.id.to_string());
    assert_eq!(corrected.replaces.as_deref(), Some(id.as_str()));
    assert_eq!(corrected.status, "submitted");
    assert_eq!(
        listed(centre).len(),
        2,
        "both reports kept, one in the chain of the other"
    );

    // Approved above, the approval reaches the tablet through the hub too.
    centre
        .rt
        .block_on(centre.reg.review_report(
            &supervisor,
            &fix.id.to_string(),
            Decision::Approved,
            "",
        ))
        .expect("approve");
    assert_eq!(site.round(centre).reviews_received, 1);
    a.sync();
    assert_eq!(
        a.store.report(fix.id).expect("read").expect("kept").state,
        "approved"
    );
}

/// Assignments made at the centre for a surveyor whose tablet syncs with the hub: the round
/// brings the district's list into the hub's registry, the tablet receives it from the hub; one
/// withdrawn above is withdrawn at the hub and leaves the tablet; one made at the hub itself stays.
fn assignments_through_the_hub<S: Storage>(centre: &mut TestRegistry<S>) {
    use shumari_registry::service::AssignWhat;
    let site = Site::new(centre);
    let (mut a, surveyor) = site.tablet_and_user(centre);
    let assign_at = |reg: &TestRegistry<_>, by: &str, what: AssignWhat| {
        reg.rt
            .block_on(async {
                let u = reg.reg.acting_user(by).await?;
                reg.reg.assign(&u, &surveyor, what).await
            })
            .expect("assign")
    };
    let on_tablet = |d: &TestDevice| -> Vec<String> {
        let mut ids: Vec<String> = d
            .store
            .assignments()
            .expect("assignments")
            .into_iter()
            .map(|(x, _)| x.id)
            .collect();
        ids.sort();
        ids
    };
    let supervisor = centre.user("supervisor", &[AREA]);
    let area = centre.rt.block_on(async {
        let u = centre.reg.acting_user(&supervisor).await?;
        centre
            .reg
            .assign(
                &u,
                &surveyor,
                AssignWhat::Area {
                    code: AREA.into(),
                    target: Some(40),
                },
            )
            .await
    });
    let area = area.expect("assign above");
    let r = site.round(centre);
    assert_eq!(r.assignments.added, 1, "{r:?}");
    assert!(a.sync().refused.is_empty());
    assert_eq!(on_tablet(&a), vec![area.id.clone()]);
    // A quiet round writes nothing.
    assert_eq!(
        site.round(centre).assignments,
        shumari_hub::assignments::Applied::default()
    );

    // A supervisor at the hub assigns a household there; withdrawn above, the area leaves the
    // hub and the tablet, and the hub's own assignment stays.
    let h = a.add(1, AREA);
    assert!(a.sync().refused.is_empty());
    let hub_supervisor = site.reg.user("supervisor", &[AREA]);
    let here = assign_at(
        &site.reg,
        &hub_supervisor,
        AssignWhat::Household(h.to_string()),
    );
    centre
        .rt
        .block_on(async {
            let u = centre.reg.acting_user(&supervisor).await?;
            centre.reg.withdraw_assignment(&u, &area.id).await
        })
        .expect("withdraw above");
    let r = site.round(centre);
    assert_eq!(r.assignments.withdrawn, 1, "{r:?}");
    a.sync();
    assert_eq!(on_tablet(&a), vec![here.id.clone()]);
    assert_eq!(
        site.round(centre).assignments,
        shumari_hub::assignments::Applied::default()
    );
}

fn centre_lost_households<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    let mut a = site.tablet(centre);
    let far = other_area();
    // A colleague at the centre whose areas reach beyond the district.
    let mut c = centre.device(&[AREA, far.as_str()]);
    let ids = a.add_many(0, 6, AREA);
    assert!(a.sync().refused.is_empty());
    c.add_many(50, 2, AREA);
    assert!(c.sync().refused.is_empty());
    let r = site.round(centre);
    assert_eq!(r.pushed, 6, "{r:?}");
    // A quiet round: the hub's digest agrees with the centre's, no check is run.
    let r = site.round(centre);
    assert!(!r.checked && r.pushed == 0 && r.pulled == 0, "{r:?}");
    let counts = centre.counts();
    let heads = centre.heads();
    assert_eq!(heads.len(), 8);

    // The centre loses four of the hub's households, as one restored from a backup taken before
    // the hub pushed them: the hub saw them acknowledged, and its cursor is past their entries.
    centre
        .rt
        .block_on(centre.reg.storage.lose_households(&ids[..4]))
        .expect("lose");
    assert_eq!(centre.heads().len(), 4);

    // One round: the digests differ, the check finds what the centre lacks, the hub pushes it
    // whole with the tablet's records, and the centre holds everything once again.
    let r = site.round(centre);
    assert!(r.checked, "{r:?}");
    assert_eq!(r.pushed, 4, "{r:?}");
    assert_eq!(centre.heads(), heads);
    assert_eq!(
        centre.counts(),
        counts,
        "each lost household stored once again, nothing twice"
    );
    every_author_verified(centre, &[&a, &c]);
    // Consistent again: the next round is quiet and stores nothing.
    let r = site.round(centre);
    assert!(!r.checked && r.pushed == 0 && r.pulled == 0, "{r:?}");
    assert_eq!(centre.counts(), counts);

    // A household moved out of the district at the centre: the hub is told it left, stops
    // counting it, and stays consistent with the centre.
    assert!(c.sync().refused.is_empty());
    c.set(ids[5], "area", json!(far));
    assert!(c.sync().refused.is_empty());
    let r = site.round(centre);
    assert_eq!(r.removed, 1, "{r:?}");
    assert!(site.state().left_scope().expect("left").contains(&ids[5]));
    let r = site.round(centre);
    assert!(!r.checked && r.pushed == 0 && r.removed == 0, "{r:?}");
    assert!(a.sync().refused.is_empty());
    let mut in_district = centre.heads();
    in_district.remove(&ids[5]);
    let mut at_hub = site.reg.heads();
    at_hub.remove(&ids[5]);
    assert_eq!(at_hub, in_district);
}

/// Makes the hub's token upstream `hours` old on the hub's clock.
fn age_token(site: &Site, hours: i64) {
    let conn = rusqlite::Connection::open(db_path(&site.reg)).expect("db");
    let at = chrono::Utc::now().timestamp_millis() - hours * 3_600_000;
    conn.execute("UPDATE hub_upstream SET token_received_at = ?1", [at])
        .expect("age the token");
}

fn hub_token_rotation<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    let mut a = site.tablet(centre);
    a.add(1, AREA);
    assert!(a.sync().refused.is_empty());
    // Freshly enrolled: a round keeps the token.
    let r = site.round(centre);
    assert!(!r.token_rotated, "{r:?}");
    let state = site.state();
    let old = state.link().expect("link").expect("enrolled").token;
    // A token 23 hours old is kept.
    age_token(&site, 23);
    let r = site.round(centre);
    assert!(!r.token_rotated, "{r:?}");
    // Once it has aged past the rotation period (25 hours on the hub's clock), the next round
    // swaps it first, keeping the new one in the hub's database before using it.
    age_token(&site, 25);
    a.add(2, AREA);
    assert!(a.sync().refused.is_empty());
    let r = site.round(centre);
    assert!(r.token_rotated, "{r:?}");
    assert_eq!(r.pushed, 1, "{r:?}");
    let new = state.link().expect("link").expect("enrolled").token;
    assert_ne!(new, old);
    // It keeps syncing with the new one; the old one is refused at the centre.
    let r = site.round(centre);
    assert!(!r.token_rotated, "{r:?}");
    let refused = centre.transport().call(
        Endpoint::HubDirectory,
        Some(&old),
        shumari_proto::message::HubDirectoryRequest::default().encode(),
    );
    match refused {
        Err(shumari_proto::TransportError::Rejected { status: 401, .. }) => {}
        other => panic!("the hub's old token still works: {other:?}"),
    }
    // A rotation whose answer was lost keeps the old token working until the new one is used.
    age_token(&site, 25);
    let mut lost = LoseTokenAnswer(centre.transport());
    let r = site.hub.sync_upstream(&mut lost);
    assert!(r.is_err(), "the answer was lost");
    let kept = state.link().expect("link").expect("enrolled").token;
    assert_eq!(kept, new, "the hub holds the token it had");
    let r = site.round(centre);
    assert!(r.token_rotated, "{r:?}");
    assert!(a.sync().refused.is_empty());
    converged(centre, &site, &[&a]);
}

/// Passes calls through but loses the answer to a token rotation (the link cut after the
/// registry above issued the new token).
struct LoseTokenAnswer(Box<dyn shumari_proto::Transport>);

impl shumari_proto::Transport for LoseTokenAnswer {
    fn call(
        &mut self,
        ep: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, shumari_proto::TransportError> {
        let out = self.0.call(ep, token, body)?;
        if ep == Endpoint::Token {
            return Err(shumari_proto::TransportError::Unreachable(
                "the link dropped".into(),
            ));
        }
        Ok(out)
    }
}

/// Another tehsil of `AREA`'s district.
fn sibling_area() -> String {
    shumari_domain::AreaRegistry::builtin()
        .all()
        .find(|a| {
            a.level == shumari_domain::AreaLevel::Tehsil
                && a.code.starts_with(&AREA[..5])
                && a.code != AREA
        })
        .expect("a second tehsil in the district")
        .code
        .clone()
}

fn users_renamed_or_moved<S: Storage>(centre: &mut TestRegistry<S>) {
    // A hub for the whole district of `AREA`.
    let district = &AREA[..5];
    let sibling = sibling_area();
    let site = Site::new_for(centre, &[district]);
    let user = centre.user("surveyor", &[AREA]);
    site.round(centre);
    let mut t = TestDevice::new(site.reg.transport());
    t.enroll(&site.hub.enroll_code(&user).expect("a hub code"))
        .expect("enroll at the hub");
    let h = t.add(1, AREA);
    assert!(t.sync().refused.is_empty());
    site.round(centre);
    let at_hub = |id: &str| {
        site.reg
            .rt
            .block_on(site.reg.reg.storage.user(id))
            .expect("user")
            .expect("held")
    };

    // Renamed and moved to the district's other tehsil at the centre: the hub's copy follows.
    let moved = User {
        id: user.clone(),
        name: "Renamed User".into(),
        role: Role::Surveyor,
        areas: vec![sibling.clone()],
    };
    assert!(centre
        .rt
        .block_on(centre.reg.storage.update_user(&moved))
        .expect("update"));
    let r = site.round(centre);
    assert_eq!(r.learnt.updated, 1, "{r:?}");
    assert_eq!(at_hub(&user), moved);
    let r = site.round(centre);
    assert_eq!(r.learnt, shumari_hub::directory::Learnt::default(), "{r:?}");
    // The tablet's scope at the hub is the new tehsil: the household of the old one leaves it.
    let r = t.sync();
    assert!(r.refused.is_empty(), "{r:?}");
    assert!(
        t.store.get(&h.to_string()).is_err(),
        "the old tehsil's household left the tablet: {r:?}"
    );

    // Moved out of the district: the hub cuts the user off.
    let far = other_area();
    let out = User {
        areas: vec![far],
        ..moved
    };
    assert!(centre
        .rt
        .block_on(centre.reg.storage.update_user(&out))
        .expect("update"));
    let r = site.round(centre);
    assert_eq!(r.learnt.cut_off, 1, "{r:?}");
    match t.try_sync() {
        Err(shumari_sync::SyncError::Revoked(_)) => {}
        other => panic!("a user moved out of the district synced with the hub: {other:?}"),
    }
    assert!(site.hub.enroll_code(&user).is_err());
    let r = site.round(centre);
    assert_eq!(r.learnt.cut_off, 0, "{r:?}");
}

/// The hub as a device configured with its address reaches it (the centre is the registry the
/// device enrolled at).
fn at_the_hub(site: &Site) -> Box<dyn shumari_proto::Transport> {
    Box::new(
        shumari_registry::InMemoryTransport::new(
            site.reg.reg.clone(),
            site.reg.rt.handle().clone(),
        )
        .named("https://hub.district.example"),
    )
}

fn cursor_per_registry<S: Storage>(centre: &mut TestRegistry<S>) {
    let site = Site::new(centre);
    let mut a = site.tablet(centre);
    // Enrolled at the centre; works at the centre and in the office, in turns.
    let mut c = centre.device(&[AREA]);
    let h1 = c.add(1, AREA);
    assert!(c.sync().refused.is_empty());
    let h2 = a.add(2, AREA);
    assert!(a.sync().refused.is_empty());
    site.round(centre);

    // First visit to the hub: its feed from the start.
    let r = sync_over(&mut c, at_the_hub(&site));
    assert!(r.complete, "{r:?}");
    let mut checks = r.checks;
    // Back at the centre: its feed resumes (the tablet's household, which the device already got
    // from the hub, comes again and changes nothing).
    let r = c.sync();
    assert!(r.complete, "{r:?}");
    checks += r.checks;
    // Quiet rounds at each: the feeds bring nothing and the digests agree, no check.
    for _ in 0..2 {
        let r = sync_over(&mut c, at_the_hub(&site));
        assert!(
            r.complete && r.checks == 0 && r.pulled == 0,
            "at the hub: {r:?}"
        );
        let r = c.sync();
        assert!(
            r.complete && r.checks == 0 && r.pulled == 0,
            "at the centre: {r:?}"
        );
    }

    // Work on both sides, and moves between them: each feed resumes where the device left it.
    for turn in 0..3u32 {
        c.set(
            h1,
            "answers.q03",
            json!(format!("at the centre, turn {turn}")),
        );
        let r = c.sync();
        assert!(r.complete, "{r:?}");
        checks += r.checks;
        a.set(h2, "answers.q03", json!(format!("at the hub, turn {turn}")));
        assert!(a.sync().refused.is_empty());
        site.round(centre);
        let r = sync_over(&mut c, at_the_hub(&site));
        assert!(r.complete && r.pulled >= 1, "{r:?}");
        checks += r.checks;
        c.set(
            h1,
            "answers.q04",
            json!(format!("in the office, turn {turn}")),
        );
        let r = sync_over(&mut c, at_the_hub(&site));
        assert!(r.complete, "{r:?}");
        checks += r.checks;
        site.round(centre);
        let r = c.sync();
        assert!(r.complete && r.pulled >= 1, "{r:?}");
        checks += r.checks;
    }
    assert_eq!(
        checks, 0,
        "every move resumed a feed; nothing needed the check"
    );
    assert!(a.sync().refused.is_empty());
    converged(centre, &site, &[&a, &c]);
    assert_eq!(
        on_device(&a, h1).answers["q04"],
        json!("in the office, turn 2")
    );
}
