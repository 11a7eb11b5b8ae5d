#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test the Rust workspace: a C toolchain,
# pkg-config and OpenSSL headers (SQLCipher), and PostgreSQL 15 (the registry's scale backend is tested
# against a real server the tests start themselves). Idempotent: installs only what is missing.
set -euo pipefail
source "$(dirname "$0")/env.sh"
need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
command -v python3 >/dev/null 2>&1 || need+=(python3)
apt_install ${need[@]+"${need[@]}"}
command -v cargo >/dev/null 2>&1 || { echo "deps: cargo (Rust toolchain) is required" >&2; exit 1; }
