#!/usr/bin/env bash
# Files every crash input under DIR as findings (minimized, deduplicated,
# with README and repro.c) using a swapdiff built for the same kernel variant.
# Each input is replayed in its own process: one that crashes, hangs or trips
# a sanitizer is filed with that class and the others still are.
#   scripts/triage.sh DIR VARIANT      (VARIANT: stock or patched-<key>)
#   SWAPDIFF_FINDINGS   where findings go (default findings/)
# Exit status: swapdiff triage's (0 nothing filed, 1 findings filed), 2 when
# the CLI cannot be built. Regression entries stay in the findings
# (regression.txt); `make regressions FINDINGS=dir` adds them to the corpus.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=$1
variant=${2:-stock}
tdir=target
mkdir -p target/variants
[ "$variant" != stock ] && tdir="target/variants/$variant"
echo "swapdiff: triaging $dir (building the CLI for the $variant kernel)"
if ! CARGO_TARGET_DIR="$tdir" cargo build --release -q --bin swapdiff 2>"$tdir.triage-build.log"; then
  echo "swapdiff: could not build the CLI; see $tdir.triage-build.log" >&2
  exit 2
fi
"$tdir/release/swapdiff" triage "$dir" --out "${SWAPDIFF_FINDINGS:-findings}"
