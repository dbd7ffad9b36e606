#!/bin/bash -eu
# Fetches the kernel source swapdiff extracts its C from, pinned and
# hash-checked, to the tarball path given as $1 (the Dockerfiles use
# $SRC/linux-source-6.12.tar.xz; oss-fuzz/build.sh reads it from there).
#
# KERNEL_SOURCE selects where from:
#   debian (default)  Debian's linux-source-6.12 package, version 6.12.117-1~deb12u1:
#                     the same tarball `make fuzz` uses on Debian 12, so OSS-Fuzz
#                     fuzzes exactly what was fuzzed locally. Both hashes below were
#                     taken on a machine with that package installed: the .deb's from
#                     the archive's signed Packages index, the tarball's from the
#                     installed file (which matched the package's md5sums).
#   kernel.org        the upstream release tarball linux-6.12.117.tar.xz. Its sha256
#                     must be given in KERNEL_ORG_SHA256 (take it from
#                     https://cdn.kernel.org/pub/linux/kernel/v6.x/sha256sums.asc after
#                     checking that file's signature): it could not be computed where
#                     this script was written (no network there), and an unchecked
#                     download is refused.

dest=${1:?usage: fetch-kernel.sh DEST.tar.xz}

DEB_NAME=linux-source-6.12_6.12.117-1~deb12u1_all.deb
DEB_SHA256=e849faf31ca3555757f3a8877cb01af92122f744f75d1f3102734651c4e14703
TARBALL_SHA256=585a4a074597aefa2b1a68ada83a3184ba351c127544dea80618bbcceaa3961f
# The security archive keeps superseded versions for a while; the snapshot
# archive keeps them for good (the timestamp is just after this version was
# published).
DEB_URLS=(
  "https://deb.debian.org/debian-security/pool/updates/main/l/linux-6.12/$DEB_NAME"
  "https://snapshot.debian.org/archive/debian-security/20261121T000000Z/pool/updates/main/l/linux-6.12/$DEB_NAME"
)
KERNEL_ORG_URL=https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.12.117.tar.xz

check() { # file sha256
  echo "$2  $1" | sha256sum -c --quiet - || { echo "fetch-kernel: $1 does not have sha256 $2" >&2; return 1; }
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case "${KERNEL_SOURCE:-debian}" in
  debian)
    for url in "${DEB_URLS[@]}"; do
      curl -fsSL --retry 3 -o "$tmp/k.deb" "$url" && check "$tmp/k.deb" "$DEB_SHA256" && break
      rm -f "$tmp/k.deb"
    done
    [ -f "$tmp/k.deb" ] || { echo "fetch-kernel: could not download $DEB_NAME" >&2; exit 1; }
    dpkg-deb --fsys-tarfile "$tmp/k.deb" | tar -xO ./usr/src/linux-source-6.12.tar.xz >"$tmp/k.tar.xz"
    check "$tmp/k.tar.xz" "$TARBALL_SHA256"
    ;;
  kernel.org)
    if [ -z "${KERNEL_ORG_SHA256:-}" ]; then
      echo "fetch-kernel: set KERNEL_ORG_SHA256 to the sha256 of linux-6.12.117.tar.xz (see the header)" >&2
      exit 1
    fi
    curl -fsSL --retry 3 -o "$tmp/k.tar.xz" "$KERNEL_ORG_URL"
    check "$tmp/k.tar.xz" "$KERNEL_ORG_SHA256"
    ;;
  *)
    echo "fetch-kernel: KERNEL_SOURCE is debian or kernel.org, not '$KERNEL_SOURCE'" >&2
    exit 1
    ;;
esac
mv "$tmp/k.tar.xz" "$dest"
