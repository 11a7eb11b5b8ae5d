#!/usr/bin/env bash
# Runs the product on its embedded default with demo data:
#  1. builds `shumari`;
#  2. starts the central registry on its embedded SQLite database (left running in the background);
#  3. creates a demo supervisor for the demo areas and enrolls a field store (PIN 123456) with a one-time code;
#  4. seeds that store with 61 demo households (six finished: submitted for review, one of them a
#     duplicate CNIC case), syncs them to the registry, and lists them;
#  5. prepares the field app's store (same PIN), enrolled against the registry with its own one-time code,
#     and a supervisor for the web console at /console (its sign-in is printed);
#  6. builds the UI and opens the field app on it (PIN 123456): it syncs and shows the demo households.
# Re-running reuses the demo directory and restarts the registry. SHUMARI_DEMO_NO_APP=1 skips step 6
# (e.g. on a machine without a display); the registry keeps running until you stop it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$SHUMARI_ROOT/scripts/lib/registry.sh"
cd "$SHUMARI_ROOT"
bash scripts/deps.sh
cargo build --locked -p shumari-cli
BIN="$CARGO_TARGET_DIR/debug/shumari"
DEMO="${SHUMARI_DEMO_DIR:-$HOME/.local/share/shumari-demo}"
PORT="${SHUMARI_DEMO_PORT:-8080}"
URL="http://127.0.0.1:$PORT"
DB="sqlite:$DEMO/registry.db"
mkdir -p "$DEMO"
export SHUMARI_PIN="${SHUMARI_PIN:-123456}"
export SHUMARI_DATA_DIR="$DEMO/device"

# 2. the registry
if [ -f "$DEMO/registry.pid" ] && kill -0 "$(cat "$DEMO/registry.pid")" 2>/dev/null; then
  kill "$(cat "$DEMO/registry.pid")" || true
  sleep 1
fi
# Demo data an older demo made (stores with a 4-digit PIN, which stores no longer accept) is
# fictional: it is made again rather than left unopenable. Only the demo's own files are removed.
DEMO_FORMAT=4
if [ "$(cat "$DEMO/demo-format" 2>/dev/null)" != "$DEMO_FORMAT" ]; then
  rm -rf "$DEMO/device" "$DEMO/field-app" "$DEMO/user.id" "$DEMO"/registry.db "$DEMO"/registry.db-*
  echo "$DEMO_FORMAT" >"$DEMO/demo-format"
fi
# The demo's settings: one device brings in all the demo households on one day, so the flags for
# many households a day and identical asset answers are loosened; every other flag keeps its default
# (the household recorded without a location is flagged).
cat >"$DEMO/registry.toml" <<'TOML'
[quality]
max_households_per_day = 200
identical_assets_count = 200
TOML
export SHUMARI_CONFIG="$DEMO/registry.toml"
registry_start "$BIN" "$DB" "127.0.0.1:$PORT" "$DEMO/registry.log"
echo "$REGISTRY_PID" >"$DEMO/registry.pid"

# 3 + 4. a supervisor's enrolled field store with the demo households, synced up
if [ ! -f "$SHUMARI_DATA_DIR/shumari.db" ]; then
  USER_ID=$(registry_user "$BIN" "$DB" "Demo Supervisor" supervisor PK6 PK7 PK5 PK2 PK4)
  echo "$USER_ID" >"$DEMO/user.id"
  CODE=$(registry_code "$BIN" "$DB" "$USER_ID")
  "$BIN" init
  "$BIN" enroll --registry "$URL" --code "$CODE"
  "$BIN" household import --file demo/households.jsonl
  # Six interviews finished (submitted on the registry's acknowledgement, so the console's review
  # queue has work), among them the last, whose head gives the first household head's CNIC: a
  # duplicate case to resolve.
  "$BIN" household list --json --limit 100 \
    | python3 -c 'import json, sys; hs = json.load(sys.stdin); [print(h["id"]) for h in hs[:6]]' \
    | while read -r id; do "$BIN" household set "$id" status=complete >/dev/null; done
fi
"$BIN" sync
# The households each demo district is expected to have, for the console's coverage dashboard.
"$BIN" registry target import --db "$DB" demo/targets.csv >/dev/null
"$BIN" household list --limit 20
echo
"$BIN" registry household list --db "$DB" | tail -n 3

# 5. the field app's own store: enrolled against the registry like any new tablet (the app adopts a
#    store enrolled by the CLI the first time it is unlocked).
APP_DIR="$DEMO/field-app"
if [ ! -f "$APP_DIR/shumari.db" ]; then
  CODE=$(registry_code "$BIN" "$DB" "$(cat "$DEMO/user.id")")
  SHUMARI_DATA_DIR="$APP_DIR" "$BIN" init
  SHUMARI_DATA_DIR="$APP_DIR" "$BIN" enroll --registry "$URL" --code "$CODE"
fi

# 5b. a supervisor for the web console (sign-in with a password; console users enroll no tablet)
CONSOLE_PASSWORD="demo-console-2026"
if [ ! -f "$DEMO/console.id" ]; then
  printf '%s\n' "$CONSOLE_PASSWORD" | "$BIN" registry user add --db "$DB" --name "Demo Reviewer" \
    --role supervisor --area PK6 --area PK7 --area PK5 --area PK2 --area PK4 --password-stdin --json \
    | json_field id >"$DEMO/console.id"
fi

NEXT=$(registry_code "$BIN" "$DB" "$(cat "$DEMO/user.id")")
cat <<MSG

Registry: $URL (SQLite $DEMO/registry.db, pid $(cat "$DEMO/registry.pid"); stop it with: kill \$(cat $DEMO/registry.pid))
Console: $URL/console (sign in as user $(cat "$DEMO/console.id") with password $CONSOLE_PASSWORD)
Citizen status page: $URL/status (try CNIC 33840-0001001-3, date of issue 12 3 2016)
Field store (CLI): $SHUMARI_DATA_DIR (PIN $SHUMARI_PIN), enrolled and synced.
Join another device with this one-time code:
  SHUMARI_DATA_DIR=/tmp/tablet2 SHUMARI_PIN=432198 $BIN init
  SHUMARI_DATA_DIR=/tmp/tablet2 SHUMARI_PIN=432198 $BIN enroll --registry $URL --code $NEXT
  SHUMARI_DATA_DIR=/tmp/tablet2 SHUMARI_PIN=432198 $BIN sync
MSG

# 6. the field app
if [ "${SHUMARI_DEMO_NO_APP:-0}" = "1" ]; then
  echo "Field app skipped (SHUMARI_DEMO_NO_APP=1). Open it with: SHUMARI_DATA_DIR=$APP_DIR bash scripts/ui-run.sh"
  exit 0
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display: the field app needs a desktop session. Open it there with: SHUMARI_DATA_DIR=$APP_DIR bash scripts/ui-run.sh"
  exit 0
fi
bash scripts/app-deps.sh
echo "Opening the field app on $APP_DIR: unlock with PIN $SHUMARI_PIN; it syncs with $URL and shows the demo households."
SHUMARI_DATA_DIR="$APP_DIR" exec bash scripts/ui-run.sh
