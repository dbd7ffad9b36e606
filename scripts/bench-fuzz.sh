#!/usr/bin/env bash
# Executions per second of the swap_mte target under libFuzzer without ASan
# (SanitizerCoverage on Rust and C only), from the seed corpus, for
# BENCH_FUZZ_SECONDS (default 20). The corpus is copied so the run changes nothing.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${BENCH_FUZZ_SECONDS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r fuzz/corpus/swap_mte "$work/corpus"
(cd fuzz && cargo +nightly fuzz build -O -s none --target-dir target/bench-nosan swap_mte) >/dev/null 2>&1 \
  || { echo "bench-fuzz: build failed (cd fuzz && cargo +nightly fuzz build -O -s none swap_mte)" >&2; exit 2; }
bin=fuzz/target/bench-nosan/x86_64-unknown-linux-gnu/release/swap_mte
"$bin" "$work/corpus" -max_total_time="$secs" -print_final_stats=1 >"$work/log" 2>&1
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$')
printf '  libFuzzer swap_mte, no ASan: %s execs in %ss = %s exec/s\n' "$execs" "$secs" "$(( ${execs:-0} / secs ))"
