#!/usr/bin/env bash
# UI unit tests and production build: npm ci, svelte-check, vitest, vite build.
# Needs Node >= 20.19 and npm (installed from Debian's nodejs if missing).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SHUMARI_ROOT/ui"

command -v npm >/dev/null 2>&1 || apt_install nodejs npm

npm ci --no-audit --no-fund
npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings
npx vitest run
npx vite build
