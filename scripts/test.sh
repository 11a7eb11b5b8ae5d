#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust workspace's tests (unit, property, crash-safety,
# CLI, scenario tests against SQLite and a PostgreSQL the tests start), the UI's unit tests and build,
# and the field app's end-to-end tests in a real window when their script is present.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SHUMARI_ROOT"
bash scripts/deps.sh

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --locked --no-fail-fast 2>&1 | tee "${TMPDIR:-/tmp}/shumari-cargo-test.log"
for step in ui-test fuzz-smoke e2e package-check; do
  if [ -f "scripts/$step.sh" ]; then
    echo "== scripts/$step.sh"
    bash "scripts/$step.sh"
  fi
done
# The Tauri shell is not a default member (it needs WebKit); lint it once e2e.sh has installed WebKit.
if [ -d src-tauri ] && pkg-config --exists webkit2gtk-4.1 2>/dev/null; then
  echo "== cargo clippy -p shumari-field-app"
  cargo clippy -p shumari-field-app --all-targets --locked -- -D warnings
fi
# A closing summary line over the Rust test binaries (CI reads closing lines).
awk '/^test result:/ { p += $4; f += $6; s += $8 } END { printf "rust tests: %d passed, %d failed, %d skipped\n", p, f, s }' "${TMPDIR:-/tmp}/shumari-cargo-test.log"
