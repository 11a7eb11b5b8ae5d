//! The scenario suite, generic over the registry's storage so that SQLite and PostgreSQL run the same
//! checks.
#![allow(dead_code)]

pub mod references;

use serde_json::json;
use shumari_registry::Storage;
use shumari_scenarios::{other_area, Recorder, TestDevice, TestRegistry, AREA};
use shumari_sync::engine::KEY_TOKEN;
use shumari_sync::proto::{
    ActorsRequest, ActorsResponse, ChangeEncoding, DocOutcome, Message, PushDoc, PushRequest,
    PushResponse, RefusalCode,
};
use shumari_sync::Endpoint;

fn assert_converged<S: Storage>(reg: &TestRegistry<S>, devices: &[&TestDevice]) {
    let at_registry = reg.heads();
    for d in devices {
        assert_eq!(d.heads(), at_registry, "a device differs from the registry");
    }
}

/// Two devices and a registry: create, edit, sync, converge; no echo of a device's own changes.
pub fn two_devices_converge<S: Storage>(reg: &TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let mut b = reg.device(&[AREA]);
    let ids: Vec<_> = (0..3).map(|n| a.add(n, AREA)).collect();
    let r = a.sync();
    assert_eq!(r.pushed, 3, "{r:?} {:?}", a.store.actors());
    assert_eq!(r.pulled, 0, "a device's own households are not echoed back");
    assert!(r.complete && r.refused.is_empty(), "{r:?}");
    let r = b.sync();
    assert_eq!(r.pulled, 3, "{r:?}");
    assert!(r.complete);
    b.set(ids[0], "answers.q00", json!(42));
    a.set(ids[1], "answers.q01", json!("edited on A"));
    a.restart();
    a.set(ids[2], "answers.q02", json!(true));
    assert_eq!(b.sync().pushed, 1);
    let r = a.sync();
    assert_eq!((r.pushed, r.pulled), (2, 1));
    let r = b.sync();
    assert_eq!(r.pulled, 2);
    assert_converged(reg, &[&a, &b]);
    // An up-to-date device learns it in one small round trip.
    let r = a.sync();
    assert_eq!((r.round_trips, r.pushed, r.pulled), (1, 0, 0));
    assert!(r.bytes_sent + r.bytes_received < 1024, "{r:?}");
    assert!(r.complete);
    let v = b.store.get(&ids[1].to_string()).unwrap();
    assert_eq!(v.household.answers["q01"], json!("edited on A"));
    // The audit trail says who made each change.
    let shown = reg.show(ids[0]);
    let users: std::collections::BTreeSet<_> = shown["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["user"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(users.len(), 2, "creator and editor are both recorded");
}

/// Concurrent edits of one field keep both values until someone resolves them.
pub fn conflict_and_resolution<S: Storage>(reg: &TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let mut b = reg.device(&[AREA]);
    let id = a.add(7, AREA);
    a.sync();
    b.sync();
    a.set(id, "answers.q05", json!("from A"));
    b.set(id, "answers.q05", json!("from B"));
    a.sync();
    let r = b.sync();
    assert_eq!(r.conflicts, 1);
    a.sync();
    assert_converged(reg, &[&a, &b]);
    for d in [&a, &b] {
        let v = d.store.get(&id.to_string()).unwrap();
        assert_eq!(v.conflicts.len(), 1, "{:?}", v.conflicts);
        assert_eq!(v.conflicts[0].path, "answers.q05");
        assert_eq!(v.conflicts[0].values.len(), 2);
    }
    let shown = reg.show(id);
    assert_eq!(shown["conflicts"][0]["path"], "answers.q05");
    assert_eq!(shown["conflicts"][0]["values"].as_array().unwrap().len(), 2);
    // A supervisor's choice resolves it everywhere.
    b.set(id, "answers.q05", json!("from A"));
    b.sync();
    a.sync();
    assert_converged(reg, &[&a, &b]);
    for d in [&a, &b] {
        assert!(d.store.get(&id.to_string()).unwrap().conflicts.is_empty());
    }
    assert_eq!(reg.show(id)["conflicts"], json!([]));
}

/// A write outside the device's areas is refused with a clear per-household error; the rest goes
/// through; and nobody outside an area receives its households.
pub fn out_of_scope<S: Storage>(reg: &TestRegistry<S>) {
    let elsewhere = other_area();
    let mut a = reg.device(&[AREA]);
    let ok1 = a.add(1, AREA);
    let bad = a.add(2, &elsewhere);
    let ok2 = a.add(3, AREA);
    let r = a.sync();
    assert_eq!(r.pushed, 2);
    assert_eq!(r.refused.len(), 1, "{r:?}");
    assert_eq!(r.refused[0].id, bad);
    assert_eq!(r.refused[0].code, "out_of_scope");
    assert!(r.refused[0].message.contains(&elsewhere));
    assert!(!r.complete, "a sync with refusals is not complete");
    let held = reg.heads();
    assert!(held.contains_key(&ok1) && held.contains_key(&ok2) && !held.contains_key(&bad));
    // The refused household stays on the device (it is the surveyor's work), unsent.
    assert!(a.store.get(&bad.to_string()).is_ok());
    // A device elsewhere receives nothing from AREA; a province user receives everything in it.
    let mut c = reg.device(&[&elsewhere]);
    assert_eq!(c.sync().pulled, 0);
    let mut p = reg.device(&["PK1"]);
    assert_eq!(p.sync().pulled, 2);
    // Moving a household to another district of the province removes it from AREA's devices.
    let target = shumari_domain::AreaRegistry::builtin()
        .all()
        .find(|x| {
            x.level == shumari_domain::AreaLevel::Tehsil
                && x.code.starts_with("PK1")
                && x.code != AREA
                && !x.code.starts_with(&AREA[..5])
        })
        .unwrap()
        .code
        .clone();
    p.set(ok1, "area", json!(target));
    // ok2 leaves too, while this device holds an edit of it the registry has not received.
    p.set(ok2, "area", json!(target));
    assert_eq!(p.sync().pushed, 2);
    a.set(ok2, "answers.rooms", json!(5));
    let r = a.sync();
    assert_eq!(r.removed, 1, "{r:?}");
    assert_eq!(r.left_scope_unsent, 1, "{r:?}");
    assert!(a.store.get(&ok1.to_string()).is_err());
    // The unsent edit is not deleted: ok2 is listed as having left this area, and exports whole.
    let left = shumari_store::ListFilter {
        left_scope: true,
        ..Default::default()
    };
    let kept: Vec<_> = a.store.list(&left).unwrap().iter().map(|h| h.id).collect();
    assert_eq!(kept, [ok2]);
    let exported = a.store.left_scope_households().unwrap();
    assert_eq!(exported.len(), 1);
    assert_eq!(exported[0].household.answers.get("rooms"), Some(&json!(5)));
    // The next sync keeps it (the registry still refuses it; the surveyor exports it instead).
    assert_eq!(a.sync().left_scope_unsent, 0, "counted once");
    assert_eq!(a.store.list(&left).unwrap().len(), 1);
    // Moved back into AREA, it is an ordinary household again and the edit reaches the registry.
    p.set(ok2, "area", json!(AREA));
    assert_eq!(p.sync().pushed, 1);
    a.sync();
    assert!(a.store.list(&left).unwrap().is_empty());
    let mut b = reg.device(&[AREA]);
    b.sync();
    let rooms = b.store.get(&ok2.to_string()).unwrap().household.answers["rooms"].clone();
    assert_eq!(rooms, json!(5));
}

fn token(d: &TestDevice) -> String {
    d.store.kv_get(KEY_TOKEN).unwrap().unwrap()
}

/// No device can push another device's edits or take over its actor id.
pub fn forged_actor<S: Storage>(reg: &TestRegistry<S>) {
    use shumari_domain::automerge::{transaction::Transactable, AutoCommit, ReadDoc, ROOT};
    let mut a = reg.device(&[AREA]);
    let mut b = reg.device(&[AREA]);
    let id = a.add(11, AREA);
    let other = a.add(12, AREA);
    a.sync();
    b.sync();
    let a_actor = a.store.device().actor.clone();
    // B forges an edit in A's name: a change made with A's (registered) actor id.
    let mut doc = AutoCommit::load(&b.store.doc_bytes(id).unwrap())
        .unwrap()
        .with_actor(a_actor.clone());
    let before = doc.get_heads();
    let answers = match doc.get(ROOT, "answers").unwrap() {
        Some((_, oid)) => oid,
        None => panic!("no answers"),
    };
    doc.put(&answers, "q03", "forged").unwrap();
    doc.commit();
    // In the compact form, as the engine sends it: rebuilt by the registry, then checked.
    let forged = PushDoc::best(id, doc.save_after(&before));
    assert_eq!(forged.encoding, ChangeEncoding::Compact);
    // B also sends an honest edit of its own in the same batch: it must go through.
    b.set(other, "answers.q04", json!("honest"));
    let mut t = reg.transport();
    let b_actor = b.store.device().actor.to_bytes().to_vec();
    let resp = ActorsResponse::decode(
        &t.call(
            Endpoint::Actors,
            Some(&token(&b)),
            ActorsRequest {
                actors: vec![b_actor],
                key: None,
            }
            .encode(),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(resp.results[0].1.is_none());
    let honest = shumari_sync::identity::signed_unsent(&b.store, &[other])
        .unwrap()
        .pop()
        .unwrap();
    let req = PushRequest {
        docs: vec![forged, honest],
        submissions: Vec::new(),
    };
    let resp = PushResponse::decode(
        &t.call(Endpoint::Push, Some(&token(&b)), req.encode())
            .unwrap(),
    )
    .unwrap();
    // A's actor is bound to A, and A did not sign the change: it is not A's.
    match &resp.results[0].1 {
        DocOutcome::Refused(r) => assert_eq!(r.code, RefusalCode::UnsignedChange),
        other => panic!("forged change accepted: {other:?}"),
    }
    assert!(
        matches!(resp.results[1].1, DocOutcome::Accepted),
        "{resp:?}"
    );
    b.sync();
    // B cannot claim A's actor either.
    let resp = ActorsResponse::decode(
        &t.call(
            Endpoint::Actors,
            Some(&token(&b)),
            ActorsRequest {
                actors: vec![a_actor.to_bytes().to_vec()],
                key: None,
            }
            .encode(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        resp.results[0].1.as_ref().unwrap().code,
        RefusalCode::ActorTaken
    );
    // Without a token nothing is accepted.
    let err = t
        .call(
            Endpoint::Push,
            None,
            PushRequest {
                docs: vec![],
                submissions: Vec::new(),
            }
            .encode(),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        shumari_sync::TransportError::Rejected { status: 401, .. }
    ));
    // Nothing forged reached the registry or A.
    a.sync();
    let v = a.store.get(&id.to_string()).unwrap();
    assert_ne!(v.household.answers["q03"], json!("forged"));
    assert_eq!(
        a.store.get(&other.to_string()).unwrap().household.answers["q04"],
        json!("honest")
    );
    assert_converged(reg, &[&a, &b]);
}

/// Replaying a push or a pull changes nothing.
pub fn replay<S: Storage>(reg: &TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let mut b = reg.device(&[AREA]);
    let ids: Vec<_> = (0..5).map(|n| a.add(n, AREA)).collect();
    a.set(ids[0], "answers.q00", json!(9));
    // Capture the batch A would send, then sync, then replay the batch twice.
    let batch = PushRequest {
        docs: a
            .store
            .outgoing(&ids)
            .unwrap()
            .into_iter()
            .map(|o| PushDoc::raw(o.id, o.changes))
            .collect(),
        submissions: Vec::new(),
    };
    a.sync();
    b.sync();
    let counts = reg.counts();
    let heads = reg.heads();
    let mut t = reg.transport();
    for _ in 0..2 {
        let resp = PushResponse::decode(
            &t.call(Endpoint::Push, Some(&token(&a)), batch.encode())
                .unwrap(),
        )
        .unwrap();
        assert!(resp
            .results
            .iter()
            .all(|(_, o)| matches!(o, DocOutcome::Accepted)));
    }
    assert_eq!(
        reg.counts(),
        counts,
        "a replayed batch added log or audit entries"
    );
    assert_eq!(reg.heads(), heads);
    // A replayed pull: B forgets its cursor and pulls everything again.
    b.store.forget_feed_cursors().unwrap();
    let before = b.heads();
    let r = b.sync();
    assert!(r.complete);
    assert_eq!(b.heads(), before);
    assert_eq!(reg.counts(), counts);
    assert_converged(reg, &[&a, &b]);
}

/// A new device joining an area with `n` households: round trips grow with bytes, not households;
/// every message stays under the cap; a first sync cut halfway resumes after a restart.
pub fn new_device_joins<S: Storage>(reg: &TestRegistry<S>, n: u32) {
    let mut a = reg.device(&[AREA]);
    for start in (0..n).step_by(500) {
        a.add_many(start, 500.min(n - start), AREA);
    }
    let (t, stats) = Recorder::wrap(reg.transport());
    a.transport = t;
    let r = a.sync();
    assert_eq!(r.pushed, u64::from(n));
    let cap = shumari_sync::proto::DEFAULT_CHUNK_BYTES;
    {
        let s = stats.lock().unwrap();
        assert!(s.max_request <= cap, "request of {} bytes", s.max_request);
        // Batched: far fewer round trips than households, about one per 64 KiB.
        let expect = (r.bytes_sent as usize).div_ceil(cap / 2) + 4;
        assert!(
            (r.round_trips as usize) <= expect,
            "{} round trips for {} bytes",
            r.round_trips,
            r.bytes_sent
        );
    }
    eprintln!(
        "push of {n}: {} round trips, {} bytes ({} B per household)",
        r.round_trips,
        r.bytes_sent,
        r.bytes_sent / u64::from(n)
    );
    // The new device: cut after 3 exchanges, restart, resume.
    let user = reg.user("surveyor", &[AREA]);
    let mut b = reg.device_for(&user);
    let (t, stats) = Recorder::wrap(reg.transport());
    b.transport = t;
    stats.lock().unwrap().fail_after = Some(3);
    assert!(b.try_sync().is_err());
    let partial = b.heads().len();
    assert!(
        partial > 0 && partial < n as usize,
        "{partial} households after the cut"
    );
    b.restart();
    stats.lock().unwrap().fail_after = None;
    let r = b.sync();
    assert!(r.complete, "{r:?}");
    assert_eq!(
        r.pulled as usize,
        n as usize - partial,
        "resumed without re-receiving"
    );
    {
        let s = stats.lock().unwrap();
        assert!(
            s.max_response <= cap,
            "response of {} bytes",
            s.max_response
        );
        // The device reads all its heads for a digest only where a verdict can come back: the
        // first request of each round and after the feed's last page, not once per page.
        assert!(s.pulls > 8, "{} pull pages", s.pulls);
        assert!(
            s.pulls_with_digest <= 4,
            "{} of {} pulls computed the digest",
            s.pulls_with_digest,
            s.pulls
        );
    }
    assert_converged(reg, &[&a, &b]);
}

/// The registry's status of a household.
fn status_at<S: Storage>(reg: &TestRegistry<S>, id: uuid::Uuid) -> String {
    reg.show(id)["status"]
        .as_str()
        .expect("a status")
        .to_string()
}

/// A surveyor's device that approves a household is refused for that household (the registry's copy
/// is unchanged) while its other households go through; a supervisor's device may approve.
pub fn surveyor_cannot_approve<S: Storage>(reg: &TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let submitted = a.add(21, AREA);
    let other = a.add(22, AREA);
    for s in ["complete", "submitted"] {
        a.set(submitted, "status", json!(s));
    }
    let r = a.sync();
    assert!(r.refused.is_empty() && r.pushed == 2, "{r:?}");
    assert_eq!(status_at(reg, submitted), "submitted");
    let held = reg.heads()[&submitted].clone();
    // The device's own rules allow the step for some role; the registry knows this user's role.
    a.set(submitted, "status", json!("approved"));
    a.set(other, "answers.q01", json!("still being filled in"));
    // A new household that arrives approved is refused too.
    let born_approved = a.add(23, AREA);
    for s in ["complete", "submitted", "approved"] {
        a.set(born_approved, "status", json!(s));
    }
    let r = a.sync();
    let mut refused: Vec<_> = r.refused.iter().map(|x| (x.id, x.code.as_str())).collect();
    refused.sort();
    let mut expected = vec![
        (submitted, "forbidden_transition"),
        (born_approved, "forbidden_transition"),
    ];
    expected.sort();
    assert_eq!(refused, expected, "{r:?}");
    assert_eq!(r.pushed, 1, "the other household goes through: {r:?}");
    assert_eq!(
        reg.heads()[&submitted],
        held,
        "the registry's copy is unchanged"
    );
    assert_eq!(status_at(reg, submitted), "submitted");
    assert!(!reg.heads().contains_key(&born_approved));
    assert_eq!(
        reg.show(other)["answers"]["q01"],
        json!("still being filled in")
    );
    // A supervisor of the area approves households, also ones it completes and submits itself
    // between two syncs (the registry sees only where each started and where it ends).
    let mut sup = reg.device_for(&reg.user("supervisor", &[AREA]));
    sup.sync();
    let fresh = sup.add(24, AREA);
    for id in [other, fresh] {
        for s in ["complete", "submitted", "approved"] {
            sup.set(id, "status", json!(s));
        }
    }
    let r = sup.sync();
    assert!(r.refused.is_empty() && r.pushed == 2, "{r:?}");
    assert_eq!(status_at(reg, other), "approved");
    assert_eq!(status_at(reg, fresh), "approved");
}

/// Once approved, a household is closed to a surveyor's edits; a district officer may still correct it.
pub fn surveyor_cannot_edit_approved<S: Storage>(reg: &TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let id = a.add(31, AREA);
    let open = a.add(32, AREA);
    for s in ["complete", "submitted"] {
        a.set(id, "status", json!(s));
    }
    a.sync();
    let mut sup = reg.device_for(&reg.user("supervisor", &[AREA]));
    sup.sync();
    sup.set(id, "status", json!("approved"));
    assert!(sup.sync().refused.is_empty());
    let r = a.sync();
    assert_eq!(r.pulled, 1, "{r:?}");
    let held = reg.heads()[&id].clone();
    a.set(id, "answers.q02", json!("changed after approval"));
    a.set(open, "answers.q02", json!("fine"));
    let r = a.sync();
    assert_eq!(r.refused.len(), 1, "{r:?}");
    assert_eq!(
        (r.refused[0].id, r.refused[0].code.as_str()),
        (id, "forbidden_edit")
    );
    assert_eq!(r.pushed, 1, "{r:?}");
    assert_eq!(reg.heads()[&id], held, "the registry's copy is unchanged");
    // A district officer corrects it; the supervisor may return it for the surveyor to fix.
    let mut district = reg.device_for(&reg.user("district", &[AREA]));
    district.sync();
    district.set(id, "answers.q03", json!("corrected by the district"));
    let r = district.sync();
    assert!(r.refused.is_empty() && r.pushed == 1, "{r:?}");
    sup.sync();
    sup.set(id, "status", json!("returned"));
    let r = sup.sync();
    assert!(r.refused.is_empty() && r.pushed == 1, "{r:?}");
    assert_eq!(status_at(reg, id), "returned");
}

/// Province- and federal-level users and administrators work at the console: they get no enrollment
/// code, and a code issued to one before that rule enrolls no tablet.
pub fn console_users_cannot_enroll_a_tablet<S: Storage>(reg: &TestRegistry<S>) {
    for (role, area) in [
        ("province", "PK1"),
        ("federal", "PK1"),
        ("administrator", AREA),
    ] {
        let user = reg.user(role, &[area]);
        let refused = reg
            .rt
            .block_on(reg.reg.enroll_code(&user))
            .expect_err("no code for a console user");
        assert!(refused.to_string().contains("console"), "{role}: {refused}");
        let code = legacy_code(reg, &user);
        let mut d = TestDevice::new(reg.transport());
        let e = d
            .enroll(&code)
            .expect_err("a console user's code enrolls no tablet");
        let shown = e.to_string();
        assert!(
            shown.contains("forbidden") && shown.contains("console"),
            "{role}: {shown}"
        );
        assert!(
            d.store.kv_get(KEY_TOKEN).unwrap().is_none(),
            "{role}: no token kept"
        );
    }
    // A community organisation registers households in its area on a tablet.
    let mut c = reg.device_for(&reg.user("community", &[AREA]));
    c.add(41, AREA);
    assert_eq!(c.sync().pushed, 1);
}

/// The author a change names must be the user the registry enrolled the device for.
pub fn forged_author_is_refused<S: Storage>(reg: &TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let honest = a.add(51, AREA);
    assert!(a.sync().refused.is_empty());
    a.store.set_user("Someone Else (u-0000000000)").unwrap();
    let forged = a.add(52, AREA);
    let r = a.sync();
    assert_eq!(r.refused.len(), 1, "{r:?}");
    assert_eq!(
        (r.refused[0].id, r.refused[0].code.as_str()),
        (forged, "forged_author")
    );
    assert!(!reg.heads().contains_key(&forged));
    assert!(reg.heads().contains_key(&honest));
}

/// A console user's device enrolled before tablets were refused to console roles (made here straight
/// in the storage) can neither push nor pull.
pub fn console_users_old_tablet_is_refused<S: Storage>(reg: &TestRegistry<S>) {
    use sha2::{Digest, Sha256};
    use shumari_sync::proto::{Cursor, PullRequest};
    let mut a = reg.device(&[AREA]);
    a.add(61, AREA);
    a.sync();
    let user = reg.user("province", &["PK1"]);
    let code = legacy_code(reg, &user);
    let token = "a-token-issued-before-the-rule";
    let hash = |s: &str| -> [u8; 32] { Sha256::digest(s.as_bytes()).into() };
    // Enrolled now (its token unexpired): what refuses it is the role alone.
    let now = chrono::Utc::now().timestamp_millis();
    let enrolled = reg
        .rt
        .block_on(
            reg.reg
                .storage
                .redeem_code(hash(&code), now, "old-tablet", "old", hash(token)),
        )
        .expect("redeem");
    assert!(enrolled.is_some());
    let mut t = reg.transport();
    let pull = PullRequest {
        cursor: Cursor {
            seq: 0,
            snapshot: None,
            started: false,
        },
        max_bytes: 1 << 20,
        digest: [0; 8],
        assignments: false,
        signatures: false,
        bundle_key: false,
        forms: false,
        held_forms: Vec::new(),
        reviews_after: None,
    };
    let refused = t
        .call(Endpoint::Pull, Some(token), pull.encode())
        .expect_err("a console user's tablet pulls nothing");
    assert!(refused.to_string().contains("forbidden"), "{refused}");
    let push = PushRequest {
        docs: Vec::new(),
        submissions: Vec::new(),
    };
    let refused = t
        .call(Endpoint::Push, Some(token), push.encode())
        .expect_err("a console user's tablet pushes nothing");
    assert!(refused.to_string().contains("forbidden"), "{refused}");
}

/// An enrollment code for `user` stored straight in the registry's storage, as one issued before
/// console users were refused codes.
fn legacy_code<S: Storage>(reg: &TestRegistry<S>, user: &str) -> String {
    use sha2::{Digest, Sha256};
    let code: String = format!("legacy{user}")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let hash: [u8; 32] = Sha256::digest(code.as_bytes()).into();
    reg.rt
        .block_on(reg.reg.storage.add_enroll_code(user, hash, i64::MAX))
        .expect("store a code");
    code
}
