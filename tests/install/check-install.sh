#!/bin/sh
# Installs the build tree into a scratch prefix, builds tests/install/consumer.c against the
# installed e2ekit.pc, runs it, and checks that the shared library exports only public
# (E2E_API) symbols.
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pcdir=$(dirname "$(find "$tmp/prefix" -name e2ekit.pc | head -n 1)")
libdir=$(dirname "$(find "$tmp/prefix" -name 'libe2ekit.so' | head -n 1)")
test -f "$tmp/prefix/include/e2ekit/e2ekit.h"
test -f "$tmp/prefix/include/e2ekit/version.h"
test -x "$tmp/prefix/bin/e2ekit"
test -x "$tmp/prefix/bin/e2ekit-bench"
ls "$tmp/prefix/share/man/man1/e2ekit-bench.1" >/dev/null
ls "$tmp/prefix/share/man/man1/e2ekit.1" >/dev/null
# the .pc file must point at the prefix it was installed to (installed with --prefix)
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --define-variable=prefix="$tmp/prefix" --cflags --libs e2ekit)
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror -o "$tmp/consumer" "$src/tests/install/consumer.c" $flags
LD_LIBRARY_PATH="$libdir" "$tmp/consumer"
# hidden visibility: no internal (e2e__) symbol is exported, public ones are
if nm -D --defined-only "$libdir/libe2ekit.so" | grep -q ' e2e__'; then
    echo "check-install: internal symbols are exported:" >&2
    nm -D --defined-only "$libdir/libe2ekit.so" | grep ' e2e__' >&2
    exit 1
fi
nm -D --defined-only "$libdir/libe2ekit.so" | grep -q ' e2e_hkdf_sha256$'
echo "check-install: ok ($(nm -D --defined-only "$libdir/libe2ekit.so" | grep -c ' T e2e_') public functions)"
