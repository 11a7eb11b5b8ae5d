# Sourced by every script: the repository root, where cargo builds, and how to install Debian packages.
#   source "$(dirname "$0")/env.sh"
# SHUMARI_ROOT: the repository's root (scripts cd there themselves).
# CARGO_TARGET_DIR: outside the clone, so CI's build cache survives fresh clones.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/shumari-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# CARGO_INCREMENTAL: off unless asked for. A test run builds each crate once; incremental state
# only costs disk (gigabytes per run on a shared cache).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# Tools installed with `cargo install` (tauri-driver) live here.
export PATH="$HOME/.cargo/bin:$PATH"
SHUMARI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SHUMARI_ROOT

# apt_install PKG...: installs Debian packages (as root, or through sudo), quietly and without extras.
apt_install() {
  [ $# -gt 0 ] || return 0
  echo "installing: $*"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}
