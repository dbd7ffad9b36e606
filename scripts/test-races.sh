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
	# The hunt (generated programs, no hand-written one): seeds 1 to 3, time to detection.
	hunts=""
	for seed in 1 2 3; do
		set +e
		target/races/release/swapdiff interleave --hunt 60 --seed "$seed" > "target/races/$name.hunt$seed.out" 2>&1
		h=$?
		set -e
		if [ "$h" != 1 ]; then
			patched="hunt seed $seed exit $h"
		fi
		hunts="$hunts $(sed -n 's/.*violation in program \([0-9]*\) after \([0-9.]*\) s.*/seed '"$seed"': program \1, \2 s;/p' "target/races/$name.hunt$seed.out")"
	done
	if [ "$patched" = 1 ] && [ "$stock" = 0 ]; then
		echo "test-races: $name: program.txt found in ${took} ms; hunt:$hunts stock clean"
	else
		echo "test-races: $name: FAILED (patched exit $patched, want 1; stock exit $stock, want 0)"
		cat "target/races/$name.out" "target/races/$name.stock.out"
		fail=1
	fi
done
# The stock build's hunt must be clean (and judged) for the same generator.
set +e
target/release/swapdiff interleave --hunt 10 --seed 1 > target/races/stock.hunt.out 2>&1
h=$?
set -e
if [ "$h" = 0 ]; then
	echo "test-races: stock: $(sed -n 2p target/races/stock.hunt.out)"
else
	echo "test-races: stock hunt: FAILED (exit $h, want 0)"
	cat target/races/stock.hunt.out
	fail=1
fi
exit $fail
