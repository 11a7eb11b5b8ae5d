#!/usr/bin/env bash
# Builds the UI and the field app, then runs the app with the caller's environment, e.g.
#   SHUMARI_DATA_DIR=/tmp/tablet-1 SHUMARI_AREAS=PK10101 scripts/ui-run.sh
# (Under Xvfb or a desktop session; extra arguments are passed to the app.)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SHUMARI_ROOT"
if [ ! -d ui/node_modules ]; then (cd ui && npm ci --no-audit --no-fund); fi
(cd ui && npx vite build --logLevel warn)
cargo build -q -p shumari-field-app
exec "$CARGO_TARGET_DIR/debug/shumari-field-app" "$@"
