//! USB bundles are untrusted input on both sides: any bytes, and real bundles with bytes flipped,
//! cut or appended, go through `parse` and `open` without a panic, and a changed bundle never
//! opens: it is refused as truncated, corrupted, tampered or foreign, never read as something else.
//!
//! More cases: `SHUMARI_FUZZ_CASES=100000 cargo test -p shumari-proto --test bundle_fuzz`.

use proptest::prelude::*;
use shumari_proto::bundle::{self, Contents, Direction, Header, Part, REGISTRY};
use shumari_proto::message::{ActorsRequest, PushDoc, PushRequest};
use shumari_proto::signing::DeviceKey;
use uuid::Uuid;

fn cases() -> u32 {
    std::env::var("SHUMARI_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

fn keys() -> (DeviceKey, DeviceKey) {
    (
        DeviceKey::from_secret([1; 32]),
        DeviceKey::from_secret([2; 32]),
    )
}

/// A real bundle from a device to the registry.
fn sample() -> Vec<u8> {
    let (device, registry) = keys();
    let header = Header::new(
        Direction::Up,
        "d-1",
        device.public(),
        REGISTRY,
        registry.public(),
        5,
    );
    let contents = Contents {
        parts: vec![
            Part::Actors(ActorsRequest {
                actors: vec![vec![3; 16]],
                key: None,
            }),
            Part::Push(PushRequest {
                docs: (0..4u8)
                    .map(|n| {
                        PushDoc::raw(Uuid::from_bytes([n; 16]), vec![n; 60])
                            .signed(vec![device.sign(&[n; 32])])
                    })
                    .collect(),
                submissions: Vec::new(),
            }),
        ],
    };
    bundle::seal(&header, &contents, &device).expect("sealed")
}

/// Parses and opens as the registry would; `Ok` only for a bundle that opened.
fn read(bytes: &[u8]) -> Result<Contents, &'static str> {
    let (device, registry) = keys();
    let sealed = bundle::parse(bytes).map_err(|e| e.code())?;
    sealed
        .open(&registry, &device.public())
        .map_err(|e| e.code())
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Cut(usize),
    Append(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Cut),
        proptest::collection::vec(any::<u8>(), 1..16).prop_map(Mutation::Append),
    ]
}

#[test]
fn a_sound_bundle_opens() {
    let contents = read(&sample()).expect("opens");
    assert_eq!(contents.households(), 4);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert!(read(&data).is_err());
        let mut framed = b"SHMB\x01".to_vec();
        framed.extend_from_slice(&data);
        prop_assert!(read(&framed).is_err());
    }

    #[test]
    fn a_changed_bundle_never_opens(m in mutation()) {
        let mut b = sample();
        match m {
            Mutation::Flip(i, x) => {
                let i = i % b.len();
                b[i] ^= x;
            }
            Mutation::Cut(i) => b.truncate(i % b.len()),
            Mutation::Append(extra) => b.extend_from_slice(&extra),
        }
        let code = read(&b).expect_err("a changed bundle is refused");
        prop_assert!(
            ["truncated", "corrupted", "not_a_bundle", "unsupported_format", "tampered", "foreign"]
                .contains(&code),
            "{}", code
        );
    }
}
