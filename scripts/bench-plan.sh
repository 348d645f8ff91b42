#!/usr/bin/env bash
# How good `vtbench run --dry-run`'s time estimate is: for each scenario
# file, the plan's estimate against the measured wall time of the run
# (the estimate is meant to be right within a factor of two).
#   scripts/bench-plan.sh [SCENARIO_FILE...]
#   default: scenarios/default.ini scenarios/threads.ini scenarios/open-loop.ini
#   VTBENCH=path/to/vtbench uses that binary (default build/vtbench).
set -euo pipefail
cd "$(dirname "$0")/.."
vtbench="${VTBENCH:-build/vtbench}"
files=("$@")
((${#files[@]})) || files=(scenarios/default.ini scenarios/threads.ini scenarios/open-loop.ini)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-28s %12s %12s %8s\n' scenario estimate measured ratio
for f in "${files[@]}"; do
    estimate=$("$vtbench" run "$f" --dry-run | sed -n 's/^ *time *\([0-9.]*\) \(s\|min\|h\).*/\1 \2/p')
    start=$(date +%s.%N)
    "$vtbench" run "$f" --quiet --out "$out" >/dev/null
    end=$(date +%s.%N)
    python3 - "$f" "$estimate" "$start" "$end" <<'PY'
import sys
name, estimate, start, end = sys.argv[1], sys.argv[2].split(), float(sys.argv[3]), float(sys.argv[4])
seconds = float(estimate[0]) * {"s": 1, "min": 60, "h": 3600}[estimate[1]]
measured = end - start
print(f"{name:28s} {seconds:10.1f} s {measured:10.1f} s {measured / seconds:8.2f}")
PY
done
