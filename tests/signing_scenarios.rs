//! Signed changes end to end, on SQLite and PostgreSQL: a colleague's tablet relays a change the
//! registry never received and everything converges; a relayed change altered on the way, with a
//! forged signature, signed by the relaying device's own key or not signed at all is refused,
//! audited, and nothing of it is stored; a device enrolled before keys existed keeps syncing, registers
//! its key at its next sync, and from then on its changes are signed and verified.

use serde_json::json;
use sha2::{Digest, Sha256};
use shumari_proto::message::{
    ActorsRequest, ActorsResponse, DocOutcome, EnrollRequest, EnrollResponse, Message, PushDoc,
    PushRequest, PushResponse,
};
use shumari_proto::signing::{self, DeviceKey, SignedChange};
use shumari_proto::{Endpoint, RefusalCode};
use shumari_registry::storage::{SigningStore, Storage};
use shumari_scenarios::{on_both, TestDevice, TestRegistry, AREA};
use shumari_store::OutgoingDoc;
use shumari_sync::engine::{KEY_DEVICE, KEY_TOKEN};
use shumari_sync::identity::{outgoing_signed, to_wire};
use uuid::Uuid;

/// Two surveyors of one area, each with an enrolled tablet, and a household made by the first that
/// both hold.
fn colleagues<S: Storage>(r: &TestRegistry<S>) -> (TestDevice, TestDevice, Uuid) {
    let mut a = r.device(&[AREA]);
    let mut b = r.device(&[AREA]);
    let h = a.add(1, AREA);
    a.set(h, "answers.q03", json!("Mohalla Ayesha Bibi"));
    assert!(a.sync().refused.is_empty());
    assert!(b.sync().refused.is_empty());
    // The colleague received the household with its author's signatures, so it can relay it.
    let kept = b.store.signatures_of(&h).expect("signatures");
    let a_key = a
        .store
        .device_key()
        .expect("key")
        .expect("made at enrollment");
    assert!(a_key.registered);
    let a_pub = DeviceKey::from_secret(*a_key.secret).public();
    assert!(!kept.is_empty());
    assert!(kept
        .iter()
        .all(|r| signing::verify(&a_pub, &to_wire(r.clone()))));
    (a, b, h)
}

/// The first tablet's next edit of `h`, not sent: its raw change bytes and records.
fn unsent_edit(a: &mut TestDevice, h: Uuid, value: &str) -> OutgoingDoc {
    a.set(h, "answers.q03", json!(value));
    let mut out = outgoing_signed(&a.store, &[h]).expect("outgoing");
    let o = out.pop().expect("the household");
    assert_eq!(o.signatures.len(), 1, "one change, signed by its device");
    o
}

fn token(d: &TestDevice) -> String {
    d.store.kv_get(KEY_TOKEN).expect("kv").expect("enrolled")
}

/// Pushes one household's raw changes with `records` as device `d`, bypassing its engine.
fn push_raw(
    d: &mut TestDevice,
    h: Uuid,
    changes: Vec<u8>,
    records: Vec<SignedChange>,
) -> DocOutcome {
    let body = PushRequest {
        docs: vec![PushDoc::raw(h, changes).signed(records)],
        submissions: Vec::new(),
    }
    .encode();
    let tok = token(d);
    let resp = d
        .transport
        .call(Endpoint::Push, Some(&tok), body)
        .expect("push");
    PushResponse::decode(&resp)
        .expect("response")
        .results
        .pop()
        .expect("one outcome")
        .1
}

fn refused(o: DocOutcome) -> RefusalCode {
    match o {
        DocOutcome::Refused(r) => r.code,
        DocOutcome::Accepted => panic!("accepted"),
    }
}

/// `change.refused` rows of the access trail, as (subject, detail).
fn refusals<S: Storage>(r: &TestRegistry<S>) -> Vec<(String, String)> {
    r.rt.block_on(r.reg.access_audit(0, 10_000))
        .expect("trail")
        .into_iter()
        .filter(|e| e.action == "change.refused")
        .map(|e| (e.subject.unwrap_or_default(), e.detail.unwrap_or_default()))
        .collect()
}

fn relay_by_a_colleague_is_accepted_and_converges<S: Storage>(r: &mut TestRegistry<S>) {
    let (mut a, mut b, h) = colleagues(r);
    // A's edit travels to B by another path (a hub, a file); A never syncs it.
    let before = b.heads()[&h].clone();
    let o = unsent_edit(&mut a, h, "Mohalla Bilal");
    let heads_b: Vec<_> = b
        .store
        .all_heads()
        .expect("heads")
        .into_iter()
        .find(|(id, _)| *id == h)
        .expect("held")
        .1;
    for (_, res) in b
        .store
        .apply_remote(&[(h, o.changes.clone(), heads_b)])
        .expect("apply")
    {
        res.expect("applied");
    }
    b.store
        .keep_signatures(&[(h, o.signatures.clone())])
        .expect("keep");
    assert_ne!(b.heads()[&h], before);
    // B pushes A's change with A's signature: accepted.
    let report = b.sync();
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(r.heads()[&h], a.heads()[&h], "the registry has A's edit");
    assert_eq!(r.show(h)["answers"]["q03"], json!("Mohalla Bilal"));
    // The registry kept the signature beside the change, and A's next sync changes nothing there.
    let held =
        r.rt.block_on(r.reg.storage.household_signatures(&[h]))
            .expect("records")
            .pop()
            .expect("one")
            .1;
    assert!(held.contains(&to_wire(o.signatures[0].clone())));
    assert!(a.sync().refused.is_empty());
    assert!(b.sync().complete);
    assert_eq!(a.heads(), b.heads());
    assert_eq!(a.heads(), r.heads());
    assert!(refusals(r).is_empty());
}

fn altered_forged_and_misattributed_relays_are_refused<S: Storage>(r: &mut TestRegistry<S>) {
    let (mut a, mut b, h) = colleagues(r);
    let o = unsent_edit(&mut a, h, "Mohalla Ayesha Bibi Sahiba");
    let good = to_wire(o.signatures[0].clone());
    let counts = r.counts();
    let heads = r.heads();

    // One flipped byte inside the change (a letter of the value), the chunk's checksum made right
    // again so that only the signature can tell: the record names the altered change's hash.
    let mut altered = o.changes.clone();
    let at = altered
        .windows(6)
        .position(|w| w == b"Sahiba")
        .expect("the value in the change");
    altered[at] ^= 0x01;
    let (hash, altered) = rechecksum(altered);
    let cases: Vec<(&str, Vec<u8>, Vec<SignedChange>, RefusalCode)> = vec![
        (
            "altered",
            altered,
            vec![SignedChange {
                hash,
                signature: good.signature,
            }],
            RefusalCode::BadSignature,
        ),
        (
            "forged",
            o.changes.clone(),
            vec![SignedChange {
                hash: good.hash,
                signature: [0x5a; 64],
            }],
            RefusalCode::BadSignature,
        ),
        (
            "signed by the relay",
            o.changes.clone(),
            vec![relay_key(&b).sign(&good.hash)],
            RefusalCode::BadSignature,
        ),
        (
            "missing",
            o.changes.clone(),
            vec![],
            RefusalCode::UnsignedChange,
        ),
    ];
    for (n, (what, changes, records, code)) in cases.into_iter().enumerate() {
        assert_eq!(
            refused(push_raw(&mut b, h, changes, records)),
            code,
            "{what}"
        );
        // Nothing of it was stored: no log entry, no audit row, the same heads.
        assert_eq!(r.counts(), counts, "{what}");
        assert_eq!(r.heads(), heads, "{what}");
        // The refusal is on the access trail with its code and both devices.
        let trail = refusals(r);
        assert_eq!(trail.len(), n + 1, "{what}");
        let (subject, detail) = trail.last().expect("row");
        assert_eq!(*subject, h.to_string());
        assert!(detail.contains(&format!("code={code}")), "{detail}");
        let b_dev = b.store.kv_get(KEY_DEVICE).expect("kv").expect("id");
        let a_dev = a.store.kv_get(KEY_DEVICE).expect("kv").expect("id");
        assert!(detail.contains(&format!("pushed_by={b_dev}")), "{detail}");
        assert!(detail.contains(&format!("made_on={a_dev}")), "{detail}");
    }
    // The genuine change, relayed with its own record, still goes through.
    assert_eq!(
        push_raw(&mut b, h, o.changes.clone(), vec![good]),
        DocOutcome::Accepted
    );
    assert!(a.sync().refused.is_empty());
    assert_eq!(a.heads()[&h], r.heads()[&h]);
}

/// The relaying tablet's own key.
fn relay_key(d: &TestDevice) -> DeviceKey {
    DeviceKey::from_secret(*d.store.device_key().expect("key").expect("made").secret)
}

/// A raw automerge change chunk with its checksum recomputed for its (altered) body; returns the
/// new change hash and the chunk.
fn rechecksum(mut chunk: Vec<u8>) -> ([u8; 32], Vec<u8>) {
    // magic (4), checksum (4), then what the hash covers: type, length, body.
    let hash: [u8; 32] = Sha256::digest(&chunk[8..]).into();
    chunk[4..8].copy_from_slice(&hash[..4]);
    (hash, chunk)
}

fn a_device_enrolled_before_keys_registers_one_and_signs_from_then_on<S: Storage>(
    r: &mut TestRegistry<S>,
) {
    // Enrolled as a build without keys did: the code redeemed, the token kept, no key.
    let user = r.user("surveyor", &[AREA]);
    let mut old = TestDevice::new(r.transport());
    let resp = old
        .transport
        .call(
            Endpoint::Enroll,
            None,
            EnrollRequest {
                code: r.code(&user),
                label: "old".into(),
                short_id: old.store.device().short_id.clone(),
                bundle_key: false,
            }
            .encode(),
        )
        .expect("enroll");
    let e = EnrollResponse::decode(&resp).expect("response");
    old.store.kv_set(KEY_TOKEN, &e.token).expect("token");
    old.store.kv_set(KEY_DEVICE, &e.device_id).expect("device");
    old.store.adopt_short_id(&e.short_id).expect("short id");
    old.store
        .set_user(&shumari_domain::roles::author_name(
            &e.user_name,
            &e.user_id,
        ))
        .expect("user");
    // Its household, pushed unsigned after registering its actor without a key: accepted.
    let h = old.add(7, AREA);
    let actors: Vec<Vec<u8>> = old
        .store
        .actors()
        .expect("actors")
        .into_iter()
        .map(|(a, _)| a.to_bytes().to_vec())
        .collect();
    let resp = old
        .transport
        .call(
            Endpoint::Actors,
            Some(&e.token),
            ActorsRequest { actors, key: None }.encode(),
        )
        .expect("actors");
    assert!(ActorsResponse::decode(&resp)
        .expect("response")
        .key
        .is_none());
    let o = old
        .store
        .outgoing(&[h])
        .expect("outgoing")
        .pop()
        .expect("one");
    assert!(o.signatures.is_empty());
    assert_eq!(
        push_raw(&mut old, h, o.changes, vec![]),
        DocOutcome::Accepted
    );
    assert!(old.store.device_key().expect("key").is_none());

    // Its first sync with this build makes a key and registers it.
    assert!(old.sync().refused.is_empty());
    let key = old.store.device_key().expect("key").expect("made");
    assert!(key.registered);
    let public = DeviceKey::from_secret(*key.secret).public();
    let held =
        r.rt.block_on(
            r.reg
                .storage
                .device_signers(std::slice::from_ref(&e.device_id)),
        )
        .expect("signers");
    assert_eq!(held[0].key, Some(public));

    // Its later changes are signed and verified, and the registry keeps their records.
    old.set(h, "answers.q03", json!("after the upgrade"));
    assert!(old.sync().refused.is_empty());
    let records =
        r.rt.block_on(r.reg.storage.household_signatures(&[h]))
            .expect("records")
            .pop()
            .expect("one")
            .1;
    assert_eq!(records.len(), 1, "only the change made after the upgrade");
    assert!(signing::verify(&public, &records[0]));
    assert_eq!(r.show(h)["answers"]["q03"], json!("after the upgrade"));

    // From now on an unsigned change from it is refused, and nothing of it is stored.
    old.set(h, "answers.q03", json!("unsigned"));
    let o = old
        .store
        .outgoing(&[h])
        .expect("outgoing")
        .pop()
        .expect("one");
    let counts = r.counts();
    assert_eq!(
        refused(push_raw(&mut old, h, o.changes, vec![])),
        RefusalCode::UnsignedChange
    );
    assert_eq!(r.counts(), counts);
    // A second key for the device is refused; the first stays.
    let other = DeviceKey::from_secret([9; 32]).public();
    let resp = old
        .transport
        .call(
            Endpoint::Actors,
            Some(&token(&old)),
            ActorsRequest {
                actors: vec![],
                key: Some(other),
            }
            .encode(),
        )
        .expect("actors");
    match ActorsResponse::decode(&resp).expect("response").key {
        Some(shumari_proto::message::KeyOutcome::Refused(r)) => {
            assert_eq!(r.code, RefusalCode::KeyTaken)
        }
        k => panic!("{k:?}"),
    }
    // Its own engine signs the change it makes next, and the round completes.
    assert!(old.sync().refused.is_empty());
    assert_eq!(r.show(h)["answers"]["q03"], json!("unsigned"));
}

on_both!(
    relay_sqlite,
    relay_postgres,
    relay_by_a_colleague_is_accepted_and_converges
);
on_both!(
    tampered_relays_sqlite,
    tampered_relays_postgres,
    altered_forged_and_misattributed_relays_are_refused
);
on_both!(
    upgrade_sqlite,
    upgrade_postgres,
    a_device_enrolled_before_keys_registers_one_and_signs_from_then_on
);

/// The registry's own access to stored keys is what the scenarios read; keep the device id
/// type honest.
#[test]
fn signer_lookup_of_an_unknown_device_is_empty() {
    let r = TestRegistry::sqlite();
    let none =
        r.rt.block_on(r.reg.storage.device_signers(&["nobody".to_string()]))
            .expect("signers");
    assert!(none.is_empty());
}
