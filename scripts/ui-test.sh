#!/usr/bin/env bash
# UI unit tests and production build: npm ci, svelte-check, vitest, vite build.
# Needs Node >= 20.19 and npm (installed from Debian's nodejs if missing).
set -euo pipefail
cd "$(dirname "$0")/../ui"

if ! command -v npm >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi

npm ci --no-audit --no-fund
npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings
npx vitest run
npx vite build
