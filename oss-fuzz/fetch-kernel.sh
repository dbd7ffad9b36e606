#!/bin/bash -eu
# Fetches the kernel source swapdiff extracts its C from, from the kernel's
# own release hosting, checks it, and leaves at $1 (the Dockerfiles use
# $SRC/linux-source-6.12.tar.xz; oss-fuzz/build.sh reads it from there) a
# small tarball holding only the files swapdiff reads, each hash-checked.
#
# The source: the upstream release tarball linux-6.12.117.tar.xz from the
# kernel.org CDN (KERNEL_ORG_URL overrides, e.g. a mirror of the same file).
#
# The check. The build reads three files of the tree and nothing else
# (cshim/extract: the manifest's files and the top Makefile):
#   mm/swapfile.c, arch/arm64/mm/mteswap.c  pinned by sha256 below;
#   Makefile                                its VERSION/PATCHLEVEL/SUBLEVEL/
#                                           EXTRAVERSION lines must say 6.12.117
#                                           (the extractor reads nothing else
#                                           from it).
# Only those files, once checked, go into $1, so every byte of kernel source
# the build sees is verified; a member missing or different stops the build.
# The two pins were taken from the 6.12.117 tree Debian ships as
# linux-source-6.12 (6.12.117-1~deb12u1, the tree `make fuzz` fuzzes
# locally), and they are the upstream files too: Debian's packaging patches
# neither file (every change to the swap code in that package's changelog,
# back to its first release, is an upstream stable change; none of its own
# patches touches mm/swapfile.c or arch/arm64/mm/mteswap.c). Should that
# ever be wrong, the check fails closed, naming the file.
#
# KERNEL_ORG_SHA256, if set, additionally pins the whole tarball (take it
# from kernel.org's signed sha256sums.asc after checking its signature; it
# could not be computed where this was written, which has no network).

dest=${1:?usage: fetch-kernel.sh DEST.tar.xz}

VERSION=6.12.117
KERNEL_ORG_URL=${KERNEL_ORG_URL:-https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-$VERSION.tar.xz}
PINS=(
  "83ab7314a07d4566be1dfb9fb6ad8a3640273a577ee6086fd3adcdcbb7b475ba mm/swapfile.c"
  "552560b1ab4d84f05ef395b9f13d81e2dec6366518ce637253bb96681a060fb7 arch/arm64/mm/mteswap.c"
)

die() { echo "fetch-kernel: $*" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

curl -fsSL --retry 3 -o "$tmp/k.tar.xz" "$KERNEL_ORG_URL" || die "could not download $KERNEL_ORG_URL"
if [ -n "${KERNEL_ORG_SHA256:-}" ]; then
  echo "$KERNEL_ORG_SHA256  $tmp/k.tar.xz" | sha256sum -c --quiet - \
    || die "$KERNEL_ORG_URL does not have sha256 $KERNEL_ORG_SHA256"
fi

# The same member patterns as cshim/extract/src/tarball.rs: any top directory.
mkdir "$tmp/x"
members=("*/Makefile")
for pin in "${PINS[@]}"; do members+=("*/${pin#* }"); done
tar -xJf "$tmp/k.tar.xz" -C "$tmp/x" --occurrence --wildcards --no-wildcards-match-slash --no-same-owner \
  "${members[@]}" || die "the tarball lacks a file swapdiff reads (${members[*]})"
top=$(find "$tmp/x" -mindepth 1 -maxdepth 1 -type d)
[ "$(echo "$top" | wc -l)" = 1 ] || die "the tarball has more than one top directory"

for pin in "${PINS[@]}"; do
  sum=${pin%% *} path=${pin#* }
  echo "$sum  $top/$path" | sha256sum -c --quiet - \
    || die "$path of $KERNEL_ORG_URL does not have the pinned sha256 $sum"
done
want="VERSION = 6|PATCHLEVEL = 12|SUBLEVEL = 117|EXTRAVERSION ="
got=$(grep -E '^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION) =' "$top/Makefile" | sed 's/ *$//' | paste -sd'|')
[ "$got" = "$want" ] || die "the top Makefile says '$got', not '$want'"

# Only the checked files, under the upstream top directory name.
mv "$top" "$tmp/linux-$VERSION"
tar -C "$tmp" -cJf "$tmp/checked.tar.xz" "linux-$VERSION"
mv "$tmp/checked.tar.xz" "$dest"
echo "fetch-kernel: linux-$VERSION checked (mm/swapfile.c, arch/arm64/mm/mteswap.c, Makefile) -> $dest"
