# The registry steps demo.sh and e2e.sh share: start `shumari registry serve`, add users, make
# one-time enrollment codes. Sourced after env.sh; each function takes the `shumari` binary and the
# registry's `--db` (e.g. sqlite:/tmp/x/registry.db) as its first two arguments.

# json_field NAME: prints the field NAME of the JSON object on standard input.
json_field() {
  python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# registry_start BIN DB ADDRESS LOG: starts the registry in the background, its pid in REGISTRY_PID
# (so call it directly, not inside $(...)), and waits until it listens. If it does not within 10 s, stops
# it, prints its log and returns 1.
registry_start() {
  local bin="$1" db="$2" address="$3" log="$4"
  "$bin" registry serve --db "$db" --listen "$address" >"$log" 2>&1 &
  REGISTRY_PID=$!
  for _ in $(seq 1 100); do
    grep -q "listening on http://" "$log" 2>/dev/null && return 0
    kill -0 "$REGISTRY_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill "$REGISTRY_PID" 2>/dev/null || true
  echo "the registry did not start; its log:" >&2
  cat "$log" >&2
  return 1
}

# registry_user BIN DB NAME ROLE AREA...: adds a user with access to the areas; prints the user's id.
registry_user() {
  local bin="$1" db="$2" name="$3" role="$4"
  shift 4
  local areas=() area
  for area in "$@"; do areas+=(--area "$area"); done
  "$bin" registry user add --db "$db" --name "$name" --role "$role" "${areas[@]}" --json | json_field id
}

# registry_code BIN DB USER_ID: prints a new one-time enrollment code for the user.
registry_code() {
  "$1" registry enroll-code --db "$2" --user "$3" --json | json_field code
}
