#!/usr/bin/env bash
# make afl JOBS=N (N > 1): the AFL++ targets on N cores of one machine.
#
# Each target in turn gets an equal share of FUZZ_SECONDS of wall time: one
# main instance (-M main) and JOBS-1 secondaries (-S s1, s2, ...) share one
# sync directory, so each imports what the others find. The secondaries use
# different power schedules so they do not all walk the same paths. Every
# instance stops by itself (-V). Crash inputs are triaged at the end. Same
# build and exit status as scripts/afl.sh (0 only when no instance saved a
# crash, i.e. no divergence).
#   JOBS               instances per target (default: all cores)
#   FUZZ_SECONDS       total wall time (default 60)
#   SWAPDIFF_PATCHES   fuzz a patched kernel (built in its own target dir)
#   SWAPDIFF_LEVEL     raw (default) or logical: how much state is compared
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
. scripts/level.sh

die() { printf 'swapdiff afl: %s\n' "$*" >&2; exit 2; }

targets=("$@")
[ ${#targets[@]} -gt 0 ] || die "usage: $0 TARGET..."
jobs=${JOBS:-$(nproc)}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "JOBS must be a positive number, not '$jobs'"
split_budget 5 "${targets[@]}"

# The same variant naming and target dir as scripts/afl.sh: one build serves both.
variant=$(variant_name)
tdir="$PWD/fuzz/afl/target/$variant"
run_id=jobs-$(date +%Y%m%d-%H%M%S)
out="fuzz/afl/out/$variant/$run_id"
log="fuzz/logs/afl/$run_id"
mkdir -p "$out" "$log"

echo "swapdiff afl: building ${targets[*]} ($variant kernel)"
if ! (cd fuzz/afl && unleveled cargo afl build --release --target-dir "$tdir" 2>"../../$log/build.log"); then
  echo "swapdiff afl: build failed; the last lines of $log/build.log:" >&2
  tail -25 "$log/build.log" >&2
  exit 2
fi

# Power schedules of the secondaries, in turn (the main instance keeps the default).
schedules=(explore coe lin quad exploit rare fast)

stat_of() { # fuzzer_stats key
  awk -F: -v k="$2" '$1 ~ "^" k " *$" { gsub(/ /, "", $2); print $2 }' "$1" 2>/dev/null
}

status=0
summary=()
for t in "${targets[@]}"; do
  bin="$tdir/release/$t"
  [ -x "$bin" ] || die "no AFL++ target '$t' in $tdir/release"
  echo "swapdiff afl: $t for ${per}s, 1 main + $((jobs - 1)) secondary instances, $level level"
  pids=()
  for i in $(seq 0 $((jobs - 1))); do
    if [ "$i" -eq 0 ]; then
      role=(-M main); name=main
    else
      name="s$i"; role=(-S "$name" -p "${schedules[$(( (i - 1) % ${#schedules[@]} ))]}")
    fi
    # AFL_SYNC_TIME=1: import the others' finds every minute, not every 20
    # (AFL++'s default), so bounded runs share their corpus too.
    # -t 1000: an explicit timeout makes AFL++ skip a corpus input that is
    # slow under its instrumentation (bulk ops of 20000 references) instead
    # of aborting the instance on it; AFL_CRASHING_SEEDS_AS_NEW_CRASH: a
    # corpus input that already diverges (a patched kernel) is reported as a
    # crash, not silently skipped.
    AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SYNC_TIME=1 \
      AFL_CRASHING_SEEDS_AS_NEW_CRASH=1 \
      cargo afl fuzz "${role[@]}" -V "$per" -t 1000 -i "fuzz/corpus/$t" -o "$out/$t" -- "$bin" \
      >"$log/$t-$name.log" 2>&1 &
    pids+=($!)
  done
  failed_start=0
  for pid in "${pids[@]}"; do wait "$pid" || failed_start=$((failed_start + 1)); done

  execs=0
  crashes=0
  started=0
  for inst in "$out/$t"/*/; do
    [ -f "$inst/fuzzer_stats" ] || continue
    started=$((started + 1))
    execs=$(( execs + $(stat_of "$inst/fuzzer_stats" execs_done || echo 0) ))
    crashes=$(( crashes + $(find "$inst/crashes" -name 'id:*' 2>/dev/null | wc -l) ))
  done
  edges=$(stat_of "$out/$t/main/fuzzer_stats" edges_found)
  if [ "$crashes" -gt 0 ]; then
    status=1
    note="$crashes crash inputs"
  elif [ "$started" -lt "$jobs" ]; then
    status=1
    note="only $started of $jobs instances ran (see $log/$t-*.log)"
  else
    note="no divergence"
  fi
  summary+=("$(printf '%-12s %10s execs  edges %6s  %d instances  %s' "$t" "$execs" "${edges:-?}" "$started" "$note")")
done

echo
echo "swapdiff afl summary ($variant kernel, ${total}s, $jobs instances per target, $level level):"
printf '  %s\n' "${summary[@]}"
if [ $status -ne 0 ]; then
  echo "divergences or failures: inputs in $out/<target>/<instance>/crashes/ (all of them in $out/crashes/), logs in $log/"
  # Triage the crash inputs only (not the queues and stats files beside them),
  # gathered per target so the target shows in every path.
  crashes_dir="$out/crashes"
  for t in "${targets[@]}"; do
    for inst in "$out/$t"/*/; do
      for f in "$inst"crashes/id:*; do
        [ -f "$f" ] || continue
        mkdir -p "$crashes_dir/$t"
        ln -f "$f" "$crashes_dir/$t/$(basename "$inst")-$(basename "$f")"
      done
    done
  done
  [ -d "$crashes_dir" ] && scripts/triage.sh "$crashes_dir" "$variant"
fi
exit $status
