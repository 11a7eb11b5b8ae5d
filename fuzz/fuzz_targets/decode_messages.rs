//! Arbitrary bytes into every decoder of the sync protocol: the frame decoder, each message's
//! `decode` (frame + payload) and each message's payload reader on raw bytes (libFuzzer rarely builds
//! a valid gzip stream, so the readers are also fed directly), the compact changes' rebuild, and
//! automerge bytes measured by `shumari_proto::inspect` and then loaded by automerge, as the registry
//! does with a push. None may panic, and nothing may expand without bound, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("decode_body.rs");

fuzz_target!(|data: &[u8]| {
    decode_all(data);
});
