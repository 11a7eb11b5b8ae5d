#!/usr/bin/env bash
# Builds Shumari's two Debian packages and proves they install, run and leave the machine clean:
#   1. what is in them (`dpkg-deb --info` / `--contents`): the binaries, the desktop entry with its
#      Urdu name, the icons, the hardened systemd unit, the conffile /etc/shumari/registry.toml;
#   2. `apt-get install ./<file>.deb` of each, as an administrator would;
#   3. `systemd-analyze verify` on the installed unit (where systemd-analyze exists);
#   4. the installed registry, started as the unit starts it (by systemd when it runs here, else as
#      the `shumari` user with the unit's command line), answers on its port with its database in
#      /var/lib/shumari;
#   5. the installed field app opens its window under Xvfb;
#   6. `apt-get purge` of both removes the binaries, the unit, the settings and the system user
#      (and keeps the registry's database, as purge promises).
# Run by scripts/test.sh after e2e.sh (it needs WebKit). CI budget: it packs the debug binaries the
# tests already built (`scripts/package.sh --debug`: `tauri bundle --debug`, `cargo deb --no-build
# --profile dev`), so on a warm cache it costs ~2 minutes (bundling, compressing, apt); a cold
# machine adds `cargo install cargo-deb` (~3-4 minutes on 2 cores, once). `--release` checks the
# release packages instead (a full release build: not for CI).
# Needs root or sudo (apt-get). Safe to run again: a run that was killed is cleaned up by the next.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SHUMARI_ROOT"

build_flag=--debug
case "${1:-}" in
  "") ;;
  --release) build_flag="" ;;
  *) echo "usage: $0 [--release]" >&2; exit 2 ;;
esac

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
MARK=/var/lib/shumari-package-check # present while this check owns the packages and /var/lib/shumari
APP_PKG=shumari-field-app
CLI_PKG=shumari
UNIT=shumari-registry.service
CONF=/etc/shumari/registry.toml
VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)"

fail() { echo "package-check: FAIL: $*" >&2; exit 1; }
step() { echo "== package-check: $*"; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Leaves the machine as it was: the processes started here, both packages, the registry's test
# database, the marker.
WORK=""
pids=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do $SUDO kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -e "$MARK" ]; then
    for pkg in "$APP_PKG" "$CLI_PKG"; do
      if dpkg -s "$pkg" >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get purge -y -qq "$pkg" >/dev/null 2>&1 || true
      fi
    done
    $SUDO rm -rf /var/lib/shumari "$MARK"
  fi
  [ -z "$WORK" ] || rm -rf "$WORK"
  [ $rc -eq 0 ] || echo "package-check: failed (exit $rc); the machine was cleaned up" >&2
}
trap cleanup EXIT

# 0. A machine this check may use: a marker left by a killed run means the packages and
#    /var/lib/shumari are that run's (cleaned now); otherwise they must not be there at all, since the
#    check installs and purges them.
if [ -e "$MARK" ]; then
  step "cleaning up after an earlier run that was stopped"
  cleanup
fi
for pkg in "$APP_PKG" "$CLI_PKG"; do
  ! installed "$pkg" || fail "the package $pkg is installed on this machine; the check installs and purges it, so remove it first"
done
[ ! -e /var/lib/shumari ] || fail "/var/lib/shumari exists (a registry's data?); the check would use it: move it away first"
tools=()
command -v xwininfo >/dev/null 2>&1 || tools+=(x11-utils)
command -v Xvfb >/dev/null 2>&1 || tools+=(xvfb)
command -v curl >/dev/null 2>&1 || tools+=(curl)
apt_install ${tools[@]+"${tools[@]}"}

# 1. Build.
step "building the packages (scripts/package.sh $build_flag)"
bash scripts/package.sh $build_flag
shopt -s nullglob
app_debs=(artifacts/packages/"${APP_PKG}"_"${VERSION}"_*.deb)
cli_debs=(artifacts/packages/"${CLI_PKG}"_"${VERSION}"-*_*.deb)
shopt -u nullglob
[ ${#app_debs[@]} -eq 1 ] || fail "expected one ${APP_PKG}_${VERSION}_*.deb in artifacts/packages/, found ${#app_debs[@]}"
[ ${#cli_debs[@]} -eq 1 ] || fail "expected one ${CLI_PKG}_${VERSION}-*_*.deb in artifacts/packages/, found ${#cli_debs[@]}"
APP_DEB="$SHUMARI_ROOT/${app_debs[0]}"
CLI_DEB="$SHUMARI_ROOT/${cli_debs[0]}"
WORK="$(mktemp -d)"

# 2. What is in them.
step "dpkg-deb --info / --contents"
field() { dpkg-deb --field "$1" "$2"; }
expect_field() { # deb field expected-substring
  local v; v="$(field "$1" "$2")"
  [[ "$v" == *"$3"* ]] || fail "$(basename "$1"): $2 is '$v', expected it to contain '$3'"
}
expect_file() { # deb path
  grep -qxF "$2" "$WORK/$(basename "$1").contents" || fail "$(basename "$1") does not contain $2"
}
for deb in "$APP_DEB" "$CLI_DEB"; do
  dpkg-deb --info "$deb" >/dev/null || fail "$(basename "$deb") is not a Debian package"
  # Paths as installed: `./usr/bin/x` (cargo-deb) and `usr/bin/x` (Tauri) both become `/usr/bin/x`.
  dpkg-deb --contents "$deb" | awk '{print $NF}' | sed -e 's|^\./|/|' -e 's|^\([^/]\)|/\1|' \
    >"$WORK/$(basename "$deb").contents"
done
expect_field "$APP_DEB" Package "$APP_PKG"
expect_field "$APP_DEB" Version "$VERSION"
expect_field "$APP_DEB" Depends libwebkit2gtk-4.1-0
expect_file "$APP_DEB" /usr/bin/shumari-field-app
expect_file "$APP_DEB" /usr/share/applications/shumari-field-app.desktop
for size in 16x16 24x24 32x32 48x48 64x64 96x96 128x128 256x256; do
  expect_file "$APP_DEB" "/usr/share/icons/hicolor/$size/apps/shumari-field-app.png"
done
dpkg-deb --fsys-tarfile "$APP_DEB" | tar -xO ./usr/share/applications/shumari-field-app.desktop \
  >"$WORK/app.desktop" 2>/dev/null ||
  dpkg-deb --fsys-tarfile "$APP_DEB" | tar -xO usr/share/applications/shumari-field-app.desktop >"$WORK/app.desktop"
for line in "Name=Shumari" "Name[ur]=شماری" "Exec=shumari-field-app" "Icon=shumari-field-app" "Type=Application"; do
  grep -qxF "$line" "$WORK/app.desktop" || fail "the desktop entry lacks the line '$line'"
done
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$WORK/app.desktop" || fail "desktop-file-validate refuses the desktop entry"
fi

expect_field "$CLI_DEB" Package "$CLI_PKG"
expect_field "$CLI_DEB" Version "$VERSION"
expect_field "$CLI_DEB" Depends adduser
expect_file "$CLI_DEB" /usr/bin/shumari
expect_file "$CLI_DEB" "$CONF"
unit_path="$(grep -E "/systemd/system/$UNIT\$" "$WORK/$(basename "$CLI_DEB").contents" || true)"
[ -n "$unit_path" ] || fail "$(basename "$CLI_DEB") holds no systemd unit $UNIT"
dpkg-deb --info "$CLI_DEB" conffiles | grep -qxF "$CONF" ||
  fail "$CONF is not a conffile of $(basename "$CLI_DEB") (local changes would be lost on upgrade)"

# 3. Install, as an administrator would.
step "apt-get install ./$(basename "$APP_DEB") ./$(basename "$CLI_DEB")"
$SUDO touch "$MARK"
apt_install "$APP_DEB" "$CLI_DEB"
installed "$APP_PKG" || fail "$APP_PKG did not install"
installed "$CLI_PKG" || fail "$CLI_PKG did not install"
[ -x /usr/bin/shumari-field-app ] || fail "/usr/bin/shumari-field-app is missing after install"
/usr/bin/shumari --help >/dev/null || fail "the installed shumari does not run"
getent passwd shumari >/dev/null || fail "installing $CLI_PKG made no system user shumari"
[ "$(getent passwd shumari | cut -d: -f7)" = /usr/sbin/nologin ] || fail "the shumari user can log in"
[ "$(stat -c '%U %a' /var/lib/shumari)" = "shumari 700" ] ||
  fail "/var/lib/shumari is $(stat -c '%U %a' /var/lib/shumari), expected shumari 700"
[ "$(stat -c '%U:%G %a' "$CONF")" = "root:shumari 640" ] ||
  fail "$CONF is $(stat -c '%U:%G %a' "$CONF"), expected root:shumari 640"
for d in "User=shumari" "ProtectSystem=strict" "NoNewPrivileges=yes" "StateDirectory=shumari" \
  "PrivateTmp=yes" "ProtectHome=yes" "ExecStart=/usr/bin/shumari registry serve --config $CONF"; do
  grep -qxF "$d" "$unit_path" || fail "$unit_path lacks '$d'"
done

# 4. The unit file as systemd reads it.
if command -v systemd-analyze >/dev/null 2>&1; then
  step "systemd-analyze verify $unit_path"
  if ! systemd-analyze verify --man=no "$unit_path" >"$WORK/verify.log" 2>&1; then
    cat "$WORK/verify.log" >&2
    fail "systemd-analyze verify refuses $unit_path"
  fi
  # Warnings about this unit (not about units of the host it pulls in) also fail.
  if grep -i "$UNIT" "$WORK/verify.log" | grep -v '^$' >&2; then
    fail "systemd-analyze verify warns about $UNIT"
  fi
else
  echo "package-check: systemd-analyze is not installed: the unit file was not verified"
fi

# 5. The registry as the service runs it, with the packaged settings.
listen="$(sed -n 's/^listen = "\(.*\)"/\1/p' "$CONF")"
[ -n "$listen" ] || fail "$CONF sets no listen address"
if [ -d /run/systemd/system ]; then
  step "the registry through systemd ($UNIT)"
  $SUDO systemctl restart "$UNIT"
  started_by=systemd
else
  step "the registry as the shumari user (no systemd here): shumari registry serve --config $CONF"
  if (exec 3<>"/dev/tcp/${listen%:*}/${listen##*:}") 2>/dev/null; then
    fail "$listen is already taken by another process; the check serves the packaged settings there"
  fi
  # The unit's command, user, working directory and umask; setpriv execs, so the PID is the server's.
  $SUDO sh -c "cd /var/lib/shumari && umask 077 && exec setpriv --reuid=shumari --regid=shumari --init-groups \
    /usr/bin/shumari registry serve --config $CONF" >"$WORK/registry.log" 2>&1 &
  pids+=($!)
  started_by="setpriv"
fi
health=""
for _ in $(seq 1 100); do
  for path in /readyz /healthz /health; do
    code="$(curl -s -o /dev/null -w '%{http_code}' "http://$listen$path" || true)"
    if [ "$code" = 200 ]; then health="$path"; break 2; fi
  done
  sleep 0.2
done
if [ -z "$health" ]; then
  [ "$started_by" = systemd ] && $SUDO journalctl -u "$UNIT" -n 40 --no-pager >&2 || cat "$WORK/registry.log" >&2 || true
  fail "the installed registry did not answer on http://$listen (/readyz, /healthz, /health) within 20 s"
fi
echo "package-check: the registry answers 200 on http://$listen$health"
[ -f /var/lib/shumari/registry.db ] || fail "the registry made no database at /var/lib/shumari/registry.db"
[ "$(stat -c '%U %a' /var/lib/shumari/registry.db)" = "shumari 600" ] ||
  fail "/var/lib/shumari/registry.db is $(stat -c '%U %a' /var/lib/shumari/registry.db), expected shumari 600"
if [ "$started_by" = systemd ]; then
  $SUDO systemctl stop "$UNIT"
else
  $SUDO kill "${pids[-1]}"
  wait "${pids[-1]}" || true
  unset 'pids[-1]'
fi

# 6. The field app: its window under a virtual display, as the desktop entry starts it.
step "the installed field app under Xvfb"
display=":$((200 + RANDOM % 100))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do DISPLAY="$display" xwininfo -root >/dev/null 2>&1 && break; sleep 0.1; done
mkdir -p "$WORK/app-data"
DISPLAY="$display" SHUMARI_DATA_DIR="$WORK/app-data" /usr/bin/shumari-field-app >"$WORK/app.log" 2>&1 &
app_pid=$!
pids+=($app_pid)
window=""
for _ in $(seq 1 120); do
  if DISPLAY="$display" xwininfo -root -tree 2>/dev/null | grep -q '"Shumari"'; then window=yes; break; fi
  kill -0 "$app_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$window" ]; then
  tail -n 40 "$WORK/app.log" >&2 || true
  fail "the installed field app showed no window titled Shumari within 60 s"
fi
echo "package-check: the installed field app opened its window"
DISPLAY="$display" xwininfo -root -tree | grep '"Shumari"' | head -n 1

# 7. Remove both, and check they are gone.
step "apt-get purge $APP_PKG $CLI_PKG"
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()
DEBIAN_FRONTEND=noninteractive $SUDO apt-get purge -y -qq "$APP_PKG" "$CLI_PKG" >"$WORK/purge.log" 2>&1 ||
  { cat "$WORK/purge.log" >&2; fail "apt-get purge failed"; }
for gone in /usr/bin/shumari /usr/bin/shumari-field-app "$unit_path" "$CONF" /etc/shumari \
  /usr/share/applications/shumari-field-app.desktop; do
  [ ! -e "$gone" ] || fail "$gone is still there after apt-get purge"
done
! command -v shumari >/dev/null 2>&1 || fail "a shumari command is still on the PATH after purge: $(command -v shumari)"
! getent passwd shumari >/dev/null || fail "the shumari user is still there after purge"
! getent group shumari >/dev/null || fail "the shumari group is still there after purge"
[ -f /var/lib/shumari/registry.db ] || fail "purge deleted the registry's database (it must keep it)"
grep -q "still holds registry data" "$WORK/purge.log" || fail "purge did not say it kept /var/lib/shumari"
$SUDO rm -rf /var/lib/shumari "$MARK"
echo "package-check: both packages built, installed, ran and were removed"
