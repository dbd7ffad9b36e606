#!/usr/bin/env bash
# Fetches Debian's kernel source package without touching the system's apt
# configuration or state, and leaves the kernel tarball at a stable path.
#
#   scripts/fetch-kernel-source.sh 7.2|7.3 [--refresh]
#
#   7.2  linux-source-7.2 from the unstable suite (sid)
#   7.3  linux-source-7.3 from the experimental suite
#
# The archive is the machine's own main Debian archive: the apt source entry
# (deb822 *.sources or one-line sources.list / *.list) whose suites include
# the machine's release codename (e.g. bookworm, not bookworm-security), with
# that entry's URIs and Signed-By keyring. apt-get update and apt-get download
# then run against a private sources list, private lists, cache and (empty)
# dpkg status, so nothing under /etc/apt, /var/lib/apt or /var/cache/apt is
# written; no root is needed.
#
# Writes
#   $SWAPDIFF_KERNEL_SOURCES/linux-source-X.Y.tar.xz   the kernel tarball
#   $SWAPDIFF_KERNEL_SOURCES/linux-source-X.Y.version  the package version
# (default target/kernel-sources) and keeps its apt state in
# $SWAPDIFF_APT_STATE/<suite> (default target/apt-private/<suite>).
# If both files exist it prints the path and exits without network, unless
# --refresh is given (which re-downloads only if the archive has a newer
# version). Progress goes to stderr; the last line on stdout is the path.
set -euo pipefail

say() { printf 'swapdiff deps: %s\n' "$*" >&2; }
die() { printf 'swapdiff deps: error: %s\n' "$*" >&2; exit 1; }
usage() { printf 'usage: %s 7.2|7.3 [--refresh]\n' "$0" >&2; exit 2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

kver="" refresh=0
for arg in "$@"; do
  case "$arg" in
    --refresh) refresh=1 ;;
    -h|--help) usage ;;
    7.2|7.3) [ -z "$kver" ] || usage; kver=$arg ;;
    *) say "unknown argument '$arg'"; usage ;;
  esac
done
[ -n "$kver" ] || usage
case "$kver" in
  7.2) suite=sid ;;
  7.3) suite=experimental ;;
esac
pkg="linux-source-$kver"
member="usr/src/$pkg.tar.xz"

out_dir=${SWAPDIFF_KERNEL_SOURCES:-$root/target/kernel-sources}
tarball="$out_dir/$pkg.tar.xz"
verfile="$out_dir/$pkg.version"

have_result() { [ -s "$tarball" ] && [ -s "$verfile" ]; }

# Fast path: already fetched, no network, no apt.
if [ "$refresh" -eq 0 ] && have_result; then
  printf '%s\n' "$tarball"
  exit 0
fi

for tool in apt-get apt-config dpkg dpkg-deb tar xz flock; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "'$tool' not found (apt, dpkg, tar, xz-utils and util-linux are needed; scripts/install-deps.sh base)"
done

state=${SWAPDIFF_APT_STATE:-$root/target/apt-private}/$suite
mkdir -p "$state" "$out_dir" || die "cannot create $state or $out_dir"
state=$(cd "$state" && pwd)
out_dir=$(cd "$out_dir" && pwd)
tarball="$out_dir/$pkg.tar.xz"
verfile="$out_dir/$pkg.version"

# One fetch per suite at a time (parallel make); re-check once we hold the lock.
exec 9>"$state/.lock"
flock 9
if [ "$refresh" -eq 0 ] && have_result; then
  printf '%s\n' "$tarball"
  exit 0
fi

tmp_tar="$out_dir/.$pkg.tar.xz.partial.$$"
tmp_ver="$out_dir/.$pkg.version.partial.$$"
dl_dir="$state/download"
cleanup() { rm -f "$tmp_tar" "$tmp_ver"; rm -rf "$dl_dir"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
rm -f "$out_dir/.$pkg.tar.xz.partial."* "$out_dir/.$pkg.version.partial."*  # left by a killed run

# --- the machine's main Debian archive, from its own apt sources -----------

release=$( . /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}" ) || release=""
if [ -z "$release" ] && [ -r /etc/debian_version ]; then
  release=$(sed -n 's,^\([a-z][a-z]*\)/.*,\1,p' /etc/debian_version)
fi

eval "$(apt-config shell sys_sourcelist Dir::Etc::sourcelist/f sys_sourceparts Dir::Etc::sourceparts/d sys_main Dir::Etc::main/f)"
sys_sourcelist=${sys_sourcelist:-/etc/apt/sources.list}
sys_sourceparts=${sys_sourceparts:-/etc/apt/sources.list.d}
sys_sourceparts=${sys_sourceparts%/}

# Prints the first matching entry of a file: its URIs on the first line, then its
# Signed-By field as a deb822 field (possibly several lines, possibly none).
# An entry matches if it is an enabled binary ("deb") entry with component
# main whose suites include one of the words in $1.
find_deb822() { # wanted-suites file
  awk -v want=" $1 " '
    function reset() { split("", f); cur = "" }
    function has(list, word,   n, a, i) {
      n = split(list, a, /[ \t\n]+/)
      for (i = 1; i <= n; i++) if (a[i] == word) return 1
      return 0
    }
    function check(   n, s, i, en) {
      if (!("uris" in f) || !("suites" in f)) return
      if (!("types" in f) || !has(f["types"], "deb")) return
      en = tolower(f["enabled"]); if (en == "no" || en == "false") return
      if (("components" in f) && !has(f["components"], "main")) return
      n = split(f["suites"], s, /[ \t\n]+/)
      for (i = 1; i <= n; i++) if (s[i] != "" && index(want, " " s[i] " ")) {
        uris = f["uris"]; gsub(/[ \t\n]+/, " ", uris); sub(/^ /, "", uris); sub(/ $/, "", uris)
        print uris
        if ("signed-by" in f) print "Signed-By:" f["signed-by"]
        found = 1; exit
      }
    }
    BEGIN { reset() }
    /^#/ { next }
    /^[ \t]*$/ { check(); reset(); next }
    /^[ \t]/ { if (cur != "") f[cur] = f[cur] "\n" $0; next }
    /^[A-Za-z][A-Za-z0-9-]*:/ {
      i = index($0, ":"); cur = tolower(substr($0, 1, i - 1)); f[cur] = substr($0, i + 1); next
    }
    END { if (!found) check() }
  ' "$2"
}

find_oneline() { # wanted-suites file
  awk -v want=" $1 " '
    {
      line = $0; sub(/#.*/, "", line)
      if (line !~ /^[ \t]*deb[ \t]/) next
      sub(/^[ \t]*deb[ \t]+/, "", line)
      opts = ""
      if (substr(line, 1, 1) == "[") {
        e = index(line, "]"); if (!e) next
        opts = substr(line, 2, e - 2); line = substr(line, e + 1)
      }
      n = split(line, w, /[ \t]+/); k = 0
      for (i = 1; i <= n; i++) if (w[i] != "") v[++k] = w[i]
      if (k < 3 || !index(want, " " v[2] " ")) next
      main = 0; for (i = 3; i <= k; i++) if (v[i] == "main") main = 1
      if (!main) next
      print v[1]
      m = split(opts, o, /[ \t]+/)
      for (i = 1; i <= m; i++) if (o[i] ~ /^signed-by=/) { sub(/^signed-by=/, "", o[i]); print "Signed-By: " o[i] }
      exit
    }
  ' "$2"
}

find_archive() { # wanted-suites
  local file hit
  for file in "$sys_sourcelist" "$sys_sourceparts"/*; do
    [ -f "$file" ] && [ -r "$file" ] || continue
    case "$file" in
      */sources.list|*.list) hit=$(find_oneline "$1" "$file") ;;
      *.sources) hit=$(find_deb822 "$1" "$file") ;;
      *) continue ;;
    esac
    if [ -n "$hit" ]; then
      printf '%s\n%s\n' "$file" "$hit"
      return 0
    fi
  done
  return 1
}

entry=""
if [ -n "$release" ]; then
  entry=$(find_archive "$release") || entry=""
fi
if [ -z "$entry" ]; then
  # No codename (e.g. a sid machine with sources naming the alias): the
  # main archive's suite is then one of Debian's aliases.
  entry=$(find_archive "sid unstable testing stable") || entry=""
fi
[ -n "$entry" ] ||
  die "no usable apt source: no enabled 'deb' entry with component main for the release suite '${release:-?}' in $sys_sourcelist or $sys_sourceparts/*.{list,sources}"
archive_from=$(printf '%s\n' "$entry" | sed -n 1p)
uris=$(printf '%s\n' "$entry" | sed -n 2p)
signed_by=$(printf '%s\n' "$entry" | tail -n +3)
[ -n "$signed_by" ] || say "note: the archive entry has no Signed-By; apt's default trusted keys apply"

# --- private apt state ------------------------------------------------------

mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/state" "$dl_dir"
: >"$state/status"
sources="$state/swapdiff.sources"
{
  printf '# written by scripts/fetch-kernel-source.sh from the entry in %s\n' "$archive_from"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nTargets: Packages\n' "$uris" "$suite"
  [ -z "$signed_by" ] || printf '%s\n' "$signed_by"
} >"$sources"

# apt.conf.d is still read (proxies, mirrors), but its update/dpkg hooks
# (PackageKit, appstream, cache cleaning) act on the system, so they are
# cleared: APT_CONFIG is read first and points the main config file, read
# last, at a private one that includes the real one and then clears them.
late="$state/apt-late.conf"
{
  [ -z "${sys_main:-}" ] || [ ! -f "$sys_main" ] || printf '#include "%s";\n' "$sys_main"
  printf '#clear %s;\n' APT::Update::Pre-Invoke APT::Update::Post-Invoke \
    APT::Update::Post-Invoke-Success DPkg::Pre-Invoke DPkg::Post-Invoke DPkg::Pre-Install-Pkgs
} >"$late"
{
  [ -z "${APT_CONFIG:-}" ] || [ ! -f "$APT_CONFIG" ] || printf '#include "%s";\n' "$APT_CONFIG"
  printf 'Dir::Etc::main "%s";\n' "$late"
} >"$state/apt.conf"
export APT_CONFIG="$state/apt.conf"

apt_opts=(
  -q
  -o Dir::Etc::sourcelist="$sources"
  -o Dir::Etc::sourceparts=/dev/null
  -o Dir::Etc::preferences=/dev/null
  -o Dir::Etc::preferencesparts=/dev/null
  -o Dir::State="$state/state"
  -o Dir::State::Lists="$state/lists"
  -o Dir::State::status="$state/status"
  -o Dir::State::extended_states="$state/state/extended_states"
  -o Dir::Cache="$state/cache"
  -o Dir::Cache::pkgcache=
  -o Dir::Cache::srcpkgcache=
  -o Acquire::GzipIndexes=true
  -o Acquire::PDiffs=false
  -o Acquire::Languages=none
  -o APT::Update::Error-Mode=any
)
if [ "$(id -u)" -eq 0 ]; then apt_opts+=(-o APT::Sandbox::User=root); fi

# apt's own lines, indented under ours, on stderr.
apt_log() { sed -u 's/^/swapdiff deps:   /' >&2; }

say "$pkg: $suite from $uris (entry in $archive_from), apt state in $state"
start=$SECONDS
apt-get "${apt_opts[@]}" update 2>&1 | apt_log ||
  die "apt-get update of $suite from $uris failed (no network? see apt's messages above)"

candidate=$(apt-cache "${apt_opts[@]}" show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1) || candidate=""
[ -n "$candidate" ] || die "package $pkg not found in $suite at $uris"

if [ "$refresh" -eq 1 ] && have_result && [ "$(cat "$verfile")" = "$candidate" ]; then
  say "$pkg $candidate is current"
  printf '%s\n' "$tarball"
  exit 0
fi

say "downloading $pkg $candidate"
rm -rf "$dl_dir" && mkdir -p "$dl_dir"
(cd "$dl_dir" && apt-get "${apt_opts[@]}" download "$pkg=$candidate") 2>&1 | apt_log ||
  die "apt-get download $pkg=$candidate failed (see apt's messages above)"
debs=("$dl_dir/${pkg}_"*.deb)
[ -f "${debs[0]}" ] && [ ${#debs[@]} -eq 1 ] || die "apt-get download left no single $pkg .deb in $dl_dir"
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version) || die "$deb is not a readable .deb"
[ "$(dpkg-deb -f "$deb" Package)" = "$pkg" ] || die "$deb is not $pkg"

say "extracting $member"
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - --wildcards "*$member" >"$tmp_tar" ||
  die "could not extract $member from $deb"
[ -s "$tmp_tar" ] && xz -l "$tmp_tar" >/dev/null 2>&1 || die "$member from $deb is not a complete xz file"
rm -rf "$dl_dir"
printf '%s\n' "$version" >"$tmp_ver"

# Publish: the version file goes first and comes back last, so a run
# interrupted in between leaves a tarball without version, which is fetched again.
rm -f "$verfile"
mv -f "$tmp_tar" "$tarball"
mv -f "$tmp_ver" "$verfile"
say "$pkg $version -> $tarball ($(du -h "$tarball" | cut -f1), $((SECONDS - start)) s)"
printf '%s\n' "$tarball"
