#!/usr/bin/env bash
# Runs the product on its embedded default with demo data: builds `shumari`, creates an encrypted field
# store seeded with demo households (PIN 1234), and lists them. When the registry and the field app are
# present in this build, starts them too (see README).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SHUMARI_ROOT"
bash scripts/deps.sh
cargo build --locked -p shumari-cli
BIN="$CARGO_TARGET_DIR/debug/shumari"
DEMO="${SHUMARI_DEMO_DIR:-$HOME/.local/share/shumari-demo}"
export SHUMARI_PIN="${SHUMARI_PIN:-1234}"
export SHUMARI_DATA_DIR="$DEMO/device"
if [ ! -f "$SHUMARI_DATA_DIR/shumari.db" ]; then
  "$BIN" init
  "$BIN" household import --file demo/households.jsonl
fi
"$BIN" household list --limit 20
echo
echo "Demo store: $SHUMARI_DATA_DIR (PIN $SHUMARI_PIN). Try:"
echo "  SHUMARI_DATA_DIR=$SHUMARI_DATA_DIR SHUMARI_PIN=$SHUMARI_PIN $BIN household list --search Ayesha"
