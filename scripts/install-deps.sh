#!/usr/bin/env bash
# Installs what swapdiff needs, only what is missing, so it is cheap to run
# before every make target. Usage:
#   scripts/install-deps.sh [base|fuzz|afl|coverage|kernel-7.2|kernel-7.3]...
#   base        clang, libclang (bindgen), patch, xz, the 6.12 kernel source
#               package, and kernel-7.2
#   fuzz        + nightly toolchain and cargo-fuzz
#   afl         + cargo-afl, with AFL++ built for the toolchain in use
#   coverage    + llvm-tools-preview (llvm-profdata, llvm-cov), clang-19 and jq (scripts/coverage.sh)
#   kernel-7.2  the tarball of linux-source-7.2 (Debian sid) at target/kernel-sources/linux-source-7.2.tar.xz
#   kernel-7.3  linux-source-7.3 (Debian experimental), likewise; both by
#               scripts/fetch-kernel-source.sh, which leaves the system's apt alone
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { printf 'swapdiff deps: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

apt_missing=()
need_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' || apt_missing+=("$1"); }

base() {
  need_pkg clang
  need_pkg libclang-dev
  need_pkg llvm
  need_pkg patch
  need_pkg xz-utils
  need_pkg zip
  need_pkg linux-source-6.12
  if [ ${#apt_missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${apt_missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}" >/dev/null
  fi
  kernel 7.2
}

# The kernel tarball of a Debian linux-source-X.Y package, fetched with a
# private apt state under target/ (instant once fetched). It needs apt-get,
# dpkg-deb and tar (always there on Debian) and xz (xz-utils).
kernel() {
  apt_missing=()
  need_pkg xz-utils
  apt_install_missing
  "$here/fetch-kernel-source.sh" "$1" >/dev/null
}

nightly() {
  if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    say "installing the nightly toolchain"
    rustup toolchain install nightly --profile minimal
  fi
}

fuzz() {
  nightly
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
  fi
}

afl() {
  if ! cargo afl --version >/dev/null 2>&1; then
    say "installing cargo-afl"
    cargo install cargo-afl --locked
  fi
  # AFL++ must be built for the exact toolchain that builds the targets.
  if ! cargo afl config --build --help >/dev/null 2>&1; then :; fi
  if [ ! -e "$(afl_marker)" ]; then
    say "building AFL++ for $(rustc --version)"
    cargo afl config --build --force >/dev/null
    mkdir -p "$(dirname "$(afl_marker)")" && touch "$(afl_marker)"
  fi
}
afl_marker() { echo "${XDG_DATA_HOME:-$HOME/.local/share}/swapdiff/afl-built-$(rustc --version | tr ' ()' '___')"; }

coverage() {
  nightly
  if ! rustup component list --installed --toolchain nightly 2>/dev/null | grep -q llvm-tools; then
    say "adding llvm-tools-preview"
    rustup component add llvm-tools-preview --toolchain nightly
  fi
  # scripts/coverage.sh: the C side's profile counters must be laid out the
  # way nightly's profiler runtime (LLVM 22) writes them; Debian 12's clang 14
  # is too old for that, its clang-19 works. jq reads llvm-cov's JSON.
  apt_missing=()
  need_pkg clang-19
  need_pkg jq
  apt_install_missing
}

apt_install_missing() {
  if [ ${#apt_missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${apt_missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}" >/dev/null
  fi
}

base
for what in "$@"; do
  case "$what" in
    base) ;;
    fuzz) fuzz ;;
    afl) afl ;;
    coverage) coverage ;;
    kernel-7.2) ;;  # part of base
    kernel-7.3) kernel 7.3 ;;
    *) say "unknown set '$what' (base, fuzz, afl, coverage, kernel-7.2, kernel-7.3)"; exit 2 ;;
  esac
done
