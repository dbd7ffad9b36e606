#!/bin/bash
# make test-races: each corpus/races entry is a patch that breaks the locking of the kernel
# code and a concurrent program (src/interleave/text.rs). Its patched build must report a
# violation (exit 1) and the stock build none (exit 0), each with the exhaustive walk of
# `swapdiff interleave` (2 preemptions). Prints the time each took. Patched builds share
# target/races (only the C and what links it rebuild per patch).
set -euo pipefail
cd "$(dirname "$0")/.."
env -u SWAPDIFF_PATCHES -u SWAPDIFF_BASE_PATCHES -u CARGO_TARGET_DIR cargo build --release -q --bin swapdiff
fail=0
for d in corpus/races/*/; do
	name=$(basename "$d")
	SWAPDIFF_PATCHES="$PWD/$d/bug.patch" CARGO_TARGET_DIR=target/races \
		env -u SWAPDIFF_BASE_PATCHES cargo build --release -q --bin swapdiff
	start=$(date +%s%N)
	set +e
	target/races/release/swapdiff interleave "$d/program.txt" > "target/races/$name.out" 2>&1
	patched=$?
	set -e
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	set +e
	target/release/swapdiff interleave "$d/program.txt" > "target/races/$name.stock.out" 2>&1
	stock=$?
	set -e
	if [ "$patched" = 1 ] && [ "$stock" = 0 ]; then
		echo "test-races: $name: found in ${took} ms ($(sed -n 2p "target/races/$name.out" | cut -c1-60)...); stock clean"
	else
		echo "test-races: $name: FAILED (patched exit $patched, want 1; stock exit $stock, want 0)"
		cat "target/races/$name.out" "target/races/$name.stock.out"
		fail=1
	fi
done
exit $fail
