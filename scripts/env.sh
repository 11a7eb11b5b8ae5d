# Sourced by the scripts: where cargo builds (outside the clone, so CI's cache survives fresh clones).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/shumari-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
SHUMARI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SHUMARI_ROOT
