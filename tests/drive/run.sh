#!/usr/bin/env bash
# `swapdiff fuzz` end to end (make test-fuzz-build, after the build):
#  1. stock, 5 s of swap_mte: exit 0, and the summary counts executions;
#  2. a planted bug (corpus/known-bugs/has-cache-tests-flag-only, found by the
#     very first program of every hunt seed, RESULTS.md) under swap_counts,
#     whose seeds reach put_swap_folio: exit 1, and the triage files a finding
#     with the bug's expected signature;
#  3. a planted 7.2 bug (corpus/known-bugs-72/cache-del-frees-counted-slots, found by the
#     first program of every seed, RESULTS.md there) under the caller-level target
#     callers_7x: the patch is detected as 7.2's, the targets are built on 7.2, the run
#     exits 1, and the triage files the finding (program.txt, README.md, repro.c) under the
#     entry's expected signature with the verdict regression.
# The second and third build patched targets and CLIs once each (about 4 minutes cold).
set -uo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "drive e2e: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
swapdiff() {
  env -u SWAPDIFF_PATCHES -u SWAPDIFF_C_SANITIZE -u RUSTFLAGS -u CARGO_TARGET_DIR \
    cargo run --release -q --bin swapdiff -- "$@"
}

start=$(date +%s)
swapdiff fuzz swap_mte --seconds 5 --level raw --findings "$tmp/stock-findings" >"$tmp/stock.out" 2>&1
rc=$?
cat "$tmp/stock.out"
[ $rc -eq 0 ] || fail "stock run exited $rc, not 0"
execs=$(awk '$1 == "swap_mte" && $3 == "execs" { print $2 }' "$tmp/stock.out")
[ -n "$execs" ] && [ "$execs" -gt 0 ] || fail "the stock summary shows no executions ('$execs')"
[ ! -e "$tmp/stock-findings" ] || fail "the clean stock run filed findings"
mid=$(date +%s)

bug=corpus/known-bugs/has-cache-tests-flag-only
swapdiff fuzz swap_counts --patch "$bug/bug.patch" --seconds 5 --level "$(cat "$bug/level.txt")" \
  --findings "$tmp/findings" >"$tmp/bug.out" 2>&1
rc=$?
cat "$tmp/bug.out"
[ $rc -eq 1 ] || fail "the planted bug's run exited $rc, not 1"
expected=$(head -1 "$bug/expected.txt")
grep -q "$expected" "$tmp/bug.out" || fail "the summary or triage does not name $expected"
found=$(find "$tmp/findings" -name README.md | head -1)
[ -n "$found" ] || fail "no finding directory with a README in $tmp/findings"
end=$(date +%s)

bug72=corpus/known-bugs-72/cache-del-frees-counted-slots
swapdiff fuzz callers_7x --patch "$bug72/bug.patch" --seconds 10 --findings "$tmp/findings72" >"$tmp/bug72.out" 2>&1
rc=$?
cat "$tmp/bug72.out"
[ $rc -eq 1 ] || fail "the planted 7.2 bug's run exited $rc, not 1"
grep -q -- "-on-7.2 kernel" "$tmp/bug72.out" || fail "the 7.2 patch was not built on 7.2"
# expected.txt is a shell glob of the signature; the finding's directory is the signature
# with '/' and ':' as '_'.
expected72=$(cat "$bug72/expected.txt")
found72=""
for d in "$tmp/findings72"/*/; do
  sig=$(sed -n 's/^# \(divergence\/[^ ]*\|spec\/[^ ]*\).*/\1/p' "$d/README.md" 2>/dev/null | head -1)
  # shellcheck disable=SC2053
  [[ -n $sig && $sig == $expected72 ]] && found72=$d
done
[ -n "$found72" ] || fail "no finding matching $expected72 in $tmp/findings72"
for f in program.txt README.md repro.c; do
  [ -s "$found72/$f" ] || fail "the 7.2 finding lacks $f"
done
grep -q "^# verdict: regression" "$found72/program.txt" || fail "the 7.2 finding's verdict is not regression"
end72=$(date +%s)
echo "drive e2e: ok (stock $execs execs, $((mid - start)) s; planted bug found and filed, $((end - mid)) s;" \
  "planted 7.2 bug found and filed by callers_7x, $((end72 - end)) s)"
