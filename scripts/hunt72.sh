#!/usr/bin/env bash
# The 7.2 known-bug catalog (corpus/known-bugs-72): each entry checked with
# `swapdiff check-patch --series 7.2` (stock 7.2 against patched 7.2 at the caller level)
# with seeds 1..3 for HUNT_SECONDS each. An entry is as expected when every finding's
# signature fits expected.txt (a shell glob) and has the verdict of verdict.txt, and every
# seed found one; the control must find nothing. Writes corpus/known-bugs-72/RESULTS.md.
# Exit 0 when every entry is as expected.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${HUNT_SECONDS:-20}
bin=target/release/swapdiff
catalog=corpus/known-bugs-72
results=$catalog/RESULTS.md
all_ok=1
rows=""
for dir in "$catalog"/*/; do
  name=$(basename "$dir")
  expected=$(cat "$dir/expected.txt")
  verdict=$(cat "$dir/verdict.txt")
  out=target/hunt72/$name
  rm -rf "$out"
  log=$("$bin" check-patch --series 7.2 --no-sanitize --jobs 3 --seconds "$seconds" --out "$out" "$dir/bug.patch" 2>&1)
  rc=$?
  sigs=$(printf '%s\n' "$log" | sed -n 's/^\(divergence\/[^ ]*\|spec\/[^ ]*\) (.*/\1/p' | sort -u)
  verdicts=$(printf '%s\n' "$log" | sed -n 's/^verdict: //p' | sort -u | tr '\n' ' ')
  firsts=$(printf '%s\n' "$log" | sed -n 's/.*the first at program \([0-9]*\).*/\1/p' | sort -n | tr '\n' ' ')
  detected=$(printf '%s\n' "$log" | grep -c 'the first at program')
  median=$(printf '%s\n' $firsts | sed -n '2p')
  ok=1
  why=""
  if [ "$expected" = none ]; then
    if [ "$rc" -ne 0 ] || [ -n "$sigs" ]; then ok=0; why="flagged: $sigs"; fi
  else
    [ "$detected" -eq 3 ] || { ok=0; why="found in $detected of 3 seeds"; }
    while read -r s; do
      [ -z "$s" ] && continue
      # shellcheck disable=SC2053
      [[ $s == $expected ]] || { ok=0; why="$why unexpected $s"; }
    done <<<"$sigs"
    [ "${verdicts% }" = "$verdict" ] || { ok=0; why="$why verdicts: ${verdicts% }"; }
  fi
  [ "$ok" -eq 1 ] || all_ok=0
  status=$([ "$ok" -eq 1 ] && echo "as expected" || echo "NOT as expected: $why")
  echo "$name: $status (seeds with a finding: $detected/3; first finding at programs: ${firsts:--})"
  rows+="| \`$name\` | $detected/3 | ${median:--} | ${verdicts:--} | $status |"$'\n'
done
{
  echo "# 7.2 catalog results"
  echo
  echo "\`make hunt72 HUNT_SECONDS=$seconds\` ($(date -u +%Y-%m-%d), seeds 1-3, no sanitizers)."
  echo "The programs column is the median, over the seeds, of the program that found the first finding."
  echo
  echo "| entry | detected | median programs | verdicts | |"
  echo "| --- | --- | --- | --- | --- |"
  printf '%s' "$rows"
} >"$results"
echo "wrote $results"
[ "$all_ok" -eq 1 ]
