#!/bin/sh
# SWAPDIFF_PATCHES end to end (cshim/tests/patches.rs): a patched build
# behaves differently, it links next to the stock (or SWAPDIFF_BASE_PATCHES)
# build with separate state (tests/two_builds.rs), a patch that does not
# apply stops the build clearly,
# and the issue-10 test patches (hang, crash) end as they must in-process
# (tests/bounded_patches.rs in each patched build; the ASan one runs in
# tests/sanitize.sh). Needs its own target directory (target/patch-check);
# the first run takes about a minute, later runs ~15 s per patch (the C and
# the test binaries are rebuilt for each patch set).
set -eu
cd "$(dirname "$0")/../.."
exec cargo test -p cshim --test patches -- --ignored --test-threads=1 "$@"
