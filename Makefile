# swapdiff — the two commands a new user needs:
#   make fuzz   fuzz stock 6.12 (or SWAPDIFF_PATCHES) with every target for FUZZ_SECONDS
#   make test   every test, C side under ASan/UBSan included
# Both install what is missing first (scripts/install-deps.sh), idempotently.

SHELL := /bin/bash
FUZZ_SECONDS ?= 60
BENCH_SECONDS ?= 2
TARGETS := swap_counts mte_tags swap_mte
CARGO ?= cargo

CHECK_SECONDS ?= 60
JOBS ?= 2
# The comparison level of check-patch, fuzz and afl (raw or logical; the
# environment's SWAPDIFF_LEVEL if set, else raw).
LEVEL ?= $(or $(SWAPDIFF_LEVEL),raw)
HUNT_SECONDS ?= 120
BENCH_FUZZ_SECONDS ?= 20

# The fuzz driver (`swapdiff fuzz`, src/drive) is the stock CLI: the patches
# go to the fuzz targets' build, as --patch, never into the driver's own.
DRIVER = env -u SWAPDIFF_PATCHES -u SWAPDIFF_C_SANITIZE -u RUSTFLAGS -u CARGO_TARGET_DIR \
  $(CARGO) run --release -q --bin swapdiff --
PATCH_ARGS = $(foreach p,$(subst :, ,$(SWAPDIFF_PATCHES)),--patch $(p))

.PHONY: check-patch hunt regressions test-verdicts all deps test test-rust test-sanitize test-patches test-fuzz-build fuzz fuzz-build seeds afl bench campaign clean-cache help

help:
	@echo "make fuzz            fuzz every target for FUZZ_SECONDS (default 60) in all; exits non-zero on a divergence (LEVEL=raw|logical)"
	@echo "make test            every test (cargo test, C side under sanitizers, patch handling, every fuzz target builds)"
	@echo "make bench           exec/s: kernel-only, model-only, differential (BENCH_SECONDS each)"
	@echo "make afl             the AFL++ targets for FUZZ_SECONDS in all"
	@echo "make seeds           text seeds (corpus/seeds) -> binary seeds (fuzz/corpus/<target>)"
	@echo "make check-patch PATCH=x.patch   check a kernel patch: build it, hunt, file findings (CHECK_SECONDS, JOBS, LEVEL)"
	@echo "make hunt            hunt every known bug in corpus/known-bugs; writes RESULTS.md (HUNT_SECONDS per seed)"
	@echo "make regressions FINDINGS=dir   add the findings' regression entries to corpus/regressions"
	@echo "make campaign        a long deterministic campaign (CAMPAIGN_PROGRAMS, default 200000)"
	@echo "make fuzz JOBS=N     / make afl JOBS=N: every target on N cores (libFuzzer workers, AFL++ -M/-S)"
	@echo "make coverage        HTML + lcov coverage of the kernel C and the model, per-function table"
	@echo "make coverage-shares which share of swap_mte's libFuzzer counters is kernel C, model, harness"
	@echo "make oss-fuzz-check  build and run the targets the way OSS-Fuzz does"
	@echo "env: SWAPDIFF_KERNEL_SRC (tree or tarball), SWAPDIFF_PATCHES (a.patch:b.patch)"

deps:
	@scripts/install-deps.sh base

test: deps test-rust test-sanitize test-patches test-fuzz-build test-verdicts

test-rust:
	$(CARGO) test --workspace --release

test-sanitize: deps
	@cshim/tests/sanitize.sh

test-patches: deps
	@cshim/tests/patch_check.sh

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

fuzz:
	@scripts/install-deps.sh base fuzz
	@$(MAKE) -s seeds
	@$(DRIVER) fuzz $(TARGETS) --seconds $(FUZZ_SECONDS) --level $(LEVEL) --jobs $(or $(filter-out 0,$(FUZZ_JOBS)),1) $(PATCH_ARGS)

afl:
	@scripts/install-deps.sh base afl
	@$(MAKE) -s seeds
	@$(DRIVER) fuzz $(TARGETS) --engine afl --seconds $(FUZZ_SECONDS) --level $(LEVEL) --jobs $(or $(filter-out 0,$(FUZZ_JOBS)),1) $(PATCH_ARGS)

bench:
	@scripts/install-deps.sh base fuzz
	$(CARGO) run --release -q --bin swapdiff -- bench --seconds $(BENCH_SECONDS)
	@$(MAKE) -s seeds >/dev/null
	@# libFuzzer without ASan, on a copy of the seeds (the run changes nothing)
	@$(DRIVER) fuzz swap_mte --seconds $(BENCH_FUZZ_SECONDS) --no-sanitizer --scratch-corpus

campaign: deps
	$(CARGO) run --release -q --bin swapdiff -- campaign --programs $${CAMPAIGN_PROGRAMS:-200000}

check-patch: deps
	@test -n "$(PATCH)" || { echo "usage: make check-patch PATCH=my.patch[:other.patch] [CHECK_SECONDS=60 JOBS=2 LEVEL=raw|logical SANITIZE=0]"; exit 2; }
	$(CARGO) run --release -q --bin swapdiff -- check-patch $(subst :, ,$(PATCH)) --seconds $(CHECK_SECONDS) --jobs $(JOBS) --level $(LEVEL) $(if $(filter 0,$(SANITIZE)),--no-sanitize)

hunt: deps
	$(CARGO) run --release -q --bin swapdiff -- hunt --seconds $(HUNT_SECONDS) --stock-seconds $(HUNT_SECONDS)

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
