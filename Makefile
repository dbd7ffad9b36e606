# swapdiff — the two commands a new user needs:
#   make fuzz   fuzz stock 6.12 and 7.2 (or SWAPDIFF_PATCHES) with $(TARGETS) for FUZZ_SECONDS
#   make test   every test, C side under ASan/UBSan included
# Both install what is missing first (scripts/install-deps.sh), idempotently.

SHELL := /bin/bash
FUZZ_SECONDS ?= 60
BENCH_SECONDS ?= 2
TARGETS := swap_counts mte_tags swap_mte callers_cross
CARGO ?= cargo

CHECK_SECONDS ?= 60
JOBS ?= 2
# The comparison level of check-patch, fuzz and afl (raw or logical; the
# environment's SWAPDIFF_LEVEL if set, else raw).
LEVEL ?= $(or $(SWAPDIFF_LEVEL),raw)
HUNT_SECONDS ?= 120
BENCH_FUZZ_SECONDS ?= 20
RSS_LIMIT_MB ?= 512

# The fuzz driver (`swapdiff fuzz`, src/drive) is the stock CLI: the patches
# go to the fuzz targets' build, as --patch, never into the driver's own.
DRIVER = env -u SWAPDIFF_PATCHES -u SWAPDIFF_BASE_PATCHES -u SWAPDIFF_C_SANITIZE -u RUSTFLAGS -u CARGO_TARGET_DIR \
  $(CARGO) run --release -q --bin swapdiff --
PATCH_ARGS = $(foreach p,$(subst :, ,$(SWAPDIFF_PATCHES)),--patch $(p))

.PHONY: test-races
.PHONY: check-patch hunt hunt72 coverage72 test-minimal regressions test-verdicts all deps test test-rust test-sanitize test-patches test-fuzz-build fuzz fuzz-build seeds afl bench bench-memory campaign clean-cache help

help:
	@echo "make fuzz            fuzz $(TARGETS) for FUZZ_SECONDS (default 60) in all; exits non-zero on a divergence (LEVEL=raw|logical)"
	@echo "make fuzz SERIES=7.2 caller-level programs through 7.2 (or SERIES=6.12,7.2: both, compared) for FUZZ_SECONDS, judged by the spec"
	@echo "make test            every test (cargo test, C side under sanitizers, patch handling, every fuzz target builds, check-patch verdicts, catalog minimization)"
	@echo "make test-races      each corpus/races patch (a lock removed) is caught by swapdiff interleave; stock is clean"
	@echo "make bench           one table: C floor, kernel-only, model-only, differential (BENCH_SECONDS), libFuzzer exec/s of every target with/without ASan (BENCH_FUZZ_SECONDS)"
	@echo "make bench-memory    make fuzz for 600 s (FUZZ_SECONDS); fails if a fuzzer process's peak RSS reaches RSS_LIMIT_MB (512)"
	@echo "make afl             the AFL++ targets for FUZZ_SECONDS in all"
	@echo "make seeds           text seeds (corpus/seeds) -> binary seeds (fuzz/corpus/<target>)"
	@echo "make check-patch PATCH=x.patch   check a kernel patch: build it, hunt, file findings (CHECK_SECONDS, JOBS, LEVEL)"
	@echo "make hunt            hunt every known bug in corpus/known-bugs; writes RESULTS.md (HUNT_SECONDS per seed)"
	@echo "make test-minimal    the catalog's hunt on seed 1: fails when an entry minimizes to more than minimal.txt + 1 op"
	@echo "make regressions FINDINGS=dir   add the findings' regression entries to corpus/regressions"
	@echo "make campaign        a long deterministic campaign (CAMPAIGN_PROGRAMS, default 200000)"
	@echo "make fuzz JOBS=N     / make afl JOBS=N: every target on N cores (libFuzzer workers, AFL++ -M/-S)"
	@echo "make coverage        HTML + lcov coverage of the kernel C and the model, per-function table"
	@echo "make coverage-shares which share of swap_mte's libFuzzer counters is kernel C, model, harness"
	@echo "make oss-fuzz-check  build and run the targets the way OSS-Fuzz does"
	@echo "env: SWAPDIFF_KERNEL_SRC (tree or tarball), SWAPDIFF_PATCHES (a.patch:b.patch), SWAPDIFF_BASE_PATCHES (what the base build applies instead of stock; cshim/ENVIRONMENT.md)"

deps:
	@scripts/install-deps.sh base

test: deps test-rust test-sanitize test-patches test-fuzz-build test-verdicts test-minimal test-races

test-rust:
	$(CARGO) test --workspace --release

test-sanitize: deps
	@cshim/tests/sanitize.sh

test-patches: deps
	@cshim/tests/patch_check.sh

test-races: deps
	@scripts/test-races.sh

# Every fuzz target must build, libFuzzer and AFL++: a target that no longer
# builds fails make test, not the next make fuzz. Then the driver end to end
# (tests/drive/run.sh): a short stock run is clean with executions counted,
# and a planted bug is found, triaged and filed.
test-fuzz-build:
	@scripts/install-deps.sh base fuzz afl
	@$(MAKE) -s seeds >/dev/null
	@$(DRIVER) fuzz --build-only --engine all $(PATCH_ARGS)
	@tests/drive/run.sh

# check-patch's verdicts end to end (slow: builds sanitized variants): the
# hang, crash and ASan test patches are found with their class, a no-op patch
# is clean, triage files a crashing input and a divergence, Ctrl-C mid-hunt
# leaves complete findings and a partial verdict.
test-verdicts: deps
	@tests/verdicts/run.sh

seeds: deps
	$(DRIVER) seeds --out fuzz/corpus

# SERIES=7.2 (or 6.12,7.2): caller-level programs through those kernel series' C in one
# process, compared with each other and judged by the caller-level spec (src/caller).
# The 7.2 catalog (corpus/known-bugs-72): every entry through check-patch --series 7.2 with
# seeds 1-3 for HUNT_SECONDS each; writes its RESULTS.md.
hunt72: deps
	@$(CARGO) build --release -q --bin swapdiff
	@HUNT_SECONDS=$(HUNT_SECONDS) scripts/hunt72.sh

# Lines and branches of the 7.2 extract the caller-level programs reach (COVERAGE_SECONDS).
coverage72: deps
	@scripts/install-deps.sh coverage
	@scripts/coverage72.sh

fuzz:
ifdef SERIES
	@scripts/install-deps.sh base
	@$(DRIVER) fuzz --series $(SERIES) --seconds $(FUZZ_SECONDS) --seed $(or $(SEED),1)
else
	@scripts/install-deps.sh base fuzz
	@$(MAKE) -s seeds
	@$(DRIVER) fuzz $(TARGETS) --seconds $(FUZZ_SECONDS) --level $(LEVEL) --jobs $(or $(filter-out 0,$(FUZZ_JOBS)),1) $(PATCH_ARGS)
endif

afl:
	@scripts/install-deps.sh base afl
	@$(MAKE) -s seeds
	@$(DRIVER) fuzz $(TARGETS) --engine afl --seconds $(FUZZ_SECONDS) --level $(LEVEL) --jobs $(or $(filter-out 0,$(FUZZ_JOBS)),1) $(PATCH_ARGS)

# One table (src/bench/): the C floor, kernel engine, model, differential
# (BENCH_SECONDS each), their ratios, and libFuzzer exec/s of every target
# with and without ASan (BENCH_FUZZ_SECONDS each, on scratch copies of the
# seeds: the run changes no corpus), each next to its issue-11 target.
bench:
	@scripts/install-deps.sh base fuzz
	@$(MAKE) -s seeds >/dev/null
	@echo "make bench BENCH_SECONDS=$(BENCH_SECONDS) BENCH_FUZZ_SECONDS=$(BENCH_FUZZ_SECONDS), $$(date -u '+%Y-%m-%d %H:%M UTC'), nproc $$(nproc)"
	@$(DRIVER) bench --seconds $(BENCH_SECONDS) --fuzz-seconds $(BENCH_FUZZ_SECONDS) \
	    --three-way-patch corpus/known-bugs/refactor-keeps-behaviour/bug.patch

# make fuzz's job (600 s unless FUZZ_SECONDS=N is given), then every target's
# peak RSS from the driver's summary must stay under RSS_LIMIT_MB (MB of 10^6
# bytes). A target without a figure fails too: unmeasured is not under.
bench-memory: FUZZ_SECONDS = 600
bench-memory:
	@scripts/install-deps.sh base fuzz
	@$(MAKE) -s seeds
	@log=$$(mktemp); set -o pipefail; \
	$(DRIVER) fuzz $(TARGETS) --seconds $(FUZZ_SECONDS) --level $(LEVEL) --jobs $(or $(filter-out 0,$(FUZZ_JOBS)),1) $(PATCH_ARGS) | tee $$log; \
	rc=$$?; \
	awk -v limit=$(RSS_LIMIT_MB) -v targets="$(TARGETS)" '$$0 ~ / execs \(/ && $$0 ~ /peak RSS/ { \
	    v = $$0; sub(/.*peak RSS +/, "", v); split(v, w, " "); seen[$$1] = 1; \
	    if (w[1] !~ /^[0-9]+$$/) { print "bench-memory: " $$1 ": peak RSS not measured"; bad = 1 } \
	    else if (w[1] + 0 >= limit) { print "bench-memory: " $$1 ": peak RSS " w[1] " MB >= " limit " MB"; bad = 1 } \
	    else print "bench-memory: " $$1 ": peak RSS " w[1] " MB < " limit " MB" } \
	  END { n = split(targets, t, " "); for (i = 1; i <= n; i++) if (!(t[i] in seen)) { print "bench-memory: " t[i] ": no summary line"; bad = 1 } \
	        exit bad }' $$log; mem=$$?; rm -f $$log; \
	if [ $$rc -ne 0 ] && [ $$rc -ne 1 ]; then echo "bench-memory: the fuzz run failed (exit $$rc): no verdict"; exit $$rc; fi; \
	if [ $$rc -eq 1 ]; then echo "bench-memory: the run also found divergences (filed above)"; fi; \
	if [ $$mem -ne 0 ]; then echo "bench-memory: FAILED"; exit 1; fi; echo "bench-memory: every process stayed under $(RSS_LIMIT_MB) MB"

campaign: deps
	$(CARGO) run --release -q --bin swapdiff -- campaign --programs $${CAMPAIGN_PROGRAMS:-200000}

check-patch: deps
	@test -n "$(PATCH)" || { echo "usage: make check-patch PATCH=my.patch[:other.patch] [CHECK_SECONDS=60 JOBS=2 LEVEL=raw|logical SANITIZE=0]"; exit 2; }
	$(CARGO) run --release -q --bin swapdiff -- check-patch $(subst :, ,$(PATCH)) --seconds $(CHECK_SECONDS) --jobs $(JOBS) --level $(LEVEL) $(if $(filter 0,$(SANITIZE)),--no-sanitize)

hunt: deps
	$(CARGO) run --release -q --bin swapdiff -- hunt --seconds $(HUNT_SECONDS) --stock-seconds $(HUNT_SECONDS)

# The catalog's hunt on one seed, short: every entry must still be found, keep its
# verdict, and minimize to at most one op above its minimal.txt. The results go to a
# temporary file (corpus/known-bugs/RESULTS.md is make hunt's). Builds each entry's
# variant once (cached under target/variants).
MINIMAL_SECONDS ?= 30
test-minimal: deps
	@out=$$(mktemp -t swapdiff-minimal.XXXXXX.md); \
	$(CARGO) run --release -q --bin swapdiff -- hunt --seeds 1 --seconds $(MINIMAL_SECONDS) --stock-seconds 3 --results $$out; \
	rc=$$?; cat $$out; rm -f $$out; \
	if [ $$rc -ne 0 ]; then echo "test-minimal: FAILED (an entry not found, or minimized above its minimal.txt + 1)"; exit 1; fi; \
	echo "test-minimal: every entry within one op of its hand-minimal program"

# Findings keep their regression entry (regression.txt); this adds them to the
# corpus cargo test replays, never overwriting an entry.
regressions:
	@test -n "$(FINDINGS)" || { echo "usage: make regressions FINDINGS=findings-dir"; exit 2; }
	@mkdir -p corpus/regressions; n=0; for f in $(FINDINGS)/*/regression.txt; do \
	  [ -f "$$f" ] || continue; d=$$(basename "$$(dirname "$$f")"); \
	  if [ -e "corpus/regressions/$$d.txt" ]; then echo "kept corpus/regressions/$$d.txt"; \
	  else cp "$$f" "corpus/regressions/$$d.txt"; echo "added corpus/regressions/$$d.txt"; n=$$((n+1)); fi; \
	done; echo "$$n regression entries added"

clean-cache:
	rm -rf target/kernel-cache
include mk/continuous.mk
