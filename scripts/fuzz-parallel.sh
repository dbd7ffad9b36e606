#!/usr/bin/env bash
# make fuzz JOBS=N (N > 1): the cargo-fuzz targets on N cores of one machine.
#
# Each target in turn gets an equal share of FUZZ_SECONDS of wall time, run
# in libFuzzer's fork mode: one supervisor, JOBS worker processes, all
# merging what they find into the shared corpus fuzz/corpus/<target>. With
# -ignore_crashes=1 a divergence does not stop the run: every crash input of
# the run lands in its own artifacts directory and is triaged at the end.
# Same build, same summary and the same exit status as scripts/fuzz.sh
# (0 only when no target diverged).
#   JOBS               worker processes per target (default: all cores)
#   FUZZ_SECONDS       total wall time (default 60)
#   SWAPDIFF_PATCHES   fuzz a patched kernel (built in its own target dir)
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

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
if ! (cd fuzz && cargo +nightly fuzz build -O --target-dir "target/$variant" 2>"../$log/build.log"); then
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
  echo "swapdiff fuzz: $t for ${per}s on $jobs workers"
  # Fork mode: workers restart every few seconds from the merged corpus, so
  # each sees what the others found. -rss_limit_mb is per worker.
  ASAN_OPTIONS=quarantine_size_mb=16:detect_leaks=0 "$bindir/$t" \
      -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      -max_total_time="$per" -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts/$t/" "fuzz/corpus/$t" >"$log/$t.log" 2>&1
  rc=$?
  # Fork-mode status lines: "#<execs>: cov: C ft: F corp: N exec/s: E oom/timeout/crash: a/b/c ..."
  last=$(grep -E '^#[0-9]+: cov:' "$log/$t.log" | tail -1)
  runs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*')
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*')
  crashes=$(find "$artifacts/$t" -type f 2>/dev/null | wc -l)
  sig=$(grep -o 'swapdiff divergence: .*' "$log/$t.log" | head -1 | sed 's/swapdiff divergence: //')
  if [ "$crashes" -gt 0 ]; then
    status=1
    # Fork-mode workers' own logs are gone by now: the triage below names
    # the signatures when the log does not.
    [ -z "$sig" ] && sig="divergence"
    sig="$sig ($crashes crash inputs)"
  elif [ $rc -ne 0 ]; then
    # The supervisor itself failed (bad flag, no corpus dir, ...).
    status=1
    sig="libFuzzer exited with $rc (see $log/$t.log)"
  fi
  summary+=("$(printf '%-12s %10s execs  cov %6s  ft %6s  %s' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${sig:-no divergence}")")
done

echo
echo "swapdiff fuzz summary ($variant kernel, ${total}s, $jobs workers per target):"
printf '  %s\n' "${summary[@]}"
if [ $status -ne 0 ]; then
  echo "divergences found: inputs in $artifacts/<target>/, logs in $log/"
  # The triage command groups a directory's crash inputs by signature; use it
  # when this checkout has it.
  if cargo run --release -q --bin swapdiff -- triage --help >/dev/null 2>&1; then
    for t in "${targets[@]}"; do
      [ -n "$(ls -A "$artifacts/$t" 2>/dev/null)" ] || continue
      echo
      echo "triage of $artifacts/$t:"
      cargo run --release -q --bin swapdiff -- triage --target "$t" "$artifacts/$t"
    done
  fi
else
  rmdir "$artifacts"/* "$artifacts" 2>/dev/null
fi
exit $status
