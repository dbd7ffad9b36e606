#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build of swapdiff's fuzz targets.
#
# Runs inside base-builder-rust (`compile` calls it with $SRC, $OUT, $WORK,
# CC, CFLAGS, RUSTFLAGS, SANITIZER, FUZZING_ENGINE set). For each target of
# fuzz/fuzz_targets it leaves in $OUT:
#   <target>                  the fuzzer
#   <target>_seed_corpus.zip  the text programs of corpus/ as binary inputs
#   <target>.dict             fuzz/swapdiff.dict
#   <target>.options          fuzz/swapdiff.options, its dict line naming <target>.dict
#
# The C side (the kernel code extracted at build time) is compiled by
# cshim/build.rs with $CC and $CFLAGS: when CFLAGS already carries
# -fsanitize or -fprofile flags, as OSS-Fuzz's do, the build adds no
# instrumentation of its own, so the kernel code gets exactly OSS-Fuzz's
# sanitizer and coverage flags.
#
# The kernel sources, one per series, each the tarball the Dockerfile fetched
# (oss-fuzz/fetch-kernel.sh) unless named otherwise:
#   6.12  $SWAPDIFF_KERNEL_SRC,    else $SRC/linux-source-6.12.tar.xz
#   7.2   $SWAPDIFF_KERNEL_SRC_72, else $SRC/linux-source-7.2.tar.xz
# Both are required: every binary links both series (cshim/build.rs), and a
# missing one stops this script before anything is built.
#
# The targets, by the series they run (every one is built, from
# fuzz/fuzz_targets):
#   6.12          swap_counts, mte_tags, swap_mte, spec_alone (the op-level
#                 raw targets), callers_612 (caller-level programs),
#                 interleave_612 (concurrent programs and their schedules)
#   7.x (7.2)     callers_7x, interleave_7x (concurrent programs on 7.x)
#   6.12 and 7.x  callers_cross (6.12 against 7.x, program by program)
# Their seeds: the op-level targets' from corpus/seeds and
# corpus/regressions, the caller-level ones' from corpus/callers. A target
# with no seeds gets no _seed_corpus.zip (it starts from an empty corpus).
#
# The comparison level: the targets compare at the raw level, the strictest
# and the right one for the stock kernel OSS-Fuzz builds. A fuzzer's
# environment cannot be set there (.options files carry flags, not
# variables), so the level is chosen at build time instead: SWAPDIFF_LEVEL
# (raw or logical) in this script's environment is baked into the targets
# as their default (src/harness.rs); at run time SWAPDIFF_LEVEL, when set,
# still wins. Only a patched tree whose encoding changes on purpose (a
# ClusterFuzzLite setup fuzzing such a patch) wants logical.

repo="$SRC/swapdiff"
cd "$repo"

export SWAPDIFF_KERNEL_SRC="${SWAPDIFF_KERNEL_SRC:-$SRC/linux-source-6.12.tar.xz}"
export SWAPDIFF_KERNEL_SRC_72="${SWAPDIFF_KERNEL_SRC_72:-$SRC/linux-source-7.2.tar.xz}"
if [ ! -e "$SWAPDIFF_KERNEL_SRC" ]; then
  echo "swapdiff: no 6.12 kernel source at $SWAPDIFF_KERNEL_SRC (the Dockerfile runs oss-fuzz/fetch-kernel.sh 6.12)" >&2
  exit 1
fi
# `none` would leave 7.x out of the binaries, and callers_7x and callers_cross need it.
if [ "$SWAPDIFF_KERNEL_SRC_72" = none ] || [ ! -e "$SWAPDIFF_KERNEL_SRC_72" ]; then
  echo "swapdiff: no 7.2 kernel source at $SWAPDIFF_KERNEL_SRC_72 (the Dockerfile runs oss-fuzz/fetch-kernel.sh 7.2;" \
    "callers_7x and callers_cross run it, and every target links it)" >&2
  exit 1
fi
case "${SWAPDIFF_LEVEL:-raw}" in
  raw | logical) ;;
  *) echo "swapdiff: SWAPDIFF_LEVEL is \`$SWAPDIFF_LEVEL\`; the comparison level is \`raw\` or \`logical\`" >&2; exit 1 ;;
esac
echo "swapdiff: the targets compare at the ${SWAPDIFF_LEVEL:-raw} level"
# The extraction cache goes to $WORK, not into the source tree.
export SWAPDIFF_CACHE_DIR="$WORK/swapdiff-kernel-cache"

targets=()
for f in fuzz/fuzz_targets/*.rs; do
  targets+=("$(basename "${f%.rs}")")
done

# 1. Seeds. The CLI that encodes the text programs is an ordinary program:
#    built with plain clang and no fuzzing flags (a C side instrumented for
#    ASan, libFuzzer or AFL++ would not link into it), in its own target dir.
(
  export RUSTFLAGS="" CFLAGS="" CXXFLAGS="" CC=clang CXX=clang++
  cargo build --release --bin swapdiff --target-dir "$WORK/seed-tool"
)
# The programs: corpus/seeds and corpus/regressions (inputs that once
# diverged) for the op-level targets, corpus/callers for the caller-level
# ones; `seeds` writes each program into the dir of every target that reads
# its form. corpus/known-bugs* hold patches and expected reports, not seeds.
rm -rf "$WORK/seeds"
for from in corpus/seeds corpus/regressions corpus/callers; do
  if [ -d "$from" ]; then
    "$WORK/seed-tool/release/swapdiff" seeds --from "$from" --out "$WORK/seeds"
  fi
done

# 2. The fuzzers.
cd fuzz
if [ "${FUZZING_ENGINE:-libfuzzer}" = "afl" ]; then
  # AFL++'s runtime counts trace-pc-guard edges, not the inline 8-bit
  # counters cargo fuzz instruments Rust with, so the Rust side is built with
  # the flags cargo-afl uses, linked against AFL++'s driver (the
  # CUSTOM_LIBFUZZER_PATH OSS-Fuzz sets) and its runtime. The C side gets
  # AFL++'s own instrumentation from CC=afl-clang-fast.
  afl_rt="${AFL_COMPILER_RT:-}"
  for candidate in "$OUT/afl-compiler-rt.o" "$SRC/aflplusplus/afl-compiler-rt.o"; do
    [ -z "$afl_rt" ] && [ -f "$candidate" ] && afl_rt="$candidate"
  done
  if [ -z "$afl_rt" ]; then
    echo "swapdiff: AFL++ runtime afl-compiler-rt.o not found (set AFL_COMPILER_RT)" >&2
    exit 1
  fi
  export RUSTFLAGS="$RUSTFLAGS -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=3 \
-Cllvm-args=-sanitizer-coverage-trace-pc-guard -Cllvm-args=-sanitizer-coverage-prune-blocks=0 \
-Cllvm-args=-sanitizer-coverage-trace-compares -Ccodegen-units=1 -Clink-arg=$afl_rt"
  cargo build --release --bins --target x86_64-unknown-linux-gnu
else
  # No compare callbacks in the Rust code (harness and model): they cost more
  # than the kernel's own and guide towards the harness's comparisons. The
  # kernel C keeps them: OSS-Fuzz's -fsanitize=fuzzer-no-link includes
  # trace-cmp (src/drive/build.rs has the figures).
  cargo fuzz build -O --no-trace-compares
fi
cd ..

built=fuzz/target/x86_64-unknown-linux-gnu/release
for t in "${targets[@]}"; do
  cp "$built/$t" "$OUT/"
  rm -f "$OUT/${t}_seed_corpus.zip"
  if [ -d "$WORK/seeds/$t" ] && [ -n "$(ls -A "$WORK/seeds/$t")" ]; then
    (cd "$WORK/seeds/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
  else
    echo "swapdiff: $t has no seeds; it gets no seed corpus"
  fi
  cp fuzz/swapdiff.dict "$OUT/$t.dict"
  sed "s/^dict = .*/dict = $t.dict/" fuzz/swapdiff.options >"$OUT/$t.options"
done
