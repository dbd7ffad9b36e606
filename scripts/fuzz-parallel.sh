#!/usr/bin/env bash
# make fuzz JOBS=N (N > 1): the cargo-fuzz targets on N cores of one machine.
#
# Each target in turn gets an equal share of FUZZ_SECONDS of wall time and
# JOBS libFuzzer processes (libFuzzer's -jobs mode, run by this script so it
# can keep every core busy): all of them read and grow the one corpus
# fuzz/corpus/<target>, reloading it every second to pick up what the others
# found. A worker that stops on a divergence starts again with the time
# left, so one finding does not idle a core; every crash input of the run
# lands in its own artifacts directory and is triaged at the end. Same build,
# summary and exit status as scripts/fuzz.sh (0 only when no target diverged).
#
# Why not -fork=N: fork mode restarts its workers every few seconds and each
# restart re-runs part of the corpus; in a 40 s run it did a quarter fewer
# executions than one plain process (13.7k against 18.1k, swap_mte).
#   JOBS               worker processes per target (default: all cores)
#   FUZZ_SECONDS       total wall time (default 60)
#   SWAPDIFF_PATCHES   fuzz a patched kernel (built in its own target dir)
#   SWAPDIFF_LEVEL     raw (default) or logical: how much state is compared
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
. scripts/level.sh

die() { printf 'swapdiff fuzz: %s\n' "$*" >&2; exit 2; }

targets=("$@")
[ ${#targets[@]} -gt 0 ] || die "usage: $0 TARGET..."
jobs=${JOBS:-$(nproc)}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "JOBS must be a positive number, not '$jobs'"
split_budget 1 "${targets[@]}"

# The same variant naming and target dir as scripts/fuzz.sh: one build serves both.
variant=$(variant_name)
run_id=jobs-$(date +%Y%m%d-%H%M%S)
log="fuzz/logs/$variant/$run_id"
artifacts="fuzz/artifacts/$variant/$run_id"
mkdir -p "$log"

echo "swapdiff fuzz: building ${targets[*]} ($variant kernel)"
if ! (cd fuzz && unleveled cargo +nightly fuzz build -O --target-dir "target/$variant" 2>"../$log/build.log"); then
  echo "swapdiff fuzz: build failed; the last lines of $log/build.log:" >&2
  tail -25 "$log/build.log" >&2
  exit 2
fi
bindir="fuzz/target/$variant/x86_64-unknown-linux-gnu/release"

status=0
summary=()
for t in "${targets[@]}"; do
  [ -x "$bindir/$t" ] || die "no fuzz target '$t' in $bindir"
  mkdir -p "fuzz/corpus/$t" "$artifacts/$t"
  echo "swapdiff fuzz: $t for ${per}s on $jobs workers at the $level level"
  deadline=$(( $(date +%s) + per ))
  for w in $(seq 1 "$jobs"); do
    (
      run=0
      while left=$(( deadline - $(date +%s) )); [ "$left" -ge 1 ]; do
        started=$(date +%s)
        # ASan's quarantine grows without bound in long runs; keep it small.
        ASAN_OPTIONS=quarantine_size_mb=16:detect_leaks=0 "$bindir/$t" \
          -max_total_time="$left" -print_final_stats=1 -rss_limit_mb=2048 -seed=$(( w * 7919 + run )) \
          -artifact_prefix="$artifacts/$t/" "fuzz/corpus/$t" >>"$log/$t-w$w.log" 2>&1 && break
        # It stopped on a finding. A worker that fails within seconds would
        # only fail again (a corpus input that diverges, a bad flag): stop it.
        [ $(( $(date +%s) - started )) -lt 3 ] && break
        run=$(( run + 1 ))
      done
    ) &
  done
  wait
  logs=("$log/$t"-w*.log)
  runs=$(cat "${logs[@]}" | grep -o 'stat::number_of_executed_units: *[0-9]*' | grep -o '[0-9]*$' | awk '{ s += $1 } END { if (NR) print s }')
  # Coverage is per process: report the best worker's last line.
  cov=$(cat "${logs[@]}" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' | sort -n | tail -1)
  ft=$(cat "${logs[@]}" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' | sort -n | tail -1)
  crashes=$(find "$artifacts/$t" -type f 2>/dev/null | wc -l)
  sig=$(cat "${logs[@]}" | grep -o 'swapdiff divergence: .*' | head -1 | sed 's/swapdiff divergence: //')
  if [ "$crashes" -gt 0 ]; then
    status=1
    [ -z "$sig" ] && sig="crash (see $log/$t-w*.log)"
    sig="$sig ($crashes crash inputs)"
  elif [ -z "$runs" ]; then
    status=1
    sig="no worker ran (see $log/$t-w*.log)"
  fi
  summary+=("$(printf '%-12s %10s execs  cov %6s  ft %6s  %s' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${sig:-no divergence}")")
done

echo
echo "swapdiff fuzz summary ($variant kernel, ${total}s, $jobs workers per target, $level level):"
printf '  %s\n' "${summary[@]}"
if [ $status -ne 0 ]; then
  echo "divergences found: inputs in $artifacts/<target>/, logs in $log/"
  # The same triage as scripts/fuzz.sh: one line per signature, findings filed.
  scripts/triage.sh "$artifacts" "$variant"
else
  rmdir "$artifacts"/* "$artifacts" 2>/dev/null
fi
exit $status
