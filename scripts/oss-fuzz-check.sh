#!/usr/bin/env bash
# make oss-fuzz-check: OSS-Fuzz's build check, run here without Docker.
#
# For each build in OSS_FUZZ_CHECK_BUILDS (default: address coverage afl) it
#  1. lays out what the image holds: $SRC/swapdiff (this working tree),
#     $SRC/build.sh (oss-fuzz/build.sh), $SRC/linux-source-6.12.tar.xz (the
#     local kernel tarball standing in for the one oss-fuzz/fetch-kernel.sh
#     downloads), empty $OUT and $WORK;
#  2. runs `bash -eux $SRC/build.sh` in a clean environment holding what
#     OSS-Fuzz's `compile` exports for that build (CC, CFLAGS, RUSTFLAGS, ...);
#  3. checks $OUT: every target of fuzz/fuzz_targets with its
#     _seed_corpus.zip, .dict and .options, and that the kernel C was built
#     with that build's instrumentation (OSS-Fuzz's flags, not ours);
#  4. runs every target on its seed corpus the way ClusterFuzz would:
#     address: libFuzzer for OSS_FUZZ_CHECK_SECONDS (default 10) with the
#       .options flags and dictionary; must end without a crash;
#     coverage: each seed once, then llvm-profdata/llvm-cov must read the
#       profile and show kernel lines reached;
#     afl: afl-fuzz for OSS_FUZZ_CHECK_SECONDS with the dictionary; must
#       execute inputs and save no crash.
# Exits 0 only when every check passed; prints one line per check.
#
# Differences from OSS-Fuzz, forced by this machine (no Docker, no network):
#  - libFuzzer is clang's libclang_rt.fuzzer (OSS-Fuzz links its own build of
#    the same library through the same CUSTOM_LIBFUZZER_PATH);
#  - no libc++ here, so RUSTFLAGS lack OSS-Fuzz's `-C link-arg=-lc++` in the
#    coverage build and CXXFLAGS lack -stdlib=libc++;
#  - the coverage build uses the clang whose profile format matches nightly's
#    LLVM (scripts/coverage.sh --print-cc): OSS-Fuzz's clang and Rust agree;
#  - the AFL++ build uses OSS-Fuzz's own fallback configuration
#    (AFL_LLVM_MODE_WORKAROUND: CC=clang with -fsanitize-coverage=trace-pc-guard,trace-cmp)
#    because cargo-afl's AFL++ has no afl-clang-fast.
#
#   OSS_FUZZ_CHECK_DIR      where $SRC, $OUT, $WORK live (default target/oss-fuzz-check;
#                           kept between runs, so a second run builds incrementally)
#   OSS_FUZZ_CHECK_BUILDS   which builds (address coverage afl)
#   OSS_FUZZ_CHECK_SECONDS  seconds per target (default 10)
#   SWAPDIFF_KERNEL_SRC     the kernel tarball or tree (default /usr/src/linux-source-6.12.tar.xz)
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

root=${OSS_FUZZ_CHECK_DIR:-$repo/target/oss-fuzz-check}
builds=${OSS_FUZZ_CHECK_BUILDS:-address coverage afl}
seconds=${OSS_FUZZ_CHECK_SECONDS:-10}
kernel=${SWAPDIFF_KERNEL_SRC:-/usr/src/linux-source-6.12.tar.xz}

die() { printf 'oss-fuzz-check: %s\n' "$*" >&2; exit 2; }
failures=0
pass() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }

[ -e "$kernel" ] || die "no kernel source at $kernel (scripts/install-deps.sh base installs linux-source-6.12)"
case "$root" in /*) ;; *) root="$repo/$root" ;; esac
mkdir -p "$root"
start=$(date +%s)

targets=()
for f in fuzz/fuzz_targets/*.rs; do targets+=("$(basename "${f%.rs}")"); done

sysroot=$(rustc +nightly --print sysroot) || die "no nightly toolchain (scripts/install-deps.sh fuzz)"
llvm_bin="$sysroot/lib/rustlib/x86_64-unknown-linux-gnu/bin"
afl_home=$(ls -d "${XDG_DATA_HOME:-$HOME/.local/share}"/afl.rs/rustc-*/afl.rs-*/afl 2>/dev/null | tail -1)
real_cargo=$(command -v cargo) || die "no cargo"

# The pinned hashes in oss-fuzz/fetch-kernel.sh should name the package this
# machine's default kernel source comes from; say so when apt can tell.
pinned_deb_sha=$(sed -n 's/^DEB_SHA256=//p' oss-fuzz/fetch-kernel.sh)
pinned_deb=$(sed -n 's/^DEB_NAME=//p' oss-fuzz/fetch-kernel.sh)
pinned_ver=$(sed -E 's/^linux-source-6\.12_([^_]*)_all\.deb$/\1/' <<<"$pinned_deb")
apt_sha=$(apt-cache show "linux-source-6.12=$pinned_ver" 2>/dev/null | sed -n 's/^SHA256: //p' | head -1)
echo "oss-fuzz-check: fetch-kernel.sh pins"
if [ -z "$apt_sha" ]; then
  pass "$pinned_deb (apt does not list that version here; pin not compared)"
elif [ "$apt_sha" = "$pinned_deb_sha" ]; then
  pass "$pinned_deb sha256 matches the Debian archive's signed index"
else
  fail "$pinned_deb: fetch-kernel.sh pins $pinned_deb_sha, the archive lists $apt_sha"
fi

# Copies the working tree (tracked and untracked-but-not-ignored files) into
# $SRC/swapdiff, keeping fuzz/target there so that reruns are incremental.
sync_source() {
  local dest=$1
  mkdir -p "$dest"
  find "$dest" -mindepth 1 -maxdepth 1 ! -name fuzz -exec rm -rf {} +
  [ -d "$dest/fuzz" ] && find "$dest/fuzz" -mindepth 1 -maxdepth 1 ! -name target -exec rm -rf {} +
  git ls-files -z --cached --others --exclude-standard \
    | rsync -a --from0 --files-from=- --ignore-missing-args ./ "$dest/"
}

# What base-builder's cargo wrapper does in coverage builds, for this check:
# `cargo fuzz build` becomes a plain debug `cargo build --bins` in fuzz/ (the
# profile runtime then sees unoptimised Rust), copied to where cargo fuzz
# puts its output; `cargo build` gets path remapping for the report.
write_cargo_wrapper() {
  cat >"$1" <<EOF
#!/bin/bash -eu
real="$real_cargo"
EOF
  cat >>"$1" <<'EOF'
if [ "${SANITIZER:-}" = coverage ] && [ "${1:-}" = build ]; then
  root=$("$real" metadata --no-deps --format-version 1 | jq -r .workspace_root)
  export RUSTFLAGS="$RUSTFLAGS --remap-path-prefix src=$root/src"
fi
if [ "${SANITIZER:-}" = coverage ] && [ "${1:-}" = fuzz ]; then
  cd fuzz 2>/dev/null || true
  export RUSTFLAGS="$RUSTFLAGS --remap-path-prefix fuzz_targets=$PWD/fuzz_targets"
  "$real" build --bins
  tdir=$("$real" metadata --format-version 1 --no-deps | jq -r .target_directory)
  mkdir -p "$tdir/x86_64-unknown-linux-gnu/release"
  cp -r "$tdir/debug/." "$tdir/x86_64-unknown-linux-gnu/release/"
  exit 0
fi
exec "$real" "$@"
EOF
  chmod +x "$1"
}

# libFuzzer flags and ASAN_OPTIONS from a .options file, as ClusterFuzz applies them.
options_flags() { # file outdir
  awk -v out="$2" '
    /^\[/ { section = $0; next }
    /^[ \t]*(#|$)/ { next }
    { split($0, kv, "="); k = kv[1]; v = substr($0, index($0, "=") + 1)
      gsub(/[ \t]/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
      if (section == "[libfuzzer]") { if (k == "dict") v = out "/" v; printf "-%s=%s\n", k, v } }' "$1"
}
options_asan() { # file
  awk '/^\[/ { section = $0; next } /^[ \t]*(#|$)/ { next }
       section == "[asan]" { gsub(/[ \t]/, ""); printf "%s%s", sep, $0; sep = ":" }' "$1"
}

for build in $builds; do
  dir="$root/$build"
  SRC="$dir/src" OUT="$dir/out" WORK="$dir/work"
  echo
  echo "oss-fuzz-check: $build build in $dir"
  sync_source "$SRC/swapdiff"
  cp oss-fuzz/build.sh "$SRC/build.sh"
  ln -sfn "$kernel" "$SRC/linux-source-6.12.tar.xz"
  rm -rf "$OUT" "$WORK/seeds"
  mkdir -p "$OUT" "$WORK" "$dir/bin"

  base_cflags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
  base_rustflags="--cfg fuzzing -Cdebuginfo=1 -Cforce-frame-pointers"
  env_build=(SANITIZER=address FUZZING_ENGINE=libfuzzer CC=clang CXX=clang++)
  path="$PATH"
  case "$build" in
    address)
      cflags="$base_cflags -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
      rustflags="$base_rustflags -Zsanitizer=address"
      env_build+=(CUSTOM_LIBFUZZER_PATH="$(clang --print-runtime-dir)/libclang_rt.fuzzer-x86_64.a")
      ;;
    coverage)
      cc=$(scripts/coverage.sh --print-cc) || die "no clang for the coverage build (scripts/coverage.sh --print-cc)"
      cflags="$base_cflags -fprofile-instr-generate -fcoverage-mapping -pthread -Wl,--no-as-needed -Wl,-ldl -Wl,-lm -Wno-unused-command-line-argument"
      rustflags="$base_rustflags -Cinstrument-coverage"
      env_build=(SANITIZER=coverage FUZZING_ENGINE=libfuzzer CC="$cc" CXX="${cc/clang/clang++}"
                 CUSTOM_LIBFUZZER_PATH="$(clang --print-runtime-dir)/libclang_rt.fuzzer-x86_64.a")
      write_cargo_wrapper "$dir/bin/cargo"
      path="$dir/bin:$PATH"
      ;;
    afl)
      [ -n "$afl_home" ] || die "no AFL++ from cargo-afl (scripts/install-deps.sh afl)"
      cflags="$base_cflags -fsanitize=address -fsanitize-address-use-after-scope -fsanitize-coverage=trace-pc-guard,trace-cmp"
      rustflags="$base_rustflags -Zsanitizer=address"
      env_build=(SANITIZER=address FUZZING_ENGINE=afl CC=clang CXX=clang++
                 CUSTOM_LIBFUZZER_PATH="$afl_home/lib/afl/libAFLDriver.a"
                 AFL_COMPILER_RT="$afl_home/lib/afl/afl-compiler-rt.o")
      ;;
    *) die "unknown build '$build' (address, coverage, afl)" ;;
  esac

  t0=$(date +%s)
  if env -i HOME="$HOME" PATH="$path" USER="${USER:-root}" TERM=dumb \
       CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" RUSTUP_TOOLCHAIN=nightly \
       SRC="$SRC" OUT="$OUT" WORK="$WORK" FUZZING_LANGUAGE=rust ARCHITECTURE=x86_64 \
       CFLAGS="$cflags" CXXFLAGS="$cflags" RUSTFLAGS="$rustflags" "${env_build[@]}" \
       bash -eux "$SRC/build.sh" >"$dir/build.log" 2>&1; then
    pass "build.sh ($(( $(date +%s) - t0 ))s, log $dir/build.log)"
  else
    fail "build.sh failed; the last lines of $dir/build.log:"
    tail -30 "$dir/build.log" | sed 's/^/        /'
    continue
  fi

  # The kernel C must carry this build's instrumentation, from OSS-Fuzz's CFLAGS.
  klib=$(find "$SRC/swapdiff/fuzz/target" -name libswapdiff_kernel.a -path '*/build/cshim-*' -printf '%T@ %p\n' \
         | sort -n | tail -1 | cut -d' ' -f2)
  case "$build" in
    address) want='__asan_report_load|__sanitizer_cov_trace_cmp' ;;
    coverage) want='__profc_|__covrec_' ;;
    afl) want='__asan_report_load|__sanitizer_cov_trace_pc_guard' ;;
  esac
  found=$(nm "$klib" 2>/dev/null | grep -oE "$want" | sort -u | tr '\n' ' ')
  if [ -n "$klib" ] && [ "$(wc -w <<<"$found")" -eq "$(tr '|' '\n' <<<"$want" | wc -l)" ]; then
    pass "kernel C instrumented: $found"
  else
    fail "kernel C in ${klib:-<no libswapdiff_kernel.a>} lacks some of: ${want//|/ } (has: ${found:-nothing})"
  fi

  for t in "${targets[@]}"; do
    missing=()
    for f in "$t" "${t}_seed_corpus.zip" "$t.dict" "$t.options"; do [ -s "$OUT/$f" ] || missing+=("$f"); done
    if [ ${#missing[@]} -gt 0 ]; then
      fail "$t: \$OUT lacks ${missing[*]}"
      continue
    fi
    corpus="$WORK/check-corpus/$t"
    rm -rf "$corpus" && mkdir -p "$corpus"
    if ! unzip -q "$OUT/${t}_seed_corpus.zip" -d "$corpus" || [ -z "$(ls -A "$corpus")" ]; then
      fail "$t: ${t}_seed_corpus.zip is not a zip of inputs"
      continue
    fi
    nseeds=$(find "$corpus" -type f | wc -l)
    grep -qx "dict = $t.dict" "$OUT/$t.options" || { fail "$t.options does not name $t.dict"; continue; }
    log="$dir/run-$t.log"
    case "$build" in
      address)
        mapfile -t flags < <(options_flags "$OUT/$t.options" "$OUT")
        ASAN_OPTIONS="$(options_asan "$OUT/$t.options")" timeout $((seconds + 120)) \
          "$OUT/$t" -max_total_time="$seconds" -print_final_stats=1 "${flags[@]}" "$corpus" >"$log" 2>&1
        rc=$?
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
        dict=$(grep -o 'Dictionary: [0-9]* entries' "$log")
        if [ $rc -eq 0 ] && [ -n "$runs" ] && [ -n "$dict" ]; then
          pass "$t: ${seconds}s from $nseeds seeds, $runs execs, ${dict,}, no crash"
        else
          fail "$t: libFuzzer exited $rc (runs ${runs:-?}, ${dict:-dictionary not loaded}); see $log"
        fi
        ;;
      coverage)
        rm -f "$WORK/cov-$t".*.profraw
        LLVM_PROFILE_FILE="$WORK/cov-$t.%p.profraw" timeout 300 "$OUT/$t" -runs=0 "$corpus" >"$log" 2>&1
        rc=$?
        if [ $rc -eq 0 ] && "$llvm_bin/llvm-profdata" merge -sparse "$WORK/cov-$t".*.profraw -o "$WORK/cov-$t.profdata" 2>>"$log"; then
          row=$("$llvm_bin/llvm-cov" report "$OUT/$t" -instr-profile="$WORK/cov-$t.profdata" 2>>"$log" | grep '/mm/swapfile\.c ')
          lines=$(awk '{ printf "%d/%d", $8 - $9, $8 }' <<<"$row")
          if [ -n "$row" ] && [ "${lines%%/*}" -gt 0 ]; then
            pass "$t: $nseeds seeds, profile readable, mm/swapfile.c lines reached $lines"
          else
            fail "$t: profile merged but shows no mm/swapfile.c lines reached; see $log"
          fi
        else
          fail "$t: coverage run exited $rc or its profile did not merge; see $log"
        fi
        ;;
      afl)
        rm -rf "$WORK/afl-$t"
        AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
          ASAN_OPTIONS="$(options_asan "$OUT/$t.options"):abort_on_error=1:symbolize=0" \
          timeout $((seconds + 120)) "$afl_home/bin/afl-fuzz" -V "$seconds" -x "$OUT/$t.dict" \
            -i "$corpus" -o "$WORK/afl-$t" -- "$OUT/$t" >"$log" 2>&1
        rc=$?
        execs=$(awk -F: '/^execs_done/ { gsub(/ /, "", $2); print $2 }' "$WORK/afl-$t/default/fuzzer_stats" 2>/dev/null)
        edges=$(awk -F: '/^edges_found/ { gsub(/ /, "", $2); print $2 }' "$WORK/afl-$t/default/fuzzer_stats" 2>/dev/null)
        crashes=$(find "$WORK/afl-$t/default/crashes" -name 'id:*' 2>/dev/null | wc -l)
        if [ $rc -eq 0 ] && [ "${execs:-0}" -gt 0 ] && [ "$crashes" -eq 0 ]; then
          pass "$t: afl-fuzz ${seconds}s from $nseeds seeds, $execs execs, $edges edges, no crash"
        else
          fail "$t: afl-fuzz exited $rc, ${execs:-0} execs, $crashes crashes; see $log"
        fi
        ;;
    esac
  done
done

echo
if [ $failures -eq 0 ]; then
  echo "oss-fuzz-check: passed ($builds) in $(( $(date +%s) - start ))s"
else
  echo "oss-fuzz-check: $failures check(s) failed" >&2
  exit 1
fi
