#!/usr/bin/env bash
# Builds Shumari's two Debian packages into artifacts/packages/:
#   shumari-field-app_<version>_<arch>.deb  the field app: Tauri's bundler (the npm package
#                                           @tauri-apps/cli, a devDependency of ui/) with the bundle
#                                           settings of src-tauri/tauri.conf.json and
#                                           packaging/field-app/ (desktop entry, icons)
#   shumari_<version>-1_<arch>.deb          the `shumari` command and the shumari-registry service:
#                                           cargo-deb with crates/cli/Cargo.toml's
#                                           [package.metadata.deb] and packaging/registry/
# The version is the workspace's (Cargo.toml [workspace.package]).
#
#   bash scripts/package.sh           release builds (what is shipped)
#   bash scripts/package.sh --debug   packs the debug binaries the tests build (`cargo build -p
#                                     shumari-field-app` / `-p shumari-cli`, a no-op when they are
#                                     current): what CI checks, to stay within its time budget. The
#                                     field app is then the binary the e2e tests drove, not built
#                                     again with Tauri's production settings.
# Installs what is missing (WebKit build packages, Node, cargo-deb) and is safe to run again.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SHUMARI_ROOT"

mode=release
case "${1:-}" in
  "") ;;
  --debug) mode=debug ;;
  *) echo "usage: $0 [--debug]" >&2; exit 2 ;;
esac
OUT="$SHUMARI_ROOT/artifacts/packages"

# 1. Tools: WebKit and Node for the app, cargo-deb for the registry package. cargo-deb is built once
#    into ~/.cargo/bin, in a target directory of its own (not the workspace's). Its version is
#    pinned: --debug packs a dev-profile binary, which cargo-deb 3.8 accepts with a warning and a
#    later release may refuse.
CARGO_DEB_VERSION=3.8.0
bash scripts/app-deps.sh
if [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb $CARGO_DEB_VERSION" ]; then
  echo "== cargo install cargo-deb $CARGO_DEB_VERSION"
  env -u CARGO_TARGET_DIR cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked --quiet
fi

# 2. The UI the app embeds, and the bundler (ui/node_modules/.bin/tauri). In --debug mode a UI the
#    tests already built is kept: building it again would make cargo relink the app.
if [ ! -x ui/node_modules/.bin/tauri ]; then (cd ui && npm ci --no-audit --no-fund); fi
if [ "$mode" = release ] || [ ! -f ui/dist/index.html ]; then
  (cd ui && npx vite build --logLevel warn)
fi
TAURI="$SHUMARI_ROOT/ui/node_modules/.bin/tauri"

rm -rf "$OUT"
mkdir -p "$OUT"

# 3. The field app. packaging/field-app/tauri.deb.json turns bundling on and names the package
#    (productName is the Debian package's name; the window and desktop entry still say Shumari).
echo "== field app (.deb, $mode)"
if [ "$mode" = release ]; then
  (cd src-tauri && "$TAURI" build --ci --bundles deb \
    --config ../packaging/field-app/tauri.deb.json -- --locked)
else
  cargo build --locked -q -p shumari-field-app
  # `tauri bundle` packs the binary already in target/debug; no patching, so cargo's file is
  # left exactly as the tests built it.
  (cd src-tauri && "$TAURI" bundle --ci --debug --bundles deb --no-binary-patching \
    --config ../packaging/field-app/tauri.deb.json)
fi
cp "$CARGO_TARGET_DIR/$mode/bundle/deb/"shumari-field-app_*.deb "$OUT/"

# 4. The registry and CLI. cargo-deb strips the binary in its own copy.
echo "== shumari (.deb, $mode)"
if [ "$mode" = release ]; then
  cargo build --locked --release -q -p shumari-cli
  cargo deb --no-build --locked -p shumari-cli --output "$OUT/"
else
  cargo build --locked -q -p shumari-cli
  cargo deb --no-build --locked -p shumari-cli --profile dev --fast --output "$OUT/"
fi

ls -l "$OUT"
