#!/bin/sh
# Install every Debian package that e2ekit's build, tests, demo and bench need.
# Idempotent: asks dpkg what is missing, runs apt-get update only when something is,
# and installs only that. Works as root on a fresh Debian 12 machine; with sudo otherwise.
set -eu

PKGS="
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libsodium-dev libssl-dev
  libprotobuf-c-dev protobuf-c-compiler
  libsqlite3-dev libuv1-dev
  libsignal-protocol-c-dev libolm-dev libsrtp2-dev
  python3 python3-cryptography python3-nacl python3-dissononce
"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    [ "${E2E_DEPS_QUIET:-0}" = 1 ] || echo "deps: all packages present"
    exit 0
fi

echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "error: deps: missing packages:$missing" >&2
    echo "hint: run 'scripts/deps.sh' as root, or install them with apt-get" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: deps: apt-get not found; e2ekit expects Debian 12 (bookworm)" >&2
    echo "hint: install these packages by hand:$missing" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -qq; then
    echo "error: deps: 'apt-get update' failed (no network or no package mirror?)" >&2
    exit 1
fi
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -qq --no-install-recommends $missing; then
    echo "error: deps: could not install:$missing" >&2
    echo "hint: check the apt sources in /etc/apt/sources.list(.d) and the network" >&2
    exit 1
fi
echo "deps: done"
