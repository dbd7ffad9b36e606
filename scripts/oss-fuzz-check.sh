#!/usr/bin/env bash
# make oss-fuzz-check: OSS-Fuzz's build check, run here without Docker.
#
# For each build in OSS_FUZZ_CHECK_BUILDS (default: address coverage afl) it
#  0. (once) checks the pins of oss-fuzz/fetch-kernel.sh against the local
#     Debian trees: fetch-kernel.sh SERIES runs on the local tarball in place
#     of its download (KERNEL_TARBALL), for 6.12 and 7.2. Pins that match
#     leave the same cut-down, checked tarball the image gets; a local tree
#     of another release than the one pinned (Debian moved on) is a warning:
#     the pins are then not compared, and the builds get the same files of
#     the local tree, unchecked; a pin that does not match its own release is
#     a failure;
#  1. lays out what the image holds: $SRC/swapdiff (this working tree),
#     $SRC/build.sh (oss-fuzz/build.sh), $SRC/linux-source-6.12.tar.xz and
#     $SRC/linux-source-7.2.tar.xz (from step 0), empty $OUT and $WORK;
#  2. runs `bash -eux $SRC/build.sh` in a clean environment holding what
#     OSS-Fuzz's `compile` exports for that build (CC, CFLAGS, RUSTFLAGS, ...);
#  3. checks $OUT: every target of fuzz/fuzz_targets with its
#     _seed_corpus.zip, .dict and .options (a target without seeds is a
#     warning and runs from one empty input), and that the kernel C was built
#     with that build's instrumentation (OSS-Fuzz's flags, not ours);
#  4. runs every target on its seed corpus the way ClusterFuzz would:
#     address: libFuzzer for OSS_FUZZ_CHECK_SECONDS (default 10) with the
#       .options flags and dictionary; must end without a crash;
#     coverage: each seed once, then llvm-profdata/llvm-cov must read the
#       profile and show kernel lines reached, in mm/swapfile.c of each
#       series the target runs (6.12, 7.x or both: oss-fuzz/build.sh's header);
#     afl: afl-fuzz for OSS_FUZZ_CHECK_SECONDS with the dictionary; must
#       execute inputs and save no crash.
# Exits 0 only when every check passed (warnings do not fail it); prints one
# line per check. The pin check alone takes about a minute (it decompresses
# both local trees); each build several minutes, the first time most.
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
#   OSS_FUZZ_CHECK_BUILDS=none checks the pins only
#   SWAPDIFF_KERNEL_SRC     the 6.12 kernel tarball (default /usr/src/linux-source-6.12.tar.xz)
#   SWAPDIFF_KERNEL_SRC_72  the 7.2 kernel tarball (default target/kernel-sources/linux-source-7.2.tar.xz,
#                           what scripts/install-deps.sh base fetches)
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

root=${OSS_FUZZ_CHECK_DIR:-$repo/target/oss-fuzz-check}
builds=${OSS_FUZZ_CHECK_BUILDS:-address coverage afl}
seconds=${OSS_FUZZ_CHECK_SECONDS:-10}
kernel=${SWAPDIFF_KERNEL_SRC:-/usr/src/linux-source-6.12.tar.xz}
kernel72=${SWAPDIFF_KERNEL_SRC_72:-$repo/target/kernel-sources/linux-source-7.2.tar.xz}
[ "$builds" = none ] && builds=""

die() { printf 'oss-fuzz-check: %s\n' "$*" >&2; exit 2; }
failures=0
pass() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }
warnings=0
warn() { printf '  warn  %s\n' "$*"; warnings=$((warnings + 1)); }

[ -f "$kernel" ] || die "no 6.12 kernel tarball at $kernel (scripts/install-deps.sh base installs linux-source-6.12)"
[ -f "$kernel72" ] || die "no 7.2 kernel tarball at $kernel72 (scripts/install-deps.sh base fetches linux-source-7.2)"
case "$root" in /*) ;; *) root="$repo/$root" ;; esac
mkdir -p "$root"
start=$(date +%s)

targets=()
for f in fuzz/fuzz_targets/*.rs; do targets+=("$(basename "${f%.rs}")"); done

sysroot=$(rustc +nightly --print sysroot) || die "no nightly toolchain (scripts/install-deps.sh fuzz)"
llvm_bin="$sysroot/lib/rustlib/x86_64-unknown-linux-gnu/bin"
afl_home=$(ls -d "${XDG_DATA_HOME:-$HOME/.local/share}"/afl.rs/rustc-*/afl.rs-*/afl 2>/dev/null | tail -1)
real_cargo=$(command -v cargo) || die "no cargo"

# Step 0: fetch-kernel.sh's pins against the local Debian trees. The result
# (and the checked tarball) is kept in $root/kernel while neither the script
# nor the local tarball changes.
declare -A image_tarball
echo "oss-fuzz-check: oss-fuzz/fetch-kernel.sh pins against the local trees"
mkdir -p "$root/kernel"
for pair in "6.12=$kernel" "7.2=$kernel72"; do
  series=${pair%%=*} local_tar=${pair#*=}
  checked="$root/kernel/linux-source-$series.tar.xz"
  stamp="$root/kernel/linux-source-$series.stamp"
  key="$(sha256sum <oss-fuzz/fetch-kernel.sh | cut -d' ' -f1) $(readlink -f "$local_tar") $(stat -L -c '%s %Y' "$local_tar")"
  if [ -f "$stamp" ] && [ "$(sed -n 1p "$stamp")" = "$key" ] && { [ "$(sed -n 2p "$stamp")" != 0 ] || [ -f "$checked" ]; }; then
    rc=$(sed -n 2p "$stamp") msg=$(sed -n '3,$p' "$stamp")
  else
    rm -f "$checked" "$stamp"
    msg=$(KERNEL_TARBALL="$local_tar" bash oss-fuzz/fetch-kernel.sh "$series" "$checked" 2>&1)
    rc=$?
    printf '%s\n%s\n%s\n' "$key" "$rc" "$msg" >"$stamp"
  fi
  case $rc in
    0)
      pass "$series: the pins match $local_tar (${msg#fetch-kernel: })"
      image_tarball[$series]=$checked
      ;;
    3)
      # The builds still see what the image would hold: the same files, unchecked.
      cut="$root/kernel/linux-source-$series.unchecked.tar.xz"
      if [ ! -f "$cut" ] || [ "$cut" -ot "$stamp" ]; then
        rm -rf "$cut" "$root/kernel/cut" && mkdir -p "$root/kernel/cut"
        mapfile -t want < <(bash oss-fuzz/fetch-kernel.sh --files "$series" | sed 's|^|*/|')
        tar -xJf "$local_tar" -C "$root/kernel/cut" --occurrence --wildcards --no-wildcards-match-slash \
            --no-same-owner "${want[@]}" && tar -C "$root/kernel/cut" -cJf "$cut" "$(ls "$root/kernel/cut")" \
          || die "could not cut $local_tar down to ${want[*]}"
        rm -rf "$root/kernel/cut"
      fi
      warn "$series: $local_tar is another release than fetch-kernel.sh pins, so its pins are not compared;" \
        "the builds read its $(bash oss-fuzz/fetch-kernel.sh --files "$series" | paste -sd' '), unchecked" \
        "(${msg#fetch-kernel: })"
      image_tarball[$series]=$cut
      ;;
    *)
      fail "$series: fetch-kernel.sh rejects $local_tar, of the release it pins: ${msg#fetch-kernel: }"
      image_tarball[$series]=$local_tar
      ;;
  esac
done

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

# The series a target runs, as oss-fuzz/build.sh's header lists them (the coverage build checks
# that each one's kernel lines are reached).
series_of() {
  case "$1" in
    callers_7x) echo 7.x ;;
    callers_cross) echo 6.12 7.x ;;
    *) echo 6.12 ;;
  esac
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
  ln -sfn "${image_tarball[6.12]}" "$SRC/linux-source-6.12.tar.xz"
  ln -sfn "${image_tarball[7.2]}" "$SRC/linux-source-7.2.tar.xz"
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
    for f in "$t" "$t.dict" "$t.options"; do [ -s "$OUT/$f" ] || missing+=("$f"); done
    if [ ${#missing[@]} -gt 0 ]; then
      fail "$t: \$OUT lacks ${missing[*]}"
      continue
    fi
    corpus="$WORK/check-corpus/$t"
    rm -rf "$corpus" && mkdir -p "$corpus"
    if [ ! -e "$OUT/${t}_seed_corpus.zip" ]; then
      # build.sh leaves a target without seeds without a zip; it still has to run (ClusterFuzz
      # starts it from an empty corpus; AFL++ needs one input).
      warn "$t: no ${t}_seed_corpus.zip (no seeds); run from one empty input"
      : >"$corpus/empty"
    elif ! unzip -q "$OUT/${t}_seed_corpus.zip" -d "$corpus" || [ -z "$(ls -A "$corpus")" ]; then
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
          # Every binary links both series' extracts, each under its own directory, both with
          # an mm/swapfile.c; the 7.x one is the directory that also has mm/swap_table.h.
          # The target must reach lines of the swapfile.c of each series it runs.
          files=$("$llvm_bin/llvm-cov" export -summary-only "$OUT/$t" -instr-profile="$WORK/cov-$t.profdata" 2>>"$log" \
            | jq -r '.data[0].files[] | [.filename, .summary.lines.covered, .summary.lines.count] | @tsv')
          declare -A reached=()
          while IFS=$'\t' read -r file covered count; do
            kdir=${file%/mm/swapfile.c}
            if grep -qF "$kdir/mm/swap_table.h"$'\t' <<<"$files"; then s=7.x; else s=6.12; fi
            reached[$s]="${reached[$s]:+${reached[$s]} + }$covered/$count"
            [ "$covered" -gt 0 ] && reached[$s.hit]=1
          done < <(grep -P '/mm/swapfile\.c\t' <<<"$files")
          missed=() what=()
          for s in $(series_of "$t"); do
            what+=("$s ${reached[$s]:-absent}")
            [ -n "${reached[$s.hit]:-}" ] || missed+=("$s")
          done
          if [ ${#missed[@]} -eq 0 ]; then
            pass "$t: $nseeds seeds, profile readable, mm/swapfile.c lines reached: $(IFS=,; echo "${what[*]}" | sed 's/,/, /g')"
          else
            fail "$t: profile merged but shows no mm/swapfile.c lines of ${missed[*]} reached ($(IFS=,; echo "${what[*]}")); see $log"
          fi
          unset reached
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
  summary="oss-fuzz-check: passed (pins${builds:+ $builds}) in $(( $(date +%s) - start ))s"
  [ $warnings -eq 0 ] || summary+=", $warnings warning(s) above"
  echo "$summary"
else
  echo "oss-fuzz-check: $failures check(s) failed" >&2
  exit 1
fi
