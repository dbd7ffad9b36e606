#!/usr/bin/env bash
# check-patch's verdicts end to end, on real patched (and sanitized) builds:
# slow (each patch set is its own build), so `make test-verdicts`, not cargo test.
#  - each of cshim/tests/patches' hang, crash and ASan patches: exit 1 within
#    the stated bound (seconds + minimization bound + 30 s; the build is timed
#    apart) with a finding of its class; the ASan one names mm/swapfile.c:LINE;
#  - a hostile swap type (raw mode) past a dropped bounds check: a sanitizer
#    finding in swap_type_to_swap_info;
#  - the catalog's refactor-keeps-behaviour control: exit 0, "no divergence in N programs";
#  - a fix of a bug the base build plants (SWAPDIFF_BASE_PATCHES, `--base`): verdict fix;
#  - triage: a crashing input and an ordinary divergence in one directory, both filed;
#  - Ctrl-C (SIGINT) mid-hunt: exit 1 (something was found), a partial
#    verdict, every finding directory complete.
# Wall times go to target/test-verdicts/times.txt.
#   VERDICT_SECONDS (default 20), VERDICT_MINIMIZE (default 60)
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${VERDICT_SECONDS:-20}
minimize=${VERDICT_MINIMIZE:-60}
bound=$((seconds + minimize + 30))
work=$PWD/target/test-verdicts
rm -rf "$work"
mkdir -p "$work"
times=$work/times.txt
: >"$times"
fails=0
passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "ok: $*"; passes=$((passes + 1)); }

env -u SWAPDIFF_PATCHES cargo build --release -q --bin swapdiff || exit 2
bin=$PWD/target/release/swapdiff
patches=cshim/tests/patches

# Builds the variant of "$@" (hunting 0 s), so the timed run is the hunt alone.
prebuild() {
  "$bin" check-patch "$@" --seconds 0 --jobs 1 --out "$work/prebuild" >/dev/null 2>"$work/prebuild.log" || {
    echo "building $* failed:"; tail -20 "$work/prebuild.log"; return 1; }
}

# expect_class NAME PATCH CLASS [ARGS]: check-patch --seconds $seconds [ARGS]
# exits 1 within $bound s with a finding whose signature's class is CLASS.
expect_class() {
  local name=$1 patch=$2 class=$3 out="$work/$1"
  shift 3
  last_dir=
  local t0=$(date +%s)
  prebuild "$patch" "$@" || { fail "$name: build"; return; }
  local t1=$(date +%s)
  "$bin" check-patch "$patch" "$@" --seconds "$seconds" --minimize-seconds "$minimize" --out "$out" >"$out.log" 2>&1
  local rc=$? t2=$(date +%s)
  echo "$name: build $((t1 - t0)) s, check-patch --seconds $seconds $((t2 - t1)) s, exit $rc" | tee -a "$times"
  [ $rc -eq 1 ] || { fail "$name: exit $rc, want 1"; tail -5 "$out.log"; return; }
  [ $((t2 - t1)) -le $bound ] || fail "$name: $((t2 - t1)) s, past the bound of $bound s"
  local dir
  dir=$(ls -d "$out"/*--"$class"--* 2>/dev/null | head -1)
  [ -n "$dir" ] || { fail "$name: no $class finding in $out: $(ls "$out")"; return; }
  for f in README.md program.txt; do [ -f "$dir/$f" ] || fail "$name: $dir/$f missing"; done
  pass "$name: $(basename "$dir")"
  last_dir=$dir
}

expect_class hang-infinite-loop "$patches/hang-infinite-loop.patch" hang
expect_class hang-runaway-continuation "$patches/hang-runaway-continuation.patch" hang
# Under UBSan the NULL dereference is caught as undefined behaviour first
# ("member access within null pointer", at the kernel line): class ubsan.
# Without sanitizers it is the SIGSEGV the patch plants: class crash.
expect_class crash-null-deref "$patches/crash-null-deref.patch" ubsan
expect_class crash-null-deref-no-sanitize "$patches/crash-null-deref.patch" crash --no-sanitize
if [ -n "$last_dir" ]; then
  grep -q 'without sanitizers: memory errors may have gone unseen' "$work/crash-null-deref-no-sanitize.log" &&
    pass "--no-sanitize: the verdict says what is lost" || fail "--no-sanitize: the verdict does not say what is lost"
fi
expect_class asan-oob-write "$patches/asan-oob-write.patch" asan
asan_dir=$last_dir
if [ -n "$asan_dir" ]; then
  # The #line directives make ASan name the kernel's own file and line.
  if grep -Eq 'mm/swapfile\.c:[0-9]+' "$asan_dir/README.md" && grep -q 'heap-buffer-overflow' "$asan_dir/README.md"; then
    pass "asan-oob-write: README names $(grep -Eo 'mm/swapfile\.c:[0-9]+' "$asan_dir/README.md" | head -1)"
  else
    fail "asan-oob-write: README names no mm/swapfile.c line"
  fi
fi

# A hostile entry (issue 17): the patch drops swap_type_to_swap_info()'s
# MAX_SWAPFILES test, and raw mode's types 27..31 then index past swap_info[].
# The sanitizers catch the read (UBSan's array bounds first, ASan's
# global-buffer-overflow where the index is not visible to UBSan): either is a
# finding in that function. Every worker end is filed, so a short hunt.
hp=$patches/asan-hostile-type.patch
if prebuild "$hp"; then
  t1=$(date +%s)
  "$bin" check-patch "$hp" --seconds 5 --jobs 1 --minimize-seconds 10 --out "$work/hostile" >"$work/hostile.log" 2>&1
  rc=$?
  t2=$(date +%s)
  echo "asan-hostile-type: check-patch --seconds 5 $((t2 - t1)) s, exit $rc" | tee -a "$times"
  [ $rc -eq 1 ] || fail "hostile: exit $rc, want 1: $(tail -3 "$work/hostile.log")"
  [ $((t2 - t1)) -le 120 ] || fail "hostile: $((t2 - t1)) s, past 120 s"
  ls "$work/hostile" 2>/dev/null | grep -Eq -- '--(asan|ubsan)--swap_type_to_swap_info$' &&
    pass "hostile: $(ls "$work/hostile" | grep -c swap_type_to_swap_info) sanitizer findings in swap_type_to_swap_info" ||
    fail "hostile: no sanitizer finding in swap_type_to_swap_info: $(ls "$work/hostile")"
else
  fail "hostile: build"
fi

# A refactor that keeps behaviour: the verdict is clean and counts programs.
control=corpus/known-bugs/refactor-keeps-behaviour/bug.patch
prebuild "$control" || fail "control: build"
t1=$(date +%s)
"$bin" check-patch "$control" --seconds "$seconds" --out "$work/control" >"$work/control.log" 2>&1
rc=$?
t2=$(date +%s)
echo "refactor-keeps-behaviour: check-patch --seconds $seconds $((t2 - t1)) s, exit $rc" | tee -a "$times"
if [ $rc -eq 0 ] && grep -Eq '^no divergence in [1-9][0-9]* programs' "$work/control.log"; then
  pass "control: $(grep '^no divergence' "$work/control.log")"
else
  fail "control: exit $rc: $(tail -3 "$work/control.log")"
fi

# A fix, classified fix: the base build plants the MTE THP review's bug (stock + bug.patch),
# the patch under test reverts it (the bug's patch reversed). The spec sides with the patched
# build, which saves every page's tags again; a finding with another verdict fails.
planted=corpus/known-bugs/mte-prepare-first-page-only/bug.patch
awk -f tests/verdicts/reverse-patch.awk "$planted" >"$work/fix.patch"
prebuild "$work/fix.patch" --base "$planted" --no-sanitize || fail "fix: build"
"$bin" check-patch "$work/fix.patch" --base "$planted" --seconds "$seconds" --no-sanitize --out "$work/fix" \
  >"$work/fix.log" 2>&1
rc=$?
echo "fix of a planted bug: exit $rc" | tee -a "$times"
if [ $rc -eq 1 ] && grep -Eq '^  arch_prepare_to_swap/[a-z_]+/[a-z_]+ +fix ' "$work/fix.log"; then
  pass "fix: $(grep -E '^  arch_prepare_to_swap/[a-z_]+/[a-z_]+ +fix ' "$work/fix.log" | head -1 | awk '{print $1, $2}')"
else
  fail "fix: exit $rc, no arch_prepare_to_swap finding with verdict fix: $(tail -5 "$work/fix.log")"
fi
grep -Eq '^  [^ ]+ +regression ' "$work/fix.log" && fail "fix: a regression was reported: $(grep regression "$work/fix.log")"

# Triage on a kernel with two bugs: the NULL dereference (one input crashes
# the replay) and mte-restore-same-entry (seed 17's tagged swap-out and in
# diverges at arch_swap_restore). Both are filed; exit 1. (Minimizing the
# divergence in-process hits the NULL dereference too, when a candidate
# drops the swapon: triage then files it unminimized, in a fresh child.)
tp=("$patches/crash-null-deref.patch" corpus/known-bugs/mte-restore-same-entry/bug.patch)
"$bin" check-patch "${tp[@]}" --seconds 0 --jobs 1 --no-sanitize --out "$work/prebuild" >/dev/null 2>&1
key=$("$bin" variant-key "${tp[@]}")
vbin=$PWD/target/variants/$key/release/swapdiff
mkdir -p "$work/crashes"
# swap_duplicate on type 3, which has no device: si is NULL past the removed check.
printf 'mode raw\nswapon 1\nswap_duplicate 3:5\n' >"$work/crashes/crash-null"
cp corpus/seeds/39-mte-swap-out-in-free-cluster.txt "$work/crashes/crash-diverges"
t1=$(date +%s)
"$vbin" triage "$work/crashes" --out "$work/triage" >"$work/triage.log" 2>&1
rc=$?
t2=$(date +%s)
echo "triage (2 inputs): $((t2 - t1)) s, exit $rc" | tee -a "$times"
cat "$work/triage.log"
[ $rc -eq 1 ] || fail "triage: exit $rc, want 1"
ls -d "$work"/triage/*--crash--* >/dev/null 2>&1 && pass "triage: the crashing input is a crash finding" || fail "triage: no crash finding"
[ -d "$work/triage/arch_swap_restore--page--arch_swap_restore" ] && pass "triage: the divergence is filed" || fail "triage: divergence not filed"
[ -f "$work/triage/arch_swap_restore--page--arch_swap_restore/regression.txt" ] && pass "triage: regression entry in the finding" || fail "triage: no regression.txt"
grep -q "patch-set: $key" "$work/triage/arch_swap_restore--page--arch_swap_restore/regression.txt" && pass "triage: the regression entry records the patch-set key" || fail "triage: key not in regression.txt"

# SIGINT mid-hunt: cont-carry-drops-continued diverges within the first
# programs, so by the interrupt (8 s in) there is something to file; the
# workers stop, file it and the verdict is partial, exit 1.
ip=corpus/known-bugs/cont-carry-drops-continued/bug.patch
prebuild "$ip" || fail "interrupt: build"
"$bin" check-patch "$ip" --seconds 120 --out "$work/interrupt" >"$work/interrupt.log" 2>&1 &
pid=$!
# The 8 s count from the hunt's start: checking that the variant is built can
# take a while on a slow machine, and an interrupt while building is another
# case (nothing checked, exit 130).
for _ in $(seq 600); do grep -q 'hunting for' "$work/interrupt.log" && break; sleep 0.1; done
sleep 8
t1=$(date +%s)
kill -INT $pid
wait $pid
rc=$?
t2=$(date +%s)
echo "interrupt: exit $rc $((t2 - t1)) s after SIGINT" | tee -a "$times"
[ $rc -eq 1 ] || fail "interrupt: exit $rc, want 1"
grep -q '^interrupted: ' "$work/interrupt.log" && pass "interrupt: partial verdict: $(grep '^interrupted: ' "$work/interrupt.log")" || fail "interrupt: no partial verdict: $(tail -3 "$work/interrupt.log")"
[ $((t2 - t1)) -le 20 ] || fail "interrupt: took $((t2 - t1)) s to stop"
n=0
for d in "$work"/interrupt/*/; do
  n=$((n + 1))
  for f in README.md program.txt input.bin regression.txt; do [ -f "$d$f" ] || fail "interrupt: $d$f missing"; done
done
[ $n -ge 1 ] && pass "interrupt: $n complete finding directories" || fail "interrupt: nothing filed"
ls -a "$work/interrupt" | grep -q '^\.tmp-' && fail "interrupt: a half-written finding was left"
pgrep -f "$work/interrupt" >/dev/null && fail "interrupt: workers left running"

echo "wall times (also in $times):"
cat "$times"
echo "verdicts: $passes passed, $fails failed"
[ $fails -eq 0 ]
