#!/usr/bin/env bash
# Runs every module's benchmark (kairos-*/bench/*.sh) in one go, one after the other, and prints
# one table of their results: what was measured, our time, the peer tools' time, the ratio
# (peer / ours: above 1 means we are faster) and our peak heap.
#
# Each benchmark script prints its own table; this script keeps the lines that carry a ratio.
# Full logs go to ${BENCH_OUT:-target/bench}/<module>-<script>.log.
#
#   kairos-examples/bench/run-all.sh [FILTER]     FILTER: run only scripts whose path contains it
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${BENCH_OUT:-target/bench}
mkdir -p "$out"
filter=${1:-}
limit=${BENCH_TIMEOUT:-3600}

scripts=()
while IFS= read -r s; do
  [[ -z "$filter" || "$s" == *"$filter"* ]] && scripts+=("$s")
done < <(find kairos-*/bench -maxdepth 1 -name '*.sh' ! -path 'kairos-examples/bench/run-all.sh' | sort)

if [ ${#scripts[@]} -eq 0 ]; then
  echo "no benchmark scripts found under kairos-*/bench/" >&2
  exit 1
fi

summary="$out/summary.txt"
: > "$summary"
failed=0
for s in "${scripts[@]}"; do
  name=$(echo "${s%.sh}" | sed 's#/bench/#-#')
  log="$out/$name.log"
  echo "== $s (log: $log)" >&2
  start=$(date +%s)
  if timeout --kill-after=30 "$limit" bash "$s" > "$log" 2>&1; then
    status=ok
  else
    status="FAILED (exit $?)"
    failed=1
  fi
  echo "   $status in $(( $(date +%s) - start )) s" >&2
  # A result line names a ratio; keep it with its module in front.
  grep -iE 'ratio|[0-9.]+x\b' "$log" | grep -viE '^\s*#' | sed "s#^#${name}\t#" >> "$summary"
  [ "$status" = ok ] || printf '%s\t%s\n' "$name" "$status" >> "$summary"
done

echo
echo "benchmark results ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1))"
column -t -s $'\t' "$summary"
exit $failed
