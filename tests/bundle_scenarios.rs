//! USB bundles end to end, on SQLite and PostgreSQL: a household travels from one tablet to the
//! registry and down to a colleague's tablet by files only, and the first tablet learns from the
//! registry's file that its work arrived; a bundle imported twice changes nothing; a truncated,
//! damaged, foreign, altered or unknown sender's bundle is refused with nothing applied; a
//! colleague's change relayed in a bundle is accepted by its author's signature, and one altered
//! on the way is refused; a household outside the device's areas is refused as a push would be;
//! the forms of a tablet's areas travel down in its file and its reports up, each stored once.

use serde_json::json;
use sha2::{Digest, Sha256};
use shumari_proto::bundle::{self, Contents, Direction, Header, Part, REGISTRY};
use shumari_proto::message::{PushDoc, PushRequest};
use shumari_proto::signing::DeviceKey;
use shumari_registry::storage::Storage;
use shumari_registry::RegistryError;
use shumari_scenarios::{meal_report, on_both, other_area, TestDevice, TestRegistry, AREA};
use shumari_sync::bundle::{export_for_registry, import_from_registry, registry_key};
use shumari_sync::engine::KEY_DEVICE;
use shumari_sync::identity::outgoing_signed;
use uuid::Uuid;

/// The registry's bundle key (a key file in production; any 32 bytes here).
fn registry_bundle_key<S: Storage>(r: &TestRegistry<S>) -> DeviceKey {
    let key = DeviceKey::from_secret([42; 32]);
    r.rt.block_on(r.reg.adopt_bundle_key(&key))
        .expect("adopt the key");
    key
}

fn device_id(d: &TestDevice) -> String {
    d.store.kv_get(KEY_DEVICE).expect("kv").expect("enrolled")
}

fn import_up<S: Storage>(
    r: &TestRegistry<S>,
    key: &DeviceKey,
    bytes: &[u8],
) -> Result<shumari_registry::service::BundleImport, RegistryError> {
    r.rt.block_on(r.reg.import_bundle(key, bytes))
}

fn export_down<S: Storage>(r: &TestRegistry<S>, key: &DeviceKey, d: &TestDevice) -> Vec<u8> {
    r.rt.block_on(r.reg.export_bundle(key, &device_id(d), false))
        .expect("export")
        .bytes
}

fn refusal_code(e: RegistryError) -> &'static str {
    match e {
        RegistryError::Bundle(b) => b.code(),
        other => panic!("not a bundle refusal: {other:?}"),
    }
}

fn up_and_down_by_files_only<S: Storage>(r: &mut TestRegistry<S>) {
    let key = registry_bundle_key(r);
    // Both tablets enrolled after the registry made its key: they learnt it at enrollment.
    let mut a = r.device(&[AREA]);
    let user_b = r.user("surveyor", &[AREA]);
    let mut b = r.device_for(&user_b);
    assert_eq!(registry_key(&a.store).expect("kv"), Some(key.public()));
    let h = a.add(1, AREA);
    a.set(h, "answers.q03", json!("Mohalla by USB"));

    // Up: A's file, imported at the registry as A's push.
    let up = export_for_registry(&mut a.store, false).expect("export");
    assert_eq!(up.households, 1);
    let report = import_up(r, &key, &up.bytes).expect("import");
    assert_eq!((report.households, report.accepted), (1, 1));
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(r.heads()[&h], a.heads()[&h]);
    assert_eq!(r.show(h)["answers"]["q03"], json!("Mohalla by USB"));
    // The access trail names the bundle.
    let trail = r.rt.block_on(r.reg.access_audit(0, 10_000)).expect("trail");
    assert!(trail.iter().any(|e| e.action == "bundle.import"));

    // Twice: nothing changes.
    let counts = r.counts();
    let heads = r.heads();
    let again = import_up(r, &key, &up.bytes).expect("import again");
    assert_eq!(again.refused.len(), 0);
    assert_eq!(r.counts(), counts, "no log entry nor audit row added");
    assert_eq!(r.heads(), heads);

    // Down: B's file carries the household with A's signatures; B never touched a network since
    // enrolling.
    let down = export_down(r, &key, &b);
    let got = import_from_registry(&mut b.store, &down).expect("import on B");
    assert_eq!(got.pulled, 1);
    assert!(got.refused.is_empty());
    assert_eq!(b.heads()[&h], a.heads()[&h]);
    assert!(!b.store.signatures_of(&h).expect("records").is_empty());
    // Twice on the tablet: nothing changes.
    let before = b.heads();
    import_from_registry(&mut b.store, &down).expect("import again on B");
    assert_eq!(b.heads(), before);
    // The office names the tablet by the short id its Settings screen shows, in any case; a
    // short id no device holds is an unknown recipient.
    let short = b.store.device().short_id.clone();
    let by_short =
        r.rt.block_on(
            r.reg
                .export_bundle(&key, &format!(" {} ", short.to_lowercase()), false),
        )
        .expect("export by short id");
    import_from_registry(&mut b.store, &by_short.bytes).expect("B's file, named by short id");
    assert_eq!(b.heads(), before);
    let unknown =
        r.rt.block_on(r.reg.export_bundle(&key, "ZZZZZ9", false))
            .unwrap_err();
    assert_eq!(refusal_code(unknown), "unknown_sender");

    // A's own file back from the registry acknowledges its work: nothing is left to send.
    assert!(!a.store.unsynced_ids().expect("unsynced").is_empty());
    let back = export_down(r, &key, &a);
    let ack = import_from_registry(&mut a.store, &back).expect("import on A");
    assert!(ack.acknowledged >= 1);
    assert!(a.store.unsynced_ids().expect("unsynced").is_empty());
    assert_eq!(
        export_for_registry(&mut a.store, false)
            .expect("export")
            .households,
        0
    );

    // B edits; the edit travels up and down again, and both tablets and the registry agree.
    b.set(h, "answers.q03", json!("Edited on B"));
    let up_b = export_for_registry(&mut b.store, false).expect("export B");
    assert_eq!(
        import_up(r, &key, &up_b.bytes).expect("import B").accepted,
        1
    );
    let down_a = export_down(r, &key, &a);
    import_from_registry(&mut a.store, &down_a).expect("import on A");
    assert_eq!(a.heads(), b.heads());
    assert_eq!(r.heads()[&h], a.heads()[&h]);
    // An online sync afterwards finds everything in place.
    assert!(a.sync().complete);
    assert!(b.sync().complete);
}

fn bad_bundles_are_refused_with_nothing_applied<S: Storage>(r: &mut TestRegistry<S>) {
    let key = registry_bundle_key(r);
    let mut a = r.device(&[AREA]);
    let mut b = r.device(&[AREA]);
    a.add(2, AREA);
    let up = export_for_registry(&mut a.store, false)
        .expect("export")
        .bytes;
    let counts = r.counts();
    let heads = r.heads();
    let unchanged = |r: &TestRegistry<S>| {
        assert_eq!(r.counts(), counts);
        assert_eq!(r.heads(), heads);
    };

    // Truncated.
    let e = import_up(r, &key, &up[..up.len() - 100]).unwrap_err();
    assert_eq!(refusal_code(e), "truncated");
    unchanged(r);
    // A flipped byte (a damaged stick).
    let mut flipped = up.clone();
    let at = up.len() / 2;
    flipped[at] ^= 0x04;
    assert_eq!(
        refusal_code(import_up(r, &key, &flipped).unwrap_err()),
        "corrupted"
    );
    unchanged(r);
    // Tampered: a byte changed and the checksum made to match; the signature catches it.
    let mut tampered = flipped.clone();
    let n = tampered.len();
    let sum: [u8; 32] = Sha256::digest(&tampered[..n - 32]).into();
    tampered[n - 32..].copy_from_slice(&sum);
    assert_eq!(
        refusal_code(import_up(r, &key, &tampered).unwrap_err()),
        "tampered"
    );
    unchanged(r);
    // Foreign: made for another registry's key.
    let other_registry = DeviceKey::from_secret([7; 32]);
    let a_key = DeviceKey::from_secret(*a.store.device_key().expect("kv").expect("key").secret);
    let header = Header::new(
        Direction::Up,
        &device_id(&a),
        a_key.public(),
        REGISTRY,
        other_registry.public(),
        0,
    );
    let foreign = bundle::seal(&header, &Contents::default(), &a_key).expect("seal");
    assert_eq!(
        refusal_code(import_up(r, &key, &foreign).unwrap_err()),
        "foreign"
    );
    // Unknown sender: a device key the registry never registered, claiming to be A.
    let impostor = DeviceKey::from_secret([9; 32]);
    let header = Header::new(
        Direction::Up,
        &device_id(&a),
        impostor.public(),
        REGISTRY,
        key.public(),
        0,
    );
    let docs = outgoing_signed(&a.store, &a.store.unsynced_ids().expect("ids")).expect("docs");
    let forged = Contents {
        parts: vec![Part::Push(PushRequest {
            docs: docs
                .into_iter()
                .map(|o| PushDoc::raw(o.id, o.changes))
                .collect(),
            submissions: Vec::new(),
        })],
    };
    let forged = bundle::seal(&header, &forged, &impostor).expect("seal");
    assert_eq!(
        refusal_code(import_up(r, &key, &forged).unwrap_err()),
        "unknown_sender"
    );
    let nobody = Header::new(
        Direction::Up,
        "no-such-device",
        impostor.public(),
        REGISTRY,
        key.public(),
        0,
    );
    let nobody = bundle::seal(&nobody, &Contents::default(), &impostor).expect("seal");
    assert_eq!(
        refusal_code(import_up(r, &key, &nobody).unwrap_err()),
        "unknown_sender"
    );
    unchanged(r);

    // On a tablet: A's downward bundle is foreign to B, and damaged ones are refused.
    import_up(r, &key, &up).expect("the sound bundle still imports");
    let for_a = export_down(r, &key, &a);
    let b_before = b.heads();
    let e = import_from_registry(&mut b.store, &for_a).unwrap_err();
    assert!(
        matches!(e, shumari_sync::SyncError::Bundle(ref x) if x.code() == "foreign"),
        "{e:?}"
    );
    let for_b = export_down(r, &key, &b);
    let e = import_from_registry(&mut b.store, &for_b[..for_b.len() / 2]).unwrap_err();
    assert!(
        matches!(e, shumari_sync::SyncError::Bundle(ref x) if x.code() == "truncated"),
        "{e:?}"
    );
    let mut bad = for_b.clone();
    let at = bad.len() - 80;
    bad[at] ^= 1;
    let e = import_from_registry(&mut b.store, &bad).unwrap_err();
    assert!(
        matches!(e, shumari_sync::SyncError::Bundle(ref x) if x.code() == "corrupted"),
        "{e:?}"
    );
    assert_eq!(b.heads(), b_before, "nothing applied on B");
    // A bundle signed by someone else than the registry B knows: unknown sender.
    let fake_registry = DeviceKey::from_secret([8; 32]);
    let b_key = DeviceKey::from_secret(*b.store.device_key().expect("kv").expect("key").secret);
    let header = Header::new(
        Direction::Down,
        REGISTRY,
        fake_registry.public(),
        &device_id(&b),
        b_key.public(),
        0,
    );
    let fake = bundle::seal(&header, &Contents::default(), &fake_registry).expect("seal");
    let e = import_from_registry(&mut b.store, &fake).unwrap_err();
    assert!(
        matches!(e, shumari_sync::SyncError::Bundle(ref x) if x.code() == "unknown_sender"),
        "{e:?}"
    );
    assert_eq!(b.heads(), b_before);
    // The sound one applies.
    import_from_registry(&mut b.store, &for_b).expect("sound");
    assert_eq!(b.heads(), a.heads());
}

fn a_colleagues_change_relayed_in_a_bundle_is_verified_by_its_author<S: Storage>(
    r: &mut TestRegistry<S>,
) {
    let key = registry_bundle_key(r);
    let mut a = r.device(&[AREA]);
    let mut b = r.device(&[AREA]);
    let h = a.add(3, AREA);
    assert!(a.sync().refused.is_empty());
    assert!(b.sync().refused.is_empty());
    // A's edit reaches B's tablet (a colleague's hand-over); A never sends it.
    a.set(h, "answers.q03", json!("Relayed by B"));
    let o = outgoing_signed(&a.store, &[h])
        .expect("outgoing")
        .pop()
        .expect("h");
    let b_heads = b
        .store
        .all_heads()
        .expect("heads")
        .into_iter()
        .find(|(id, _)| *id == h)
        .expect("held")
        .1;
    for (_, res) in b
        .store
        .apply_remote(&[(h, o.changes.clone(), b_heads)])
        .expect("apply")
    {
        res.expect("applied");
    }
    b.store
        .keep_signatures(&[(h, o.signatures.clone())])
        .expect("keep");
    // B's bundle carries A's change with A's signature: accepted at the registry.
    let up = export_for_registry(&mut b.store, false).expect("export");
    let report = import_up(r, &key, &up.bytes).expect("import");
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(r.show(h)["answers"]["q03"], json!("Relayed by B"));
    assert_eq!(r.heads()[&h], a.heads()[&h]);

    // A change altered on the way (A's record, another change) is refused for the household.
    a.set(h, "answers.q03", json!("Second edit"));
    let o = outgoing_signed(&a.store, &[h])
        .expect("outgoing")
        .pop()
        .expect("h");
    // Every record altered (the one of the change the registry already holds is ignored; the new
    // change's no longer verifies).
    let mut records = o.signatures.clone();
    for r in &mut records {
        r.signature[3] ^= 1;
    }
    let b_key = DeviceKey::from_secret(*b.store.device_key().expect("kv").expect("key").secret);
    let header = Header::new(
        Direction::Up,
        &device_id(&b),
        b_key.public(),
        REGISTRY,
        key.public(),
        0,
    );
    let contents = Contents {
        parts: vec![Part::Push(PushRequest {
            docs: vec![PushDoc::raw(h, o.changes.clone()).signed(
                records
                    .into_iter()
                    .map(shumari_sync::identity::to_wire)
                    .collect(),
            )],
            submissions: Vec::new(),
        })],
    };
    let file = bundle::seal(&header, &contents, &b_key).expect("seal");
    let before = r.heads();
    let report = import_up(r, &key, &file).expect("the bundle itself is sound");
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].code, "bad_signature");
    assert_eq!(r.heads(), before, "nothing of the altered change stored");
}

fn out_of_scope_households_are_refused_as_a_push_would_be<S: Storage>(r: &mut TestRegistry<S>) {
    let key = registry_bundle_key(r);
    let mut a = r.device(&[AREA]);
    let inside = a.add(4, AREA);
    let outside = a.add(5, &other_area());
    let up = export_for_registry(&mut a.store, false).expect("export");
    let report = import_up(r, &key, &up.bytes).expect("import");
    assert_eq!(report.accepted, 1);
    let refused: Vec<(Uuid, String)> = report
        .refused
        .iter()
        .map(|x| (x.id, x.code.clone()))
        .collect();
    assert_eq!(refused, vec![(outside, "out_of_scope".to_string())]);
    assert!(r.heads().contains_key(&inside));
    assert!(!r.heads().contains_key(&outside));
}

/// A device enrolled before the registry had a bundle key learns it at its next online pull.
fn a_device_enrolled_before_the_key_learns_it_on_its_next_sync<S: Storage>(
    r: &mut TestRegistry<S>,
) {
    let mut a = r.device(&[AREA]);
    assert_eq!(registry_key(&a.store).expect("kv"), None);
    assert!(matches!(
        export_for_registry(&mut a.store, false),
        Err(shumari_sync::SyncError::Bundle(ref e)) if e.code() == "unknown_sender"
    ));
    let key = registry_bundle_key(r);
    assert!(a.sync().complete);
    assert_eq!(registry_key(&a.store).expect("kv"), Some(key.public()));
    // A key file that is not the registry's is refused.
    let wrong = DeviceKey::from_secret([1; 32]);
    assert!(r.rt.block_on(r.reg.adopt_bundle_key(&wrong)).is_err());
}

on_both!(up_down_sqlite, up_down_postgres, up_and_down_by_files_only);
on_both!(
    refused_sqlite,
    refused_postgres,
    bad_bundles_are_refused_with_nothing_applied
);
on_both!(
    relay_sqlite,
    relay_postgres,
    a_colleagues_change_relayed_in_a_bundle_is_verified_by_its_author
);
on_both!(
    scope_sqlite,
    scope_postgres,
    out_of_scope_households_are_refused_as_a_push_would_be
);
on_both!(
    learn_key_sqlite,
    learn_key_postgres,
    a_device_enrolled_before_the_key_learns_it_on_its_next_sync
);

const MEAL_CENTRE: &str = include_str!("../crates/forms/questionnaires/meal_centre_daily.toml");

/// A tablet that never syncs online receives the forms of its areas in its bundle, fills a report
/// and sends it up in its own bundle: stored once, however often the files are imported.
fn forms_and_reports_travel_by_files<S: Storage>(r: &mut TestRegistry<S>) {
    let key = registry_bundle_key(r);
    let mut a = r.device(&[AREA]);
    r.rt.block_on(r.reg.publish_form(
        None,
        "meal_centre_daily.toml",
        MEAL_CENTRE.as_bytes(),
        &[AREA.into()],
    ))
    .expect("publish");
    assert!(a.store.forms().expect("forms").is_empty());

    // Down: the file carries the form; a second import keeps one copy.
    let down = export_down(r, &key, &a);
    let got = import_from_registry(&mut a.store, &down).expect("import on A");
    assert_eq!(got.forms, 1);
    let held = a.store.forms().expect("forms");
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].source, MEAL_CENTRE.as_bytes());
    let again = import_from_registry(&mut a.store, &down).expect("again on A");
    assert_eq!(again.forms, 0);
    assert_eq!(a.store.forms().expect("forms").len(), 1);

    // A report filled with it, submitted, and carried up in a file with no household.
    let draft = a.file_report(
        "meal_centre_daily",
        "1",
        AREA,
        &meal_report(355),
        1_780_000_000_000,
    );
    let up = export_for_registry(&mut a.store, false).expect("export");
    assert_eq!((up.households, up.reports), (0, 1));
    let stored = |r: &TestRegistry<S>| {
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
    };
    let first = import_up(r, &key, &up.bytes).expect("import");
    assert_eq!(first.reports_stored, 1);
    assert!(first.reports_refused.is_empty(), "{first:?}");
    let rows = stored(r);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, draft.id.to_string());
    assert_eq!(rows[0].answers["meals_served"], json!(355));

    // Imported twice: nothing new at the registry.
    let twice = import_up(r, &key, &up.bytes).expect("import again");
    assert_eq!(twice.reports_stored, 1, "already stored counts as stored");
    assert_eq!(stored(r).len(), 1);

    // The report stays queued until an online sync hears the answer; that sync stores nothing
    // twice.
    assert_eq!(
        a.store.report(draft.id).expect("read").expect("kept").state,
        "queued"
    );
    let synced = a.sync();
    assert_eq!(synced.reports_sent, 1);
    assert_eq!(
        a.store.report(draft.id).expect("read").expect("kept").state,
        "sent"
    );
    assert_eq!(stored(r).len(), 1);
    assert_eq!(
        export_for_registry(&mut a.store, false)
            .expect("export")
            .reports,
        0,
        "nothing left to carry"
    );
}

on_both!(
    forms_reports_sqlite,
    forms_reports_postgres,
    forms_and_reports_travel_by_files
);
