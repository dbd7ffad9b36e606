# Shared by the fuzz drivers (sourced, not run).

# "stock", or "patched-<key>": each patch set gets its own build and artifact
# directories, so the stock build is never touched. The key is the one
# check-patch uses (`swapdiff variant-key`, a hash of the patches' bytes in
# order), computed by the stock CLI, built first if needed (without the
# patches: it is the stock build).
variant_name() {
  if [ -z "${SWAPDIFF_PATCHES:-}" ]; then
    echo stock
    return 0
  fi
  if ! env -u SWAPDIFF_PATCHES -u SWAPDIFF_C_SANITIZE -u RUSTFLAGS -u CARGO_TARGET_DIR \
      cargo build --release -q --bin swapdiff >&2; then
    echo "swapdiff: cannot build the CLI that names the patch set" >&2
    return 1
  fi
  local patches
  IFS=: read -r -a patches <<<"$SWAPDIFF_PATCHES"
  target/release/swapdiff variant-key "${patches[@]}"
}

# split_budget MIN TARGET...: sets `total` (FUZZ_SECONDS, default 60) and
# `per` (seconds per target, at least MIN). Exits 2 on bad usage.
split_budget() {
  local min=$1
  shift
  [ $# -gt 0 ] || { echo "usage: $0 TARGET..." >&2; exit 2; }
  total=${FUZZ_SECONDS:-60}
  [[ "$total" =~ ^[0-9]+$ ]] || { echo "FUZZ_SECONDS must be a number of seconds, not '$total'" >&2; exit 2; }
  per=$(( total / $# ))
  [ "$per" -lt "$min" ] && per=$min
  return 0
}
