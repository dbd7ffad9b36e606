#!/usr/bin/env bash
# make coverage: which lines and branches of the extracted kernel code, and
# which lines of the Rust model, the fuzz corpus reaches.
#
# Builds the cargo-fuzz targets with source-based coverage on both sides
# (Rust: -Cinstrument-coverage; C: clang -fprofile-instr-generate
# -fcoverage-mapping, passed in CFLAGS, which cshim's build honours), runs
# every input of the corpus once per target, merges the profiles and writes
#   target/coverage/html/index.html   the annotated sources
#   target/coverage/lcov.info         the same data for other tools
#   target/coverage/files.txt         per-file table
#   target/coverage/functions.txt     per-function table of the kernel code
# then prints the per-function table: lines and branches reached in each
# function extracted from mm/swapfile.c and arch/arm64/mm/mteswap.c.
#
#   COVERAGE_CORPUS    directory with one subdirectory per target (default fuzz/corpus)
#   COVERAGE_CC        C compiler (default: the first clang whose profile data
#                      the nightly Rust profiler runtime writes correctly)
#   SWAPDIFF_PATCHES   measure a patched kernel (built in its own target dir)
#
# `scripts/coverage.sh --print-cc` only prints the compiler it would use.
set -uo pipefail
cd "$(dirname "$0")/.."

die() { printf 'swapdiff coverage: %s\n' "$*" >&2; exit 2; }
say() { printf 'swapdiff coverage: %s\n' "$*"; }

sysroot=$(rustc +nightly --print sysroot 2>/dev/null) || die "no nightly toolchain (scripts/install-deps.sh fuzz)"
llvm_bin="$sysroot/lib/rustlib/x86_64-unknown-linux-gnu/bin"
profdata="$llvm_bin/llvm-profdata"
llvmcov="$llvm_bin/llvm-cov"
[ -x "$profdata" ] && [ -x "$llvmcov" ] \
  || die "llvm-profdata/llvm-cov missing: rustup component add llvm-tools-preview --toolchain nightly"
rust_llvm=$(rustc +nightly -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')

# One process carries two kinds of counters: Rust's, written by the profiler
# runtime nightly links in (LLVM $rust_llvm), and the C side's, laid out by the
# C compiler. An older clang's layout makes that runtime write a profile
# llvm-profdata rejects (clang 14 against LLVM 22: "malformed instrumentation
# profile data"), so a candidate is accepted only after a tiny Rust+C program
# built with it yields a profile that merges and reports C coverage.
probe_cc() {
  local cc=$1 dir
  command -v "$cc" >/dev/null 2>&1 || return 1
  dir=$(mktemp -d) || return 1
  (
    cd "$dir" || exit 1
    printf 'int probe_c(int x) { return x > 1 ? x : -x; }\n' >c.c
    printf 'extern "C" { fn probe_c(x: i32) -> i32; }\nfn main() { std::process::exit(unsafe { probe_c(2) } - 2); }\n' >m.rs
    "$cc" -O1 -fprofile-instr-generate -fcoverage-mapping -c c.c -o c.o \
      && ar rcs libprobe.a c.o \
      && rustc +nightly -Cinstrument-coverage m.rs -o m -L . -l static=probe \
      && LLVM_PROFILE_FILE="$dir/p.profraw" ./m \
      && "$profdata" merge -o p.profdata p.profraw \
      && "$llvmcov" report ./m -instr-profile=p.profdata 2>/dev/null | grep -q '^c\.c '
  ) >/dev/null 2>&1
  local ok=$?
  rm -rf "$dir"
  return $ok
}

pick_cc() {
  if [ -n "${COVERAGE_CC:-}" ]; then
    probe_cc "$COVERAGE_CC" && { echo "$COVERAGE_CC"; return 0; }
    die "COVERAGE_CC=$COVERAGE_CC does not produce profile data the nightly runtime (LLVM $rust_llvm) can write"
  fi
  local v
  for v in $(seq "$rust_llvm" -1 15); do
    probe_cc "clang-$v" && { echo "clang-$v"; return 0; }
  done
  probe_cc clang && { echo clang; return 0; }
  die "no clang writes coverage data compatible with nightly's LLVM $rust_llvm; install a newer one \
(Debian 12: apt-get install clang-19 llvm-19, or scripts/install-deps.sh coverage) or set COVERAGE_CC"
}

if [ "${1:-}" = "--print-cc" ]; then
  pick_cc
  exit 0
fi

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(swap_counts mte_tags swap_mte)
corpus=${COVERAGE_CORPUS:-fuzz/corpus}
# The patch-set key comes from swapdiff itself (`swapdiff variant-key`, the
# stock CLI), as for `swapdiff fuzz`: one hash, in one place.
IFS=: read -r -a patches <<<"${SWAPDIFF_PATCHES:-}"
variant=$(env -u SWAPDIFF_PATCHES -u SWAPDIFF_C_SANITIZE -u RUSTFLAGS -u CARGO_TARGET_DIR \
  cargo run --release -q --bin swapdiff -- variant-key "${patches[@]}") || exit 2
out=target/coverage
[ "$variant" = stock ] || out="target/coverage/$variant"
rm -rf "$out/raw" "$out/html" "$out/src"
mkdir -p "$out/raw" "$out/logs"

cc=$(pick_cc) || exit 2
say "C side with $cc, Rust side with nightly (LLVM $rust_llvm)"

# Its own target dir: coverage objects never mix with the fuzzing builds.
# cargo fuzz build takes one target or none (= all).
tdir="target/coverage-$variant"
one=()
[ ${#targets[@]} -eq 1 ] && one=("${targets[0]}")
say "building ${targets[*]} ($variant kernel)"
if ! (cd fuzz && CC="$cc" CFLAGS="-fprofile-instr-generate -fcoverage-mapping" RUSTFLAGS="-Cinstrument-coverage" \
      cargo +nightly fuzz build -O -s none --target-dir "$tdir" "${one[@]}") >"$out/logs/build.log" 2>&1; then
  echo "swapdiff coverage: build failed; the last lines of $out/logs/build.log:" >&2
  tail -25 "$out/logs/build.log" >&2
  exit 2
fi
bindir="fuzz/$tdir/x86_64-unknown-linux-gnu/release"

# Each target runs its whole corpus once (-runs=0: read and execute the
# corpus, no mutation). An input that diverges aborts the process before the
# profile is written, so then every input runs on its own and the diverging
# ones are named and left out.
objects=()
for t in "${targets[@]}"; do
  bin="$bindir/$t"
  [ -x "$bin" ] || die "no coverage build of '$t' in $bindir"
  [ -d "$corpus/$t" ] && [ -n "$(ls -A "$corpus/$t")" ] || die "no corpus in $corpus/$t (make seeds)"
  objects+=(-object "$bin")
  n=$(find "$corpus/$t" -maxdepth 1 -type f | wc -l)
  if LLVM_PROFILE_FILE="$PWD/$out/raw/$t-%p.profraw" "$bin" -runs=0 -rss_limit_mb=4096 "$corpus/$t" \
      >"$out/logs/$t.log" 2>&1; then
    say "$t: $n inputs"
  else
    rm -f "$out/raw/$t-"*.profraw
    bad=0
    while IFS= read -r -d '' f; do
      LLVM_PROFILE_FILE="$PWD/$out/raw/$t-%p.profraw" "$bin" "$f" >>"$out/logs/$t.log" 2>&1 \
        || { bad=$((bad + 1)); echo "  diverges, not counted: $f"; }
    done < <(find "$corpus/$t" -maxdepth 1 -type f -print0)
    say "$t: $n inputs, $bad of them diverge (make fuzz reports them)"
  fi
done
objects=("${objects[@]:1}")   # llvm-cov takes the first binary bare, the rest after -object

"$profdata" merge -sparse "$out/raw/"*.profraw -o "$out/coverage.profdata" \
  || die "llvm-profdata could not merge $out/raw/"

# Where the C side's counts land: clang's coverage mapping records physical
# lines of the extract in the kernel cache, not the kernel lines its #line
# directives name. So the HTML report shows the extract itself (the counts
# sit on the code that ran, and each function comes after its
# `#line N "mm/swapfile.c"`), while lcov.info and the per-function table
# speak kernel line numbers: a map from extract line to kernel line, read off
# those directives, renumbers them, and the lcov data points at a view of
# each kernel file rebuilt with every extracted line at its kernel line (the
# lines that were not extracted stay empty).
files_json=$("$llvmcov" export -summary-only "${objects[@]}" -instr-profile="$out/coverage.profdata" 2>/dev/null \
  | jq -r '.data[0].files[].filename') || die "llvm-cov export failed"
kernel_files=()
remap_spec=
for kpath in mm/swapfile.c arch/arm64/mm/mteswap.c; do
  extract=$(grep -m1 "/$kpath\$" <<<"$files_json") || die "no coverage data for $kpath: was the C side built with coverage?"
  view="$PWD/$out/src/$kpath"
  map="$out/logs/$(basename "$kpath").linemap"
  mkdir -p "$(dirname "$view")"
  awk -v map="$map" '
    /^#line [0-9]+ / { line = $2; next }
    line > 0         { print NR, line > map; text[line++] = $0; if (line > max) max = line }
    END              { for (i = 1; i < max; i++) print text[i] }
  ' "$extract" >"$view"
  kernel_files+=("$extract")
  remap_spec+="$extract|$view|$map;"
done

common=("${objects[@]}" -instr-profile="$out/coverage.profdata"
        -ignore-filename-regex='(/\.cargo/registry/|^/rustc/|/rustc/[0-9a-f]+/|fuzz/fuzz_targets/|/build/cshim-[^/]*/out/)')
"$llvmcov" show -format=html -output-dir="$out/html" -show-branches=count -show-line-counts-or-regions \
  -project-title="swapdiff: kernel 6.12 swap/MTE code and the Rust model, reached by $corpus" \
  "${common[@]}" >/dev/null 2>"$out/logs/html.log" || die "llvm-cov show failed (see $out/logs/html.log)"

# lcov records carry the line first: DA:<line>,<count>  BRDA:<line>,...  FN:<line>,<name>.
"$llvmcov" export -format=lcov "${common[@]}" 2>"$out/logs/lcov.log" \
  | awk -v spec="$remap_spec" '
      BEGIN { n = split(spec, entries, ";")
              for (i = 1; i <= n; i++) if (entries[i] != "") { split(entries[i], f, "|"); view[f[1]] = f[2]; mapf[f[1]] = f[3] } }
      /^SF:/ { path = substr($0, 4); remap = (path in view)
               if (remap) { delete m; while ((getline l < mapf[path]) > 0) { split(l, p, " "); m[p[1]] = p[2] }
                            close(mapf[path]); print "SF:" view[path]; next } }
      remap && /^(DA|BRDA|FN):/ {
               tag = substr($0, 1, index($0, ":")); rest = substr($0, length(tag) + 1)
               line = rest; sub(/,.*/, "", line)
               if (!(line in m)) next          # not kernel text (the generated header)
               print tag m[line] substr(rest, length(line) + 1); next }
      { print }' >"$out/lcov.info"
grep -q '^end_of_record' "$out/lcov.info" || die "llvm-cov export failed (see $out/logs/lcov.log)"
"$llvmcov" report "${common[@]}" 2>/dev/null \
  | sed -e "s|^[^ ]*/kernel-cache/[0-9a-f]*/|kernel:|" -e "s|^${PWD#/}/||" >"$out/files.txt"

# Per-function table of the kernel files, in kernel line order. llvm-cov
# names static functions "<translation unit>:<name>"; the kernel name is the
# part after the colon. A function's first line comes from the export.
"$llvmcov" export -skip-expansions "${objects[@]}" -instr-profile="$out/coverage.profdata" "${kernel_files[@]}" 2>/dev/null \
  | jq -r '.data[0].functions[] | "\(.name | sub("^.*:"; "")) \(.regions[0][0])"' \
  | sort -u >"$out/logs/function-starts.txt"
{
  printf '%-30s %-16s %9s %9s %9s %9s\n' "function" "kernel line" "lines" "reached" "branches" "reached"
  for kpath in mm/swapfile.c arch/arm64/mm/mteswap.c; do
    kfile=$(grep -m1 "/$kpath\$" <<<"$files_json")
    "$llvmcov" report -show-functions "${objects[@]}" -instr-profile="$out/coverage.profdata" "$kfile" 2>/dev/null \
      | awk -v file="${kpath##*/}" -v starts="$out/logs/function-starts.txt" -v map="$out/logs/${kpath##*/}.linemap" '
          BEGIN { while ((getline l < map) > 0) { split(l, p, " "); k[p[1]] = p[2] }
                  while ((getline l < starts) > 0) { split(l, p, " "); start[p[1]] = (p[2] in k) ? k[p[2]] : 0 } }
          # Name Regions Miss Cover Lines Miss Cover Branches Miss Cover
          NF == 10 && $2 ~ /^[0-9]+$/ {
            name = $1; sub(/^.*:/, "", name)
            where = file ":" start[name]; order = start[name]
            if (name == "TOTAL") { name = "(all of " file ")"; where = ""; order = 999999 }
            lines = $5; lhit = $5 - $6; br = $8; bhit = $8 - $9
            lp = lines ? sprintf("%5.1f%%", 100 * lhit / lines) : "-"
            bp = br ? sprintf("%5.1f%%", 100 * bhit / br) : "-"
            printf "%06d %-30s %-16s %9s %9s %9s %9s\n", order, name, where, lhit "/" lines, lp, bhit "/" br, bp
          }' \
      | sort -n | cut -c8-
  done
} >"$out/functions.txt"

echo
echo "Extracted kernel functions reached by $corpus (${targets[*]}):"
cat "$out/functions.txt"
echo
echo "Per file (lines):"
awk 'NR > 2 && /(^kernel:|rust-impl\/|^TOTAL)/ {
       name = $1
       printf "  %-40s %6d lines %6.2f%% reached\n", name, $8, ($8 ? 100 * ($8 - $9) / $8 : 0)
     }' "$out/files.txt"
echo
echo "report: $out/html/index.html  lcov: $out/lcov.info  tables: $out/files.txt $out/functions.txt"
