#!/bin/sh
# The cshim tests with the C side built with -fsanitize=address,undefined
# (SWAPDIFF_C_SANITIZE) and the Rust side with -Zsanitizer=address (nightly),
# so ASan, UBSan and LeakSanitizer all watch the same process. Rust's ASan
# runtime carries the UBSan handlers, so clang's objects link against it;
# -fno-sanitize-recover=undefined makes the first UB report fatal.
# --target keeps the sanitizer off the build scripts and proc macros.
set -eu
cd "$(dirname "$0")/../.."
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
export SWAPDIFF_C_SANITIZE=address,undefined
export RUSTFLAGS="-Zsanitizer=address"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"
export CARGO_TARGET_DIR="$PWD/target/sanitize"
exec cargo +nightly test -p cshim --target "$host" "$@"
