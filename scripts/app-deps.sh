#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and run the field app (Tauri 2 on WebKitGTK,
# Node.js for the UI build) and, with --e2e, to drive it in tests (Xvfb, WebKitWebDriver, tauri-driver).
# Idempotent: installs only what is missing.
set -euo pipefail
source "$(dirname "$0")/env.sh"
need=()
pkgs=(libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev)
# fonts-noto-core: an Urdu (Naskh) face for the status pages, which ship no web font and rely on the
# phone's own, so the screenshots show the letters a phone would.
[ "${1:-}" = "--e2e" ] && pkgs+=(xvfb webkit2gtk-driver chromium chromium-driver fonts-noto-core)
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
apt_install ${need[@]+"${need[@]}"}
if [ "${1:-}" = "--e2e" ]; then
  command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked
fi
