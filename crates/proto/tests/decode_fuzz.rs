//! The fuzz target's body (`fuzz/fuzz_targets/decode_body.rs`) run as an ordinary test over many
//! random inputs, so that stable toolchains and CI exercise the decoders too: arbitrary bytes, valid
//! frames around random payloads, and real messages with bytes flipped, cut or appended; and real
//! automerge bytes (a saved household, its change chunks, their compact form) mutated the same way,
//! through the registry's path (`inspect`, then automerge's load). No decoder may panic, and every
//! well-formed message must decode to itself.
//!
//! More cases: `SHUMARI_FUZZ_CASES=100000 cargo test -p shumari-proto --test decode_fuzz`.

use proptest::prelude::*;
use shumari_proto::codec::{frame, Writer};
use shumari_proto::message::{
    ActorsRequest, ActorsResponse, ChangeEncoding, CheckRequest, CheckResponse, CheckVerdict,
    Cursor, DocChanges, DocOutcome, EnrollResponse, FormSubmission, HeldForm, KeyOutcome, Message,
    PublishedForm, PullRequest, PullResponse, PushDoc, PushRequest, PushResponse, Refusal,
    RefusalCode, ReportReview, Role, SubmissionOutcome, BUCKETS, PROTOCOL_VERSION,
};
use shumari_proto::signing::{DeviceKey, SignedChange};
use uuid::Uuid;

include!("../../../fuzz/fuzz_targets/decode_body.rs");

fn cases() -> u32 {
    std::env::var("SHUMARI_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

/// `n % 3` signature records for the changes `n` names (none for every third document).
fn records(n: u8) -> Vec<SignedChange> {
    let key = DeviceKey::from_secret([n; 32]);
    (0..n % 3)
        .map(|i| key.sign(&[n.wrapping_add(i); 32]))
        .collect()
}

fn doc(n: u8) -> DocChanges {
    DocChanges {
        id: Uuid::from_bytes([n; 16]),
        changes: vec![n; 40 + n as usize],
        heads: vec![[n; 32], [n.wrapping_add(1); 32]],
        signatures: records(n),
    }
}

fn submission(n: u8) -> FormSubmission {
    FormSubmission {
        id: Uuid::from_bytes([n; 16]),
        form_id: "meal_centre_daily".into(),
        version: n.to_string(),
        area: "PK10101".into(),
        answers: format!("{{\"meals_served\": {n}}}"),
        filled_at: 1_780_000_000_000 + u64::from(n),
    }
}

fn push_doc(n: u8) -> PushDoc {
    PushDoc {
        id: Uuid::from_bytes([n; 16]),
        changes: vec![n; 40 + n as usize],
        encoding: if n.is_multiple_of(2) {
            ChangeEncoding::Raw
        } else {
            ChangeEncoding::Compact
        },
        signatures: records(n),
    }
}

/// Payloads of real messages of several kinds, with their frame kind.
fn samples() -> Vec<(u8, Vec<u8>)> {
    fn payload<M: Message>(m: &M) -> (u8, Vec<u8>) {
        let mut w = Writer::new();
        m.write(&mut w);
        (M::KIND, w.into_inner())
    }
    vec![
        payload(&EnrollResponse {
            token: "ab".repeat(32),
            device_id: "d-1".into(),
            user_id: "u-1".into(),
            user_name: "Surveyor".into(),
            role: Role::Supervisor,
            areas: vec!["PK10101".into()],
            short_id: "K7QD2".into(),
            bundle_key: Some([8; 32]),
        }),
        payload(&PushRequest {
            docs: (0..4).map(push_doc).collect(),
            submissions: Vec::new(),
        }),
        // Reports after documents without signatures (empty signature lists precede them).
        payload(&PushRequest {
            docs: vec![push_doc(3)],
            submissions: vec![submission(1), submission(2)],
        }),
        payload(&PushRequest {
            docs: Vec::new(),
            submissions: vec![submission(3)],
        }),
        payload(&PushResponse {
            results: vec![
                (Uuid::from_bytes([1; 16]), DocOutcome::Accepted),
                (
                    Uuid::from_bytes([2; 16]),
                    DocOutcome::Refused(Refusal::new(RefusalCode::OutOfScope, "not yours")),
                ),
                (
                    Uuid::from_bytes([3; 16]),
                    DocOutcome::Refused(Refusal::new(
                        RefusalCode::Other("from_a_newer_registry".into()),
                        "kept as sent",
                    )),
                ),
            ],
            submissions: vec![
                SubmissionOutcome {
                    id: Uuid::from_bytes([4; 16]),
                    refused: None,
                },
                SubmissionOutcome {
                    id: Uuid::from_bytes([5; 16]),
                    refused: Some("meals_served: required".into()),
                },
            ],
        }),
        payload(&PullRequest {
            cursor: Cursor::default(),
            max_bytes: 65536,
            digest: [3; 8],
            assignments: true,
            signatures: true,
            bundle_key: true,
            forms: true,
            held_forms: vec![HeldForm {
                form_id: "meal_centre_daily".into(),
                version: "1".into(),
            }],
            reviews_after: Some(12),
        }),
        payload(&CheckRequest {
            buckets: vec![1, 7],
            docs: vec![(Uuid::from_bytes([6; 16]), vec![[6; 32]])],
            signatures: true,
        }),
        payload(&ActorsRequest {
            actors: vec![vec![1; 16], vec![2; 16]],
            key: Some(DeviceKey::from_secret([4; 32]).public()),
        }),
        payload(&ActorsResponse {
            results: vec![(vec![1; 16], None)],
            key: Some(KeyOutcome::Refused(Refusal::new(
                RefusalCode::KeyTaken,
                "another key",
            ))),
        }),
        payload(&PullResponse {
            docs: (0..3).map(doc).collect(),
            removed: vec![Uuid::from_bytes([9; 16])],
            cursor: Cursor::default(),
            more: true,
            check: CheckVerdict::Differs(vec![[1; 8]; BUCKETS]),
            assignments: Some(vec![shumari_domain::Assignment {
                id: "a".into(),
                surveyor: "u".into(),
                work: shumari_domain::Work::Area {
                    code: "PK60301".into(),
                    target: Some(3),
                },
                assigned_by: "s".into(),
                assigned_by_name: "S".into(),
                assigned_at: 5,
            }]),
            bundle_key: Some([2; 32]),
            forms: Some(vec![PublishedForm {
                form_id: "meal_centre_daily".into(),
                version: "2".into(),
                title: "Meal centre daily report".into(),
                file_name: "meal_centre_daily.toml".into(),
                source: b"[settings]\nform_id = \"meal_centre_daily\"\n".to_vec(),
            }]),
            reviews: Some(vec![ReportReview {
                id: Uuid::from_bytes([3; 16]),
                decision: "returned".into(),
                note: "count again".into(),
                by: "Sana".into(),
                at: 7,
                seq: 3,
            }]),
        }),
        // Forms without assignments: the assignments' trailing list is still told apart.
        payload(&PullResponse {
            docs: Vec::new(),
            removed: Vec::new(),
            cursor: Cursor::default(),
            more: false,
            check: CheckVerdict::Consistent,
            assignments: None,
            bundle_key: None,
            forms: Some(Vec::new()),
            reviews: None,
        }),
        payload(&CheckResponse {
            send: vec![doc(5), doc(6)],
            want: vec![Uuid::from_bytes([4; 16])],
            remove: vec![],
            more: false,
        }),
    ]
}

/// Real automerge bytes of a household: a saved document, its change chunks (all, and those after
/// its creation) and their compact form. The actor id is its 4-byte prefix padded with zeros, which
/// is what the fuzz body's `Holdings` resolve a prefix to, so the compact form rebuilds.
fn automerge_samples() -> Vec<Vec<u8>> {
    use shumari_domain::automerge::transaction::Transactable;
    use shumari_domain::automerge::{ActorId, AutoCommit, ObjType, ROOT};
    let mut d = AutoCommit::new().with_actor(ActorId::from([
        7, 1, 8, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]));
    let answers = d.put_object(ROOT, "answers", ObjType::Map).unwrap();
    for i in 0..20 {
        d.put(&answers, format!("q{i:02}"), format!("answer {i}"))
            .unwrap();
    }
    d.commit();
    let created = d.get_heads();
    for i in 0..3 {
        d.put(&answers, "q01", format!("edit {i}")).unwrap();
        d.commit();
    }
    let all = d.save_after(&[]);
    let compact = shumari_proto::compact::abbreviate(&all).expect("plain change chunks");
    vec![d.save(), all, d.save_after(&created), compact]
}

#[test]
fn real_automerge_bytes_reach_automerge_through_the_registrys_path() {
    for (i, bytes) in automerge_samples().into_iter().enumerate() {
        // Measured and loaded at least incrementally (changes after the creation lack their first
        // change); the compact form is rebuilt first, then measured and loaded.
        assert!(decode_all(&bytes) >= 2, "sample {i}");
    }
}

#[test]
fn well_formed_messages_decode_to_themselves() {
    let m = PushRequest {
        docs: (0..4).map(push_doc).collect(),
        submissions: Vec::new(),
    };
    assert_eq!(PushRequest::decode(&m.encode()).unwrap(), m);
    // Signatures in every message that carries them come back as sent, and an earlier device's
    // messages (none) still read.
    let unsigned = PushRequest {
        docs: vec![push_doc(3)],
        submissions: Vec::new(),
    };
    assert!(unsigned.docs[0].signatures.is_empty());
    assert_eq!(PushRequest::decode(&unsigned.encode()).unwrap(), unsigned);
    // Reports after unsigned documents, after signed ones, and alone come back as sent.
    for docs in [
        vec![push_doc(3)],
        vec![push_doc(1), push_doc(4)],
        Vec::new(),
    ] {
        let with_reports = PushRequest {
            docs,
            submissions: vec![submission(7), submission(8)],
        };
        assert_eq!(
            PushRequest::decode(&with_reports.encode()).unwrap(),
            with_reports
        );
    }
    for (kind, p) in samples() {
        let f = frame(PROTOCOL_VERSION, kind, &p);
        match kind {
            k if k == PullResponse::KIND => {
                let r = PullResponse::decode(&f).unwrap();
                if r.docs.is_empty() {
                    // Forms and no assignments: the forms' list does not read as assignments.
                    assert_eq!(r.forms, Some(Vec::new()));
                    assert!(r.assignments.is_none());
                } else {
                    assert_eq!(r.docs[1].signatures, records(1));
                    assert!(r.assignments.is_some());
                    assert_eq!(r.forms.as_ref().map(Vec::len), Some(1));
                }
            }
            k if k == CheckResponse::KIND => {
                let r = CheckResponse::decode(&f).unwrap();
                assert_eq!(r.send[0].signatures, records(5));
                assert!(r.send[1].signatures.is_empty());
            }
            k if k == ActorsRequest::KIND => {
                assert!(ActorsRequest::decode(&f).unwrap().key.is_some());
            }
            k if k == PullRequest::KIND => {
                let r = PullRequest::decode(&f).unwrap();
                assert!(r.signatures && r.assignments && r.forms);
            }
            _ => {}
        }
    }
    let refused = PushResponse {
        results: vec![(
            Uuid::from_bytes([2; 16]),
            DocOutcome::Refused(Refusal::new(RefusalCode::ForgedActor, "not yours")),
        )],
        submissions: Vec::new(),
    };
    assert_eq!(PushResponse::decode(&refused.encode()).unwrap(), refused);
    for (kind, p) in samples() {
        // Each sample is accepted framed (by the frame decoder and its own message decoder) and
        // raw (by its own reader at least).
        assert!(
            decode_all(&frame(PROTOCOL_VERSION, kind, &p)) >= 2,
            "kind {kind}"
        );
        assert!(decode_all(&p) >= 1, "kind {kind}");
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Cut(usize),
    Append(Vec<u8>),
    Insert(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Cut),
        proptest::collection::vec(any::<u8>(), 1..16).prop_map(Mutation::Append),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
    ]
}

fn mutate(mut b: Vec<u8>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        match m {
            Mutation::Flip(i, x) if !b.is_empty() => {
                let n = b.len();
                b[i % n] ^= x;
            }
            Mutation::Cut(i) => b.truncate(i % (b.len() + 1)),
            Mutation::Append(t) => b.extend_from_slice(t),
            Mutation::Insert(i, x) => {
                let n = b.len();
                b.insert(i % (n + 1), *x);
            }
            Mutation::Flip(..) => {}
        }
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        decode_all(&data);
    }

    #[test]
    fn valid_frames_around_random_payloads_never_panic(
        kind in any::<u8>(),
        payload in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        decode_all(&frame(PROTOCOL_VERSION, kind, &payload));
        decode_all(&payload);
    }

    #[test]
    fn mutated_messages_never_panic(
        pick in any::<usize>(),
        ms in proptest::collection::vec(mutation(), 1..6),
        whole_frame in any::<bool>(),
    ) {
        let s = samples();
        let (kind, p) = &s[pick % s.len()];
        let data = if whole_frame {
            mutate(frame(PROTOCOL_VERSION, *kind, p), &ms)
        } else {
            frame(PROTOCOL_VERSION, *kind, &mutate(p.clone(), &ms))
        };
        decode_all(&data);
        decode_all(&mutate(p.clone(), &ms));
    }
}

proptest! {
    // Each case that passes `inspect` is loaded by automerge twice: a quarter of the cases.
    #![proptest_config(ProptestConfig { cases: (cases() / 4).max(500), ..ProptestConfig::default() })]

    #[test]
    fn mutated_automerge_bytes_never_panic(
        pick in any::<usize>(),
        ms in proptest::collection::vec(mutation(), 1..6),
    ) {
        let s = automerge_samples();
        decode_all(&mutate(s[pick % s.len()].clone(), &ms));
    }
}
