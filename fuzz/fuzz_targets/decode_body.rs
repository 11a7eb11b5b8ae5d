// The body shared by the `decode_messages` fuzz target and the `decode_fuzz` test of shumari-proto
// (which `include!`s this file so both exercise exactly the same calls): every message decoder, the
// compact changes' rebuild, and automerge bytes through `inspect` and automerge's load.

/// Feeds `data` to every decoder; returns how many accepted it (only to keep the calls observable).
#[allow(dead_code)]
pub fn decode_all(data: &[u8]) -> usize {
    use shumari_proto::codec::{peek, unframe, Reader};
    use shumari_proto::message::{
        ActorsRequest, ActorsResponse, CheckRequest, CheckResponse, Cursor, EnrollRequest,
        EnrollResponse, Message, PullRequest, PullResponse, PushRequest, PushResponse,
        PROTOCOL_VERSION,
    };

    fn one<M: Message>(data: &[u8]) -> usize {
        let framed = M::decode(data).is_ok();
        let mut r = Reader::new(data);
        let raw = M::read(&mut r).is_ok();
        usize::from(framed) + usize::from(raw)
    }

    let mut ok = 0;
    if let Ok((_, kind)) = peek(data) {
        ok += usize::from(unframe(data, PROTOCOL_VERSION, kind).is_ok());
    }
    ok += one::<EnrollRequest>(data);
    ok += one::<EnrollResponse>(data);
    ok += one::<ActorsRequest>(data);
    ok += one::<ActorsResponse>(data);
    ok += one::<PushRequest>(data);
    ok += one::<PushResponse>(data);
    ok += one::<PullRequest>(data);
    ok += one::<PullResponse>(data);
    ok += one::<CheckRequest>(data);
    ok += one::<CheckResponse>(data);
    // The registry rebuilds compact changes from pushed bytes (every prefix resolves, so the checksum
    // path runs too).
    struct Everything;
    impl shumari_proto::compact::Holdings for Everything {
        fn hashes(&mut self, p: &[u8; shumari_proto::compact::PREFIX]) -> Vec<[u8; 32]> {
            let mut h = [0u8; 32];
            h[..p.len()].copy_from_slice(p);
            vec![h]
        }
        fn actors(&mut self, p: &[u8]) -> Vec<Vec<u8>> {
            let mut a = p.to_vec();
            a.resize(16, 0);
            vec![a]
        }
    }
    // Pushed automerge bytes take the registry's path (and a device's, for what the registry sends):
    // measured by `inspect`, which refuses what would expand without bound, and only then loaded
    // by automerge, as a new document and into an existing one. Compact changes are rebuilt first.
    fn load(bytes: &[u8]) -> usize {
        use shumari_domain::automerge::AutoCommit;
        use shumari_proto::inspect::{inspect, Bounds};
        if inspect(bytes, Bounds::HOUSEHOLD).is_err() {
            return 0;
        }
        let whole = AutoCommit::load(bytes).is_ok();
        let mut doc = AutoCommit::new();
        let incremental = doc.load_incremental(bytes).is_ok();
        1 + usize::from(whole) + usize::from(incremental)
    }
    ok += load(data);
    if let Ok(raw) = shumari_proto::compact::expand(data, &mut Everything) {
        ok += 1 + load(&raw);
    }
    // Signature records as a relay sends them, checked against a key made from the same bytes.
    let mut r = Reader::new(data);
    if let Ok(records) = shumari_proto::signing::read_records(&mut r) {
        let mut key = [0u8; 32];
        let n = data.len().min(32);
        key[..n].copy_from_slice(&data[..n]);
        ok += records
            .iter()
            .filter(|rec| shumari_proto::signing::verify(&key, rec))
            .count();
        ok += shumari_proto::signing::unpack(data).len().min(1);
    }
    // The cursor travels as a token in the device's store.
    let _ = Cursor::from_token(&String::from_utf8_lossy(data));
    ok
}
