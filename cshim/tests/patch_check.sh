#!/bin/sh
# SWAPDIFF_PATCHES end to end (cshim/tests/patches.rs): a patched build
# behaves differently, a patch that does not apply stops the build clearly.
# Needs its own target directory (target/patch-check); the first run takes
# about a minute, later runs a few seconds.
set -eu
cd "$(dirname "$0")/../.."
exec cargo test -p cshim --test patches -- --ignored --test-threads=1 "$@"
