#!/usr/bin/env bash
# Fuzz smoke test of the sync protocol's decoders: a short, bounded run.
#
# With a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`), runs the libFuzzer target
# `fuzz/fuzz_targets/decode_messages.rs` for FUZZ_SECONDS (default 60) per target: arbitrary bytes into
# the frame decoder, every message's decoder and payload reader, the compact changes' rebuild, and
# automerge bytes through the registry's path (`shumari_proto::inspect`, then automerge's load); any
# panic fails the run and leaves a reproducer under fuzz/artifacts/.
#
# Without nightly or cargo-fuzz it does NOT run libFuzzer: it runs the same target body
# (fuzz/fuzz_targets/decode_body.rs, included by crates/proto/tests/decode_fuzz.rs) as a proptest over
# FUZZ_CASES (default 200000) random, framed and mutated inputs instead, and says so.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SHUMARI_ROOT"
seconds="${FUZZ_SECONDS:-60}"
cases="${FUZZ_CASES:-200000}"
targets=(decode_messages)

if rustup toolchain list 2>/dev/null | grep -q '^nightly' && cargo fuzz --version >/dev/null 2>&1; then
    cd fuzz
    for t in "${targets[@]}"; do
        echo "== cargo +nightly fuzz run $t (${seconds}s)"
        mkdir -p "corpus/$t"
        cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$seconds" -max_len=65536
    done
else
    echo "== nightly or cargo-fuzz missing: running the fuzz body as a proptest over $cases inputs (not libFuzzer)"
    SHUMARI_FUZZ_CASES="$cases" cargo test -p shumari-proto --test decode_fuzz
fi
