# Continuous and parallel fuzzing, coverage (included at the end of the Makefile).
#
#   make fuzz JOBS=N        the cargo-fuzz targets on N cores (N libFuzzer workers, one shared corpus)
#   make afl JOBS=N         AFL++ with one main (-M) and N-1 secondary (-S) instances per target
#   make coverage           HTML + lcov coverage of the kernel C and the Rust model reached by the corpus
#   make oss-fuzz-check     build oss-fuzz/build.sh the way OSS-Fuzz does, run every target, check $OUT
#
# JOBS unset or 1 keeps the one-process scripts/fuzz.sh and scripts/afl.sh.
# Only a JOBS the user gives (command line or environment) counts: the
# Makefile's own default for check-patch must not turn make fuzz parallel.
FUZZ_JOBS = $(if $(filter command line environment,$(origin JOBS)),$(JOBS),1)

# The fuzz and afl rules call $(FUZZ_DRIVER) / $(AFL_DRIVER): the one-process
# scripts, or the parallel ones when JOBS > 1.
FUZZ_DRIVER = $(if $(filter-out 0 1,$(FUZZ_JOBS)),JOBS=$(FUZZ_JOBS) scripts/fuzz-parallel.sh,scripts/fuzz.sh)
AFL_DRIVER = $(if $(filter-out 0 1,$(FUZZ_JOBS)),JOBS=$(FUZZ_JOBS) scripts/afl-parallel.sh,scripts/afl.sh)

.PHONY: fuzz-parallel afl-parallel coverage oss-fuzz-check

# The parallel drivers under their own names (JOBS defaults to every core here).
fuzz-parallel:
	@scripts/install-deps.sh base fuzz
	@$(MAKE) -s seeds
	@FUZZ_SECONDS=$(FUZZ_SECONDS) SWAPDIFF_LEVEL=$(LEVEL) JOBS=$(if $(filter-out 0 1,$(FUZZ_JOBS)),$(FUZZ_JOBS),$$(nproc)) scripts/fuzz-parallel.sh $(TARGETS)

afl-parallel:
	@scripts/install-deps.sh base afl
	@$(MAKE) -s seeds
	@FUZZ_SECONDS=$(FUZZ_SECONDS) SWAPDIFF_LEVEL=$(LEVEL) JOBS=$(if $(filter-out 0 1,$(FUZZ_JOBS)),$(FUZZ_JOBS),$$(nproc)) scripts/afl-parallel.sh $(TARGETS)

coverage:
	@scripts/install-deps.sh base fuzz coverage
	@$(MAKE) -s seeds
	@scripts/coverage.sh $(TARGETS)

oss-fuzz-check:
	@scripts/install-deps.sh base fuzz afl coverage
	@scripts/oss-fuzz-check.sh
