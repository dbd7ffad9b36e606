#!/bin/sh
# The cshim tests and the two-engine scenario suite (tests/scenarios), with
# the C side built with -fsanitize=address,undefined (SWAPDIFF_C_SANITIZE) and
# the Rust side with -Zsanitizer=address (nightly),
# so ASan, UBSan and LeakSanitizer all watch the same process. Rust's ASan
# runtime carries the UBSan handlers, so clang's objects link against it;
# -fno-sanitize-recover=undefined makes the first UB report fatal.
# --target keeps the sanitizer off the build scripts and proc macros.
#
# Then tests/bounded_patches.rs once more, in a build with
# tests/patches/asan-oob-write.patch (its own target directory,
# target/sanitize-patched): the write past swap_map must be reported by ASan
# at its kernel line. The call bounds run under ASan in both builds (the
# default 1 s timeout must never fire on a legitimate call there either).
# That binary links two kernel builds (stock and patched): tests/two_builds.rs
# runs there too, so their isolation holds under the sanitizers.
set -eu
cd "$(dirname "$0")/../.."
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
export SWAPDIFF_C_SANITIZE=address,undefined
export RUSTFLAGS="-Zsanitizer=address"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"
CARGO_TARGET_DIR="$PWD/target/sanitize" cargo +nightly test -p cshim --target "$host" "$@"
# The kernel C's unit scenarios live in the root crate's suite run on both engines
# (tests/scenarios): the same sanitized build runs them; and the caller-level programs through
# 6.12's and 7.2's C (tests/cross_series), so the 7.2 extract runs under the sanitizers too.
CARGO_TARGET_DIR="$PWD/target/sanitize" cargo +nightly test -p swapdiff --target "$host" --test scenarios --test cross_series

patch=asan-oob-write.patch
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! CARGO_TARGET_DIR="$PWD/target/sanitize-patched" SWAPDIFF_PATCHES="$PWD/cshim/tests/patches/$patch" \
	SWAPDIFF_EXPECT_PATCHES=$patch \
	cargo +nightly test -p cshim --target "$host" --test bounded_patches -- --nocapture >"$log" 2>&1; then
	cat "$log"
	echo "sanitize.sh: the $patch build failed its checks" >&2
	exit 1
fi
# The patched branch must have run (a skipped check would pass silently).
grep -q "^asan-oob-write: child" "$log" || { cat "$log"; echo "sanitize.sh: the ASan check of $patch did not run" >&2; exit 1; }
grep "^patched:\|^asan-oob-write:\|test result" "$log"
CARGO_TARGET_DIR="$PWD/target/sanitize-patched" SWAPDIFF_PATCHES="$PWD/cshim/tests/patches/$patch" \
	SWAPDIFF_EXPECT_BUILDS=2 cargo +nightly test -p cshim --target "$host" --test two_builds
