#!/usr/bin/env bash
# Builds the AFL++ targets (fuzz/afl, cargo afl) and runs each for an equal
# share of FUZZ_SECONDS from the binary seeds. Exit 0 only when AFL saved no
# crash (a divergence aborts the target, so AFL files it as a crash).
#   FUZZ_SECONDS       total fuzzing time (default 60)
#   SWAPDIFF_PATCHES   fuzz a patched kernel (built in its own target dir)
#   SWAPDIFF_LEVEL     raw (default) or logical: how much state is compared
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
. scripts/level.sh

targets=("$@")
split_budget 5 "${targets[@]}"

variant=$(variant_name)
tdir="$PWD/fuzz/afl/target/$variant"
out="fuzz/afl/out/$variant"
mkdir -p "$out" fuzz/logs/afl

echo "swapdiff afl: building ${targets[*]} ($variant kernel)"
if ! (cd fuzz/afl && unleveled cargo afl build --release --target-dir "$tdir" 2>../logs/afl/build.log); then
  echo "swapdiff afl: build failed; the last lines of fuzz/logs/afl/build.log:" >&2
  tail -25 fuzz/logs/afl/build.log >&2
  exit 2
fi

status=0
for t in "${targets[@]}"; do
  echo "swapdiff afl: $t for ${per}s at the $level level"
  AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_CRASHING_SEEDS_AS_NEW_CRASH=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
    cargo afl fuzz -V "$per" -t 1000 -i "fuzz/corpus/$t" -o "$out/$t" -- "$tdir/release/$t" \
    >"fuzz/logs/afl/$t.log" 2>&1
  stats="$out/$t/default/fuzzer_stats"
  execs=$(awk -F: '/^execs_done/ {gsub(/ /,"",$2); print $2}' "$stats" 2>/dev/null)
  crashes=$(find "$out/$t/default/crashes" -name 'id:*' 2>/dev/null | wc -l)
  printf '  %-12s %10s execs  %s crash inputs\n' "$t" "${execs:-?}" "$crashes"
  [ "$crashes" -gt 0 ] && status=1
done
if [ $status -ne 0 ]; then
  echo "divergences found: inputs in $out/<target>/default/crashes/"
  # Only the crash inputs: the queue and stats files are not findings.
  crashdir=$(mktemp -d)
  for t in "${targets[@]}"; do
    mkdir -p "$crashdir/$t"
    find "$out/$t/default/crashes" -name 'id:*' -exec cp {} "$crashdir/$t/" \; 2>/dev/null
  done
  scripts/triage.sh "$crashdir" "$variant"
  rm -rf "$crashdir"
fi
exit $status
