# Sourced by the fuzz drivers (scripts/fuzz.sh, afl.sh, fuzz-parallel.sh,
# afl-parallel.sh): the comparison level of the run, from SWAPDIFF_LEVEL
# (`make fuzz LEVEL=logical` sets it; default raw). Checked here so a typo
# stops before the build, with the same message the targets give (they read
# SWAPDIFF_LEVEL once at start, src/harness.rs, and exit 2 on a bad value).
# Sets $level and exports SWAPDIFF_LEVEL for the targets and the triage.
level=${SWAPDIFF_LEVEL:-raw}
case "$level" in
  raw | logical) ;;
  *)
    echo "swapdiff: SWAPDIFF_LEVEL is \`$level\`; the comparison level is \`raw\` or \`logical\`" >&2
    exit 2
    ;;
esac
export SWAPDIFF_LEVEL=$level

# Builds run without SWAPDIFF_LEVEL: a value in the build's environment is
# baked into the targets as their default (for OSS-Fuzz, oss-fuzz/build.sh),
# and changing it would rebuild the crate. Locally the level is the run's.
unleveled() { env -u SWAPDIFF_LEVEL "$@"; }
