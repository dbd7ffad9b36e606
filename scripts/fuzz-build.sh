#!/usr/bin/env bash
# Builds every fuzz target without running it: the cargo-fuzz targets the
# way scripts/fuzz.sh builds them (cargo +nightly fuzz build -O) and the
# AFL++ targets the way scripts/afl.sh does (cargo afl build --release), in
# the same target directories, so `make test` notices a target that no
# longer builds and leaves `make fuzz` / `make afl` a warm build.
#   SWAPDIFF_PATCHES   build for a patched kernel (its own target dirs, as make fuzz)
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
. scripts/level.sh

variant=$(variant_name)
log="fuzz/logs/$variant"
mkdir -p "$log" fuzz/logs/afl

fail() { # what log
  echo "swapdiff fuzz-build: $1 failed; the last lines of $2:" >&2
  tail -25 "$2" >&2
  exit 2
}

start=$(date +%s)
echo "swapdiff fuzz-build: libFuzzer targets ($variant kernel)"
(cd fuzz && unleveled cargo +nightly fuzz build -O --target-dir "target/$variant" 2>"logs/$variant/build.log") \
  || fail "cargo fuzz build" "$log/build.log"
mid=$(date +%s)
echo "swapdiff fuzz-build: AFL++ targets ($variant kernel)"
(cd fuzz/afl && unleveled cargo afl build --release --target-dir "$PWD/target/$variant" 2>../logs/afl/build.log) \
  || fail "cargo afl build" fuzz/logs/afl/build.log
end=$(date +%s)

# Every target must have come out of both builds.
for f in fuzz/fuzz_targets/*.rs; do
  t=$(basename "${f%.rs}")
  [ -x "fuzz/target/$variant/x86_64-unknown-linux-gnu/release/$t" ] || { echo "swapdiff fuzz-build: no libFuzzer binary for $t" >&2; exit 2; }
  [ -x "fuzz/afl/target/$variant/release/$t" ] || { echo "swapdiff fuzz-build: no AFL++ binary for $t" >&2; exit 2; }
done
echo "swapdiff fuzz-build: every target built (libFuzzer $((mid - start)) s, AFL++ $((end - mid)) s)"
