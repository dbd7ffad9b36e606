#!/usr/bin/env bash
# make coverage72: which lines and branches of the 7.2 extract the caller-level programs reach.
# Builds the CLI with source-based coverage (C: clang -fprofile-instr-generate
# -fcoverage-mapping through CFLAGS, as scripts/coverage.sh does; Rust: -Cinstrument-coverage),
# runs `swapdiff fuzz --series 7.2` for COVERAGE_SECONDS (default 60, seed 1), and writes
#   target/coverage72/files.txt      per file of the 7.2 extract
#   target/coverage72/functions.txt  per function: regions, lines, branches reached
# then prints both.
set -uo pipefail
cd "$(dirname "$0")/.."
die() { printf 'swapdiff coverage72: %s\n' "$*" >&2; exit 2; }
seconds=${COVERAGE_SECONDS:-60}
sysroot=$(rustc +nightly --print sysroot 2>/dev/null) || die "no nightly toolchain (scripts/install-deps.sh coverage)"
llvm_bin="$sysroot/lib/rustlib/x86_64-unknown-linux-gnu/bin"
cc=$(scripts/coverage.sh --print-cc) || exit 2
out=target/coverage72
rm -rf "$out/raw" && mkdir -p "$out/raw"
echo "swapdiff coverage72: building with $cc (logs in $out/build.log)"
CC="$cc" CFLAGS="-fprofile-instr-generate -fcoverage-mapping" RUSTFLAGS="-Cinstrument-coverage" \
  cargo +nightly build --release -q --bin swapdiff --target-dir "$out/target" >"$out/build.log" 2>&1 \
  || { tail -20 "$out/build.log" >&2; die "build failed"; }
bin="$out/target/release/swapdiff"
LLVM_PROFILE_FILE="$PWD/$out/raw/%p.profraw" "$bin" fuzz --series 7.2 --seconds "$seconds" --seed 1 \
  --findings "$out/findings" || echo "swapdiff coverage72: the run reported findings (see above)"
"$llvm_bin/llvm-profdata" merge -sparse "$out/raw/"*.profraw -o "$out/coverage.profdata" || die "merge failed"
# The 7.2 extract: the cache variant whose files include mm/swap_table.h.
files=$("$llvm_bin/llvm-cov" export -summary-only "$bin" -instr-profile="$out/coverage.profdata" 2>/dev/null \
  | jq -r '.data[0].files[].filename')
table=$(grep -m1 '/mm/swap_table.h$' <<<"$files") || die "no coverage data for the 7.2 extract"
dir=${table%/mm/swap_table.h}
mapfile -t ours < <(grep "^$dir/" <<<"$files")
"$llvm_bin/llvm-cov" report "$bin" -instr-profile="$out/coverage.profdata" "${ours[@]}" 2>/dev/null \
  | sed "s|$dir/||" >"$out/files.txt"
"$llvm_bin/llvm-cov" report -show-functions "$bin" -instr-profile="$out/coverage.profdata" "${ours[@]}" 2>/dev/null \
  | sed "s|$dir/||" >"$out/functions.txt"
cat "$out/files.txt"
echo
cat "$out/functions.txt"
