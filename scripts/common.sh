# Shared by the fuzz drivers (sourced, not run).

# "stock", or "patched-<hash of the patches' contents>": each patch set gets
# its own build and artifact directories, so the stock build is never touched.
variant_name() {
  if [ -n "${SWAPDIFF_PATCHES:-}" ]; then
    echo "patched-$(IFS=:; cat $SWAPDIFF_PATCHES 2>/dev/null | sha256sum | cut -c1-12)"
  else
    echo stock
  fi
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
