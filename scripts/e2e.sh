#!/usr/bin/env bash
# End-to-end tests of the field app binary in a real WebKitGTK window under Xvfb, driven through
# tauri-driver + WebKitWebDriver, and of the registry's console in headless chromium (chromium-driver).
# Installs what a fresh Debian 12 lacks (idempotent), builds the UI and the app, starts a registry,
# runs tests/e2e/run.mjs, and leaves screenshots in artifacts/screenshots/ (the console's in console/).
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$SHUMARI_ROOT/scripts/lib/registry.sh"
cd "$SHUMARI_ROOT"

# 1. System packages (WebKitGTK, its WebDriver, Xvfb), Node and tauri-driver.
bash scripts/app-deps.sh --e2e

# 2. Build the UI and the app.
(cd ui && npm ci --no-audit --no-fund && npx vite build)
cargo build -p shumari-field-app
APP="$CARGO_TARGET_DIR/debug/shumari-field-app"

WORK="$(mktemp -d)"
SHOTS="$SHUMARI_ROOT/artifacts/screenshots"
rm -rf "$SHOTS"; mkdir -p "$SHOTS"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# 3. A real registry: `shumari registry serve` on SQLite in the temp dir, with one surveyor per app
#    instance (same area) and an enrollment code each, made with the CLI.
REG_PORT="$(free_port)"
cargo build -q -p shumari-cli
SHUMARI="$CARGO_TARGET_DIR/debug/shumari"
REG_DB="sqlite:$WORK/registry.db"
registry_start "$SHUMARI" "$REG_DB" "127.0.0.1:$REG_PORT" "$WORK/registry.log"
pids+=("$REGISTRY_PID")
new_code() { # name -> enrollment code of a new surveyor in PK10101
  registry_code "$SHUMARI" "$REG_DB" "$(registry_user "$SHUMARI" "$REG_DB" "$1" surveyor PK10101)"
}
CODE_A="$(new_code "Surveyor A")"
CODE_B="$(new_code "Surveyor B")"
export REGISTRY_URL="http://127.0.0.1:$REG_PORT" CODE_A CODE_B
# The registry's bundle key (USB bundles; key file beside the database), made before the apps
# enroll so they learn it then; usb.mjs imports and exports bundles with the CLI in $BUNDLE_DIR.
"$SHUMARI" bundle key --db "$REG_DB" >/dev/null
export REG_DB BUNDLE_DIR="$WORK" REGISTRY_PID
# The console's users: a supervisor and a district officer of PK10101, and an administrator with a
# TOTP second factor.
CONSOLE_PASSWORD="e2e console password"
SUPERVISOR_ID="$(printf '%s\n' "$CONSOLE_PASSWORD" | "$SHUMARI" registry user add --db "$REG_DB" \
  --name "Supervisor Nasreen" --role supervisor --area PK10101 --password-stdin --json | json_field id)"
ADMIN_ID="$(printf '%s\n' "$CONSOLE_PASSWORD" | "$SHUMARI" registry user add --db "$REG_DB" \
  --name "Administrator Sadia" --role administrator --area PK10101 --password-stdin --json | json_field id)"
ADMIN_TOTP_URL="$("$SHUMARI" registry user totp --db "$REG_DB" "$ADMIN_ID" --json | json_field otpauth_url)"
DISTRICT_ID="$(printf '%s\n' "$CONSOLE_PASSWORD" | "$SHUMARI" registry user add --db "$REG_DB" \
  --name "District Officer Kamran" --role district --area PK10101 --password-stdin --json | json_field id)"
export CONSOLE_PASSWORD SUPERVISOR_ID ADMIN_ID ADMIN_TOTP_URL DISTRICT_ID
# A third surveyor's tablet, the CLI's store: console.mjs has it send a household whose head gives
# the CNIC app A's head gave, which opens a duplicate case.
export CLI_C_DIR="$WORK/cli-c" CLI_C_PIN=135790 SHUMARI_BIN="$SHUMARI"
SHUMARI_DATA_DIR="$CLI_C_DIR" SHUMARI_PIN="$CLI_C_PIN" "$SHUMARI" init >/dev/null
SHUMARI_DATA_DIR="$CLI_C_DIR" SHUMARI_PIN="$CLI_C_PIN" "$SHUMARI" enroll \
  --registry "http://127.0.0.1:$REG_PORT" --code "$(new_code "Surveyor C")" >/dev/null

# 4. A virtual display and one tauri-driver per app instance, each with its own data directory.
DISPLAY_NUM=":$((90 + RANDOM % 100))"
Xvfb "$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY="$DISPLAY_NUM"
start_driver() { # name port native_port
  mkdir -p "$WORK/$1"
  SHUMARI_DATA_DIR="$WORK/$1" tauri-driver --port "$2" --native-port "$3" >"$WORK/driver-$1.log" 2>&1 &
  pids+=($!)
}
PA="$(free_port)"; NA="$(free_port)"; PB="$(free_port)"; NB="$(free_port)"
start_driver a "$PA" "$NA"
start_driver b "$PB" "$NB"
# chromium-driver for the console (headless chromium; no display needed).
PC="$(free_port)"
chromedriver --port="$PC" >"$WORK/chromedriver.log" 2>&1 &
pids+=($!)
export CONSOLE_DRIVER="http://127.0.0.1:$PC" CHROMIUM="$(command -v chromium)"

# 5. The tests.
set +e
APP="$APP" DRIVER_A="http://127.0.0.1:$PA" DRIVER_B="http://127.0.0.1:$PB" SCREENSHOTS="$SHOTS" \
  AXE="$SHUMARI_ROOT/ui/node_modules/axe-core/axe.min.js" node tests/e2e/run.mjs
rc=$?
set -e
if [ $rc -ne 0 ]; then
  echo "--- tauri-driver log (a) ---"; tail -n 40 "$WORK/driver-a.log" || true
fi
ls "$SHOTS"
exit $rc
