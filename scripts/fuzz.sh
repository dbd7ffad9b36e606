#!/usr/bin/env bash
# Builds the cargo-fuzz targets and runs each for an equal share of
# FUZZ_SECONDS from its seed corpus, then prints a summary. Exit 0 only when no
# target found a divergence.
#   FUZZ_SECONDS       total fuzzing time (default 60)
#   SWAPDIFF_PATCHES   fuzz a patched kernel (built in its own target dir)
#   SWAPDIFF_LEVEL     raw (default) or logical: how much state is compared
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
. scripts/level.sh

targets=("$@")
split_budget 1 "${targets[@]}"

# A patched kernel builds in its own target dir: the stock build stays as it is.
variant=$(variant_name)
tdir="fuzz/target/$variant"
log="fuzz/logs/$variant"
mkdir -p "$log"

echo "swapdiff fuzz: building ${targets[*]} ($variant kernel)"
if ! (cd fuzz && unleveled cargo +nightly fuzz build -O --target-dir "target/$variant" 2>"logs/$variant/build.log"); then
  echo "swapdiff fuzz: build failed; the last lines of fuzz/logs/$variant/build.log:" >&2
  tail -25 "fuzz/logs/$variant/build.log" >&2
  exit 2
fi

status=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$variant/$t"
  echo "swapdiff fuzz: $t for ${per}s at the $level level"
  # The binary the build above made, run directly: `cargo fuzz run` would
  # build again with SWAPDIFF_LEVEL in its environment, baking it in.
  # ASan's quarantine grows without bound in long runs; keep it small.
  (cd fuzz && ASAN_OPTIONS=quarantine_size_mb=16:detect_leaks=0 "target/$variant/x86_64-unknown-linux-gnu/release/$t" \
      -max_total_time="$per" -print_final_stats=1 -rss_limit_mb=4096 \
      -artifact_prefix="artifacts/$variant/$t/" "corpus/$t" ) >"$log/$t.log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log/$t.log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log/$t.log" | tail -1 | grep -o '[0-9]*')
  ft=$(grep -o 'ft: [0-9]*' "$log/$t.log" | tail -1 | grep -o '[0-9]*')
  sig=$(grep -o 'swapdiff divergence: .*' "$log/$t.log" | head -1 | sed 's/swapdiff divergence: //')
  if [ $rc -ne 0 ]; then
    status=1
    [ -z "$sig" ] && sig="crash (see $log/$t.log)"
  fi
  summary+=("$(printf '%-12s %10s execs  cov %6s  ft %6s  %s' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${sig:-no divergence}")")
done

echo
echo "swapdiff fuzz summary ($variant kernel, ${total}s, $level level):"
printf '  %s\n' "${summary[@]}"
if [ $status -ne 0 ]; then
  echo "divergences found: inputs in fuzz/artifacts/$variant/, logs in $log/"
  scripts/triage.sh "fuzz/artifacts/$variant" "$variant"
fi
exit $status
