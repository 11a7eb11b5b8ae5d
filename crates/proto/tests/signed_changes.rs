//! Signed change sets survive the ways changes travel: delivered in any order, several times, or in
//! part, every change still arrives with a record that verifies against its author's key, and
//! nothing else verifies.

use proptest::prelude::*;
use shumari_domain::automerge::transaction::Transactable;
use shumari_domain::automerge::{ActorId, AutoCommit, ObjType, ROOT};
use shumari_proto::signing::{self, DeviceKey, SignedChange};
use std::collections::HashMap;

/// A document of `n` changes by one actor, each change's raw chunk with its record.
fn signed_history(n: usize, key: &DeviceKey) -> (AutoCommit, Vec<(Vec<u8>, SignedChange)>) {
    let mut d = AutoCommit::new().with_actor(ActorId::from([3u8; 16]));
    let answers = d.put_object(ROOT, "answers", ObjType::Map).expect("map");
    d.commit();
    for i in 0..n {
        d.put(&answers, format!("q{:02}", i % 4), format!("answer {i}"))
            .expect("put");
        d.commit();
    }
    let changes = d
        .get_changes(&[])
        .into_iter()
        .map(|c| {
            let hash = c.hash().0;
            (c.raw_bytes().to_vec(), key.sign(&hash))
        })
        .collect();
    (d, changes)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn reordered_and_duplicated_signed_changes_converge_and_verify(
        n in 1usize..10,
        order in proptest::collection::vec(any::<u16>(), 1..40),
        seed in any::<u64>(),
    ) {
        let key = DeviceKey::from_secret([7; 32]);
        let other = DeviceKey::from_secret([8; 32]);
        let (mut original, history) = signed_history(n, &key);
        // Every change at least once, in an order and with duplicates chosen by the case.
        let mut deliveries: Vec<usize> = (0..history.len()).collect();
        deliveries.extend(order.iter().map(|i| usize::from(*i) % history.len()));
        let mut s = seed;
        for i in (1..deliveries.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            deliveries.swap(i, (s >> 33) as usize % (i + 1));
        }
        let mut doc = AutoCommit::new();
        let mut records: HashMap<[u8; 32], SignedChange> = HashMap::new();
        for i in deliveries {
            let (chunk, record) = &history[i];
            doc.load_incremental(chunk).expect("a valid change");
            records.insert(record.hash, record.clone());
        }
        prop_assert_eq!(doc.get_heads(), original.get_heads());
        prop_assert_eq!(records.len(), history.len());
        for meta in doc.get_changes_meta(&[]) {
            let r = records.get(&meta.hash.0).expect("a record for every change");
            prop_assert!(signing::verify(&key.public(), r));
            prop_assert!(!signing::verify(&other.public(), r));
        }
        // Packed as the databases keep them, in any order, the records are the same set.
        let mut packed: Vec<SignedChange> = records.values().cloned().collect();
        packed.reverse();
        let back = signing::unpack(&signing::pack(&packed));
        prop_assert_eq!(back, packed);
    }

    #[test]
    fn any_subset_of_records_verifies_on_its_own(
        n in 1usize..10,
        keep in proptest::collection::vec(any::<bool>(), 10),
    ) {
        let key = DeviceKey::from_secret([5; 32]);
        let (_, history) = signed_history(n, &key);
        for ((_, r), kept) in history.iter().zip(keep) {
            if kept {
                prop_assert!(signing::verify(&key.public(), r));
            }
        }
    }
}
