# Continuous and parallel fuzzing, coverage (included at the end of the Makefile).
#
#   make fuzz JOBS=N        the cargo-fuzz targets on N cores (N libFuzzer workers, one shared corpus)
#   make afl JOBS=N         AFL++ with one main (-M) and N-1 secondary (-S) instances per target
#   make coverage           HTML + lcov coverage of the kernel C and the Rust model reached by the corpus
#   make oss-fuzz-check     build oss-fuzz/build.sh the way OSS-Fuzz does, run every target, check $OUT
#   make coverage-shares    which share of swap_mte's libFuzzer counters is the kernel C, the model, the harness
#
# Both run `swapdiff fuzz --jobs N` (src/drive); JOBS unset or 1 is one process.
# Only a JOBS the user gives (command line or environment) counts: the
# Makefile's own default for check-patch must not turn make fuzz parallel.
FUZZ_JOBS = $(if $(filter command line environment,$(origin JOBS)),$(JOBS),1)

# fuzz-parallel and afl-parallel: the JOBS given, else every core.
PARALLEL_JOBS = $(if $(filter-out 0 1,$(FUZZ_JOBS)),$(FUZZ_JOBS),$(shell nproc))

.PHONY: fuzz-parallel afl-parallel coverage coverage-shares oss-fuzz-check

# The parallel runs under their own names (JOBS defaults to every core here).
fuzz-parallel:
	@scripts/install-deps.sh base fuzz
	@$(MAKE) -s seeds
	@$(DRIVER) fuzz $(TARGETS) --seconds $(FUZZ_SECONDS) --level $(LEVEL) --jobs $(PARALLEL_JOBS) $(PATCH_ARGS)

afl-parallel:
	@scripts/install-deps.sh base afl
	@$(MAKE) -s seeds
	@$(DRIVER) fuzz $(TARGETS) --engine afl --seconds $(FUZZ_SECONDS) --level $(LEVEL) --jobs $(PARALLEL_JOBS) $(PATCH_ARGS)

coverage:
	@scripts/install-deps.sh base fuzz coverage
	@$(MAKE) -s seeds
	@scripts/coverage.sh $(TARGETS)

# The counters of SHARES_TARGET (default swap_mte), built as `swapdiff fuzz
# --no-sanitizer` builds it, and those the stock seeds reach (src/coverage_shares.rs).
coverage-shares:
	@scripts/install-deps.sh base fuzz
	@env -u SWAPDIFF_PATCHES -u SWAPDIFF_BASE_PATCHES -u SWAPDIFF_C_SANITIZE -u RUSTFLAGS -u CARGO_TARGET_DIR \
	  $(CARGO) run --release -q --bin coverage-shares -- $(or $(SHARES_TARGET),swap_mte)

oss-fuzz-check:
	@scripts/install-deps.sh base fuzz afl coverage
	@scripts/oss-fuzz-check.sh
