#!/usr/bin/env bash
# `swapdiff fuzz` end to end (make test-fuzz-build, after the build):
#  1. stock, 5 s of swap_mte: exit 0, and the summary counts executions;
#  2. a planted bug (corpus/known-bugs/has-cache-tests-flag-only, found by the
#     very first program of every hunt seed, RESULTS.md) under swap_counts,
#     whose seeds reach put_swap_folio: exit 1, and the triage files a finding
#     with the bug's expected signature.
# The second builds the patched targets and CLI once (about 4 minutes cold).
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
echo "drive e2e: ok (stock $execs execs, $((mid - start)) s; planted bug found and filed, $((end - mid)) s)"
