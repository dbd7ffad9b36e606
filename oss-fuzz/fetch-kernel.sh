#!/bin/bash -eu
# Fetches the kernel source of one series swapdiff extracts its C from, from
# the kernel's own release hosting, checks it, and leaves at DEST a small
# tarball holding only the files swapdiff reads, each hash-checked.
#
#   fetch-kernel.sh SERIES DEST.tar.xz   SERIES is 6.12 or 7.2
#   fetch-kernel.sh DEST.tar.xz          the 6.12 series (the original form)
#   fetch-kernel.sh --files SERIES       prints the files DEST would hold, one a
#                                        line (scripts/oss-fuzz-check.sh)
#
# The Dockerfiles use $SRC/linux-source-6.12.tar.xz and
# $SRC/linux-source-7.2.tar.xz; oss-fuzz/build.sh reads them from there.
#
# The sources: the upstream release tarballs from the kernel.org CDN,
#   6.12  linux-6.12.117.tar.xz  (v6.x directory)
#   7.2   linux-7.2.13.tar.xz    (v7.x directory)
# KERNEL_ORG_URL overrides the download (e.g. a mirror of the same file);
# KERNEL_TARBALL names a copy of it already on disk and skips the download
# (scripts/oss-fuzz-check.sh stands Debian's local trees in that way).
#
# The check. The build reads these files of a tree and nothing else (the
# series' files in cshim/manifest/kernel.toml, plus the top Makefile, whose
# version lines pick the series; cshim/build.rs takes no header from the tree,
# the shim provides every header the extract includes):
#   6.12  mm/swapfile.c, arch/arm64/mm/mteswap.c
#   7.2   mm/swap.h, mm/swap_table.h, mm/swapfile.c, mm/swap_state.c,
#         arch/arm64/mm/mteswap.c
# Each of those is pinned by sha256 below; of the Makefile, the extractor
# reads only the VERSION/PATCHLEVEL/SUBLEVEL/EXTRAVERSION lines, which must
# name the pinned release. Only the checked files go into DEST, so every byte
# of kernel source the build sees is verified; a member missing or different
# stops the build, naming it. The release is checked first: a tarball of
# another release fails with exit status 3 (any other failure: 1), as its
# files would not match either.
#
# Where the pins come from. This was written on a machine that cannot reach
# kernel.org, so no pin was computed from an upstream tarball: each is the
# sha256 of the file in the tree Debian ships as linux-source-X.Y, the tree
# swapdiff's local build (`make fuzz`) reads:
#   6.12  Debian's linux-source-6.12 6.12.117-1~deb12u1;
#   7.2   Debian's linux-source-7.2 7.2.13-1 (unstable), the tarball in
#         target/kernel-sources/linux-source-7.2.tar.xz.
# Debian's tree is upstream plus Debian's own patches, so the pins are the
# upstream bytes only if Debian patches none of these files. What was seen:
#   6.12  every change to the swap code in that package's changelog, back to
#         its first release, is an upstream stable change; none of Debian's
#         own patches touches mm/swapfile.c or arch/arm64/mm/mteswap.c.
#   7.2   the changelog of source package linux 7.2.13-1 (read from its
#         linux-libc-dev .deb, which carries the same changelog; the
#         linux-source-7.2 .deb itself was not kept locally) names the swap
#         code only in its "New upstream stable update" lists; of Debian's own
#         entries, back to the package's first release, the only ones naming
#         swap are config changes (e.g. enabling ZSWAP), none a patch to
#         mm/swap*.{c,h} or mteswap.c. The tree calls itself "with Debian
#         patches" and the patches are not in the tarball, so this is the
#         changelog's word, not a diff against upstream.
# (arch/arm64/mm/mteswap.c has the same bytes in Debian's 6.12.117 and
# 7.2.13 trees.) If upstream's files differ from Debian's after all, the
# check fails closed: the build stops, naming the file, and the pin must be
# re-taken from the upstream tarball (after checking it against kernel.org's
# signed sha256sums.asc).
#
# KERNEL_ORG_SHA256, if set, additionally pins the whole tarball (take it
# from kernel.org's signed sha256sums.asc after checking its signature; it
# could not be computed where this was written).

die() { echo "fetch-kernel: $1" >&2; exit "${2:-1}"; }
usage="usage: fetch-kernel.sh [6.12|7.2] DEST.tar.xz | --files 6.12|7.2"

list_only=0
case "$#:${1:-}" in
  2:--files) list_only=1 series=$2 dest=- ;;
  1:*) series=6.12 dest=$1 ;;
  2:*) series=$1 dest=$2 ;;
  *) die "$usage" ;;
esac

case "$series" in
  6.12)
    VERSION=6.12.117
    PINS=(
      "83ab7314a07d4566be1dfb9fb6ad8a3640273a577ee6086fd3adcdcbb7b475ba mm/swapfile.c"
      "552560b1ab4d84f05ef395b9f13d81e2dec6366518ce637253bb96681a060fb7 arch/arm64/mm/mteswap.c"
    )
    ;;
  7.2)
    VERSION=7.2.13
    PINS=(
      "1818582c06b8f90708e20aa3cada1940d4164ebf107ff41cf4a6bd0e65f8bbbb mm/swap.h"
      "762e68659be9e36be3c2e8659dd3b2e081cf186341f69f6fa5d577df3be8ca2a mm/swap_table.h"
      "bf206e3e50d65cd1f62bc77c4e12af7095f740615a0cbe8348a876648d76c5a7 mm/swapfile.c"
      "1aeb839ab8ab24f59e861b50a04b5f30bf50c7a26588b82d56788c6287812d57 mm/swap_state.c"
      "552560b1ab4d84f05ef395b9f13d81e2dec6366518ce637253bb96681a060fb7 arch/arm64/mm/mteswap.c"
    )
    ;;
  *) die "unknown series '$series' ($usage)" ;;
esac
case "$dest" in "" | -?*) die "$usage" ;; esac
if [ $list_only = 1 ]; then
  echo Makefile
  for pin in "${PINS[@]}"; do echo "${pin#* }"; done
  exit 0
fi

# VERSION=X.Y.Z as the Makefile spells it (no EXTRAVERSION for a release).
IFS=. read -r v_major v_minor v_sub <<<"$VERSION"
want="VERSION = $v_major|PATCHLEVEL = $v_minor|SUBLEVEL = $v_sub|EXTRAVERSION ="
KERNEL_ORG_URL=${KERNEL_ORG_URL:-https://cdn.kernel.org/pub/linux/kernel/v$v_major.x/linux-$VERSION.tar.xz}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "${KERNEL_TARBALL:-}" ]; then
  from=$KERNEL_TARBALL
  [ -f "$from" ] || die "KERNEL_TARBALL=$from is not a file"
else
  from=$KERNEL_ORG_URL
  curl -fsSL --retry 3 -o "$tmp/k.tar.xz" "$from" || die "could not download $from"
  if [ -n "${KERNEL_ORG_SHA256:-}" ]; then
    echo "$KERNEL_ORG_SHA256  $tmp/k.tar.xz" | sha256sum -c --quiet - \
      || die "$from does not have sha256 $KERNEL_ORG_SHA256"
  fi
  KERNEL_TARBALL=$tmp/k.tar.xz
fi

# The same member patterns as cshim/extract/src/tarball.rs: any top directory,
# `*/Makefile` the top Makefile only.
mkdir "$tmp/x"
members=("*/Makefile")
for pin in "${PINS[@]}"; do members+=("*/${pin#* }"); done
tar -xJf "$KERNEL_TARBALL" -C "$tmp/x" --occurrence --wildcards --no-wildcards-match-slash --no-same-owner \
  "${members[@]}" || die "$from lacks a file swapdiff reads (${members[*]})"
top=$(find "$tmp/x" -mindepth 1 -maxdepth 1 -type d)
[ "$(echo "$top" | wc -l)" = 1 ] || die "$from has more than one top directory"

# The release first: another release's files would all differ.
got=$(grep -E '^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION) =' "$top/Makefile" | sed 's/ *$//' | paste -sd'|')
[ "$got" = "$want" ] || die "the top Makefile of $from says '$got', not '$want' (linux $VERSION)" 3

for pin in "${PINS[@]}"; do
  sum=${pin%% *} path=${pin#* }
  echo "$sum  $top/$path" | sha256sum -c --quiet - >/dev/null 2>&1 \
    || die "$path of $from does not have the pinned sha256 $sum (it has $(sha256sum <"$top/$path" | cut -d' ' -f1))"
done

# Only the checked files, under the upstream top directory name.
mv "$top" "$tmp/linux-$VERSION"
tar -C "$tmp" -cJf "$tmp/checked.tar.xz" "linux-$VERSION"
mv "$tmp/checked.tar.xz" "$dest"
names=(Makefile)
for pin in "${PINS[@]}"; do names+=("${pin#* }"); done
echo "fetch-kernel: linux-$VERSION checked (${names[*]}) -> $dest"
