#!/usr/bin/env bash
# Do the report's verdicts hold from one run of the README's main job to the
# next? Runs scenarios/default.ini with its report N times in a row (the
# README's first command does the same run), and prints for each run its
# wall time, the paired hit speedup (alloc-task over value-task at 100% hits,
# one thread) with its CI half-width, and every claim's verdict; then
# whether every claim got the same verdict in every run.
#   scripts/bench-verdicts.sh [N]      (default 10)
#   VTBENCH=path/to/vtbench (default build/vtbench)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10}"
vtbench="${VTBENCH:-build/vtbench}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for i in $(seq 1 "$n"); do
    start=$(date +%s.%N)
    "$vtbench" run scenarios/default.ini --quiet --report --out "$out/$i" >/dev/null
    end=$(date +%s.%N)
    echo "$start $end" >"$out/$i.time"
done
python3 - "$out" "$n" <<'PY'
import csv, glob, re, sys
out, n = sys.argv[1], int(sys.argv[2])
verdicts = []
for i in range(1, n + 1):
    run = glob.glob(f"{out}/{i}/*/")[0]
    start, end = map(float, open(f"{out}/{i}.time").read().split())
    rows = list(csv.DictReader(open(run + "results.csv", newline="")))
    hit = next(r for r in rows if r["impl"] == "alloc-task" and r["hit_ratio_target"] == "1"
               and r["threads"] == "1")
    lo, hi, ratio = float(hit["ratio_ci_low"]), float(hit["ratio_ci_high"]), float(hit["ratio"])
    half = (hi / lo) ** 0.5 - 1
    claims = {}
    for line in open(run + "report/report.md"):
        m = re.match(r"\|\s*(.+?)\s*\|.*\|\s*\*\*(confirmed|refuted|inconclusive|by construction|not measured)\*\*", line)
        if m:
            claims[m.group(1)[:60]] = m.group(2)
    verdicts.append(claims)
    rounds = sum(int(r["repetitions"]) for r in rows if r["impl"] == "value-task")
    print(f"run {i:2d}: {end - start:5.1f} s, {rounds} rounds; hit speedup {ratio:.3f}x "
          f"[{lo:.3f}, {hi:.3f}] (half-width {half * 100:.1f}%); " +
          ", ".join(f"{v}" for v in claims.values()))
names = sorted(set().union(*verdicts))
stable = [c for c in names if len({v.get(c) for v in verdicts}) == 1]
print(f"claims with the same verdict in all {n} runs: {len(stable)} of {len(names)}")
for c in names:
    if c not in stable:
        print(f"  differs: {c}: " + ", ".join(v.get(c, "-") for v in verdicts))
PY
